import type { ServeConfig } from "./config.ts";
import { SERVICES, TOKENS } from "./services.ts";

const LABELS: Record<string, string> = { smd: "SMD", bss: "BSS", "cloud-init": "cloud-init" };

export interface BannerFacts {
  config: ServeConfig;
  url: string;
  dataDir: string;
  adminTokenFile: string | undefined;
  adminClientFile: string | undefined;
}

/** What `openchami up` prints: where everything is and how to get going. */
export function renderBanner({ config, url, dataDir, adminTokenFile, adminClientFile }: BannerFacts): string {
  const lines = ["", "OpenCHAMI is up.", ""];
  for (const name of config.services) {
    const service = SERVICES[name];
    if (service) lines.push(`  ${(LABELS[name] ?? name).padEnd(12)}${url}${service.prefixes[0]}`);
  }
  if (config.services.includes(TOKENS)) {
    lines.push(`  ${"JWKS".padEnd(12)}${url}/.well-known/jwks.json`);
    lines.push(`  ${"Token".padEnd(12)}${url}/token (OAuth2 client credentials)`);
  }
  lines.push("");
  lines.push(
    `  Data dir    ${dataDir}${config.databaseUrl ? " (database: PostgreSQL)" : " (embedded database in pgdata/)"}`,
  );
  if (!config.auth) {
    lines.push("  Auth        OFF (--no-auth): anyone who can reach this port can change everything");
  } else if (adminTokenFile) {
    const dirFlag = `--data-dir ${dataDir}`;
    lines.push(`  Admin token ${adminTokenFile} (valid 24 h)`);
    lines.push(`              export DEMO_ACCESS_TOKEN=$(cat ${adminTokenFile})`);
    lines.push(`  New token   npx openchami token ${dirFlag} --scope admin --ttl 1h`);
    if (adminClientFile) lines.push(`  Client      ${adminClientFile} (id and secret for /token)`);
  }
  lines.push("", `  Try:  curl ${url}/hsm/v2/service/ready`, "  Stop: Ctrl-C", "");
  return `${lines.join("\n")}\n`;
}
