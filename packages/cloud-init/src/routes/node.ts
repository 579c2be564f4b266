import type { InventoryNode } from "@openchami/inventory";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  baseUrl,
  EMPTY_CLOUD_CONFIG,
  includeOrder,
  nodeFacts,
  renderGroupFile,
  renderMetaData,
  renderVendorData,
} from "../compose/compose.ts";
import { mergedUserData } from "../compose/merge.ts";
import type { CloudInitContext } from "../context.ts";
import { clientIp, normalizeIp } from "../domain/client-ip.ts";
import { nodeId, PUBLIC, sendText, TEXT } from "./replies.ts";

const YAML_TYPE = "application/x-yaml";

/** The node's answers; shared by the node routes and impersonation. Memory only. */
export class NodeAnswers {
  readonly #context: CloudInitContext;

  constructor(context: CloudInitContext) {
    this.#context = context;
  }

  async metaData(node: InventoryNode, reply: FastifyReply): Promise<FastifyReply> {
    const { state } = this.#context;
    const body = renderMetaData({
      node: nodeFacts(node),
      instanceId: await state.instanceId(node.xname),
      defaults: state.defaults,
      instance: state.instances.get(node.xname),
      groups: state.groups,
    });
    return reply.type(YAML_TYPE).send(body);
  }

  /** Whether user-data needs the node (merged mode, §3.5). */
  get merged(): boolean {
    return this.#context.config.mergedUserData;
  }

  userData(node: InventoryNode | undefined, reply: FastifyReply): FastifyReply {
    const { state } = this.#context;
    if (!this.merged || !node) return reply.type(TEXT).send(EMPTY_CLOUD_CONFIG);
    const { userData } = mergedUserData(includeOrder(node.groups, state.groups), state.groups);
    return reply.type(TEXT).send(userData);
  }

  vendorData(node: InventoryNode, reply: FastifyReply): FastifyReply {
    const { state, config } = this.#context;
    const base = baseUrl(
      state.instances.get(node.xname)?.["cloud-init-base-url"],
      state.defaults["base-url"],
      config.baseUrl,
    );
    let ordered = includeOrder(node.groups, state.groups);
    if (this.merged) ordered = mergedUserData(ordered, state.groups).remaining;
    return reply.type(TEXT).send(renderVendorData(base, ordered));
  }

