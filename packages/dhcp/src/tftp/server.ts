import { createSocket, type RemoteInfo, type Socket, type SocketType } from "node:dgram";
import { isIPv6 } from "node:net";
import type { Logger } from "@openchami/core";
import type { Counter, Gauge, Metrics } from "@openchami/http";
import { FileCache } from "./file-cache.ts";
import { BLKSIZE_RANGE, negotiate, WINDOWSIZE_RANGE } from "./negotiate.ts";
import { toNetascii } from "./netascii.ts";
import { decodeTftp, ErrorCode, encodeError, encodeOack, type TftpPacket } from "./packet.ts";
import { checkName, resolveSafePath } from "./paths.ts";
import { Transfer, type TransferResult } from "./transfer.ts";

/** Read-only TFTP server (dhcp.md §5.3). */

export interface TftpClient {
  address: string;
  port: number;
}

export interface TftpServerOptions {
  host: string;
  port: number;
  /** Directory names are resolved in (`tftp_dir`). */
  root: string;
  /** Answer every transfer from the listening port instead of a fresh one per transfer. */
  singlePort: boolean;
  maxTransfers: number;
  maxBlksize: number;
  maxWindowsize: number;
  timeoutMs: number;
  retries: number;
  logger: Logger;
  metrics: Metrics;
  /** Generated files (config.ipxe, …), consulted before the disk with the normalised name. */
  generate?: (name: string, client: TftpClient) => Buffer | undefined;
}

type RequestPacket = Extract<TftpPacket, { op: "rrq" | "wrq" }>;

type DropReason = "malformed" | "busy" | "duplicate" | "unexpected";

/** A peer's transfer: preparing (no `transfer` yet) or running. */
interface Slot {
  key: string;
  client: TftpClient;
  filename: string;
  /** Its own socket (new TID), unless single-port. */
  socket: Socket | undefined;
  transfer: Transfer | undefined;
  cancelled: boolean;
}

type Content = { ok: true; data: Buffer } | { ok: false; code: number; reason: string };

const MODES = new Set(["octet", "netascii"]);

export class TftpServer {
  readonly #options: TftpServerOptions;
  readonly #log: Logger;
  readonly #socketType: SocketType;
  readonly #cache = new FileCache();
  readonly #slots = new Map<string, Slot>();
  readonly #active: Gauge;
  readonly #transfers: Counter;
  readonly #dropped: Counter;
  readonly #errorsSent: Counter;
  readonly #sendErrors: Counter;
  #socket: Socket | undefined;

