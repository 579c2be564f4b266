/**
 * BSS as operators deploy it: split from SMD (polling it over HTTP), and as one of two
 * replicas on PostgreSQL, where a write on one is in the other's next boot scripts.
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  runCli,
  type ServeProcess,
  skipWithoutPostgres,
  startPostgres,
  startServeProcess,
} from "@openchami/testkit";

const MAC = "52:54:00:be:ef:01";
const NODE = "x1000c0s0b0n0";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "openchami-bss-e2e-"));
}

async function mint(dataDir: string): Promise<string> {
  return (await runCli(["token", "--data-dir", dataDir, "--scope", "admin"])).stdout.trim();
}

async function send(url: string, method: string, token: string, body: unknown): Promise<number> {
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

async function addNode(smd: string, token: string, enabled = true): Promise<void> {
  const components = {
    Components: [{ ID: NODE, State: "Ready", NID: 1, Role: "Compute", Enabled: enabled }],
  };
  assert.equal(await send(`${smd}/hsm/v2/State/Components`, "POST", token, components), 204);
  assert.equal(
    await send(`${smd}/hsm/v2/Inventory/EthernetInterfaces`, "POST", token, {
      MACAddress: MAC,
      ComponentID: NODE,
    }),
    201,
  );
}

async function bootscript(bss: string): Promise<string> {
  return (await fetch(`${bss}/boot/v1/bootscript?mac=${MAC}`)).text();
}

/** Polls until `check` holds (inventories converge by polling or NOTIFY, not instantly). */
async function eventually(check: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("BSS alone, polling a separate SMD process", () => {
  const smdDir = tempDir();
  const bssDir = tempDir();
  let smd: ServeProcess;
  let bss: ServeProcess;
  let token: string;

  before(async () => {
    smd = await startServeProcess(["--only", "smd,tokens", "--data-dir", smdDir]);
    // The operator gives BSS the issuer's keys, so its read tokens are accepted by SMD.
    cpSync(join(smdDir, "tokens"), join(bssDir, "tokens"), { recursive: true });
    bss = await startServeProcess(["--only", "bss", "--data-dir", bssDir, "--smd-url", smd.url]);
    token = await mint(smdDir);
  });
  after(async () => {
    await Promise.all([bss?.stop(), smd?.stop()]);
    rmSync(smdDir, { recursive: true, force: true });
    rmSync(bssDir, { recursive: true, force: true });
  });

  test("a node added to SMD boots from BSS once BSS has polled it", async () => {
    assert.match(await bootscript(bss.url), /^#!ipxe\nsleep \d+\nchain /, "unknown: the delay reply");
    await addNode(smd.url, token);
    const params = { macs: [MAC], kernel: "http://s3/vmlinuz", params: "console=ttyS0" };
    assert.equal(await send(`${bss.url}/boot/v1/bootparameters`, "PUT", token, params), 200);
    // The unknown MAC asked for a (rate-limited) refresh; the next poll brings the node in.
    await eventually(
      async () => (await bootscript(bss.url)).includes("kernel --name kernel http://s3/vmlinuz"),
      "the node's script",
    );
    assert.match(
      await bootscript(bss.url),
      new RegExp(`xname=${NODE} nid=1 bss_referral_token=\\S+ BOOTIF=01-52-54-00-be-ef-01`),
    );
  });
});

describe("two openchami replicas on PostgreSQL serve each other's BSS and SMD writes", {
  skip: skipWithoutPostgres,
}, () => {
  let pg: Awaited<ReturnType<typeof startPostgres>>;
  const dataDir = tempDir();
  let a: ServeProcess;
  let b: ServeProcess;
  let token: string;

  before(async () => {
    pg = await startPostgres();
    const args = ["--data-dir", dataDir, "--database-url", pg.url];
    a = await startServeProcess(args);
    b = await startServeProcess(args);
    token = await mint(dataDir);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await pg?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("boot parameters and SMD changes written on one replica reach the other's boot scripts", async () => {
    await addNode(a.url, token);
    const params = { macs: [MAC], kernel: "http://s3/vmlinuz", params: "console=ttyS0" };
    assert.equal(await send(`${a.url}/boot/v1/bootparameters`, "POST", token, params), 201);
    await eventually(
      async () => (await bootscript(b.url)).includes("http://s3/vmlinuz"),
      "B to serve A's params",
    );

    const patch = { macs: [MAC], kernel: "http://s3/vmlinuz-2" };
    assert.equal(await send(`${a.url}/boot/v1/bootparameters`, "PATCH", token, patch), 200);
    await eventually(
      async () => (await bootscript(b.url)).includes("http://s3/vmlinuz-2"),
      "B to serve A's patch",
    );

    // Disabling the node in SMD on A keeps it from booting on B.
    const disable = { ComponentIDs: [NODE], Enabled: false };
    assert.equal(await send(`${a.url}/hsm/v2/State/Components/BulkEnabled`, "PATCH", token, disable), 204);
    await eventually(
      async () => !(await bootscript(b.url)).includes("kernel --name"),
      "B to stop booting the node",
    );
  });
});
