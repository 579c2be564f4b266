/** Helpers for this package's tests: real HTTP on loopback and captured log lines. */
import type { AddressInfo } from "node:net";
import { createLogger, type Logger } from "@openchami/core";
import type { FastifyInstance } from "fastify";

/** Listens on an ephemeral loopback port; returns the base URL. */
export async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

export interface CapturedLogs {
  logger: Logger;
  text(): string;
  lines(): Record<string, unknown>[];
}

export function captureLogs(): CapturedLogs {
  const chunks: string[] = [];
  const logger = createLogger({ destination: { write: (chunk: string) => void chunks.push(chunk) } });
  const text = () => chunks.join("");
  return {
    logger,
    text,
    lines: () =>
      text()
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
