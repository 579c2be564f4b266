import type { Generated } from "kysely";

/** Kysely's view of BSS's tables (see ../../migrations). */
export interface BootConfigsTable {
  id: string;
  kernel: string;
  initrd: string;
  params: string;
  cloud_init: unknown | null;
  referral_token: string | null;
  legacy: Generated<boolean>;
  name: string | null;
  priority: Generated<number>;
  profile: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface BootTargetsTable {
  config_id: string;
  kind: string;
  key: string;
  legacy: Generated<boolean>;
}

export interface ImageParamsTable {
  kind: string;
  path: string;
  params: string;
}

export interface EndpointAccessTable {
  name: string;
  endpoint: string;
  last_epoch: number;
}

export interface EndpointAccessHistoryTable {
  id: Generated<number>;
  name: string;
  endpoint: string;
  epoch: number;
}

export interface BssTables {
  bss_boot_configs: BootConfigsTable;
  bss_boot_targets: BootTargetsTable;
  bss_image_params: ImageParamsTable;
  bss_endpoint_access: EndpointAccessTable;
  bss_endpoint_access_history: EndpointAccessHistoryTable;
}
