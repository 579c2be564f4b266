import type { BootloopPool } from "../config/types.ts";
import { poolContains } from "./pools.ts";

export type LeaseState = "offered" | "bound";

export interface Lease {
  /** Canonical `aa:bb:cc:dd:ee:ff`. */
  readonly mac: string;
  readonly ip: number;
  readonly state: LeaseState;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
  /** The client's own name (option 12), when it sent one. */
  readonly hostname: string | undefined;
}

/** Where a pool's next scan starts, and when a record in it may next have expired. */
interface PoolCursor {
  pool: BootloopPool;
  /** Every address in [pool.start, next) holds a lease or quarantine record. */
  next: number;
  /** No record in the pool expires before this (a lower bound), so no purge is due before it. */
  recheckAt: number;
}

/**
 * The in-memory lease and quarantine records of the bootloop pools (dhcp.md §4.2), with no
 * I/O: every method is synchronous and takes the time from its caller. A lease may outlive
 * its expiry here until a sweep or a purge removes it; such records hold no address.
 *
 * Allocation order: the client's own address, then the lowest address that has no record,
 * then (only when none is left) the lowest one whose record expired. Addresses never handed
 * out go first, so a returning client more likely finds its old one still free. A cursor per
 * pool skips the recorded prefix, so a DISCOVER costs a few lookups, not a pool scan.
 */
export class LeaseTable {
  readonly #byMac = new Map<string, Lease>();
  readonly #byIp = new Map<number, Lease>();
  readonly #quarantine = new Map<number, number>();
  readonly #cursors = new Map<string, PoolCursor>();

  constructor(leases: Iterable<Lease> = [], quarantine: Iterable<readonly [ip: number, until: number]> = []) {
    for (const lease of leases) this.put(lease);
    for (const [ip, until] of quarantine) this.quarantine(ip, until);
  }

  /** The MAC's record, expired or not. */
  /** Records held, expired ones not yet swept included. */
  get size(): number {
    return this.#byMac.size;
  }

  get(mac: string): Lease | undefined {
    return this.#byMac.get(mac);
  }

  /** The lease record on an address, expired or not. */
  holder(ip: number): Lease | undefined {
    return this.#byIp.get(ip);
  }

  /** True when `mac` may take `ip` now: not SMD's, not quarantined, not another client's live lease. */
  available(ip: number, mac: string, now: number, isSmdIpv4: (ip: number) => boolean): boolean {
    if (isSmdIpv4(ip)) return false;
    const until = this.#quarantine.get(ip);
    if (until !== undefined && until > now) return false;
    const holder = this.#byIp.get(ip);
    return holder === undefined || holder.mac === mac || holder.expiresAt <= now;
  }

  /** The address `mac` should be offered in `pool` now, or undefined when the pool is exhausted. */
  allocate(
    mac: string,
    pool: BootloopPool,
    now: number,
    isSmdIpv4: (ip: number) => boolean,
  ): number | undefined {
    const own = this.#byMac.get(mac);
    if (own && poolContains(pool, own.ip) && this.available(own.ip, mac, now, isSmdIpv4)) return own.ip;
    const cursor = this.#cursor(pool);
    const fresh = this.#scanUnrecorded(cursor, isSmdIpv4);
    if (fresh !== undefined || now < cursor.recheckAt) return fresh;
    this.#purgeExpired(cursor, now);
    return this.#scanUnrecorded(cursor, isSmdIpv4);
  }

  /** Records `lease`, replacing the MAC's previous record and any expired one on the same address. */
  put(lease: Lease): void {
    const previous = this.#byMac.get(lease.mac);
    if (previous && previous.ip !== lease.ip) this.#drop(previous);
    const stale = this.#byIp.get(lease.ip);
    if (stale && stale.mac !== lease.mac) this.#byMac.delete(stale.mac);
    this.#byMac.set(lease.mac, lease);
    this.#byIp.set(lease.ip, lease);
    this.#noteExpiry(lease.ip, lease.expiresAt);
  }

  remove(mac: string): Lease | undefined {
    const lease = this.#byMac.get(mac);
    if (lease) this.#drop(lease);
    return lease;
  }

  quarantine(ip: number, until: number): void {
    this.#quarantine.set(ip, until);
    this.#noteExpiry(ip, until);
  }

  quarantinedUntil(ip: number): number | undefined {
    return this.#quarantine.get(ip);
  }

  /** Removes every expired lease and quarantine; returns how many records went. */
  sweep(now: number): number {
    let removed = 0;
    for (const lease of this.#byMac.values()) {
      if (lease.expiresAt <= now) {
        this.#drop(lease);
        removed++;
      }
    }
    for (const [ip, until] of this.#quarantine) {
      if (until <= now) {
        this.#unquarantine(ip);
        removed++;
      }
    }
    return removed;
  }

  /** The lowest address from the cursor on that has no record and is not SMD's; moves the cursor. */
  #scanUnrecorded(cursor: PoolCursor, isSmdIpv4: (ip: number) => boolean): number | undefined {
    let firstUnrecorded: number | undefined;
    for (let ip = cursor.next; ip <= cursor.pool.end; ip++) {
      if (this.#byIp.has(ip) || this.#quarantine.has(ip)) continue;
      firstUnrecorded ??= ip;
      if (!isSmdIpv4(ip)) {
        cursor.next = firstUnrecorded;
        return ip;
      }
    }
    cursor.next = firstUnrecorded ?? cursor.pool.end + 1;
    return undefined;
  }

  /** Drops the pool's expired records, so their addresses count as unrecorded again. */
  #purgeExpired(cursor: PoolCursor, now: number): void {
    let recheckAt = Number.POSITIVE_INFINITY;
    for (const lease of this.#byIp.values()) {
      if (!poolContains(cursor.pool, lease.ip)) continue;
      if (lease.expiresAt <= now) this.#drop(lease);
      else recheckAt = Math.min(recheckAt, lease.expiresAt);
    }
    for (const [ip, until] of this.#quarantine) {
      if (!poolContains(cursor.pool, ip)) continue;
      if (until <= now) this.#unquarantine(ip);
      else recheckAt = Math.min(recheckAt, until);
    }
    cursor.recheckAt = recheckAt;
  }

  #cursor(pool: BootloopPool): PoolCursor {
    const key = `${pool.start}-${pool.end}`;
    let cursor = this.#cursors.get(key);
    if (!cursor) {
      // Records loaded before this pool was first used are unknown to it: purge on first need.
      cursor = { pool, next: pool.start, recheckAt: Number.NEGATIVE_INFINITY };
      this.#cursors.set(key, cursor);
    }
    return cursor;
  }

  #drop(lease: Lease): void {
    this.#byMac.delete(lease.mac);
    if (this.#byIp.get(lease.ip) === lease) this.#byIp.delete(lease.ip);
    if (!this.#quarantine.has(lease.ip)) this.#unrecorded(lease.ip);
  }

  #unquarantine(ip: number): void {
    this.#quarantine.delete(ip);
    if (!this.#byIp.has(ip)) this.#unrecorded(ip);
  }

  /** An address lost its last record: cursors past it must look again. */
  #unrecorded(ip: number): void {
    for (const cursor of this.#cursors.values()) {
      if (ip < cursor.next && poolContains(cursor.pool, ip)) cursor.next = ip;
    }
  }

  #noteExpiry(ip: number, expiresAt: number): void {
    for (const cursor of this.#cursors.values()) {
      if (poolContains(cursor.pool, ip)) cursor.recheckAt = Math.min(cursor.recheckAt, expiresAt);
    }
  }
}
