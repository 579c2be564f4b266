import { errors } from "@openchami/core";
import type { FastifyReply } from "fastify";

/** Where SMD is mounted: the prefix of every URI it hands out. */
export const API_BASE = "/hsm/v2";

/** Upstream's success body: `code` is the integer 0. */
export function ok(message: string): { code: 0; message: string } {
  return { code: 0, message };
}

/** `deleted 1 entry` / `deleted N entries`; nothing deleted is a 404 (spec smd.md §2). */
export function deleted(count: number): { code: 0; message: string } {
  if (count === 0) throw errors.notFound("no entries to delete");
  return ok(count === 1 ? "deleted 1 entry" : `deleted ${count} entries`);
}

/**
 * Upstream's create answer: 201 with `[{"URI":…}]` and a Location (the one URI, or the
 * collection when there are several); 204 without a body when nothing was created.
 */
export function createdList(reply: FastifyReply, collection: string, uris: readonly string[]): FastifyReply {
  if (uris.length === 0) return reply.code(204).send();
  return reply
    .code(201)
    .header("location", uris.length === 1 ? uris[0] : collection)
    .send(uris.map((URI) => ({ URI })));
}
