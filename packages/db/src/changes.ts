import { randomUUID } from "node:crypto";
import type { Logger } from "@openchami/core";
import type { ChangeHandler } from "./types.ts";

/** PostgreSQL rejects NOTIFY payloads of 8000 bytes or more; keep a margin for the envelope. */
export const MAX_NOTIFICATION_BYTES = 7900;

/** A notification ready to send: `text` goes over NOTIFY, `payload` is the JSON handlers get. */
export interface Notification {
  channel: string;
  payload: string;
  text: string;
}

/**
 * The change channel's in-process side: local subscribers and the wire envelope.
 * Every payload travels as `{"origin": <this hub>, "payload": ...}` so that a hub can
 * ignore the echo of its own NOTIFY (it already delivered those locally at commit).
 */
export class ChangeHub {
  readonly origin = randomUUID();
  readonly #handlers = new Map<string, Set<ChangeHandler>>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Serialises a payload, throwing if NOTIFY could not carry it. */
  prepare(channel: string, payload: object): Notification {
    const json = JSON.stringify(payload);
    if (json === undefined) {
      throw new TypeError(`notification payload on "${channel}" does not serialise to JSON`);
    }
    const text = `{"origin":"${this.origin}","payload":${json}}`;
    const bytes = Buffer.byteLength(text);
    if (bytes >= MAX_NOTIFICATION_BYTES) {
      throw new Error(
        `notification payload on "${channel}" is ${bytes} bytes; the limit is ${MAX_NOTIFICATION_BYTES} (send less, e.g. ids only)`,
      );
    }
    return { channel, payload: json, text };
  }

  add(channel: string, handler: ChangeHandler): void {
    const handlers = this.#handlers.get(channel) ?? new Set();
    handlers.add(handler);
    this.#handlers.set(channel, handlers);
  }

  /** Removes a handler; true when the channel has none left. */
  remove(channel: string, handler: ChangeHandler): boolean {
    const handlers = this.#handlers.get(channel);
    if (!handlers?.delete(handler)) return false;
    if (handlers.size > 0) return false;
    this.#handlers.delete(channel);
    return true;
  }

  /** Calls this process's handlers. Each gets its own parsed copy, as a remote replica would. */
  deliver({ channel, payload }: Pick<Notification, "channel" | "payload">): void {
    for (const handler of this.#handlers.get(channel) ?? []) {
      try {
        const result: unknown = handler(JSON.parse(payload));
        if (result instanceof Promise) result.catch((err) => this.#handlerFailed(channel, err));
      } catch (err) {
        this.#handlerFailed(channel, err);
      }
    }
  }

  /** Handles text received by LISTEN from any process, including this one. */
  receive(channel: string, text: string): void {
    let envelope: { origin?: unknown; payload?: unknown };
    try {
      envelope = JSON.parse(text);
    } catch {
      this.#logger.warn({ channel }, "ignoring a notification that is not JSON");
      return;
    }
    if (envelope.origin === this.origin) return;
    this.deliver({ channel, payload: JSON.stringify(envelope.payload ?? envelope) });
  }

  #handlerFailed(channel: string, err: unknown): void {
    this.#logger.error({ err, channel }, "notification handler failed");
  }
}
