import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { createMetrics } from "@openchami/http";
import { eventually } from "@openchami/testkit";
import { TftpServer } from "./server.ts";
import { metricValue, serverOptions, tftpGet } from "./test-support.ts";

/** The dhcp.md §9 TFTP shape: 100 concurrent downloads of a 1 MB iPXE binary, all intact. */

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

test("100 concurrent transfers of a 1 MB file all arrive intact", async () => {
  const root = await mkdtemp(path.join(tmpdir(), "tftp-concurrent-"));
  const content = randomBytes(1024 * 1024);
  await writeFile(path.join(root, "ipxe-x86_64.efi"), content);
  const metrics = createMetrics();
  const server = new TftpServer(serverOptions(root, { metrics }));
  await server.start();
  try {
    const results = await Promise.all(
      Array.from({ length: 100 }, () =>
        tftpGet(server.port, "ipxe-x86_64.efi", { options: { blksize: "1468" } }),
      ),
    );
    const expected = sha256(content);
    for (const result of results) {
      assert.equal(result.outcome, "done");
      assert.equal(sha256(result.data), expected);
    }
    await eventually(async () => metricValue(metrics, "tftp_transfers_total", { result: "done" }) === 100);
    assert.equal(metricValue(metrics, "tftp_transfers_total", { result: "failed" }), 0);
    assert.equal(metricValue(metrics, "tftp_transfers_active"), 0);
  } finally {
    await server.close();
    await rm(root, { recursive: true, force: true });
  }
});
