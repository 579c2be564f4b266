export { type CliResult, runCli, type ServeProcess, startServeProcess } from "./cli.ts";
export { eventually } from "./eventually.ts";
export { guardedDb } from "./guarded-db.ts";
export { type CallResult, call } from "./http-call.ts";
export { listen } from "./listen.ts";
export { createNetnsPair, type NetnsPair, type NetnsResult, netnsUnavailable } from "./netns.ts";
export { freePort } from "./ports.ts";
export { type PostgresServer, postgresBinDir, skipWithoutPostgres, startPostgres } from "./postgres.ts";
export { startTestService, type TestService } from "./service.ts";
export {
  freshPostgresDatabase,
  migratedTestDb,
  type ReplicaPair,
  replicaPair,
  testBackend,
} from "./shared-postgres.ts";
export { migratedPglite } from "./snapshot.ts";
export { type TestIssuer, testIssuer } from "./tokens.ts";
