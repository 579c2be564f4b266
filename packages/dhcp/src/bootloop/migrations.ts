import { fileURLToPath } from "node:url";
import type { MigrationSet } from "@openchami/db";

/** The DHCP service's tables; its files are `NNNN_name.sql`, applied in order. */
export const dhcpMigrations: MigrationSet = {
  name: "dhcp",
  dir: fileURLToPath(new URL("../../migrations", import.meta.url)),
};
