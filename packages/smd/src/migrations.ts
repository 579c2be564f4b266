import { fileURLToPath } from "node:url";
import type { MigrationSet } from "@openchami/db";

export const smdMigrations: MigrationSet = {
  name: "smd",
  dir: fileURLToPath(new URL("../migrations", import.meta.url)),
};
