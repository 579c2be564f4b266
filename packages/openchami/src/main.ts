import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createLogger, type Logger } from "@openchami/core";
import { Command, Option } from "commander";
import { renderBanner } from "./banner.ts";
import { resolveServeConfig, type ServeFlags } from "./config.ts";
import { defaultDataDir } from "./data-dir.ts";
import { type DhcpCommandFlags, dhcpCommandOptions, runDhcpCommand } from "./dhcp-command.ts";
import { migrationSets, openDatabase, startServer } from "./serve.ts";
import { SERVICE_NAMES } from "./services.ts";
import { exitOnSignals } from "./shutdown.ts";
import { mintFromDataDir, openIssuer } from "./token-command.ts";

const program = new Command("openchami")
  .description("OpenCHAMI in one process: SMD, BSS, cloud-init and a token issuer")
  .showHelpAfterError()
  // `token rotate --data-dir D`: options after a subcommand belong to it, not to `token`.
  .enablePositionalOptions();

function serverOptions(command: Command): Command {
  return command
    .option("--port <port>", "HTTP port (default 8081; a single service alone defaults to its upstream port)")
    .option("--host <host>", "address to bind", undefined)
    .option("--data-dir <dir>", `data directory (default ${defaultDataDir(process.env)})`)
    .option("--database-url <url>", "use this PostgreSQL instead of the embedded database (env DATABASE_URL)")
    .option("--only <services>", `comma-separated services to run (${SERVICE_NAMES.join(",")})`)
    .option("--no-auth", "turn token checks off (development only)")
    .option("--jwks-url <url>", "verify tokens against this JWKS instead of the built-in issuer")
    .option("--issuer <iss>", "token issuer: required `iss` with --jwks-url, else the `iss` we mint")
    .option("--audience <list>", "comma-separated audiences a token must carry one of")
    .option("--smd-url <url>", "the SMD boot-time services poll when SMD does not run here (env HSM_URL)")
    .option(
      "--secret-key-file <file>",
      "32-byte key that encrypts BMC passwords at rest (env OPENCHAMI_SECRET_KEY)",
    )
    .option("--log-level <level>", "fatal, error, warn, info, debug or trace")
    .option("--enable <protocols>", "also run these of dhcp,tftp,dns (env OPENCHAMI_ENABLE)")
    .option(
      "--dhcp-config <file>",
      "their YAML configuration, coredhcp.yaml form or structured (see docs/dhcp.md)",
    );
}

async function runServer(flags: ServeFlags, friendly: boolean): Promise<void> {
  const config = resolveServeConfig(flags, process.env);
  // `up` is for a terminal: keep request logs out of the banner's way unless asked.
  const logger = createLogger({ level: friendly && !flags.logLevel ? "warn" : config.logLevel });
  const server = await startServer(config, logger);
  exitOnSignals(() => server.close(), logger);
  if (!friendly) {
    logger.info(
      { url: server.url, services: config.services, dataDir: server.dataDir },
      "openchami is ready",
    );
    return;
  }
  let adminTokenFile: string | undefined;
  if (server.issuer && config.auth) {
    adminTokenFile = join(server.dataDir, "admin.token");
    const token = await server.issuer.mint({
      subject: "admin",
      scopes: ["admin", "write", "read"],
      ttlSeconds: 86400,
    });
    writeFileSync(adminTokenFile, `${token}\n`, { mode: 0o600 });
  }
  process.stdout.write(
    renderBanner({
      config,
      url: server.url,
      dataDir: server.dataDir,
      adminTokenFile,
      adminClientFile: server.issuer?.adminClientFile,
    }),
  );
}

serverOptions(program.command("serve").description("run the services (JSON logs on stdout)")).action(
  (flags: ServeFlags) => runServer(flags, false),
);

serverOptions(program.command("up").description("serve, with a friendly banner and an admin token")).action(
  (flags: ServeFlags) => runServer(flags, true),
);

dhcpCommandOptions(
  program
    .command("dhcp")
    .description("DHCP, TFTP and DNS alone, polling SMD at svc_base_uri (coresmd's role)"),
).action((flags: DhcpCommandFlags) => runDhcpCommand(flags, process.env));

program
  .command("migrate")
  .description("apply database migrations and exit")
  .option("--data-dir <dir>", "data directory")
  .option("--database-url <url>", "PostgreSQL URL (env DATABASE_URL)")
  .option("--only <services>", "only these services' migrations")
  .action(async (flags: ServeFlags) => {
    const config = resolveServeConfig(flags, process.env);
    const logger = createLogger({ level: "warn" });
    const db = await openDatabase(config, logger);
    try {
      const applied = await db.migrate(migrationSets(config.services));
      process.stdout.write(applied.length ? `applied ${applied.join(", ")}\n` : "database is up to date\n");
    } finally {
      await db.close();
    }
  });

const token = program
  .command("token")
  .description("mint a token with the built-in issuer and print only the token")
  .option("--data-dir <dir>", "data directory holding the signing keys", defaultDataDir(process.env))
  .addOption(
    new Option(
      "--scope <scope...>",
      "scopes or roles (admin, write, read, operator, viewer, smd.read, ...)",
    ).default(["admin"]),
  )
  .option("--ttl <duration>", "lifetime, e.g. 15m, 1h, 7d", "1h")
  .option("--subject <sub>", "the token's subject", "admin")
  .option("--audience <aud...>", "audiences (default: openchami smd bss cloud-init)")
  .option("--issuer <iss>", "the `iss` claim (must match what the server expects)")
  .action(async (flags) => {
    process.stdout.write(`${await mintFromDataDir(flags)}\n`);
  });

token
  .command("rotate")
  .description("start signing with a new key; old keys stay in the JWKS until their tokens expire")
  .option("--data-dir <dir>", "data directory holding the signing keys", defaultDataDir(process.env))
  .action(async (flags: { dataDir: string }) => {
    const issuer = await openIssuer(flags.dataDir);
    const { kid } = await issuer.rotate();
    process.stdout.write(`new signing key ${kid}\n`);
  });

function fail(error: unknown, logger?: Logger): never {
  const message = error instanceof Error ? error.message : String(error);
  logger?.debug({ err: error }, "fatal");
  process.stderr.write(`openchami: ${message}\n`);
  process.exit(1);
}

await program.parseAsync(process.argv).catch((error: unknown) => fail(error));
