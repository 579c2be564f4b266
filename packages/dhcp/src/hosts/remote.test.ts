import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { createLogger } from "@openchami/core";
import { createMetrics, type Metrics } from "@openchami/http";
import { eventually } from "@openchami/testkit";
import { RemoteHostSource, type RemoteHostSourceOptions } from "./remote.ts";
import { addNode, startTestSmd, type TestSmd, viewWhere } from "./test-smd.ts";

const HOUR = 3_600_000;

function failures(metrics: Metrics): number {
  return Number(/^dhcp_inventory_refresh_failures_total (\d+)/m.exec(metrics.render())?.[1] ?? 0);
}

describe("RemoteHostSource", () => {
  let smd: TestSmd;
  let dir: string;
  const sources: RemoteHostSource[] = [];
  const remote = (options: Partial<RemoteHostSourceOptions> = {}) => {
    const source = new RemoteHostSource({
      svcBaseUri: smd.base,
      cacheValidMs: HOUR,
      retryMs: 20,
      ...options,
    });
    sources.push(source);
    return source;
  };

  before(async () => {
    smd = await startTestSmd();
    dir = await mkdtemp(join(tmpdir(), "dhcp-remote-"));
    await addNode(smd, { ID: "x1c0s0b0n0", NID: 1 }, "52:54:00:00:00:01", "10.0.0.1");
    await smd.write("POST", "/State/Components", { Components: [{ ID: "x1c0s0b0", State: "Ready" }] });
  });

  afterEach(async () => {
    smd.override = undefined;
    for (const source of sources.splice(0)) await source.close();
  });

  after(async () => {
    await smd.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("loads every component and interface from svc_base_uri, then polls every cache_valid", async () => {
    const source = remote({ cacheValidMs: 20 });
    await source.start();
    assert.equal(source.loaded, true);
    const view = source.current();
    assert.equal(view.byMac("52:54:00:00:00:01")?.component.xname, "x1c0s0b0n0");
    assert.equal(view.byXname("x1c0s0b0")?.type, "NodeBMC");
    assert.ok(view.loadedAt > 0);

    const polled = viewWhere(source, (v) => v.byMac("52:54:00:00:00:02") !== undefined);
    await addNode(smd, { ID: "x1c0s1b0n0", NID: 2, Enabled: false }, "52:54:00:00:00:02", "10.0.0.2");
    assert.equal((await polled).byMac("52:54:00:00:00:02")?.component.enabled, false);
  });

  it("sends the token file's current content as a bearer token, and none when the file is gone", async () => {
    const tokenFile = join(dir, "token");
    await writeFile(tokenFile, "first-token\n");
    const lines: { msg: string }[] = [];
    const logger = createLogger({
      level: "warn",
      destination: { write: (l: string) => lines.push(JSON.parse(l)) },
    });
    const source = remote({ svcTokenFile: tokenFile, cacheValidMs: 20, logger });
    smd.authorizations.length = 0;
    await source.start();
    assert.deepEqual(smd.authorizations.slice(0, 2), ["Bearer first-token", "Bearer first-token"]);

    await writeFile(tokenFile, "second-token");
    await eventually(async () => smd.authorizations.includes("Bearer second-token"));
    await unlink(tokenFile);
    await eventually(async () => smd.authorizations.at(-1) === undefined);
    assert.equal(source.loaded, true, "SMD's collection GETs need no token");
    assert.equal(lines.filter((l) => l.msg.includes("token file")).length, 1, "warned once, not per poll");
  });

  it("is not loaded, and serves the empty view, until SMD first answers", async () => {
    smd.override = { status: 503, body: '"down"' };
    const metrics = createMetrics();
    const source = remote({ metrics });
    await source.start();
    assert.equal(source.loaded, false);
    assert.equal(source.current().hosts().length, 0);
    assert.equal(failures(metrics), 1);

    const first = viewWhere(source, () => true);
    smd.override = undefined;
    assert.equal((await first).byMac("52:54:00:00:00:01")?.component.nid, 1);
    assert.equal(source.loaded, true);
  });

  for (const [what, override] of [
    ["an HTTP error", { status: 500, body: '{"title":"boom"}' }],
    ["a body of the wrong shape", { status: 200, body: '{"Components":"nope"}' }],
    ["a body that is not JSON", { status: 200, body: "<html>" }],
  ] as const) {
    it(`keeps the last good copy on ${what}, counts it, and recovers`, async () => {
      const metrics = createMetrics();
      const source = remote({ cacheValidMs: 20, metrics });
      await source.start();
      const good = source.current();
      smd.override = override;
      await eventually(async () => failures(metrics) >= 2);
      assert.equal(source.current(), good);
      assert.equal(source.loaded, true);

      const recovered = viewWhere(source, () => true);
      smd.override = undefined;
      assert.equal((await recovered).byMac("52:54:00:00:00:01")?.component.xname, "x1c0s0b0n0");
    });
  }

  describe("over HTTPS", () => {
    let https: ReturnType<typeof createServer>;
    let base: string;
    let ca: string;

    before(async () => {
      // A self-signed certificate for 127.0.0.1 is its own CA.
      ca = join(dir, "ca.pem");
      const key = join(dir, "key.pem");
      await promisify(execFile)("openssl", [
        ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
        ...[
          "-keyout",
          key,
          "-out",
          ca,
          "-days",
          "1",
          "-subj",
          "/CN=smd",
          "-addext",
          "subjectAltName=IP:127.0.0.1",
        ],
      ]);
      const bodies: Record<string, unknown> = {
        "/hsm/v2/State/Components": {
          Components: [{ ID: "x1c0s0b0n0", Type: "Node", Enabled: true, NID: 5 }],
        },
        "/hsm/v2/Inventory/EthernetInterfaces": [
          {
            MACAddress: "52:54:00:00:00:05",
            ComponentID: "x1c0s0b0n0",
            IPAddresses: [{ IPAddress: "10.0.0.5" }],
          },
        ],
      };
      https = createServer({ key: await readFile(key), cert: await readFile(ca) }, (request, response) => {
        const body = bodies[request.url ?? ""];
        response
          .writeHead(body ? 200 : 404, { "content-type": "application/json" })
          .end(JSON.stringify(body ?? {}));
      });
      await new Promise<void>((resolve) => https.listen(0, "127.0.0.1", resolve));
      base = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;
    });

    after(() => new Promise<void>((resolve) => https.close(() => resolve())));

    it("trusts SMD's certificate through ca_cert, and only then", async () => {
      const trusting = remote({ svcBaseUri: base, caCert: ca });
      await trusting.start();
      assert.equal(trusting.current().byMac("52:54:00:00:00:05")?.component.nid, 5);

      const untrusting = remote({ svcBaseUri: base, retryMs: HOUR });
      await untrusting.start();
      assert.equal(untrusting.loaded, false);
    });

    it("fails the refresh, and retries, when the ca_cert file cannot be read", async () => {
      const metrics = createMetrics();
      const source = remote({ svcBaseUri: base, caCert: join(dir, "missing.pem"), retryMs: HOUR, metrics });
      await source.start();
      assert.equal(source.loaded, false);
      assert.equal(failures(metrics), 1);
    });
  });
});
