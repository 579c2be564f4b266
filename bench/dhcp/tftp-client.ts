/**
 * A TFTP read client for the benchmark, run in the client namespace (Node cannot enter a
 * namespace, so bench/dhcp/tftp.ts spawns this file under `ip netns exec`). It starts every
 * transfer at once, each from its own socket, checks each file's SHA-256 and prints one JSON
 * line (TftpRunResult). Written here rather than reusing the server's codec, so the server
 * is checked by an independent implementation.
 *
 *   node --import tsx bench/dhcp/tftp-client.ts --server A --file F --count N --sha256 H
 *     [--blksize 512] [--windowsize 1]
 *
 * RFC 1350 lock-step without options when blksize is 512 and windowsize 1; otherwise an RRQ
 * with `blksize`/`windowsize` (RFC 2348, 7440), using what the OACK grants (no OACK: 512, 1).
 * A window is acknowledged when full or at the short last block; a gap is acknowledged once
 * with the last in-order block, so the server resumes after it; a resent old block (our ACK
 * was lost) is acknowledged again; silence for the timeout resends the last packet.
 */
import { createHash } from "node:crypto";
import { createSocket, type RemoteInfo } from "node:dgram";
import { parseArgs } from "node:util";

const RRQ = 1;
const DATA = 3;
const ACK = 4;
const ERROR = 5;
const OACK = 6;
const TIMEOUT_MS = 1000;
const RETRIES = 5;

export interface TftpRunResult {
  count: number;
  ok: number;
  errors: string[];
  bytes: number;
  totalMs: number;
  transferMs: number[];
  /** Packets resent after a timeout, over all transfers. */
  resends: number;
  /** The options the server granted to the first transfer ("none": plain RFC 1350). */
  granted: string;
}

interface Wanted {
  server: string;
  file: string;
  blksize: number;
  windowsize: number;
}

function rrq(wanted: Wanted): Buffer {
  const parts = [wanted.file, "octet"];
  if (wanted.blksize !== 512) parts.push("blksize", String(wanted.blksize));
  if (wanted.windowsize !== 1) parts.push("windowsize", String(wanted.windowsize));
  return Buffer.concat([Buffer.of(0, RRQ), ...parts.map((p) => Buffer.from(`${p}\0`))]);
}

const ack = (block: number) => Buffer.of(0, ACK, block >> 8, block & 255);

function parseOack(msg: Buffer): Map<string, string> {
  const strings = msg.toString("latin1", 2).split("\0");
  const options = new Map<string, string>();
  for (let i = 0; i + 1 < strings.length; i += 2) options.set(strings[i]!.toLowerCase(), strings[i + 1]!);
  return options;
}

interface Transfer {
  data: Buffer;
  ms: number;
  resends: number;
  granted: string;
}

function transfer(wanted: Wanted): Promise<Transfer> {
  const socket = createSocket("udp4");
  const started = performance.now();
  const chunks: Buffer[] = [];
  let blksize = 512;
  let windowsize = 1;
  let granted = "none";
  let peerPort: number | undefined;
  let next = 1; // the block we wait for, as a count (the wire number is next & 0xffff)
  let sinceAck = 0;
  let gapAcked = -1;
  let last = rrq(wanted);
  let resends = 0;
  let silentRounds = 0;
  let timer: NodeJS.Timeout | undefined;

  return new Promise<Transfer>((resolve, reject) => {
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      if (error) reject(error);
      else resolve({ data: Buffer.concat(chunks), ms: performance.now() - started, resends, granted });
    };
    const send = (packet: Buffer, then?: () => void) => {
      last = packet;
      socket.send(packet, peerPort ?? 69, wanted.server, then);
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (++silentRounds > RETRIES) return finish(new Error(`timed out at block ${next}`));
        resends++;
        socket.send(last, peerPort ?? 69, wanted.server);
        arm();
      }, TIMEOUT_MS);
    };
    const onData = (msg: Buffer) => {
      const block = msg.readUInt16BE(2);
      if (block !== (next & 0xffff)) {
        const ahead = ((block - next) & 0xffff) < 0x8000;
        // A resent old block means our ACK was lost: repeat it. A gap: say once where we are.
        if (!ahead || gapAcked !== next - 1) {
          gapAcked = next - 1;
          sinceAck = 0;
          send(ack((next - 1) & 0xffff));
        }
        return;
      }
      const data = msg.subarray(4);
      chunks.push(Buffer.from(data));
      next++;
      sinceAck++;
      if (data.length < blksize) {
        clearTimeout(timer);
        // Closing right after a send can discard it; the server would wait for this ACK.
        send(ack(block), () => finish());
      } else if (sinceAck >= windowsize) {
        sinceAck = 0;
        send(ack(block));
      }
    };
    socket.on("message", (msg: Buffer, rinfo: RemoteInfo) => {
      if (done || rinfo.address !== wanted.server || msg.length < 4) return;
      peerPort ??= rinfo.port;
      if (rinfo.port !== peerPort) return;
      silentRounds = 0;
      arm();
      const op = msg.readUInt16BE(0);
      if (op === DATA) onData(msg);
      else if (op === OACK) {
        const options = parseOack(msg);
        blksize = Number(options.get("blksize") ?? 512);
        windowsize = Number(options.get("windowsize") ?? 1);
        granted = [...options].map(([k, v]) => `${k}=${v}`).join(",");
        send(ack(0));
      } else if (op === ERROR) {
        finish(new Error(`ERROR ${msg.readUInt16BE(2)} ${msg.toString("utf8", 4).replace(/\0.*/s, "")}`));
      }
    });
    socket.on("error", (err) => finish(err));
    socket.bind(0, () => {
      send(last);
      arm();
    });
  });
}

export async function runTransfers(wanted: Wanted, count: number, sha256: string): Promise<TftpRunResult> {
  const started = performance.now();
  const errors: string[] = [];
  const transferMs: number[] = [];
  let bytes = 0;
  let resends = 0;
  let granted = "";
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      try {
        const result = await transfer(wanted);
        resends += result.resends;
        granted ||= result.granted;
        const digest = createHash("sha256").update(result.data).digest("hex");
        if (digest !== sha256) throw new Error(`checksum mismatch (${result.data.length} bytes)`);
        bytes += result.data.length;
        transferMs.push(result.ms);
      } catch (error) {
        errors.push(`#${i}: ${(error as Error).message}`);
      }
    }),
  );
  return {
    count,
    ok: transferMs.length,
    errors,
    bytes,
    totalMs: performance.now() - started,
    transferMs,
    resends,
    granted,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      server: { type: "string" },
      file: { type: "string" },
      count: { type: "string", default: "100" },
      sha256: { type: "string" },
      blksize: { type: "string", default: "512" },
      windowsize: { type: "string", default: "1" },
    },
  });
  const wanted = {
    server: values.server!,
    file: values.file!,
    blksize: Number(values.blksize),
    windowsize: Number(values.windowsize),
  };
  const result = await runTransfers(wanted, Number(values.count), values.sha256!);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
