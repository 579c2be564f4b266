import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { BootRecord } from "../domain/records.ts";
import { buildParams, dsInjection, type ImageParams, nodeInjections } from "./params.ts";

const NODE = { xname: "x0000c0s0b0n0", nid: 0 };
const DS = "http://10.0.0.1:8081/cloud-init";
const NO_IMAGES: ImageParams = { kernel: "", initrd: "" };

function record(params: string, initrd = "http://i/initrd"): BootRecord {
  return { kernel: "http://k/vmlinuz", initrd, params, cloudInit: null, token: "" };
}

function built(params: string, options: { mac?: string; token?: string; images?: ImageParams } = {}): string {
  const injections = nodeInjections(NODE, options.token ?? "", options.mac, DS);
  return buildParams(record(params), options.images ?? NO_IMAGES, injections);
}

/** The required results of spec bss.md §3.4, compared as whole strings (stricter than token-wise). */
describe("kernel params (§3.4)", () => {
  test("plain record: initrd=initrd first, then xname, nid and ds", () => {
    assert.equal(
      built("root=nfs:host:/x"),
      `initrd=initrd root=nfs:host:/x xname=x0000c0s0b0n0 nid=0 ds=nocloud-net;s=${DS}/`,
    );
  });

  test("image params go after the record's params and before xname=", () => {
    assert.equal(
      built("root=nfs:x", { images: { kernel: "kernel_param=set", initrd: "initrd_param=set" } }),
      `initrd=initrd root=nfs:x kernel_param=set initrd_param=set xname=x0000c0s0b0n0 nid=0 ds=nocloud-net;s=${DS}/`,
    );
  });

  test("an existing initrd= token is removed, first or last; the spaces around it stay", () => {
    assert.equal(
      built("initrd=should_get_deleted root=nfs:x"),
      `initrd=initrd  root=nfs:x xname=x0000c0s0b0n0 nid=0 ds=nocloud-net;s=${DS}/`,
    );
    assert.equal(
      built("root=nfs:x initrd=should_get_deleted"),
      `initrd=initrd root=nfs:x  xname=x0000c0s0b0n0 nid=0 ds=nocloud-net;s=${DS}/`,
    );
  });

  test("only a token starting with initrd= is removed, not `initrd` inside a URL (deviation)", () => {
    assert.equal(
      built("root=live:http://x/initrd.img"),
      `initrd=initrd root=live:http://x/initrd.img xname=x0000c0s0b0n0 nid=0 ds=nocloud-net;s=${DS}/`,
    );
  });

  test("no initrd: no initrd=initrd, and an initrd= token stays", () => {
    const params = buildParams(
      record("initrd=custom root=x", ""),
      NO_IMAGES,
      nodeInjections(NODE, "", undefined, ""),
    );
    assert.equal(params, "initrd=custom root=x xname=x0000c0s0b0n0 nid=0");
  });

  test("BOOTIF from the requested MAC, case kept; an existing BOOTIF is kept and not duplicated", () => {
    assert.match(built("root=x", { mac: "AA:BB:CC:DD:EE:FF" }), / BOOTIF=01-AA-BB-CC-DD-EE-FF /);
    const kept = built("root=x BOOTIF=01-11-22-33-44-55-66", { mac: "aa:bb:cc:dd:ee:ff" });
    assert.equal(kept.match(/BOOTIF=/g)?.length, 1);
    assert.match(kept, /BOOTIF=01-11-22-33-44-55-66/);
    assert.doesNotMatch(built("root=x"), /BOOTIF/);
  });

  test("everything, in injection order", () => {
    assert.equal(
      built("root=nfs:x console=ttyS0", { mac: "00:11:22:33:44:55", token: "test_token" }),
      `initrd=initrd root=nfs:x console=ttyS0 xname=x0000c0s0b0n0 nid=0 bss_referral_token=test_token BOOTIF=01-00-11-22-33-44-55 ds=nocloud-net;s=${DS}/`,
    );
  });

  test("a parameter already set is not injected again (xname=, nid=, ds=)", () => {
    assert.equal(
      built("xname=other nid=7 ds=nocloud;s=http://elsewhere/"),
      "initrd=initrd xname=other nid=7 ds=nocloud;s=http://elsewhere/",
    );
  });

  test("no advertise address: no ds= (deviation: upstream injects ds=nocloud-net;s=/)", () => {
    assert.deepEqual(dsInjection(""), ["ds", ""]);
    const params = buildParams(record("root=x", ""), NO_IMAGES, nodeInjections(NODE, "", undefined, ""));
    assert.equal(params, "root=x xname=x0000c0s0b0n0 nid=0");
  });

  test("a node without a NID gets no nid=; the SPIRE join token placeholder passes through", () => {
    const params = buildParams(
      record(`join=\${SPIRE_JOIN_TOKEN}`, ""),
      NO_IMAGES,
      nodeInjections({ xname: "x1c0s0b0n0", nid: undefined }, "", undefined, ""),
    );
    assert.equal(params, `join=\${SPIRE_JOIN_TOKEN} xname=x1c0s0b0n0`);
  });
});
