// Creates a PGlite data directory in a process of its own (see initDataDirApart in pglite.ts).
// Usage: node pglite-initdb.mjs <dataDir> <postgresql.conf settings as JSON>
import { PGlite } from "@electric-sql/pglite";

const [dataDir, settings] = process.argv.slice(2);
const pglite = await PGlite.create({ dataDir, postgresqlconf: JSON.parse(settings) });
await pglite.close();
