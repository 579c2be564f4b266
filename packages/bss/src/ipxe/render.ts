import type { InventoryNode } from "@openchami/inventory";
import type { BssConfig } from "../config.ts";
import type { BootRequest } from "../domain/boot-request.ts";
import type { BootRecord } from "../domain/records.ts";
import type { BootPlan, ParamsView } from "../domain/resolve.ts";
import { type ChainId, knownChain, unknownChain } from "./chain.ts";
import { buildParams, dsInjection, type ImageParams, type Injection, nodeInjections } from "./params.ts";
import { bootScript, delayScript, knownRetryLines } from "./script.ts";

export type BootReply =
  | { kind: "script"; body: string }
  | { kind: "json"; body: string }
  | { kind: "not-found"; detail: string };

export interface RenderContext {
  config: BssConfig;
  params: ParamsView;
  /** The chain base URL for this request (§3.6). */
  base: string;
}

/**
 * `<descr>` (§3.3) on the unknown path, where every 404 is: `Unknown MAC <mac> (<xname>)
 * architecture <arch>`, the xname only for a known node (and for a name request only when
 * it differs from the name).
 */
function describeRequest(request: BootRequest, node: InventoryNode | undefined): string {
  const [name, value] = request.id;
  let descr = name === "mac" ? `MAC ${value}` : name === "nid" ? `NID ${value}` : value;
  if (node && !(name === "name" && node.xname === value)) descr += ` (${node.xname})`;
  return `Unknown ${descr}${request.arch === "" ? "" : ` architecture ${request.arch}`}`;
}

/** The unknown chain names the requested MAC, else the node's first, else the name, else the NID. */
function unknownChainId(request: BootRequest, node: InventoryNode | undefined): ChainId {
  const name = request.id[0];
  if (name === "mac") return request.id;
  const mac = node?.macs[0];
  if (mac !== undefined) return ["mac", mac];
  if (name === "name") return request.id;
  return node ? ["name", node.xname] : request.id;
}

/** A known node's chain names the requested MAC, else its first MAC, else its xname. */
function knownChainId(request: BootRequest, node: InventoryNode): ChainId {
  if (request.id[0] === "mac") return request.id;
  const mac = node.macs[0];
  return mac === undefined ? ["name", node.xname] : ["mac", mac];
}

function imageParamsOf(params: ParamsView, record: BootRecord): ImageParams {
  return {
    kernel: params.imageParams("kernel", record.kernel),
    initrd: record.initrd === "" ? "" : params.imageParams("initrd", record.initrd),
  };
}

/** §3.9: the same record and injections as the script, for consumers that are not iPXE. */
function bootJson(record: BootRecord, images: ImageParams, params: string): string {
  const image = (path: string, imageParams: string) =>
    imageParams === "" ? { path } : { path, params: imageParams };
  return JSON.stringify({
    params: `kernel ${params}`,
    kernel: image(record.kernel, images.kernel),
    initrd: image(record.initrd, images.initrd),
  });
}

/** The reply body for a plan: pure, no I/O. */
export function renderBoot(plan: BootPlan, request: BootRequest, context: RenderContext): BootReply {
  const { config, base } = context;
  if (plan.kind === "delay" || plan.kind === "not-configured") {
    if (plan.kind === "not-configured" || request.json) {
      return {
        kind: "not-found",
        detail: `${describeRequest(request, plan.node)}: this host not configured for booting.`,
      };
    }
    return {
      kind: "script",
      body: delayScript(
        config.hsmRetrievalDelay,
        unknownChain(base, unknownChainId(request, plan.node), request.ts),
      ),
    };
  }

  const { record } = plan;
  const images = imageParamsOf(context.params, record);
  const known = plan.kind === "boot";
  const injections: Injection[] = known
    ? nodeInjections(
        plan.node,
        record.token,
        request.id[0] === "mac" ? request.id[1] : undefined,
        config.advertiseAddress,
      )
    : [dsInjection(config.advertiseAddress)];
  const params = buildParams(record, images, injections);
  if (request.json) return { kind: "json", body: bootJson(record, images, params) };

  const retryLines = known
    ? knownRetryLines(
        config,
        request.retry,
        plan.node.xname,
        knownChain(base, knownChainId(request, plan.node), request.retry + 1),
      )
    : `sleep ${config.retryDelay}\n${unknownChain(base, unknownChainId(request, plan.node), request.ts)}\n`;
  return { kind: "script", body: bootScript(record.kernel, record.initrd, params, retryLines) };
}
