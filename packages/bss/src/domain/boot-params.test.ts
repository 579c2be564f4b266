import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isProblem, withExtensions } from "@openchami/core";
import { decodeBootParams, mergePatch, patchRecord, planStore, targetsOf } from "./boot-params.ts";
import type { BootRecord } from "./records.ts";
import { cloudInitWire, groupedWire } from "./wire.ts";

const enums = withExtensions({ Role: ["Gateway"] });

function problem(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(isProblem(error));
    return `${error.status} ${error.detail}`;
  }
  assert.fail("expected a Problem");
}

describe("BootParams bodies (§2.3)", () => {
  test("keys match in any case, unknown keys are dropped, null means absent", () => {
    const input = decodeBootParams({
      Hosts: ["x1c0s0b0n0"],
      MACS: null,
      kernel: "k",
      extra: 1,
      "cloud-init": null,
    });
    assert.deepEqual(input, {
      hosts: ["x1c0s0b0n0"],
      macs: [],
      nids: [],
      params: "",
      kernel: "k",
      initrd: "",
      cloudInit: null,
    });
    assert.equal(
      problem(() => decodeBootParams(undefined)),
      "400 Bad Request: EOF",
    );
    assert.equal(
      problem(() => decodeBootParams({ nids: ["1"] })),
      "400 Bad Request: /nids/0 must be integer",
    );
  });

  test("hosts: Node xnames (normalised), nid<N>, tags (canonical); anything else is a 400", () => {
    const input = decodeBootParams({
      hosts: ["X01C0S0B0N0", "nid0042", "default", "GLOBAL", "unknown-x86_64", "compute", "gateway"],
    });
    assert.deepEqual(
      targetsOf(input, enums).map((t) => `${t.kind}:${t.key}`),
      [
        "xname:x1c0s0b0n0",
        "nid:42",
        "tag:Default",
        "tag:Global",
        "tag:Unknown-x86_64",
        "tag:Compute",
        "tag:Gateway",
      ],
    );
    const bad = (host: string) => problem(() => targetsOf(decodeBootParams({ hosts: [host] }), enums));
    assert.equal(bad("invalid-xname"), "400 Bad Request: invalid xname: invalid-xname");
    assert.equal(bad("xname1"), "400 Bad Request: invalid xname: xname1");
    assert.equal(bad("x1c0s0b0"), "400 Bad Request: invalid xname type: NodeBMC");
  });

  test("MACs: validated by pattern (detail ends with a newline), stored lower-case; duplicates merge", () => {
    const input = decodeBootParams({ macs: ["AA:BB:CC:DD:EE:FF", "aa:bb:cc:dd:ee:ff"], nids: [3, 3] });
    assert.deepEqual(
      targetsOf(input, enums).map((t) => `${t.kind}:${t.key}`),
      ["mac:aa:bb:cc:dd:ee:ff", "nid:3"],
    );
    const bad = decodeBootParams({ macs: ["aa-bb-cc-dd-ee-ff"] });
    assert.equal(
      problem(() => targetsOf(bad, enums)),
      "400 Bad Request: invalid MAC address format: aa-bb-cc-dd-ee-ff\n",
    );
    assert.deepEqual(targetsOf(bad, enums, false), [{ kind: "mac", key: "aa-bb-cc-dd-ee-ff" }]);
  });

  test("POST/PUT plans: a kernel is needed unless Global is the only target; image params without targets", () => {
    const plan = (body: object) => planStore(decodeBootParams(body), enums, "token");
    assert.equal(
      problem(() => plan({ hosts: ["x1c0s0b0n0"] })),
      "400 Bad Request: kernel URI cannot be blank",
    );
    assert.equal(
      problem(() => plan({ hosts: ["Global", "Default"] })),
      "400 Bad Request: kernel URI cannot be blank",
    );
    assert.equal(plan({ hosts: ["Global"], params: "a=b" }).kind, "records");
    assert.deepEqual(plan({ kernel: "http://k", params: "p" }), {
      kind: "images",
      images: [{ kind: "kernel", path: "http://k" }],
      params: "p",
    });
    assert.equal(
      problem(() => plan({ params: "p" })),
      "400 Nothing to Store",
    );
  });
});

describe("PATCH (§2.4)", () => {
  const stored: BootRecord = {
    kernel: "http://k",
    initrd: "http://i",
    params: "quiet",
    cloudInit: { "meta-data": { a: 1, b: { c: 2 } }, "phone-home": { hostname: "n1" } },
    token: "t",
  };

  test("only non-empty fields replace; the token stays", () => {
    assert.deepEqual(patchRecord(stored, decodeBootParams({ params: "" })), stored);
    assert.deepEqual(patchRecord(stored, decodeBootParams({ kernel: "http://k2" })), {
      ...stored,
      kernel: "http://k2",
    });
  });

  test("cloud-init meta-data and user-data merge per RFC 7386", () => {
    const patched = patchRecord(
      stored,
      decodeBootParams({ "cloud-init": { "meta-data": { a: null, b: { d: 3 } }, "user-data": { x: [1] } } }),
    );
    assert.deepEqual(patched.cloudInit, {
      "meta-data": { b: { c: 2, d: 3 } },
      "user-data": { x: [1] },
      "phone-home": { hostname: "n1" },
    });
    assert.deepEqual(mergePatch({ a: 1 }, ["replaced"]), ["replaced"]);
    assert.deepEqual(
      Object.getPrototypeOf(mergePatch({}, JSON.parse('{"__proto__":{"x":1}}'))),
      Object.prototype,
    );
  });
});

describe("wire form", () => {
  test("cloud-init: Go's defaults, pub_key_ed25519 only when set", () => {
    assert.deepEqual(cloudInitWire(null), {
      "meta-data": null,
      "user-data": null,
      "phone-home": {
        pub_key_dsa: "",
        pub_key_rsa: "",
        pub_key_ecdsa: "",
        instance_id: "",
        hostname: "",
        fqdn: "",
      },
    });
    assert.equal(
      cloudInitWire({ "phone-home": { pub_key_ed25519: "k" } })["phone-home"].pub_key_ed25519,
      "k",
    );
  });

  test("GET all groups identical records; image entries follow; nothing is null", () => {
    const a: BootRecord = { kernel: "http://k", initrd: "", params: "p", cloudInit: null, token: "1" };
    const b: BootRecord = { ...a, params: "q" };
    const grouped = groupedWire(
      [
        [{ kind: "nid", key: "10" }, a],
        [{ kind: "mac", key: "aa:bb:cc:dd:ee:ff" }, b],
        [{ kind: "nid", key: "9" }, a],
        [{ kind: "tag", key: "Default" }, a],
        [
          { kind: "xname", key: "x1c0s0b0n0" },
          { ...a, token: "2" },
        ],
      ],
      [
        [{ kind: "initrd", path: "http://i" }, "rd"],
        [{ kind: "kernel", path: "http://k" }, "kp"],
      ],
    );
    assert.deepEqual(
      grouped?.map(({ "cloud-init": _, ...rest }) => rest),
      [
        { hosts: ["x1c0s0b0n0", "Default"], nids: [9, 10], params: "p", kernel: "http://k" },
        { macs: ["aa:bb:cc:dd:ee:ff"], params: "q", kernel: "http://k" },
        { params: "kp", kernel: "http://k" },
        { params: "rd", initrd: "http://i" },
      ],
    );
    assert.equal(groupedWire([], []), null);
  });
});
