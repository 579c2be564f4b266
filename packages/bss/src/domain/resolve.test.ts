import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { withExtensions } from "@openchami/core";
import { buildIndex, nodesFromSmd, type SmdInventoryData } from "@openchami/inventory";
import { ParamsIndex } from "../params-index.ts";
import { smdData, smdNode } from "../test-support.ts";
import { parseBootRequest } from "./boot-request.ts";
import { type BootRecord, emptyChange, type Target } from "./records.ts";
import { planBoot } from "./resolve.ts";

const MACS = ["52:54:00:00:00:01", "52:54:00:00:00:02"];
const XNAME = "x1000c0s0b0n0";
const enums = withExtensions({ Role: ["Gateway"] });

function index(data: Partial<SmdInventoryData>) {
  return buildIndex(
    nodesFromSmd({
      components: [],
      componentEndpoints: [],
      ethernetInterfaces: [],
      memberships: [],
      ...data,
    }),
    1,
  );
}

const marked = (marker: string): BootRecord => ({
  kernel: "http://k",
  initrd: "",
  params: marker,
  cloudInit: null,
  token: "",
});

/** Which record's marker a request boots with, given records at these keys. */
function winner(
  query: Record<string, string>,
  keys: Target[],
  data = smdNode(XNAME, { nid: 7, macs: MACS }),
) {
  const params = new ParamsIndex();
  params.apply({ ...emptyChange(), set: keys.map((t) => [t, marked(`${t.kind}:${t.key}`)]) }, false);
  const plan = planBoot(parseBootRequest(query, 0)!, { loaded: true, index: index(data) }, params, enums);
  return plan.kind === "boot" ? plan.record.params : plan.kind;
}

const ALL: Target[] = [
  { kind: "mac", key: MACS[1]! },
  { kind: "xname", key: XNAME },
  { kind: "nid", key: "7" },
  { kind: "tag", key: "Compute" },
  { kind: "tag", key: "Default" },
];

describe("record resolution (§3.2): the first that exists wins whole", () => {
  test("by MAC: the requested MAC, in any spelling, before the xname", () => {
    assert.equal(winner({ mac: "52-54-00-00-00-02" }, ALL), `mac:${MACS[1]}`);
    assert.equal(winner({ mac: MACS[0]! }, ALL), `xname:${XNAME}`, "only the requested MAC counts");
  });

  test("by name or NID: each of the node's MACs in order, then xname, NID, Role tag, Default", () => {
    assert.equal(winner({ name: "X1000C0S0B0N0" }, ALL), `mac:${MACS[1]}`);
    assert.equal(winner({ nid: "7" }, ALL.slice(1)), `xname:${XNAME}`);
    assert.equal(winner({ nid: "7" }, ALL.slice(2)), "nid:7");
    assert.equal(winner({ name: XNAME }, ALL.slice(3)), "tag:Compute");
    assert.equal(winner({ name: XNAME }, ALL.slice(4)), "tag:Default");
    assert.equal(winner({ name: XNAME }, []), "delay");
  });

  test("Role tags match whatever the inventory's spelling; configured extra Roles count", () => {
    const gateway = smdNode(XNAME, { nid: 7, macs: MACS, role: "gateway" });
    assert.equal(winner({ nid: "7" }, [{ kind: "tag", key: "Gateway" }], gateway), "tag:Gateway");
  });

  test("a MAC-keyed record whose MAC is not in the inventory is never served", () => {
    assert.equal(winner({ mac: "52:54:00:00:00:99" }, [{ kind: "mac", key: "52:54:00:00:00:99" }]), "delay");
  });

  test("a component in state Empty is absent, whatever identifies it (upstream: MAC lookups only)", () => {
    const empty = smdNode(XNAME, { nid: 7, macs: MACS });
    empty.components![0]!.State = "Empty";
    const queries: Record<string, string>[] = [{ mac: MACS[0]! }, { name: XNAME }, { nid: "7" }];
    for (const query of queries) assert.equal(winner(query, ALL, empty), "delay");
  });

  test("only Node components count: a VirtualNode is unknown", () => {
    const virtual = smdData(smdNode("x1000c0s0b0n0v0", { nid: 9 }));
    virtual.components![0]!.Type = "VirtualNode";
    assert.equal(winner({ nid: "9" }, ALL), "delay");
    assert.equal(winner({ nid: "9" }, [{ kind: "tag", key: "Default" }], virtual), "delay");
  });
});

describe("bootscript query parsing (§3.1)", () => {
  test("precedence mac > name > nid; first of repeated values; invalid values fall back", () => {
    assert.deepEqual(parseBootRequest({ mac: ["a", "b"], name: "n", nid: "1" }, 5)?.id, ["mac", "a"]);
    assert.deepEqual(parseBootRequest({ name: "n", nid: "1" }, 5)?.id, ["name", "n"]);
    assert.deepEqual(parseBootRequest({ nid: "007" }, 5)?.id, ["nid", "7"]);
    assert.equal(parseBootRequest({ nid: "-1" }, 5), undefined);
    assert.equal(parseBootRequest({ nid: "x", mac: "" }, 5), undefined);
    assert.deepEqual(parseBootRequest({ mac: "m", retry: "-2", ts: "soon", json: "0" }, 5), {
      id: ["mac", "m"],
      retry: 0,
      arch: "",
      ts: 5,
      json: false,
    });
    assert.equal(parseBootRequest({ mac: "m", json: "2" }, 5)?.json, true);
    assert.equal(parseBootRequest({ mac: "m", json: "true" }, 5)?.json, false);
  });
});
