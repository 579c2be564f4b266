import type { BootloopPool } from "../config/types.ts";
import { type Cidr, cidrContains } from "../ip.ts";

export function poolContains(pool: BootloopPool, ip: number): boolean {
  return ip >= pool.start && ip <= pool.end;
}

/**
 * The pool an unknown client draws from (dhcp.md §4.1–4.2): a relayed request (giaddr set)
 * uses the pool whose CIDR holds the relay address; a direct one uses the pool inside the
 * listener's subnet when that is known (an address from another subnet would not route),
 * else the only pool. Undefined means no reply.
 */
export function choosePool(
  pools: readonly BootloopPool[],
  giaddr: number,
  listenerSubnet: Cidr | undefined,
): BootloopPool | undefined {
  if (giaddr !== 0) return pools.find((pool) => cidrContains(pool.cidr, giaddr));
  if (listenerSubnet) {
    return pools.find(
      (pool) => cidrContains(listenerSubnet, pool.start) && cidrContains(listenerSubnet, pool.end),
    );
  }
  return pools.length === 1 ? pools[0] : undefined;
}
