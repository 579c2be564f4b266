/** cloud-init over real HTTP on loopback, on a migrated test database, for this package's tests (test-only). */
import { request as httpRequest } from "node:http";
import type { Db } from "@openchami/db";
import {
  type InventorySource,
  mergeSmdData,
  type SmdInventoryData,
  StaticInventory,
} from "@openchami/inventory";
import { migratedTestDb, startTestService } from "@openchami/testkit";
import type { CloudInitConfig } from "./config.ts";
import { cloudInitMigrations } from "./migrations.ts";
import { cloudInitPlugin } from "./plugin.ts";

/** One node's SMD records: a Compute Node with one NIC per IP (MACs in IP order), and its groups. */
export function smdNode(
  xname: string,
  options: { nid?: number; ips?: string[]; groups?: string[] } = {},
): Partial<SmdInventoryData> {
  const ips = options.ips ?? [];
  const tail = xname.replace(/\D/g, "").slice(-4).padStart(4, "0");
  return {
    components: [
      { ID: xname, Type: "Node", State: "Ready", Enabled: true, Role: "Compute", NID: options.nid },
    ],
    ethernetInterfaces: ips.map((ip, i) => ({
      MACAddress: `02:00:00:${tail.slice(0, 2)}:${tail.slice(2)}:${String(i).padStart(2, "0")}`,
      ComponentID: xname,
      IPAddresses: [{ IPAddress: ip }],
    })),
    memberships: [{ id: xname, groupLabels: options.groups ?? [] }],
  };
}

/** Several nodes' records as one data set. */
export const smdData = mergeSmdData;

export interface TestCloudInit {
  /** The origin (no mount): paths passed to `call` include `/cloud-init`. */
  url: string;
  db: Db;
  inventory: InventorySource;
  token(scopes: string[]): Promise<string>;
  close(): Promise<void>;
}

export interface StartOptions {
  auth?: boolean;
  db?: Db;
  inventory?: InventorySource;
  config?: Partial<CloudInitConfig>;
  /** Mounts; default `/cloud-init`. */
  mounts?: string[];
}

export async function startCloudInit(options: StartOptions = {}): Promise<TestCloudInit> {
  const db = options.db ?? (await migratedTestDb([cloudInitMigrations]));
  const inventory = options.inventory ?? new StaticInventory({});
  const service = await startTestService({
    db,
    ownsDb: !options.db,
    auth: options.auth,
    async mount(app, { auth, logger }) {
      const plugin = cloudInitPlugin({ db, inventory, auth, logger, config: options.config ?? {} });
      for (const prefix of options.mounts ?? ["/cloud-init"]) await app.register(plugin, { prefix });
    },
  });
  return { ...service, url: service.base, inventory };
}

export interface CallResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: Buffer;
  // biome-ignore lint/suspicious/noExplicitAny: test convenience
  json: () => any;
}

export interface CallOptions {
  headers?: Record<string, string>;
  /** The loopback address to send from (127.0.0.1 by default): the node's identity. */
  from?: string;
}

/**
 * `call(ci, "POST", "/cloud-init/admin/groups", body, { from: "127.0.0.2" })` over
 * node:http, so the source address can be chosen; a string body is sent as is.
 */
export function call(
  ci: { url: string },
  method: string,
  path: string,
  body?: unknown,
  options: CallOptions = {},
): Promise<CallResult> {
  const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  const url = new URL(path, ci.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method,
        localAddress: options.from ?? "127.0.0.1",
        headers: {
          ...(payload === undefined ? {} : { "content-type": "application/json" }),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const buffer = Buffer.concat(chunks);
          const text = buffer.toString("utf8");
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            body: buffer,
            json: () => JSON.parse(text),
          });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

export { eventually, guardedDb } from "@openchami/testkit";
