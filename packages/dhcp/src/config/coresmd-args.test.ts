import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { parsePluginArgs, tokenizePluginArgs } from "./coresmd-args.ts";
import { DhcpConfigError } from "./errors.ts";

const pairs = (args: { key: string; value: string }[]) => args.map(({ key, value }) => `${key}=${value}`);

describe("tokenizePluginArgs (§2.1)", () => {
  test("splits on any whitespace and drops comment tokens", () => {
    assert.deepEqual(tokenizePluginArgs("coresmd", "  a=1\n\t/* a comment */ b=2 /*x*/ c=3 /**/ \n"), [
      "a=1",
      "b=2",
      "c=3",
    ]);
    assert.deepEqual(tokenizePluginArgs("coresmd", "/* one\nline */ a=1 /*two */"), ["a=1"]);
    assert.deepEqual(tokenizePluginArgs("coresmd", ""), []);
  });

  test("an unclosed comment is an error naming what it swallows", () => {
    assert.throws(
      () => tokenizePluginArgs("bootloop", "a=1 /* open lease_time=5m"),
      new DhcpConfigError(
        'bootloop: unterminated comment: "/* open lease_time=5m" is never closed with "*/"',
      ),
    );
  });

  test("a comment opened inside a comment means the first was never closed (upstream's example)", () => {
    const upstream = `/* OPTIONAL: lease duration (default 5m)
        lease_time=5m
        /* IPv4 address starting the range, inclusive */
        ipv4_start=172.16.0.156`;
    assert.throws(
      () => tokenizePluginArgs("bootloop", upstream),
      new DhcpConfigError(
        'bootloop: unterminated comment: "/* OPTIONAL: lease duration (default 5m) lease_time=5m" runs into the next "/*"',
      ),
    );
  });

  test("a close without an open is an error; `/*/` opens without closing", () => {
    assert.throws(
      () => tokenizePluginArgs("coresmd", "a=1 stray*/"),
      new DhcpConfigError('coresmd: "stray*/" closes a comment that was never opened with "/*"'),
    );
    assert.throws(() => tokenizePluginArgs("coresmd", "/*/ a=1"), /unterminated comment/);
  });

  test("arbitrary text yields tokens or a DhcpConfigError, nothing else", () => {
    const alphabet = fc.constantFrom("/", "*", " ", "\n", "a", "=", "\t", '"');
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 40 }), fc.string(), (shaped, free) => {
        for (const text of [shaped, free]) {
          try {
            const tokens = tokenizePluginArgs("coresmd", text);
            assert.ok(tokens.every((t) => t !== "" && !/\s/.test(t)));
          } catch (error) {
            assert.ok(error instanceof DhcpConfigError, String(error));
          }
        }
      }),
    );
  });
});

describe("parsePluginArgs", () => {
  test("key=value pairs keep their order; values may contain '='", () => {
    const args = parsePluginArgs(
      "coresmd",
      "svc_base_uri=http://smd?x=1 rule=type:Node,hostname:a rule=id:x1,ignore:y",
    );
    assert.deepEqual(pairs(args), [
      "svc_base_uri=http://smd?x=1",
      "rule=type:Node,hostname:a",
      "rule=id:x1,ignore:y",
    ]);
  });

  test("repeatable keys repeat, others may not", () => {
    const args = parsePluginArgs("bootloop", "subnet_pool=a subnet_pool=b lease_time=5m");
    assert.deepEqual(pairs(args), ["subnet_pool=a", "subnet_pool=b", "lease_time=5m"]);
    assert.throws(
      () => parsePluginArgs("coresmd", "cache_valid=30s cache_valid=1m"),
      new DhcpConfigError("coresmd: cache_valid: given more than once"),
    );
  });

  test("unknown keys and stray tokens are errors", () => {
    assert.throws(
      () => parsePluginArgs("coresmd", "subnet=10.0.0.0/24"),
      /^DhcpConfigError: coresmd: unknown key "subnet" \(known: svc_base_uri, /,
    );
    assert.throws(
      () => parsePluginArgs("bootloop", "lease_time=5m oops"),
      new DhcpConfigError('bootloop: stray token "oops" (expected key=value)'),
    );
  });

  test("the legacy positional forms map onto the keys", () => {
    const coresmd = "https://smd.example:8443 http://172.16.0.254:8081 /root_ca/root_ca.crt 30s 1h false";
    assert.deepEqual(pairs(parsePluginArgs("coresmd", coresmd)), [
      "svc_base_uri=https://smd.example:8443",
      "ipxe_base_uri=http://172.16.0.254:8081",
      "ca_cert=/root_ca/root_ca.crt",
      "cache_valid=30s",
      "lease_time=1h",
      "single_port=false",
    ]);
    assert.deepEqual(
      pairs(parsePluginArgs("bootloop", "/tmp/coredhcp.db default 5m 172.16.0.156 172.16.0.200")),
      [
        "lease_file=/tmp/coredhcp.db",
        "script_path=default",
        "lease_time=5m",
        "ipv4_start=172.16.0.156",
        "ipv4_end=172.16.0.200",
      ],
    );
  });

  test("a positional form with the wrong count is an error", () => {
    assert.throws(
      () => parsePluginArgs("bootloop", "/tmp/db default 5m"),
      new DhcpConfigError(
        'bootloop: expected key=value pairs or the legacy positional form (5 values: lease_file script_path lease_time ipv4_start ipv4_end), got 3: "/tmp/db default 5m"',
      ),
    );
  });
});
