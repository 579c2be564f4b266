/** BSS over real HTTP on loopback, on a migrated PGlite snapshot, for this package's tests (test-only). */
import type { Db } from "@openchami/db";
import {
  type InventorySource,
  mergeSmdData,
  type SmdInventoryData,
  StaticInventory,
} from "@openchami/inventory";
import { migratedTestDb, startTestService } from "@openchami/testkit";
import type { BssConfig } from "./config.ts";
import { bssMigrations } from "./migrations.ts";
import { bssPlugin } from "./plugin.ts";

/** The mounts the launcher serves BSS under. */
const MOUNTS = ["/boot/v1", "/apis/bss/boot/v1"] as const;

/** One node's SMD records: a Ready Compute Node with one NIC. */
export function smdNode(
  xname: string,
  options: { nid?: number; macs?: string[]; role?: string; enabled?: boolean; endpoint?: boolean } = {},
): Partial<SmdInventoryData> {
  return {
    components: [
      {
        ID: xname,
        Type: "Node",
        State: "Ready",
        Flag: "OK",
        Enabled: options.enabled ?? true,
        Role: options.role ?? "Compute",
        NID: options.nid,
        Arch: "X86",
        Class: "River",
      },
    ],
    componentEndpoints: options.endpoint === undefined ? [] : [{ ID: xname, Enabled: options.endpoint }],
    ethernetInterfaces: (options.macs ?? []).map((mac) => ({ MACAddress: mac, ComponentID: xname })),
  };
}

/** Several nodes' records as one data set. */
export const smdData = mergeSmdData;

export interface TestBss {
  /** The origin (no mount): paths passed to `call` include `/boot/v1` or `/apis/bss/boot/v1`. */
  url: string;
  db: Db;
  inventory: InventorySource;
  /** A token with these scopes (only meaningful with `auth: true`). */
  token(scopes: string[]): Promise<string>;
  close(): Promise<void>;
}

export interface StartOptions {
  auth?: boolean;
  db?: Db;
  inventory?: InventorySource;
  config?: Partial<BssConfig>;
}

export async function startBss(options: StartOptions = {}): Promise<TestBss> {
  const db = options.db ?? (await migratedTestDb([bssMigrations]));
  const inventory = options.inventory ?? new StaticInventory({});
  const service = await startTestService({
    db,
    ownsDb: !options.db,
    auth: options.auth,
    async mount(app, { auth, logger }) {
      const plugin = bssPlugin({ db, inventory, auth, logger, config: options.config ?? {} });
      for (const prefix of MOUNTS) await app.register(plugin, { prefix });
    },
  });
  return { ...service, url: service.base, inventory };
}

export { type CallResult, call, guardedDb } from "@openchami/testkit";
