export { type CliResult, runCli, type ServeProcess, startServeProcess } from "./cli.ts";
export { listen } from "./listen.ts";
export { freePort } from "./ports.ts";
export { type PostgresServer, postgresBinDir, skipWithoutPostgres, startPostgres } from "./postgres.ts";
export { startTestService, type TestService } from "./service.ts";
export { freshPostgresDatabase, migratedTestDb, testBackend } from "./shared-postgres.ts";
export { migratedPglite } from "./snapshot.ts";
export { type TestIssuer, testIssuer } from "./tokens.ts";
