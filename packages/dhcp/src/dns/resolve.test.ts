import assert from "node:assert/strict";
import { test } from "node:test";
import type { Question } from "dns-packet";
import { buildDnsRecords } from "./records.ts";
import { type Authority, type Resolution, resolve } from "./resolve.ts";
import { testHostView } from "./test-hosts.ts";

const zones = [{ name: "cluster.local", nodes: "nid{04d}.rack1" }];
const records = buildDnsRecords(
  testHostView([{ mac: "02:00:00:00:00:01", xname: "x1000c0s0b0n0", nid: 1, ipv4: ["10.0.0.1"] }], 9),
  zones,
);
const loaded: Authority = { zones, ttl: 30, records };

function ask(name: string, type: string, authority = loaded, klass: Question["class"] = "IN") {
  return resolve({ name, type: type as Question["type"], class: klass }, authority);
}

function answer(resolution: Resolution) {
  assert.equal(resolution.kind, "answer");
  return resolution as Extract<Resolution, { kind: "answer" }>;
}

test("A answers echo the name as asked, authoritative, with the configured TTL", () => {
  const r = answer(ask("NID0001.Rack1.Cluster.Local", "A"));
  assert.equal(r.rcode, "NOERROR");
  assert.ok(r.authoritative);
  assert.deepEqual(r.answers, [
    { name: "NID0001.Rack1.Cluster.Local", type: "A", class: "IN", ttl: 30, data: "10.0.0.1" },
  ]);
  assert.deepEqual(answer(ask("x1000c0s0b0n0.cluster.local", "ANY")).answers[0]?.type, "A");
});

test("negative answers carry the zone's SOA with the view version as serial", () => {
  const r = answer(ask("nope.cluster.local", "A"));
  assert.equal(r.rcode, "NXDOMAIN");
  assert.ok(r.authoritative);
  assert.deepEqual(r.authorities, [
    {
      name: "cluster.local",
      type: "SOA",
      class: "IN",
      ttl: 30,
      data: {
        mname: "ns.cluster.local",
        rname: "hostmaster.cluster.local",
        serial: 9,
        refresh: 3600,
        retry: 600,
        expire: 86400,
        minimum: 30,
      },
    },
  ]);
  const nodata = answer(ask("nid0001.rack1.cluster.local", "AAAA"));
  assert.equal(nodata.rcode, "NOERROR");
  assert.deepEqual(nodata.answers, []);
  assert.equal(nodata.authorities[0]?.type, "SOA");
});

test("the apex answers its SOA, and empty non-terminals are NODATA", () => {
  assert.equal(answer(ask("cluster.local", "SOA")).answers[0]?.type, "SOA");
  const apexA = answer(ask("cluster.local", "A"));
  assert.equal(apexA.rcode, "NOERROR");
  assert.deepEqual(apexA.answers, []);
  const between = answer(ask("rack1.cluster.local", "A"));
  assert.equal(between.rcode, "NOERROR");
  assert.deepEqual(between.answers, []);
});

test("PTR answers, misses are NXDOMAIN, other types on a known address NODATA", () => {
  const r = answer(ask("1.0.0.10.IN-ADDR.arpa", "PTR"));
  assert.deepEqual(r.answers, [
    { name: "1.0.0.10.IN-ADDR.arpa", type: "PTR", class: "IN", ttl: 30, data: "x1000c0s0b0n0.cluster.local" },
  ]);
  assert.equal(answer(ask("2.0.0.10.in-addr.arpa", "PTR")).rcode, "NXDOMAIN");
  assert.equal(answer(ask("0.10.in-addr.arpa", "PTR")).rcode, "NXDOMAIN");
  const nodata = answer(ask("1.0.0.10.in-addr.arpa", "TXT"));
  assert.equal(nodata.rcode, "NOERROR");
  assert.deepEqual(nodata.answers, []);
});

test("before the first load our names SERVFAIL; other names still go out", () => {
  const unloaded: Authority = { zones, ttl: 30, records: undefined };
  assert.equal(answer(ask("nid0001.rack1.cluster.local", "A", unloaded)).rcode, "SERVFAIL");
  assert.equal(answer(ask("1.0.0.10.in-addr.arpa", "PTR", unloaded)).rcode, "SERVFAIL");
  assert.equal(answer(ask("1.0.0.10.in-addr.arpa", "PTR", unloaded)).authoritative, false);
  assert.deepEqual(ask("example.com", "A", unloaded), { kind: "forward" });
});

test("out-of-zone names are forwarded and other classes refused", () => {
  assert.deepEqual(ask("cluster.local.example.com", "A"), { kind: "forward" });
  assert.deepEqual(ask(".", "NS"), { kind: "forward" });
  const chaos = answer(ask("nid0001.rack1.cluster.local", "TXT", loaded, "CH"));
  assert.equal(chaos.rcode, "REFUSED");
  assert.equal(chaos.authoritative, false);
});
