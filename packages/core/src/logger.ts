import pino, { type Logger, type LoggerOptions } from "pino";

export type { Logger } from "pino";

/** Paths that may carry secrets; pino replaces their values before writing. */
const REDACT = [
  "password",
  "*.password",
  "*.Password",
  "secret",
  "*.secret",
  "client_secret",
  "*.client_secret",
  "token",
  "*.token",
  "access_token",
  "*.access_token",
  "req.headers.authorization",
  "req.headers.cookie",
  "headers.authorization",
  "headers.cookie",
];

/**
 * Errors are logged with their stack, but database drivers attach the statement's bound
 * parameters (PGlite: `params`, node-postgres: `parameters`), which can hold passwords.
 */
function errWithoutParameters(err: Error): Record<string, unknown> {
  const {
    params: _params,
    parameters: _parameters,
    ...rest
  } = pino.stdSerializers.err(err) as Record<string, unknown>;
  return rest;
}

export interface LoggerConfig {
  level?: string;
  name?: string;
  /** Where lines go; stdout by default. Tests pass a stream to inspect output. */
  destination?: pino.DestinationStream;
}

/** JSON logs, one object per line, secrets redacted. */
export function createLogger(config: LoggerConfig = {}): Logger {
  const options: LoggerOptions = {
    level: config.level ?? "info",
    redact: { paths: REDACT, censor: "[redacted]" },
    serializers: { err: errWithoutParameters },
    base: config.name ? { name: config.name } : { pid: process.pid },
  };
  return config.destination ? pino(options, config.destination) : pino(options);
}

/** A logger that discards everything (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