  groupFile(node: InventoryNode, file: string, reply: FastifyReply): FastifyReply {
    const group = file.slice(0, -".yaml".length);
    if (!node.groups.includes(group))
      return sendText(
        reply,
        404,
        `node ${node.xname} is not a member of group ${group} (node and/or group may not exist in SMD)`,
      );
    return reply.type(TEXT).send(renderGroupFile(this.#context.state.groups.get(group)));
  }
}

/**
 * 503 until the first inventory snapshot has loaded. Otherwise waits only while a local
 * SMD write's change is being applied, so the next request sees it (CI-08).
 */
export async function notReady(
  context: CloudInitContext,
  reply: FastifyReply,
): Promise<FastifyReply | undefined> {
  const { inventory } = context.deps;
  if (!inventory.loaded) return sendText(reply.header("retry-after", "5"), 503, "inventory not ready");
  if (inventory.applying) await inventory.settled();
  return undefined;
}

/**
 * The node the request comes from (§2.1): exactly one node claiming the client IP, else
 * undefined (unknown, or claimed by several nodes: nobody).
 */
export function nodeOf(
  context: CloudInitContext,
  request: FastifyRequest,
  ip = requestIp(context, request),
): InventoryNode | undefined {
  if (ip === "") return undefined;
  const index = context.deps.inventory.current();
  let claimants = index.byIp(ip);
  if (claimants.length === 0 && ip.includes(":")) claimants = index.byIp(ip.toUpperCase());
  if (claimants.length === 0) {
    const tunnelNode = context.state.tunnelNode(ip);
    const node = tunnelNode === undefined ? undefined : index.byXname(tunnelNode);
    return node;
  }
  if (claimants.length > 1) {
    context.deps.logger.warn(
      { ip, nodes: claimants.map((n) => n.xname) },
      "IP claimed by several nodes: refused",
    );
    return undefined;
  }
  return claimants[0];
}

/** The client IP of §2.1 (trusted proxies honoured). */
export function requestIp(context: CloudInitContext, request: FastifyRequest): string {
  return clientIp(request.socket.remoteAddress, request.headers["x-forwarded-for"], context.trusted);
}

/**
 * WireGuard-only mode (§4): a data route answers only on the server's tunnel address or
 * to a currently leased tunnel IP; else the 403 reply.
 */
function tunnelOnly(context: CloudInitContext, request: FastifyRequest, reply: FastifyReply) {
  const { wireguard, state, config } = context;
  if (!config.wireguardOnly || !wireguard.pool) return undefined;
  if (normalizeIp(request.socket.localAddress) === wireguard.pool.server) return undefined;
  const ip = requestIp(context, request);
  if (state.tunnelNode(ip) !== undefined) return undefined;
  return sendText(
    reply,
    403,
    `Access denied: client IP ${ip} not in WireGuard subnet or on WireGuard interface`,
  );
}

/** The node routes (spec cloud-init.md §2.2): public, identity from the source IP. */
export function nodeRoutes(app: FastifyInstance, context: CloudInitContext, answers: NodeAnswers): void {
  const withNode =
    (answer: (node: InventoryNode, request: FastifyRequest, reply: FastifyReply) => unknown) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const early = tunnelOnly(context, request, reply) ?? (await notReady(context, reply));
      if (early) return early;
      const node = nodeOf(context, request);
      if (!node) return sendText(reply, 422);
      return answer(node, request, reply);
    };

  app.get(
    "/meta-data",
    { config: PUBLIC },
    withNode((node, _request, reply) => answers.metaData(node, reply)),
  );
  app.get(
    "/user-data",
    { config: PUBLIC },
    answers.merged
      ? withNode((node, _request, reply) => answers.userData(node, reply))
      : async (request, reply) => tunnelOnly(context, request, reply) ?? answers.userData(undefined, reply),
  );
  app.get(
    "/vendor-data",
    { config: PUBLIC },
    withNode((node, _request, reply) => answers.vendorData(node, reply)),
  );
  app.get<{ Params: { file: string } }>("/:file", { config: PUBLIC }, async (request, reply) => {
    const { file } = request.params;
    if (!file.endsWith(".yaml") || file.length <= ".yaml".length)
      return sendText(reply, 404, "404 page not found");
    const early = tunnelOnly(context, request, reply) ?? (await notReady(context, reply));
    if (early) return early;
    const node = nodeOf(context, request);
    if (!node) return sendText(reply, 422);
    return answers.groupFile(node, file, reply);
  });
}

/** GET /admin/impersonation/{id}/…: the node routes for `{id}` (admin; mounted by flag). */
export function impersonationRoutes(
  app: FastifyInstance,
  context: CloudInitContext,
  answers: NodeAnswers,
): void {
  type Params = { Params: { id: string; file?: string } };
  const withNode =
    (answer: (node: InventoryNode, request: FastifyRequest<Params>, reply: FastifyReply) => unknown) =>
    async (request: FastifyRequest<Params>, reply: FastifyReply) => {
      const early = await notReady(context, reply);
      if (early) return early;
      const node = context.deps.inventory.current().byXname(nodeId(request.params.id));
      if (!node) return sendText(reply, 404, `node ${request.params.id} not found in SMD`);
      return answer(node, request, reply);
    };
  const base = "/admin/impersonation/:id";
  app.get<Params>(
    `${base}/meta-data`,
    withNode((node, _request, reply) => answers.metaData(node, reply)),
  );
  app.get<Params>(
    `${base}/user-data`,
    withNode((node, _request, reply) => answers.userData(node, reply)),
  );
  app.get<Params>(
    `${base}/vendor-data`,
    withNode((node, _request, reply) => answers.vendorData(node, reply)),
  );
  app.get<Params>(
    `${base}/:file`,
    withNode((node, request, reply) => {
      const file = request.params.file ?? "";
      if (!file.endsWith(".yaml") || file.length <= ".yaml".length)
        return sendText(reply, 404, "404 page not found");
      return answers.groupFile(node, file, reply);
    }),
  );
}
