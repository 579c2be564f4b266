import { errors } from "@openchami/core";

/** Upstream's success body: `code` is the integer 0. */
export function ok(message: string): { code: 0; message: string } {
  return { code: 0, message };
}

/** `deleted 1 entry` / `deleted N entries`; nothing deleted is a 404 (spec smd.md §2). */
export function deleted(count: number): { code: 0; message: string } {
  if (count === 0) throw errors.notFound("no entries to delete");
  return ok(count === 1 ? "deleted 1 entry" : `deleted ${count} entries`);
}
