/**
 * The BSS benchmark's server, run in its own process by bss.ts (the launcher does not mount
 * BSS yet): SMD and BSS on one database, BSS's node view a LocalInventory kept current by
 * SMD's change feed, as `openchami serve` will run them. Logs at warn (no request lines).
 *
 *   node --expose-gc --import tsx bench/bss/server.ts --port <p> (--data-dir <dir> | --database-url <url>)
 *
 * Prints `listening <url>` once ready. GET /bench/heap answers the heap in use after a full GC.
 * `--smd-only` serves SMD alone, for seeding: with a LocalInventory running, every SMD write
 * triggers a full inventory reload, which on PGlite's one connection slows a 10,000-request
 * seeding from seconds to many minutes.
 */
import { parseArgs } from "node:util";
import { bssMigrations, bssPlugin } from "@openchami/bss";
import { createLogger } from "@openchami/core";
import { mapDbError, openDb } from "@openchami/db";
import { buildHttp } from "@openchami/http";
import { LocalInventory } from "@openchami/inventory";
import { smdMigrations, smdPlugin } from "@openchami/smd";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    "data-dir": { type: "string" },
    "database-url": { type: "string" },
    "smd-only": { type: "boolean", default: false },
  },
});

const logger = createLogger({ level: "warn" });
const url = values["database-url"];
const db = url
  ? await openDb({ url }, { logger })
  : await openDb({ dataDir: values["data-dir"]! }, { logger });
await db.migrate([smdMigrations, bssMigrations]);
const app = buildHttp({ logger, mapError: mapDbError });
await app.register(smdPlugin({ db, auth: undefined, logger }), { prefix: "/hsm/v2" });
const inventory = values["smd-only"] ? undefined : new LocalInventory({ db, logger });
if (inventory) {
  await inventory.start();
  const bss = bssPlugin({ db, inventory, auth: undefined, logger, config: { ipxeServer: "boot.bench" } });
  for (const prefix of ["/boot/v1", "/apis/bss/boot/v1"]) await app.register(bss, { prefix });
}
const gc = (globalThis as { gc?: () => void }).gc;
app.get("/bench/heap", async () => {
  gc?.();
  gc?.();
  return { heapUsed: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss };
});
await app.listen({ host: "127.0.0.1", port: Number(values.port) });
const address = app.server.address();
console.log(
  `listening http://127.0.0.1:${typeof address === "object" && address ? address.port : values.port}`,
);

process.once("SIGTERM", async () => {
  await app.close();
  await inventory?.close();
  await db.close();
  process.exit(0);
});
