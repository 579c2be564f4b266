import { encodeData, type TftpPacket } from "./packet.ts";

/**
 * One read transfer's sender side (RFC 1350 with RFC 7440 windows), without sockets: it
 * sends through `send` and reports its end once through `finish`.
 *
 * Blocks are numbered absolutely from 1 (the OACK, when there is one, is "block 0") and put
 * on the wire modulo 2^16. The last block is the first short one, possibly empty.
 */

export type TransferResult = "done" | "failed" | "aborted";

export interface TransferPlan {
  content: Buffer;
  blksize: number;
  windowsize: number;
  timeoutMs: number;
  /** Retransmissions of a window before the transfer is abandoned. */
  retries: number;
  /** Sent first when options were accepted; data starts after its ACK 0. */
  oack: Buffer | undefined;
}

export class Transfer {
  readonly #plan: TransferPlan;
  readonly #send: (packet: Buffer) => void;
  readonly #finish: (result: TransferResult, detail: string) => void;
  readonly #lastBlock: number;
  /** First unacknowledged block. */
  #base: number;
  /** Last block of the window in flight. */
  #windowEnd = 0;
  #timeouts = 0;
  #timer: NodeJS.Timeout | undefined;
  #finished = false;

  constructor(
    plan: TransferPlan,
    send: (packet: Buffer) => void,
    finish: (result: TransferResult, detail: string) => void,
  ) {
    this.#plan = plan;
    this.#send = send;
    this.#finish = finish;
    this.#lastBlock = Math.floor(plan.content.length / plan.blksize) + 1;
    this.#base = plan.oack ? 0 : 1;
  }

  start(): void {
    this.#sendWindow();
  }

  /** A packet from the peer; false when it has no meaning for a read transfer. */
  handle(packet: TftpPacket): boolean {
    if (packet.op === "ack") {
      this.#onAck(packet.block);
      return true;
    }
    if (packet.op === "error") {
      this.#end("aborted", `client error ${packet.code}: ${packet.message}`);
      return true;
    }
    return false;
  }

  cancel(detail: string): void {
    this.#end("aborted", detail);
  }

  #onAck(wireBlock: number): void {
    if (this.#finished) return;
    // Which block of the window in flight this is; anything else (a duplicate of an older
    // ACK, above all) is ignored: only a timeout retransmits (Sorcerer's Apprentice).
    const offset = (wireBlock - this.#base) & 0xffff;
    if (offset > this.#windowEnd - this.#base) return;
    const acked = this.#base + offset;
    if (acked === this.#lastBlock) {
      this.#end("done", `${this.#plan.content.length} bytes`);
      return;
    }
    this.#base = acked + 1;
    this.#timeouts = 0;
    this.#sendWindow();
  }

  #sendWindow(): void {
    this.#windowEnd =
      this.#base === 0 ? 0 : Math.min(this.#base + this.#plan.windowsize - 1, this.#lastBlock);
    for (let block = this.#base; block <= this.#windowEnd; block++) this.#send(this.#packet(block));
    if (this.#timer) this.#timer.refresh();
    else this.#timer = setTimeout(() => this.#onTimeout(), this.#plan.timeoutMs);
  }

  #packet(block: number): Buffer {
    if (block === 0) return this.#plan.oack!;
    const { content, blksize } = this.#plan;
    const start = (block - 1) * blksize;
    return encodeData(block, content.subarray(start, Math.min(start + blksize, content.length)));
  }

  #onTimeout(): void {
    if (this.#finished) return;
    this.#timeouts++;
    if (this.#timeouts > this.#plan.retries) {
      this.#end("failed", `no ACK after ${this.#timeouts} timeouts`);
      return;
    }
    this.#sendWindow();
  }

  #end(result: TransferResult, detail: string): void {
    if (this.#finished) return;
    this.#finished = true;
    clearTimeout(this.#timer);
    this.#finish(result, detail);
  }
}
