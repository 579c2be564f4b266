import { fileURLToPath } from "node:url";
import type { MigrationSet } from "@openchami/db";

export const cloudInitMigrations: MigrationSet = {
  name: "cloud-init",
  dir: fileURLToPath(new URL("../migrations", import.meta.url)),
};
