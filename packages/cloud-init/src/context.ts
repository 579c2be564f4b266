import { type CloudInitConfig, DEFAULT_CLOUD_INIT_CONFIG } from "./config.ts";
import type { CloudInitDeps } from "./deps.ts";
import { TrustedProxies } from "./domain/client-ip.ts";
import { seed } from "./seed.ts";
import { CloudInitState } from "./state.ts";
import { CloudInitStore } from "./store/records.ts";
import { WireGuardStore } from "./store/wireguard.ts";
import { WireGuard } from "./wireguard.ts";

/** What cloud-init's routes share, once per plugin (every mount sees the same state). */
export interface CloudInitContext {
  deps: CloudInitDeps;
  config: CloudInitConfig;
  store: CloudInitStore;
  state: CloudInitState;
  trusted: TrustedProxies;
  wireguard: WireGuard;
  startedAt: number;
}

export function createContext(deps: CloudInitDeps): CloudInitContext {
  const config = { ...DEFAULT_CLOUD_INIT_CONFIG, ...deps.config };
  const store = new CloudInitStore(deps.db);
  const wgStore = new WireGuardStore(deps.db);
  const state = new CloudInitState(deps.db, store, wgStore, deps.inventory, deps.logger);
  return {
    deps,
    config,
    store,
    state,
    trusted: new TrustedProxies(config.trustedProxies),
    wireguard: new WireGuard(config, state, wgStore, deps.logger),
    startedAt: Date.now(),
  };
}

export async function startContext(context: CloudInitContext): Promise<void> {
  await context.state.start(() => seed(context));
  await context.wireguard.start();
  warnings(context);
}

export async function closeContext(context: CloudInitContext): Promise<void> {
  await context.wireguard.close();
  await context.state.close();
}

/** Start-up warnings (§2.5, §4, §6). */
function warnings({ config, deps, state, wireguard }: CloudInitContext): void {
  if (!deps.auth) deps.logger.warn("cloud-init admin routes are open: auth is off");
  if (config.wireguardOnly && wireguard.pool) {
    const base = state.defaults["base-url"] || config.baseUrl;
    let host = "";
    try {
      host = new URL(base).hostname;
    } catch {}
    if (host !== wireguard.pool.server)
      deps.logger.warn(
        { baseUrl: base, tunnelIp: wireguard.pool.server },
        "WireGuard-only mode: the base URL does not point at the tunnel server IP, so includes will get 403",
      );
  }
}
