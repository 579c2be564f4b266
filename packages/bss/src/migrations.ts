import { fileURLToPath } from "node:url";
import type { MigrationSet } from "@openchami/db";

export const bssMigrations: MigrationSet = {
  name: "bss",
  dir: fileURLToPath(new URL("../migrations", import.meta.url)),
};
