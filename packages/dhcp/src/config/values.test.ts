import assert from "node:assert/strict";
import { test } from "node:test";
import { DhcpConfigError } from "./errors.ts";
import { durationMs, httpBaseUrl, leaseSeconds, parseGoBool, parseGoDuration, trimQuotes } from "./values.ts";

test("Go durations, in milliseconds", () => {
  const cases: [string, number][] = [
    ["30s", 30_000],
    ["1h30m", 5_400_000],
    ["500ms", 500],
    ["1.5h", 5_400_000],
    [".5s", 500],
    ["1500us", 1.5],
    ["1500µs", 1.5],
    ["2h45m10s", 9_910_000],
    ["0", 0],
    ["-1s", -1000],
  ];
  for (const [text, ms] of cases) assert.equal(parseGoDuration(text), ms, text);
  for (const text of ["", "3x", "30", "1d", "1H", "s", ".s", "1s ", "1 s", "1h-30m"]) {
    assert.equal(parseGoDuration(text), undefined, text);
  }
});

test("durations must be positive; lease times are whole seconds", () => {
  assert.throws(() => durationMs({ value: "0", where: "coresmd: cache_valid" }), {
    message: 'coresmd: cache_valid: "0" must be a positive duration',
  });
  assert.equal(leaseSeconds({ value: "90m", where: "x" }), 5400);
  assert.equal(leaseSeconds({ value: "1500ms", where: "x" }), 1);
  assert.throws(() => leaseSeconds({ value: "500ms", where: "bootloop: lease_time" }), DhcpConfigError);
});

test("Go ParseBool accepts exactly its set", () => {
  for (const word of ["1", "t", "T", "TRUE", "true", "True"]) assert.equal(parseGoBool(word), true, word);
  for (const word of ["0", "f", "F", "FALSE", "false", "False"]) assert.equal(parseGoBool(word), false, word);
  for (const word of ["yes", "no", "on", "tRUE", "", "2"]) assert.equal(parseGoBool(word), undefined, word);
});

test("quotes are trimmed from both ends", () => {
  assert.equal(trimQuotes(`"/root_ca/root_ca.crt"`), "/root_ca/root_ca.crt");
  assert.equal(trimQuotes(`''`), "");
  assert.equal(trimQuotes(`'a"b'`), 'a"b');
});

test("base URLs: http(s) only, no query, trailing slashes dropped", () => {
  const raw = (value: string) => ({ value, where: "coresmd: ipxe_base_uri" });
  assert.equal(httpBaseUrl(raw("http://172.16.0.254:8081/")), "http://172.16.0.254:8081");
  assert.equal(httpBaseUrl(raw("https://bss.example/apis/bss")), "https://bss.example/apis/bss");
  assert.throws(() => httpBaseUrl(raw("tftp://x/")), {
    message: 'coresmd: ipxe_base_uri: "tftp://x/" is not an http(s) URL',
  });
  assert.throws(() => httpBaseUrl(raw("172.16.0.254:8081")), /is not (a URL|an http\(s\) URL)/);
  assert.throws(() => httpBaseUrl(raw("http://x/?a=b")), /must not have a query/);
});
