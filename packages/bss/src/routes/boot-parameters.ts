import { randomUUID } from "node:crypto";
import { errors } from "@openchami/core";
import { queryParams } from "@openchami/http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { BssContext } from "../context.ts";
import {
  BootParamsBody,
  type BootParamsInput,
  decodeBootParams,
  NO_BOOT_PARAMS,
  planStore,
  readBootParams,
} from "../domain/boot-params.ts";
import { keyString } from "../domain/records.ts";
import { listParam, parseNid, type Selection, selectionNotFound, selectionOf } from "../domain/selectors.ts";
import { type BootParamsWire, groupedWire, imageWire, singleWire } from "../domain/wire.ts";
import type { ParamsIndex } from "../params-index.ts";
import { readGetBody } from "./body.ts";
import { JSON_UTF8, sendJson } from "./replies.ts";

const REFERRAL_TOKEN = "bss-referral-token";

/**
 * The handlers decode bodies themselves (domain/boot-params.ts), so failures read
 * `Bad Request: …` as upstream's do; the schema is declared for the OpenAPI document.
 */
const BODY_ROUTE = { schema: { body: BootParamsBody }, validatorCompiler: () => () => true } as const;

/**
 * The body of a filtered GET, merged with its query. With query selectors a body that
 * does not parse is ignored, as upstream does; without, it is the 400.
 */
function bodySelectors(text: string, hasQuery: boolean): BootParamsInput {
  if (text === "") return NO_BOOT_PARAMS;
  let reason: string;
  try {
    const input = readBootParams(JSON.parse(text));
    if (typeof input !== "string") return input;
    reason = input;
  } catch (error) {
    reason = (error as Error).message;
  }
  if (hasQuery) return NO_BOOT_PARAMS;
  throw errors.badRequest(`Failed to interpret request body '${text}': ${reason}`);
}

async function selectionFrom(request: FastifyRequest, context: BssContext): Promise<Selection | "all"> {
  const query = queryParams(request.query);
  const names = listParam(query, "name");
  const macs = listParam(query, "mac");
  const nids = listParam(query, "nid");
  const hasQuery = names.length + macs.length + nids.length > 0;
  const text = await readGetBody(request);
  if (text === "" && !hasQuery) return "all";
  const body = bodySelectors(text, hasQuery);
  const selection = selectionOf(
    {
      ...body,
      hosts: [...body.hosts, ...names],
      macs: [...body.macs, ...macs],
      nids: [...body.nids, ...nids.map(parseNid)],
    },
    context.enums,
  );
  if (selection.kinds.length === 0) throw errors.badRequest("No specified data requested");
  return selection;
}

/** Each stored match on its own, image params first; a partial match is a success. */
function selectedWire(selection: Selection, index: ParamsIndex): BootParamsWire[] {
  const results: BootParamsWire[] = [];
  for (const image of selection.images) {
    const params = index.image(image.kind, image.path);
    if (params !== undefined) results.push(imageWire(image, params));
  }
  const targets = new Map(selection.targets.map((target) => [keyString(target), target]));
  for (const target of targets.values()) {
    const record = index.record(target.kind, target.key);
    if (record) results.push(singleWire(target, record));
  }
  if (results.length === 0) throw selectionNotFound(selection);
  return results;
}

function written(reply: FastifyReply, status: number, token?: string): FastifyReply {
  if (token !== undefined) reply.header(REFERRAL_TOKEN, token);
  return reply.code(status).type(JSON_UTF8).send();
}

/**
 * /bootparameters (spec bss.md §2.4). Reads come from the in-memory index, writes go
 * through ParamsSync. Registered in upstream's `allow` order: GET, PUT, POST, PATCH, DELETE.
 */
export function bootParametersRoutes(app: FastifyInstance, context: BssContext): void {
  const { params, store, enums } = context;

  app.get("/bootparameters", async (request, reply) => {
    const selection = await selectionFrom(request, context);
    const body =
      selection === "all"
        ? groupedWire(params.index.records(), params.index.images())
        : selectedWire(selection, params.index);
    return sendJson(reply, body);
  });

  app.put("/bootparameters", BODY_ROUTE, async (request, reply) => {
    const token = randomUUID();
    const plan = planStore(decodeBootParams(request.body), enums, token);
    await params.write((tx) => store.replace(tx, plan));
    return written(reply, 200, token);
  });

  app.post("/bootparameters", BODY_ROUTE, async (request, reply) => {
    const token = randomUUID();
    const plan = planStore(decodeBootParams(request.body), enums, token);
    await params.write((tx) => store.create(tx, plan));
    return written(reply, 201, token);
  });

  app.patch("/bootparameters", BODY_ROUTE, async (request, reply) => {
    const input = decodeBootParams(request.body);
    await params.write((tx) => store.patch(tx, input, enums));
    return written(reply, 200);
  });

  app.delete("/bootparameters", BODY_ROUTE, async (request, reply) => {
    const input = decodeBootParams(request.body);
    await params.write((tx) => store.remove(tx, input, enums));
    return written(reply, 200);
  });
}
