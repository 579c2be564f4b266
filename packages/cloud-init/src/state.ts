import { randomUUID } from "node:crypto";
import type { Logger } from "@openchami/core";
import type { Db, Tx } from "@openchami/db";
import type { InventoryIndex, InventorySource } from "@openchami/inventory";
import { type ClusterDefaults, EMPTY_DEFAULTS, type GroupData, type InstanceInfo } from "./domain/wire.ts";
import {
  CLOUD_INIT_CHANGED,
  type CloudInitChanged,
  type CloudInitStore,
  type Snapshot,
} from "./store/records.ts";
import type { Lease, WireGuardStore } from "./store/wireguard.ts";

const RETRY_MS = 1000;

/**
 * The admin records and instance IDs in memory (spec cloud-init.md §5): node routes read
 * only this. Loaded at start; this process's writes applied right after they commit;
 * other replicas' writes reloaded by key on their `cloud_init_changed` NOTIFY, everything
 * on a resync. Writes and reloads run one at a time, so a reload never puts back an older
 * row over a newer local write. Instance IDs are assigned in batches as nodes enter the
 * inventory view, never by a request in the normal course.
 */
export class CloudInitState {
  defaults: ClusterDefaults = EMPTY_DEFAULTS;
  readonly groups = new Map<string, GroupData>();
  readonly instances = new Map<string, InstanceInfo>();
  readonly ids = new Map<string, string>();
  /** WireGuard leases by node ID, and tunnel IP → node ID. */
  readonly leases = new Map<string, Lease>();
  readonly tunnels = new Map<string, string>();
  loaded = false;

  readonly #origin = randomUUID();
  readonly #db: Db;
  readonly #store: CloudInitStore;
  readonly #wg: WireGuardStore;
  readonly #inventory: InventorySource;
  readonly #logger: Logger;
  #chain: Promise<unknown> = Promise.resolve();
  #stops: (() => unknown)[] = [];
  #retry: NodeJS.Timeout | undefined;
  #closed = false;
  /** Nodes waiting for an instance ID, and the batch loop assigning them. */
  readonly #queued = new Set<string>();
  #assigning: Promise<void> | undefined;

  constructor(db: Db, store: CloudInitStore, wg: WireGuardStore, inventory: InventorySource, logger: Logger) {
    this.#db = db;
    this.#store = store;
    this.#wg = wg;
    this.#inventory = inventory;
    this.#logger = logger;
  }

