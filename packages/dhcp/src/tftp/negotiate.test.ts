import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { negotiate } from "./negotiate.ts";
import { toNetascii } from "./netascii.ts";

const limits = { maxBlksize: 1468, maxWindowsize: 64, timeoutMs: 1000 };

function offer(pairs: Record<string, string>, size = 1000) {
  return negotiate(new Map(Object.entries(pairs)), size, limits);
}

test("no options: 512-byte blocks, lock-step, the server timeout, no OACK", () => {
  assert.deepEqual(offer({}), { blksize: 512, windowsize: 1, timeoutMs: 1000, oack: undefined });
});

test("accepted options are answered in request order with the values in force", () => {
  const result = offer({ tsize: "0", blksize: "1468", timeout: "3", windowsize: "8" }, 4242);
  assert.deepEqual(result, {
    blksize: 1468,
    windowsize: 8,
    timeoutMs: 3000,
    oack: new Map([
      ["tsize", "4242"],
      ["blksize", "1468"],
      ["timeout", "3"],
      ["windowsize", "8"],
    ]),
  });
});

test("blksize and windowsize are lowered to the configured maxima", () => {
  const result = offer({ blksize: "65464", windowsize: "65535" });
  assert.equal(result.blksize, 1468);
  assert.equal(result.windowsize, 64);
  assert.equal(result.oack?.get("blksize"), "1468");
  assert.equal(result.oack?.get("windowsize"), "64");
  assert.equal(offer({ blksize: "8" }).blksize, 8);
});

test("out-of-range, non-numeric and unknown options are ignored", () => {
  const ignored: Record<string, string>[] = [
    { blksize: "7" },
    { blksize: "65465" },
    { blksize: "-1" },
    { blksize: "1e3" },
    { windowsize: "0" },
    { windowsize: "65536" },
    { timeout: "0" },
    { timeout: "256" },
    { tsize: "" },
    { tsize: "x" },
    { multicast: "1" },
    { blksize: "99999999999" },
  ];
  for (const pairs of ignored) {
    assert.equal(offer(pairs).oack, undefined, JSON.stringify(pairs));
  }
  assert.deepEqual([...(offer({ utimeout: "500", blksize: "1024" }).oack ?? [])], [["blksize", "1024"]]);
});

test("netascii turns LF into CR LF and CR into CR NUL", () => {
  assert.deepEqual(toNetascii(Buffer.from("a\nb\rc\r\n")), Buffer.from("a\r\nb\r\0c\r\0\r\n"));
  const plain = Buffer.from("no line ends");
  assert.equal(toNetascii(plain), plain);
});

test("netascii conversion is reversible and grows by one byte per CR or LF", () => {
  const fromNetascii = (data: Buffer) =>
    Buffer.from(
      data.toString("latin1").replace(/\r\n|\r\0/g, (pair) => (pair === "\r\n" ? "\n" : "\r")),
      "latin1",
    );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const data = Buffer.from(bytes);
      const converted = toNetascii(data);
      const lineEnds = bytes.filter((b) => b === 10 || b === 13).length;
      assert.equal(converted.length, data.length + lineEnds);
      assert.deepEqual(fromNetascii(converted), data);
    }),
  );
});
