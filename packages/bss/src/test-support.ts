/** BSS over real HTTP on loopback, on a migrated PGlite snapshot, for this package's tests (test-only). */
import type { Db } from "@openchami/db";
import { type InventorySource, type SmdInventoryData, StaticInventory } from "@openchami/inventory";
import { migratedTestDb, startTestService } from "@openchami/testkit";
import type { Kysely } from "kysely";
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
export function smdData(...parts: Partial<SmdInventoryData>[]): Partial<SmdInventoryData> {
  return {
    components: parts.flatMap((p) => p.components ?? []),
    componentEndpoints: parts.flatMap((p) => p.componentEndpoints ?? []),
    ethernetInterfaces: parts.flatMap((p) => p.ethernetInterfaces ?? []),
  };
}

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

export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test convenience
  json: () => any;
}

/** `call(bss, "POST", "/boot/v1/bootparameters", body)`; a string body is sent as is. */
export async function call(
  bss: { url: string },
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<CallResult> {
  const response = await fetch(`${bss.url}${path}`, {
    method,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

/**
 * A Db that throws on every use while `forbidden` is set: proof that a code path makes
 * no database query (Kysely queries, transactions, pings and notifications alike).
 */
export function guardedDb(db: Db): { db: Db; forbid(on: boolean): void; attempts(): number } {
  let forbidden = false;
  let attempts = 0;
  const check = () => {
    if (!forbidden) return;
    attempts++;
    throw new Error("database used while forbidden");
  };
  const checked = <T>(use: () => T): T => {
    check();
    return use();
  };
  const kysely = (db.kysely as Kysely<unknown>).withPlugin({
    transformQuery(args) {
      check();
      return args.node;
    },
    async transformResult(args) {
      return args.result;
    },
  });
  const guarded: Db = {
    kind: db.kind,
    kysely,
    ping: () => checked(() => db.ping()),
    transaction: (fn) => checked(() => db.transaction(fn)),
    notify: (channel, payload) => checked(() => db.notify(channel, payload)),
    listen: (channel, handler) => db.listen(channel, handler),
    onResync: (handler) => db.onResync(handler),
    migrate: (sets) => db.migrate(sets),
    close: () => db.close(),
  };
  return { db: guarded, forbid: (on) => (forbidden = on), attempts: () => attempts };
}