  /**
   * Listens first, then loads, runs `afterLoad` (seeding, whose instance IDs win), then
   * assigns IDs to the nodes already in view.
   */
  async start(afterLoad?: () => Promise<void>): Promise<void> {
    const unlisten = await this.#db.listen(CLOUD_INIT_CHANGED, (payload: CloudInitChanged) => {
      if (payload.origin !== this.#origin) this.#reload(payload.keys);
    });
    this.#stops.push(
      unlisten,
      this.#db.onResync(() => this.#reload(["*"])),
    );
    await this.#exclusive(() => this.#loadAll());
    await afterLoad?.();
    this.loaded = true;
    this.#stops.push(this.#inventory.onChange((index) => this.#nodesChanged(index)));
    this.#nodesChanged(this.#inventory.current());
    await this.#assigning?.catch(() => undefined);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    for (const stop of this.#stops) await stop();
    await this.#chain.catch(() => undefined);
    await this.#assigning?.catch(() => undefined);
  }

  /**
   * Runs an admin write in one transaction (after the cross-replica lock), tells the other
   * replicas at commit, then applies the result to memory before returning.
   */
  async write<T>(
    keys: string[] | ((result: NoInfer<T>) => string[]),
    work: (tx: Tx) => Promise<T>,
    apply: (result: NoInfer<T>) => void,
  ): Promise<T> {
    return this.#exclusive(async () => {
      const result = await this.#db.transaction(async (tx) => {
        await this.#store.lock(tx);
        const value = await work(tx);
        const changed = typeof keys === "function" ? keys(value) : keys;
        if (changed.length > 0)
          tx.notify(CLOUD_INIT_CHANGED, { origin: this.#origin, keys: changed } satisfies CloudInitChanged);
        return value;
      });
      apply(result);
      return result;
    });
  }

  /** The node's instance ID; waits only if the node is still being assigned one. */
  async instanceId(nodeId: string): Promise<string> {
    const known = this.ids.get(nodeId);
    if (known) return known;
    this.#assign([nodeId]);
    await this.#assigning;
    const id = this.ids.get(nodeId);
    if (!id) throw new Error(`no instance ID for ${nodeId}`);
    return id;
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  /** Records a node's lease, or its release. */
  setLease(nodeId: string, lease: Lease | undefined): void {
    const previous = this.leases.get(nodeId);
    if (previous && this.tunnels.get(previous.tunnelIp) === nodeId) this.tunnels.delete(previous.tunnelIp);
    if (!lease) {
      this.leases.delete(nodeId);
      return;
    }
    this.leases.set(nodeId, lease);
    this.tunnels.set(lease.tunnelIp, nodeId);
  }

  /** The node holding an unexpired lease on this tunnel IP. */
  tunnelNode(ip: string, now = Date.now()): string | undefined {
    const nodeId = this.tunnels.get(ip);
    const lease = nodeId === undefined ? undefined : this.leases.get(nodeId);
    return lease && lease.expiresAt > now ? nodeId : undefined;
  }

  async #loadAll(): Promise<void> {
    const [snapshot, leases] = await Promise.all([this.#store.loadAll(), this.#wg.loadAll()]);
    this.#replace(snapshot);
    this.leases.clear();
    this.tunnels.clear();
    for (const lease of leases) this.setLease(lease.nodeId, lease);
  }

  #replace(snapshot: Snapshot): void {
    this.defaults = snapshot.defaults;
    this.groups.clear();
    for (const group of snapshot.groups) this.groups.set(group.name, group);
    this.instances.clear();
    for (const info of snapshot.instances) this.instances.set(info.id, info);
    for (const [node, id] of snapshot.ids) this.ids.set(node, id);
  }

  #reload(keys: readonly string[]): void {
    if (this.#closed) return;
    this.#exclusive(async () => {
      if (keys.includes("*")) {
        await this.#loadAll();
        return;
      }
      for (const key of keys) {
        if (key === "defaults") this.defaults = await this.#store.loadDefaults();
        else if (key.startsWith("group:")) {
          const name = key.slice("group:".length);
          const group = await this.#store.loadGroup(name);
          if (group) this.groups.set(name, group);
          else this.groups.delete(name);
        } else if (key.startsWith("instance:")) {
          const node = key.slice("instance:".length);
          const { info, id } = await this.#store.loadInstance(node);
          if (info) this.instances.set(node, info);
          else this.instances.delete(node);
          if (id) this.ids.set(node, id);
        } else if (key.startsWith("wg:")) {
          const node = key.slice("wg:".length);
          this.setLease(node, await this.#wg.load(node));
        }
      }
    }).catch((err) => {
      if (this.#closed) return;
      this.#logger.error({ err }, "reloading cloud-init records failed; retrying");
      clearTimeout(this.#retry);
      this.#retry = setTimeout(() => this.#reload(["*"]), RETRY_MS);
      this.#retry.unref();
    });
  }

  #nodesChanged(index: InventoryIndex): void {
    const missing = index
      .nodes()
      .map((n) => n.xname)
      .filter((x) => !this.ids.has(x));
    if (missing.length > 0) this.#assign(missing);
  }

  #assign(nodes: readonly string[]): void {
    for (const node of nodes) this.#queued.add(node);
    if (this.#assigning || this.#closed) return;
    this.#assigning = (async () => {
      try {
        while (this.#queued.size > 0 && !this.#closed) {
          const batch = [...this.#queued];
          this.#queued.clear();
          for (const [node, id] of await this.#store.ensureInstanceIds(batch)) this.ids.set(node, id);
        }
      } catch (err) {
        this.#queued.clear();
        if (!this.#closed) this.#logger.error({ err }, "assigning instance IDs failed");
        throw err;
      } finally {
        this.#assigning = undefined;
      }
    })();
    this.#assigning.catch(() => undefined);
  }
}
