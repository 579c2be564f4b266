import { errors, normalizeXname, parseXname } from "@openchami/core";
import { queryParams } from "@openchami/http";
import type { FastifyInstance } from "fastify";
import { type Static, Type } from "typebox";
import { queryKey, sendCached } from "../cache/response-caches.ts";
import type { SmdContext } from "../context.ts";
import {
  type ComponentRecord,
  componentToWire,
  firstPerId,
  type NewComponent,
  stateChange,
  upsertNotifications,
  validateComponent,
} from "../domain/component.ts";
import {
  type FilterParams,
  filterParamsFromBody,
  parseComponentFilter,
  parseComponentView,
  withNidRanges,
} from "../domain/component-filter.ts";
import type { ScnEvent } from "../domain/scn.ts";
import type { ComponentScope } from "../store/components.ts";
import { deleted, ok } from "./responses.ts";
import { GO_JSON, PUBLIC, XnameParams } from "./schemas.ts";

const Str = Type.Optional(Type.String());
const ComponentBody = Type.Object({
  ID: Str,
  State: Str,
  Flag: Str,
  Enabled: Type.Optional(Type.Boolean()),
  SoftwareStatus: Str,
  Role: Str,
  SubRole: Str,
  NID: Type.Optional(Type.Integer()),
  Subtype: Str,
  NetType: Str,
  Arch: Str,
  Class: Str,
});
const PostBody = Type.Object({
  Components: Type.Optional(Type.Array(ComponentBody)),
  Force: Type.Optional(Type.Boolean()),
});
const PutBody = Type.Object({
  Component: Type.Optional(ComponentBody),
  Force: Type.Optional(Type.Boolean()),
});

/** Upstream declares these as arrays; its swagger shows `partition`/`group` as strings: take both. */
const Filter = Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())]));
const FilterFields = Object.fromEntries(
  [
    "id",
    "nid",
    "nid_start",
    "nid_end",
    "type",
    "state",
    "flag",
    "enabled",
    "softwarestatus",
    "role",
    "subrole",
    "subtype",
    "arch",
    "class",
    "group",
    "partition",
    "locked",
    "reservation_disabled",
    "stateonly",
    "flagonly",
    "roleonly",
    "nidonly",
  ].map((name) => [name, name.endsWith("only") ? Type.Optional(Type.Boolean()) : Filter]),
);
const QueryBody = Type.Object({ ComponentIDs: Type.Optional(Type.Array(Type.String())), ...FilterFields });
const NidQueryBody = Type.Object({ NIDRanges: Type.Optional(Type.Array(Type.String())), ...FilterFields });

const BulkNidBody = Type.Object({
  Components: Type.Optional(Type.Array(Type.Object({ ID: Str, NID: Type.Optional(Type.Integer()) }))),
});
/** One body for every PATCH, as upstream's CompUpdate: each route reads its own fields. */
const PatchBody = Type.Object({
  ID: Str,
  ComponentIDs: Type.Optional(Type.Array(Type.String())),
  State: Str,
  Flag: Str,
  Force: Type.Optional(Type.Boolean()),
  Enabled: Type.Optional(Type.Boolean()),
  SoftwareStatus: Str,
  Role: Str,
  SubRole: Str,
  NID: Type.Optional(Type.Integer()),
});
type Patch = Static<typeof PatchBody>;

function componentArray(records: readonly ComponentRecord[]): { Components: object[] } {
  return { Components: records.map(componentToWire) };
}

/** `s0` and `all` stand for everything; otherwise the ids, with descendants when `type` filters. */
function queryScope(rawIds: readonly string[], params: FilterParams): ComponentScope {
  const ids = rawIds.map(normalizeXname);
  if (ids.some((id) => id === "s0" || id === "all")) return { kind: "all" };
  return { kind: (params.get("type")?.length ?? 0) > 0 ? "descendants" : "exact", ids };
}

/** The PATCH routes' IDs: each must be a valid xname (§3.2 PATCH rules). */
function patchIds(ids: readonly string[] | undefined): string[] {
  if (!ids || ids.length === 0) throw errors.badRequest("Missing IDs");
  return [
    ...new Set(
      ids.map((raw) => {
        const parsed = parseXname(raw);
        if (!parsed) throw errors.badRequest("invalid xname ID");
        return parsed.id;
      }),
    ),
  ];
}

const NO_MATCH = "a required argument did not match any valid input";

/** The fields of a change notification, besides `Components`. */
type Announced = Omit<ScnEvent, "Components">;

/**
 * What each PATCH changes: its required field's check and message, then the write, which
 * resolves to the ids it changed and what to announce of them (§5.6: Flag-only and NID
 * changes announce nothing).
 */
