import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setImmediate } from "node:timers/promises";
import { createLogger, silentLogger } from "@openchami/core";
import { ChangeHub, MAX_NOTIFICATION_BYTES } from "./changes.ts";

describe("ChangeHub", () => {
  it("ignores the echo of its own notifications and delivers other origins' payloads", () => {
    const sender = new ChangeHub(silentLogger());
    const receiver = new ChangeHub(silentLogger());
    const got: unknown[] = [];
    sender.add("c", (payload) => got.push(["sender", payload]));
    receiver.add("c", (payload) => got.push(["receiver", payload]));
    const { text } = sender.prepare("c", { id: 1 });
    sender.receive("c", text);
    receiver.receive("c", text);
    assert.deepEqual(got, [["receiver", { id: 1 }]]);
  });

  it("passes through NOTIFY payloads sent by other tools, and drops ones that are not JSON", () => {
    const hub = new ChangeHub(silentLogger());
    const got: unknown[] = [];
    hub.add("c", (payload) => got.push(payload));
    hub.receive("c", '{"from":"psql"}');
    hub.receive("c", "not json");
    assert.deepEqual(got, [{ from: "psql" }]);
  });

  it("gives every handler its own copy", () => {
    const hub = new ChangeHub(silentLogger());
    const copies: { list: number[] }[] = [];
    hub.add("c", (payload) => {
      payload.list.push(99);
      copies.push(payload);
    });
    hub.add("c", (payload) => copies.push(payload));
    hub.deliver(hub.prepare("c", { list: [1] }));
    assert.deepEqual(copies, [{ list: [1, 99] }, { list: [1] }]);
  });

  it("logs a handler that throws or rejects, and still calls the others", async () => {
    const lines: string[] = [];
    const hub = new ChangeHub(createLogger({ destination: { write: (line: string) => lines.push(line) } }));
    const got: unknown[] = [];
    hub.add("c", () => {
      throw new Error("sync bug");
    });
    hub.add("c", async () => {
      throw new Error("async bug");
    });
    hub.add("c", (payload) => got.push(payload));
    hub.deliver(hub.prepare("c", { id: 1 }));
    await setImmediate();
    assert.deepEqual(got, [{ id: 1 }]);
    const logged = lines.map((line) => JSON.parse(line));
    assert.deepEqual(
      logged.map((entry) => [entry.msg, entry.channel, entry.err.message]),
      [
        ["notification handler failed", "c", "sync bug"],
        ["notification handler failed", "c", "async bug"],
      ],
    );
  });

  it("accepts a payload just under the NOTIFY limit", () => {
    const hub = new ChangeHub(silentLogger());
    const envelope = Buffer.byteLength(hub.prepare("c", { s: "" }).text);
    const fits = { s: "x".repeat(MAX_NOTIFICATION_BYTES - envelope - 1) };
    assert.equal(Buffer.byteLength(hub.prepare("c", fits).text), MAX_NOTIFICATION_BYTES - 1);
    assert.throws(() => hub.prepare("c", { s: `${fits.s}x` }), /limit is 7900/);
  });
});
