import type { Logger } from "@openchami/core";
import type { Db } from "@openchami/db";
import { sql } from "kysely";
import { formatIpv4, parseIpv4 } from "../ip.ts";
import type { Lease, LeaseState } from "./lease-table.ts";

/** A MAC's row as it should end up: the lease, or null for none. */
type LeaseRow = Lease | null;

interface Batch {
  leases: Map<string, LeaseRow>;
  quarantine: Map<number, number>;
  /** Delete rows that expired at or before this time first. */
  sweepBefore: number | undefined;
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Unexpired leases and quarantines as stored; rows that do not parse are skipped. */
export async function loadLeases(
  db: Db,
  now: number,
): Promise<{ leases: Lease[]; quarantine: [ip: number, until: number][] }> {
  const [leaseRows, quarantineRows] = await Promise.all([
    sql<{ mac: string; ip: string; state: LeaseState; expiry_ms: number; hostname: string | null }>`
      SELECT mac, host(ip) AS ip, state, (extract(epoch FROM expiry) * 1000)::float8 AS expiry_ms, hostname
      FROM dhcp_bootloop_leases4 WHERE expiry > ${iso(now)}::timestamptz`.execute(db.kysely),
    sql<{ ip: string; until_ms: number }>`
      SELECT host(ip) AS ip, (extract(epoch FROM until) * 1000)::float8 AS until_ms
      FROM dhcp_bootloop_quarantine WHERE until > ${iso(now)}::timestamptz`.execute(db.kysely),
  ]);
  const leases: Lease[] = [];
  for (const row of leaseRows.rows) {
    const ip = parseIpv4(row.ip);
    if (ip === undefined) continue;
    const hostname = row.hostname ?? undefined;
    leases.push({ mac: row.mac, ip, state: row.state, expiresAt: Math.round(row.expiry_ms), hostname });
  }
  const quarantine: [number, number][] = [];
  for (const row of quarantineRows.rows) {
    const ip = parseIpv4(row.ip);
    if (ip !== undefined) quarantine.push([ip, Math.round(row.until_ms)]);
  }
  return { leases, quarantine };
}

/**
 * Mirrors the lease table into the database, coalescing: changes are marked per MAC and per
 * address, and written in one transaction per batch, the newest state of each only. One batch
 * runs at a time; changes marked meanwhile go into the next. A failed batch is logged and its
 * changes are marked again (unless newer ones replaced them), to be retried with the next.
 */
export class LeaseWriter {
  readonly #db: Db;
  readonly #logger: Logger;
  #pending: Batch = { leases: new Map(), quarantine: new Map(), sweepBefore: undefined };
  /** The batch after the running one: it takes everything marked so far. */
  #next: Deferred | undefined;
  #running: Promise<void> | undefined;

  constructor(db: Db, logger: Logger) {
    this.#db = db;
    this.#logger = logger;
  }

  putLease(lease: Lease): void {
    this.#pending.leases.set(lease.mac, lease);
  }

  deleteLease(mac: string): void {
    this.#pending.leases.set(mac, null);
  }

  putQuarantine(ip: number, until: number): void {
    this.#pending.quarantine.set(ip, until);
  }

  /** Deletes rows expired at `before`, marked ones included (the sweep runs before the batch's writes). */
  sweep(before: number): void {
    const { leases, quarantine } = this.#pending;
    for (const [mac, row] of leases) if (row && row.expiresAt <= before) leases.set(mac, null);
    for (const [ip, until] of quarantine) if (until <= before) quarantine.delete(ip);
    this.#pending.sweepBefore = Math.max(before, this.#pending.sweepBefore ?? before);
  }

  /** Resolves once everything marked so far is written; rejects if that batch fails. */
  flush(): Promise<void> {
    let next = this.#next;
    if (!next) {
      next = this.#next = deferred();
      if (!this.#running) this.#startNext();
    }
    return next.promise;
  }

  /** Writes whatever is still marked; never rejects. */
  async close(): Promise<void> {
    const { leases, quarantine, sweepBefore } = this.#pending;
    if (leases.size > 0 || quarantine.size > 0 || sweepBefore !== undefined) {
      await this.flush().catch(() => {});
    }
    await this.#running;
  }

  #startNext(): void {
    const done = this.#next!;
    this.#next = undefined;
    const batch = this.#pending;
    this.#pending = { leases: new Map(), quarantine: new Map(), sweepBefore: undefined };
    this.#running = this.#write(batch)
      .then(done.resolve, (err: unknown) => {
        this.#logger.error({ err }, "writing bootloop leases failed; retrying with the next write");
        this.#remark(batch);
        done.reject(err);
      })
      .finally(() => {
        this.#running = undefined;
        if (this.#next) this.#startNext();
      });
  }

  #remark(batch: Batch): void {
    for (const [mac, row] of batch.leases)
      if (!this.#pending.leases.has(mac)) this.#pending.leases.set(mac, row);
    for (const [ip, until] of batch.quarantine) {
      if (!this.#pending.quarantine.has(ip)) this.#pending.quarantine.set(ip, until);
    }
    if (batch.sweepBefore !== undefined) this.sweep(batch.sweepBefore);
  }

  /**
   * Sweeps by time first: a lease extended in memory but stored expired is in this batch and
   * written back after. Rows holding an address a batch lease takes are stale (memory never
   * gives one address to two live leases), so they go with the MACs' own rows.
   */
  #write(batch: Batch): Promise<void> {
    const macs = [...batch.leases.keys()];
    const leases = [...batch.leases.values()].filter((row): row is Lease => row !== null);
    const takenIps = leases.map((lease) => formatIpv4(lease.ip));
    return this.#db.transaction(async (tx) => {
      if (batch.sweepBefore !== undefined) {
        const before = iso(batch.sweepBefore);
        await sql`DELETE FROM dhcp_bootloop_leases4 WHERE expiry <= ${before}::timestamptz`.execute(
          tx.kysely,
        );
        await sql`DELETE FROM dhcp_bootloop_quarantine WHERE until <= ${before}::timestamptz`.execute(
          tx.kysely,
        );
      }
      if (macs.length > 0) {
        await sql`
          DELETE FROM dhcp_bootloop_leases4
          WHERE mac = ANY(${macs}::text[]) OR ip = ANY(${takenIps}::inet[])`.execute(tx.kysely);
      }
      if (leases.length > 0) {
        await sql`
          INSERT INTO dhcp_bootloop_leases4 (mac, ip, state, expiry, hostname)
          SELECT * FROM unnest(
            ${leases.map((l) => l.mac)}::text[],
            ${takenIps}::inet[],
            ${leases.map((l) => l.state)}::text[],
            ${leases.map((l) => iso(l.expiresAt))}::timestamptz[],
            ${leases.map((l) => l.hostname ?? null)}::text[])`.execute(tx.kysely);
      }
      if (batch.quarantine.size > 0) {
        const entries = [...batch.quarantine];
        await sql`
          INSERT INTO dhcp_bootloop_quarantine (ip, until)
          SELECT * FROM unnest(
            ${entries.map(([ip]) => formatIpv4(ip))}::inet[],
            ${entries.map(([, until]) => iso(until))}::timestamptz[])
          ON CONFLICT (ip) DO UPDATE SET until = excluded.until`.execute(tx.kysely);
      }
    });
  }
}
