/** A real SMD over HTTP on loopback for this directory's tests (test-only). */
import type { Db } from "@openchami/db";
import { smdMigrations, smdPlugin } from "@openchami/smd";
import { migratedTestDb, startTestService } from "@openchami/testkit";
import type { HostSource, HostView } from "./types.ts";

export interface TestSmd {
  /** `svc_base_uri`: the origin, without `/hsm/v2`. */
  base: string;
  db: Db;
  /** The Authorization header of each GET, in arrival order. */
  authorizations: (string | undefined)[];
  /** When set, every request is answered with this instead (an outage, or a broken SMD). */
  override: { status: number; body: string } | undefined;
  /** Sends a write to SMD and fails the test unless it succeeds. */
  write(method: "POST" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<void>;
  close(): Promise<void>;
}

export async function startTestSmd(options: { db?: Db } = {}): Promise<TestSmd> {
  const db = options.db ?? (await migratedTestDb([smdMigrations]));
  const smd: Omit<TestSmd, "base" | "close"> = {
    db,
    authorizations: [],
    override: undefined,
    async write(method, path, body) {
      const response = await fetch(`${service.base}/hsm/v2${path}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok)
        throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
    },
  };
  const service = await startTestService({
    db,
    ownsDb: !options.db,
    async mount(app, { auth, logger }) {
      app.addHook("onRequest", async (request, reply) => {
        if (request.method === "GET") smd.authorizations.push(request.headers.authorization);
        const override = smd.override;
        if (override) return reply.code(override.status).type("application/json").send(override.body);
      });
      await app.register(smdPlugin({ db, auth, logger }), { prefix: "/hsm/v2" });
    },
  });
  return Object.assign(smd, { base: service.base, close: () => service.close() });
}

/** One component and its interface, the way an admin or Magellan adds a node. */
export async function addNode(
  smd: TestSmd,
  component: { ID: string; NID?: number; Enabled?: boolean },
  mac: string,
  ip: string,
): Promise<void> {
  await smd.write("POST", "/State/Components", { Components: [{ State: "Ready", ...component }] });
  await smd.write("POST", "/Inventory/EthernetInterfaces", {
    MACAddress: mac,
    ComponentID: component.ID,
    IPAddresses: [{ IPAddress: ip }],
  });
}

/** The next view of `source` that satisfies `check`. */
export function viewWhere(source: HostSource, check: (view: HostView) => boolean): Promise<HostView> {
  return new Promise((resolve) => {
    const stop = source.onChange((view) => {
      if (check(view)) {
        stop();
        resolve(view);
      }
    });
  });
}
