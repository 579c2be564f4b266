import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { createMetrics } from "@openchami/http";
import { TftpServer } from "./server.ts";
import { metricValue, serverOptions } from "./test-support.ts";

/** Interoperability with the Debian tftp-hpa client (dhcp.md §8.1). */

const run = promisify(execFile);

function tftpHpaMissing(): string | undefined {
  const probe = spawnSync("tftp", ["-V"], { encoding: "utf8" });
  if (probe.error || !`${probe.stdout}${probe.stderr}`.includes("tftp-hpa")) {
    return "the tftp-hpa client (`tftp`) is not installed";
  }
  return undefined;
}

/** tftp-hpa's `-c get` exits 0 even on a TFTP error, so the outcome is read from its output. */
async function tftpGetHpa(port: number, name: string, out: string): Promise<string> {
  const { stdout, stderr } = await run(
    "tftp",
    ["-m", "binary", "127.0.0.1", String(port), "-c", "get", name, out],
    {
      timeout: 20_000,
    },
  );
  return `${stdout}${stderr}`;
}

test("tftp-hpa downloads byte for byte and is refused `../x`", { skip: tftpHpaMissing() }, async () => {
  const base = await mkdtemp(path.join(tmpdir(), "tftp-hpa-"));
  const root = path.join(base, "root");
  await mkdir(root);
  const content = randomBytes(300_000);
  await writeFile(path.join(root, "ipxe-x86_64.efi"), content);
  await writeFile(path.join(base, "x"), "outside the root");
  const metrics = createMetrics();
  const server = new TftpServer(serverOptions(root, { metrics }));
  await server.start();
  try {
    const out = path.join(base, "downloaded");
    const output = await tftpGetHpa(server.port, "ipxe-x86_64.efi", out);
    assert.equal(output.trim(), "");
    assert.ok((await readFile(out)).equals(content));

    const refused = await tftpGetHpa(server.port, "../x", path.join(base, "escaped"));
    assert.match(refused, /Error code 2/);
    const escaped = await readFile(path.join(base, "escaped")).catch(() => Buffer.alloc(0));
    assert.equal(escaped.length, 0);
    assert.equal(metricValue(metrics, "tftp_transfers_total", { result: "refused" }), 1);
  } finally {
    await server.close();
    await rm(base, { recursive: true, force: true });
  }
});