interface PatchKind {
  missing: string;
  present(body: Patch): boolean;
  apply(ctx: SmdContext, ids: string[], body: Patch): Promise<{ changed: string[]; announce?: Announced }>;
}

const PATCHES: Readonly<Record<string, PatchKind>> = {
  StateData: {
    missing: "Missing State",
    present: (b) => Boolean(b.State),
    apply: async ({ components, enums }, ids, b) => {
      const change = stateChange(enums, b.State!, b.Flag, b.Force ?? false);
      const changed = await components.setState(ids, change);
      return { changed, announce: { State: change.state, Flag: change.flag } };
    },
  },
  FlagOnly: {
    missing: "Missing Flag",
    present: (b) => Boolean(b.Flag),
    apply: async ({ components, enums }, ids, b) => {
      const flag = enums.parse("Flag", b.Flag!);
      if (!flag) throw errors.badRequest(NO_MATCH);
      return { changed: await components.setFields(ids, { flag }) };
    },
  },
  Enabled: {
    missing: "Missing Enabled field",
    present: (b) => b.Enabled !== undefined,
    apply: async ({ components }, ids, b) => ({
      changed: await components.setFields(ids, { enabled: b.Enabled }),
      announce: { Enabled: b.Enabled },
    }),
  },
  SoftwareStatus: {
    missing: "Missing SoftwareStatus",
    present: (b) => b.SoftwareStatus !== undefined,
    apply: async ({ components }, ids, b) => ({
      changed: await components.setFields(ids, { software_status: b.SoftwareStatus }),
      announce: { SoftwareStatus: b.SoftwareStatus },
    }),
  },
  Role: {
    missing: "Missing Role",
    present: (b) => b.Role !== undefined,
    apply: async ({ components, enums }, ids, b) => {
      const role = enums.parse("Role", b.Role!);
      const subRole = b.SubRole ? enums.parse("SubRole", b.SubRole) : "";
      if (!role || subRole === undefined) throw errors.badRequest(NO_MATCH);
      const changed = await components.setFields(ids, { role, sub_role: subRole });
      return { changed, announce: subRole ? { Role: role, SubRole: subRole } : { Role: role } };
    },
  },
  NID: {
    missing: "Missing NID",
    present: (b) => b.NID !== undefined,
    // Upstream stores anything below -1 as -1 (none).
    apply: async ({ components }, ids, b) => ({
      changed: await components.setFields(ids, { nid: Math.max(b.NID!, -1) }),
    }),
  },
};

async function patch(ctx: SmdContext, kind: PatchKind, ids: string[], body: Patch): Promise<void> {
  if (!kind.present(body)) throw errors.badRequest(kind.missing);
  const { changed, announce } = await kind.apply(ctx, ids, body);
  if (announce) ctx.scn.publish({ Components: changed, ...announce });
}

/** Upserts, then announces what changed (after commit). */
async function upsert(ctx: SmdContext, components: NewComponent[], force: boolean): Promise<void> {
  const result = await ctx.components.upsert(components, force);
  for (const event of upsertNotifications(result)) ctx.scn.publish(event);
}

function validated(inputs: readonly object[], ctx: SmdContext, prefix: string): NewComponent[] {
  return inputs.map((input) => {
    const result = validateComponent(input, ctx.enums);
    if ("error" in result) throw errors.badRequest(`${prefix}${result.error}`);
    return result;
  });
}

