import type { Logger } from "@openchami/core";
import type { Db } from "@openchami/db";
import type { BootloopPool } from "../config/types.ts";
import { formatIpv4 } from "../ip.ts";
import { type Lease, LeaseTable } from "./lease-table.ts";
import { LeaseWriter, loadLeases } from "./lease-writer.ts";

export type { Lease, LeaseState } from "./lease-table.ts";
export { choosePool } from "./pools.ts";

/**
 * The bootloop pools' leases (dhcp.md §4.2–4.3): served from memory, mirrored to the
 * database. OFFERs are written behind (a DISCOVER never waits for the disk); a bind resolves
 * only once its lease is stored, so an ACK is never sent for a lease a restart would lose.
 * Release, decline and sweep writes are logged on failure, never thrown: their callers do
 * not wait. One instance owns the tables: two services sharing a database would overwrite
 * each other's leases.
 */
export class BootloopLeases {
  readonly #table: LeaseTable;
  readonly #writer: LeaseWriter;
  readonly #logger: Logger;
  readonly #clock: () => number;

  private constructor(table: LeaseTable, writer: LeaseWriter, logger: Logger, clock: () => number) {
    this.#table = table;
    this.#writer = writer;
    this.#logger = logger;
    this.#clock = clock;
  }

  /** Loads the unexpired leases and quarantines of `db` (migrated with `dhcpMigrations`). */
  static async open(db: Db, logger: Logger, clock: () => number = Date.now): Promise<BootloopLeases> {
    const { leases, quarantine } = await loadLeases(db, clock());
    return new BootloopLeases(new LeaseTable(leases, quarantine), new LeaseWriter(db, logger), logger, clock);
  }

  /** Leases held (until the next sweep, expired ones too). */
  get size(): number {
    return this.#table.size;
  }

  /** The MAC's unexpired lease. */
  lease(mac: string): Lease | undefined {
    const lease = this.#table.get(mac);
    return lease && lease.expiresAt > this.#clock() ? lease : undefined;
  }

  /** The MAC's lease record, expired or not (until the next sweep). */
  record(mac: string): Lease | undefined {
    return this.#table.get(mac);
  }

  /** The unexpired lease on an address (TFTP tells bootloop clients by their source IP). */
  holder(ip: number): Lease | undefined {
    const lease = this.#table.holder(ip);
    return lease && lease.expiresAt > this.#clock() ? lease : undefined;
  }

  /**
   * An `offered` lease for `mac` in `pool` until now + `leaseTimeS`: its own address if it
   * still may have it, else the next free one (§4.2). Undefined when the pool is exhausted.
   */
  offer(
    mac: string,
    pool: BootloopPool,
    leaseTimeS: number,
    isSmdIpv4: (ip: number) => boolean,
  ): Lease | undefined {
    const now = this.#clock();
    const ip = this.#table.allocate(mac, pool, now, isSmdIpv4);
    if (ip === undefined) return undefined;
    const own = this.#table.get(mac);
    const hostname = own?.ip === ip ? own.hostname : undefined;
    const lease: Lease = { mac, ip, state: "offered", expiresAt: now + leaseTimeS * 1000, hostname };
    this.#store(lease);
    void this.#settle();
    return lease;
  }

  /**
   * Binds `ip` to `mac` until now + `leaseTimeS` and resolves once that is stored. Rejects
   * when the write fails (the caller must not ACK) or when another client holds the address.
   */
  async bind(mac: string, ip: number, leaseTimeS: number, hostname?: string): Promise<Lease> {
    const now = this.#clock();
    if (!this.#table.available(ip, mac, now, () => false)) {
      throw new Error(`bootloop address ${formatIpv4(ip)} is held by another client or quarantined`);
    }
    const own = this.#table.get(mac);
    const lease: Lease = {
      mac,
      ip,
      state: "bound",
      expiresAt: now + leaseTimeS * 1000,
      hostname: hostname ?? (own?.ip === ip ? own.hostname : undefined),
    };
    this.#store(lease);
    await this.#writer.flush();
    return lease;
  }

  /** Frees the MAC's lease (RELEASE, a declined offer, a MAC that became known). */
  async release(mac: string): Promise<void> {
    if (!this.#table.remove(mac)) return;
    this.#writer.deleteLease(mac);
    await this.#settle();
  }

  /**
   * DECLINE: the client found `ip` in use. Its lease goes, and `ip` stays out of the pool for
   * `quarantineS`, but only if it was that client's address: any client can send a DECLINE,
   * and must not be able to fence off addresses it was never given.
   */
  async decline(mac: string, ip: number, quarantineS: number): Promise<void> {
    const lease = this.#table.remove(mac);
    if (!lease) return;
    this.#writer.deleteLease(mac);
    if (lease.ip === ip) {
      const until = this.#clock() + quarantineS * 1000;
      this.#table.quarantine(ip, until);
      this.#writer.putQuarantine(ip, until);
    }
    await this.#settle();
  }

  /** Drops expired leases and quarantines, in memory and in the database; the owner calls it periodically. */
  async sweep(): Promise<void> {
    const now = this.#clock();
    const removed = this.#table.sweep(now);
    if (removed > 0) this.#logger.debug({ removed }, "expired bootloop records swept");
    this.#writer.sweep(now);
    await this.#settle();
  }

  /** Waits for every write marked so far. */
  close(): Promise<void> {
    return this.#writer.close();
  }

  #store(lease: Lease): void {
    this.#table.put(lease);
    this.#writer.putLease(lease);
  }

  /** The writer has logged a failure already; these callers do not wait on durability. */
  #settle(): Promise<void> {
    return this.#writer.flush().catch(() => {});
  }
}
