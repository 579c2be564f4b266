import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeTftp, encodeOack, type TftpPacket } from "./packet.ts";
import { Transfer, type TransferPlan, type TransferResult } from "./transfer.ts";

/** A transfer whose sends are recorded as "DATA n"/"OACK"; timers are long enough never to fire. */
function harness(plan: Partial<TransferPlan> & { content: Buffer }) {
  const sent: string[] = [];
  const ends: [TransferResult, string][] = [];
  const transfer = new Transfer(
    { blksize: 4, windowsize: 1, timeoutMs: 60_000, retries: 1, oack: undefined, ...plan },
    (packet) => {
      const decoded = decodeTftp(packet);
      sent.push(
        decoded?.op === "data" ? `DATA ${decoded.block}:${decoded.data.length}` : String(decoded?.op),
      );
    },
    (result, detail) => ends.push([result, detail]),
  );
  const ack = (block: number) => transfer.handle({ op: "ack", block });
  return { sent, ends, transfer, ack };
}

test("lock-step: each ACK releases the next block; the short last block ends it", () => {
  const { sent, ends, transfer, ack } = harness({ content: Buffer.alloc(10) });
  transfer.start();
  ack(1);
  ack(2);
  assert.deepEqual(sent, ["DATA 1:4", "DATA 2:4", "DATA 3:2"]);
  assert.deepEqual(ends, []);
  ack(3);
  assert.deepEqual(ends, [["done", "10 bytes"]]);
});

test("a size that is a multiple of blksize ends with an empty block", () => {
  const { sent, ends, transfer, ack } = harness({ content: Buffer.alloc(8) });
  transfer.start();
  ack(1);
  ack(2);
  ack(3);
  assert.deepEqual(sent, ["DATA 1:4", "DATA 2:4", "DATA 3:0"]);
  assert.equal(ends[0]?.[0], "done");
});

test("duplicate and stale ACKs send nothing (no Sorcerer's Apprentice)", () => {
  const { sent, transfer, ack } = harness({ content: Buffer.alloc(40) });
  transfer.start();
  ack(1);
  ack(1);
  ack(0);
  ack(7);
  assert.deepEqual(sent, ["DATA 1:4", "DATA 2:4"]);
  transfer.cancel("test over");
});

test("windows: ACK k inside the window resumes at k+1; ACKs outside are ignored", () => {
  const { sent, ends, transfer, ack } = harness({ content: Buffer.alloc(22), windowsize: 3 });
  transfer.start();
  assert.deepEqual(sent.splice(0), ["DATA 1:4", "DATA 2:4", "DATA 3:4"]);
  ack(2);
  assert.deepEqual(sent.splice(0), ["DATA 3:4", "DATA 4:4", "DATA 5:4"]);
  ack(2);
  ack(6);
  assert.deepEqual(sent.splice(0), []);
  ack(5);
  assert.deepEqual(sent.splice(0), ["DATA 6:2"]);
  ack(6);
  assert.equal(ends[0]?.[0], "done");
});

test("with options, the OACK comes first and data waits for ACK 0", () => {
  const oack = encodeOack(new Map([["blksize", "4"]]));
  const { sent, transfer, ack } = harness({ content: Buffer.alloc(5), windowsize: 2, oack });
  transfer.start();
  ack(1);
  assert.deepEqual(sent.splice(0), ["oack"]);
  ack(0);
  assert.deepEqual(sent.splice(0), ["DATA 1:4", "DATA 2:1"]);
  transfer.cancel("test over");
});

test("block numbers wrap from 65535 to 0", () => {
  const blocks = 65537; // the last, empty block is absolute 65538 → wire 2
  const { sent, ends, transfer, ack } = harness({ content: Buffer.alloc(blocks * 4), windowsize: 2 });
  transfer.start();
  for (let block = 2; block <= blocks + 1; block += 2) ack(block & 0xffff);
  assert.deepEqual(sent.slice(65533, 65538), [
    "DATA 65534:4",
    "DATA 65535:4",
    "DATA 0:4",
    "DATA 1:4",
    "DATA 2:0",
  ]);
  assert.equal(ends[0]?.[0], "done");
});

test("a client ERROR aborts; other packets are not for a read transfer", () => {
  const { ends, transfer } = harness({ content: Buffer.alloc(5) });
  transfer.start();
  const data: TftpPacket = { op: "data", block: 1, data: Buffer.alloc(0) };
  assert.equal(transfer.handle(data), false);
  assert.equal(transfer.handle({ op: "error", code: 8, message: "tsize refused" }), true);
  assert.deepEqual(ends, [["aborted", "client error 8: tsize refused"]]);
});

test("after retries timeouts without progress the transfer fails", async () => {
  const sent: number[] = [];
  const ended = new Promise<TransferResult>((resolve) => {
    const transfer = new Transfer(
      { content: Buffer.alloc(1), blksize: 512, windowsize: 1, timeoutMs: 5, retries: 2, oack: undefined },
      (packet) => sent.push(packet.readUInt16BE(2)),
      (result) => resolve(result),
    );
    transfer.start();
  });
  assert.equal(await ended, "failed");
  assert.deepEqual(sent, [1, 1, 1], "the first send and two retransmissions");
});