/** State/Components (spec smd.md §3.2, §5.1, §5.2). */
export function componentRoutes(app: FastifyInstance, ctx: SmdContext): void {
  const { components, enums } = ctx;
  const list = (params: FilterParams, scope?: ComponentScope) =>
    components
      .list(parseComponentFilter(params, enums), parseComponentView(params), scope)
      .then(componentArray);

  // Public: coresmd reads it without a token (§6).
  app.get("/State/Components", { config: PUBLIC }, (request, reply) =>
    sendCached(request, reply, ctx.caches.components, queryKey(request), () =>
      list(queryParams(request.query)),
    ),
  );

  app.post("/State/Components", { schema: { body: PostBody }, config: GO_JSON }, async (request, reply) => {
    const { Components: inputs = [], Force = false } = request.body as Static<typeof PostBody>;
    if (inputs.length === 0 || !inputs[0]!.ID) throw errors.badRequest("Missing Components");
    await upsert(ctx, firstPerId(validated(inputs, ctx, "couldn't validate components: ")), Force);
    return reply.code(204).send();
  });

  app.delete("/State/Components", async () => deleted(await components.delete()));

  app.get("/State/Components/:xname", { schema: { params: XnameParams } }, async (request, reply) => {
    const parsed = parseXname((request.params as { xname: string }).xname);
    if (!parsed) throw errors.notFound("no such xname.");
    return sendCached(request, reply, ctx.caches.component, parsed.id, async () => {
      const component = await components.get(parsed.id);
      if (!component) throw errors.notFound("no such xname.");
      return componentToWire(component);
    });
  });

  app.put(
    "/State/Components/:xname",
    { schema: { params: XnameParams, body: PutBody }, config: GO_JSON },
    async (request, reply) => {
      const { xname } = request.params as { xname: string };
      const { Component: input = {}, Force = false } = request.body as Static<typeof PutBody>;
      if (input.ID && normalizeXname(input.ID) !== normalizeXname(xname)) {
        throw errors.badRequest("ID in URL and POST body do not match");
      }
      const component = validated(
        [{ ...input, ID: input.ID || xname }],
        ctx,
        "couldn't validate component: ",
      );
      await upsert(ctx, component, Force);
      return reply.code(204).send();
    },
  );

  app.delete("/State/Components/:xname", { schema: { params: XnameParams } }, async (request) => {
    const parsed = parseXname((request.params as { xname: string }).xname);
    if (!parsed) throw errors.badRequest("invalid xname");
    if ((await components.delete(parsed.id)) === 0) throw errors.notFound("no such xname.");
    return ok("deleted 1 entry");
  });

  app.get(
    "/State/Components/ByNID/:nid",
    { schema: { params: Type.Object({ nid: Type.String() }) } },
    async (request) => {
      const { nid } = request.params as { nid: string };
      if (!/^[+-]?\d+$/.test(nid)) throw errors.badRequest("a required argument was not an integer");
      const value = Number(nid);
      if (value < 0) throw errors.badRequest("An argument was out of range");
      const component = value <= 2 ** 31 - 1 ? await components.getByNid(value) : undefined;
      if (!component) throw errors.notFound("no such NID.");
      return componentToWire(component);
    },
  );

  app.post(
    "/State/Components/ByNID/Query",
    { schema: { body: NidQueryBody }, config: GO_JSON },
    (request) => {
      const body = request.body as Static<typeof NidQueryBody>;
      if (!body.NIDRanges || body.NIDRanges.length === 0) throw errors.badRequest("Missing NID ranges");
      return list(withNidRanges(filterParamsFromBody(body), body.NIDRanges));
    },
  );

  app.post("/State/Components/Query", { schema: { body: QueryBody }, config: GO_JSON }, (request) => {
    const body = request.body as Static<typeof QueryBody>;
    if (!body.ComponentIDs || body.ComponentIDs.length === 0) throw errors.badRequest("Missing IDs");
    const params = filterParamsFromBody(body);
    return list(params, queryScope(body.ComponentIDs, params));
  });

  app.get("/State/Components/Query/:xname", { schema: { params: XnameParams } }, (request) => {
    const params = queryParams(request.query);
    return list(params, queryScope([(request.params as { xname: string }).xname], params));
  });

  app.patch(
    "/State/Components/BulkNID",
    { schema: { body: BulkNidBody }, config: GO_JSON },
    async (request, reply) => {
      const { Components: entries = [] } = request.body as Static<typeof BulkNidBody>;
      if (entries.length === 0 || !entries[0]!.ID) throw errors.badRequest("Missing Components");
      const nids = entries.map(({ ID, NID }) => {
        const parsed = parseXname(ID ?? "");
        if (!parsed) throw errors.badRequest("invalid xname ID");
        if (NID === undefined) {
          throw errors.badRequest(
            "operation 'Bulk Update NID' failed: NID value missing.  Use NID < 0 to unset.",
          );
        }
        return { id: parsed.id, nid: Math.max(NID, -1) };
      });
      await components.setNids(firstPerId(nids));
      return reply.code(204).send();
    },
  );

  for (const [name, kind] of Object.entries(PATCHES)) {
    if (name !== "NID") {
      app.patch(
        `/State/Components/Bulk${name}`,
        { schema: { body: PatchBody }, config: GO_JSON },
        async (request, reply) => {
          const body = request.body as Patch;
          await patch(ctx, kind, patchIds(body.ComponentIDs), body);
          return reply.code(204).send();
        },
      );
    }
    app.patch(
      `/State/Components/:xname/${name}`,
      { schema: { params: XnameParams, body: PatchBody }, config: GO_JSON },
      async (request, reply) => {
        const { xname } = request.params as { xname: string };
        const body = request.body as Patch;
        if (body.ID && normalizeXname(body.ID) !== normalizeXname(xname)) {
          throw errors.badRequest("ID in URL and PATCH body do not match");
        }
        await patch(ctx, kind, patchIds([xname]), body);
        return reply.code(204).send();
      },
    );
  }
}