  constructor(options: TftpServerOptions) {
    this.#options = {
      ...options,
      maxBlksize: clamp(options.maxBlksize, BLKSIZE_RANGE),
      maxWindowsize: clamp(options.maxWindowsize, WINDOWSIZE_RANGE),
    };
    this.#log = options.logger;
    this.#socketType = isIPv6(options.host) ? "udp6" : "udp4";
    const { metrics } = options;
    this.#active = metrics.gauge("tftp_transfers_active", "TFTP transfers in progress");
    this.#transfers = metrics.counter("tftp_transfers_total", "TFTP read requests by outcome", ["result"]);
    this.#dropped = metrics.counter("tftp_dropped_total", "TFTP datagrams dropped, by reason", ["reason"]);
    this.#errorsSent = metrics.counter("tftp_errors_sent_total", "TFTP ERROR packets sent, by code", [
      "code",
    ]);
    this.#sendErrors = metrics.counter("tftp_send_errors_total", "TFTP datagrams the socket failed to send");
    this.#active.set({}, 0);
  }

  async start(): Promise<void> {
    const socket = await this.#bind(this.#options.port);
    socket.on("message", (msg, rinfo) => this.#guard(() => this.#onMainMessage(socket, msg, rinfo)));
    this.#socket = socket;
  }

  /** The bound port (the kernel's choice when configured as 0). */
  get port(): number {
    if (!this.#socket) throw new Error("TFTP server is not started");
    return this.#socket.address().port;
  }

  /** Stops listening and aborts every transfer. */
  async close(): Promise<void> {
    for (const slot of [...this.#slots.values()]) this.#cancel(slot);
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  #bind(port: number): Promise<Socket> {
    const socket = createSocket(this.#socketType);
    return new Promise((resolve, reject) => {
      const failed = (err: Error) => {
        socket.close();
        reject(err);
      };
      socket.once("error", failed);
      socket.bind({ address: this.#options.host, port }, () => {
        socket.off("error", failed);
        socket.on("error", (err) => this.#log.warn({ err }, "TFTP socket error"));
        resolve(socket);
      });
    });
  }

  /** Socket handlers never throw: an unexpected error is logged and the datagram dropped. */
  #guard(handle: () => void): void {
    try {
      handle();
    } catch (err) {
      this.#log.error({ err }, "TFTP datagram handling failed");
    }
  }

  #onMainMessage(socket: Socket, msg: Buffer, rinfo: RemoteInfo): void {
    const packet = decodeTftp(msg);
    const slot = this.#slots.get(peerKey(rinfo));
    if (!packet) this.#drop("malformed");
    else if (packet.op === "rrq" || packet.op === "wrq") {
      if (slot) this.#drop("duplicate");
      else this.#onRequest(socket, packet, rinfo);
    } else if (slot && this.#options.singlePort) this.#deliver(slot, packet);
    else this.#onForeign(socket, packet, rinfo);
  }

  #onRequest(socket: Socket, request: RequestPacket, rinfo: RemoteInfo): void {
    const client = { address: rinfo.address, port: rinfo.port };
    if (request.op === "wrq") {
      this.#refuse(socket, client, request.filename, ErrorCode.ACCESS_VIOLATION, "read-only server");
      return;
    }
    if (!MODES.has(request.mode)) {
      this.#refuse(socket, client, request.filename, ErrorCode.ILLEGAL_OPERATION, "unsupported mode");
      return;
    }
    if (this.#slots.size >= this.#options.maxTransfers) {
      this.#drop("busy");
      return;
    }
    const slot: Slot = {
      key: peerKey(rinfo),
      client,
      filename: request.filename,
      socket: undefined,
      transfer: undefined,
      cancelled: false,
    };
    this.#slots.set(slot.key, slot);
    this.#active.set({}, this.#slots.size);
    this.#prepare(socket, slot, request).catch((err) => {
      this.#log.warn({ err, client, file: slot.filename }, "TFTP transfer setup failed");
      this.#release(slot, "failed", "setup failed");
    });
  }

  async #prepare(mainSocket: Socket, slot: Slot, request: RequestPacket): Promise<void> {
    const content = await this.#content(request.filename, slot.client);
    if (slot.cancelled) return;
    if (!content.ok) {
      this.#forget(slot);
      this.#refuse(mainSocket, slot.client, slot.filename, content.code, content.reason);
      return;
    }
    const data = request.mode === "netascii" ? toNetascii(content.data) : content.data;
    const plan = negotiate(request.options, data.length, this.#options);
    if (!this.#options.singlePort) {
      const socket = await this.#bind(0);
      if (slot.cancelled) {
        socket.close();
        return;
      }
      slot.socket = socket;
      socket.on("message", (msg, rinfo) => this.#guard(() => this.#onTransferMessage(slot, msg, rinfo)));
    }
    const socket = slot.socket ?? mainSocket;
    const transfer = new Transfer(
      { ...plan, content: data, retries: this.#options.retries, oack: plan.oack && encodeOack(plan.oack) },
      (packet) => this.#send(socket, slot.client, packet),
      (result, detail) => this.#release(slot, result, detail),
    );
    slot.transfer = transfer;
    transfer.start();
  }

  /** The file's bytes: generated, else from disk (through the cache), or why not. */
  async #content(filename: string, client: TftpClient): Promise<Content> {
    const checked = checkName(filename);
    if (!checked.ok) return checked;
    const { generate, root } = this.#options;
    if (generate) {
      try {
        const generated = generate(checked.name, client);
        if (generated) return { ok: true, data: generated };
      } catch (err) {
        this.#log.warn({ err, file: checked.name }, "TFTP file generation failed");
        return { ok: false, code: ErrorCode.NOT_DEFINED, reason: "file generation failed" };
      }
    }
    const resolved = await resolveSafePath(root, checked.name);
    if (!resolved.ok) return resolved;
    try {
      return { ok: true, data: await this.#cache.get(resolved) };
    } catch (err) {
      this.#log.warn({ err, file: resolved.path }, "TFTP file read failed");
      return { ok: false, code: ErrorCode.ACCESS_VIOLATION, reason: "cannot read file" };
    }
  }

  #onTransferMessage(slot: Slot, msg: Buffer, rinfo: RemoteInfo): void {
    const packet = decodeTftp(msg);
    if (!packet) this.#drop("malformed");
    else if (rinfo.address !== slot.client.address || rinfo.port !== slot.client.port) {
      this.#onForeign(slot.socket!, packet, rinfo);
    } else this.#deliver(slot, packet);
  }

  #deliver(slot: Slot, packet: TftpPacket): void {
    if (!slot.transfer?.handle(packet)) this.#drop("unexpected");
  }

  /** A packet for no transfer of ours (RFC 1350 §4): ERROR 5, never in answer to an ERROR. */
  #onForeign(socket: Socket, packet: TftpPacket, rinfo: RemoteInfo): void {
    if (packet.op === "error") this.#drop("unexpected");
    else this.#sendError(socket, rinfo, ErrorCode.UNKNOWN_TID, "unknown transfer ID");
  }

  #cancel(slot: Slot): void {
    slot.cancelled = true;
    if (slot.transfer) slot.transfer.cancel("server closed");
    else this.#release(slot, "aborted", "server closed");
  }

  #refuse(socket: Socket, client: TftpClient, filename: string, code: number, reason: string): void {
    this.#transfers.inc({ result: "refused" });
    this.#log.info({ client, file: filename, code, reason }, "TFTP request refused");
    this.#sendError(socket, client, code, reason);
  }

  /** Ends a slot's transfer: frees its place and socket, counts and logs the outcome. */
  #release(slot: Slot, result: TransferResult, detail: string): void {
    if (!this.#forget(slot)) return;
    this.#transfers.inc({ result });
    this.#log.debug({ client: slot.client, file: slot.filename, result, detail }, "TFTP transfer finished");
  }

  /** False when the slot was already gone. */
  #forget(slot: Slot): boolean {
    if (this.#slots.get(slot.key) !== slot) return false;
    this.#slots.delete(slot.key);
    this.#active.set({}, this.#slots.size);
    slot.cancelled = true;
    slot.socket?.close();
    return true;
  }

  #drop(reason: DropReason): void {
    this.#dropped.inc({ reason });
  }

  #sendError(socket: Socket, to: TftpClient, code: number, message: string): void {
    this.#errorsSent.inc({ code });
    this.#send(socket, to, encodeError(code, message));
  }

  #send(socket: Socket, to: TftpClient, packet: Buffer): void {
    const failed = (err: Error) => {
      this.#sendErrors.inc();
      this.#log.warn({ err, client: to }, "TFTP send failed");
    };
    try {
      socket.send(packet, to.port, to.address, (err) => err && failed(err));
    } catch (err) {
      failed(err as Error);
    }
  }
}

function peerKey(peer: { address: string; port: number }): string {
  return `${peer.address}:${peer.port}`;
}

function clamp(value: number, range: { min: number; max: number }): number {
  return Math.min(Math.max(value, range.min), range.max);
}
