import type { Tx } from "@openchami/db";

/** The channel other replicas and the boot-time services listen on (spec smd.md §7d). */
export const SMD_CHANGES = "smd_changes";

export interface SmdChange {
  resource: string;
  op: "upsert" | "delete";
  ids: string[];
  truncated?: true;
}

/** NOTIFY payloads must stay under PostgreSQL's 8000-byte limit, with room for the envelope. */
const MAX_PAYLOAD_BYTES = 7900;

/** A change event, sent when the transaction commits; without ids when they would not fit. */
export function changeEvent(resource: string, op: SmdChange["op"], ids: readonly string[]): SmdChange {
  const full: SmdChange = { resource, op, ids: [...ids] };
  if (Buffer.byteLength(JSON.stringify(full)) <= MAX_PAYLOAD_BYTES) return full;
  return { resource, op, ids: [], truncated: true };
}

export function recordChange(tx: Tx, resource: string, op: SmdChange["op"], ids: readonly string[]): void {
  tx.notify(SMD_CHANGES, changeEvent(resource, op, ids));
}
