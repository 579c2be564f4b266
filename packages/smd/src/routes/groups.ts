import { errors } from "@openchami/core";
import { queryParams } from "@openchami/http";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { SmdContext } from "../context.ts";
import {
  type GroupInput,
  type GroupPatchInput,
  groupField,
  groupFilter,
  groupToWire,
  memberXname,
  partitionFilter,
  requiredMemberXname,
  toGroup,
  toGroupPatch,
  unique,
} from "../domain/groups.ts";
import { API_BASE, createdList, ok } from "./responses.ts";
import { DescriptionTagsBody, GO_JSON, MemberBody, OptionalNullable, OptionalStrings } from "./schemas.ts";

const GroupBody = Type.Object({
  label: OptionalNullable(Type.String()),
  description: OptionalNullable(Type.String()),
  exclusiveGroup: OptionalNullable(Type.String()),
  tags: OptionalStrings,
  members: OptionalNullable(Type.Object({ ids: OptionalStrings })),
});
const MembersPutBody = Type.Object({ group: OptionalNullable(Type.String()), ids: OptionalStrings });
const LabelParams = Type.Object({ label: Type.String() });
const MemberParams = Type.Object({ label: Type.String(), xname: Type.String() });

const COLLECTION = `${API_BASE}/groups`;

/** The `{label}` path segment, lower-cased; a label with other characters is a 400. */
function labelParam(params: unknown): string {
  const label = groupField((params as { label: string }).label);
  if (label === undefined) throw errors.badRequest("Invalid group label.");
  return label;
}

function memberUris(label: string, ids: readonly string[]): string[] {
  return ids.map((id) => `${COLLECTION}/${label}/members/${id}`);
}

/** groups (spec smd.md §3.10). */
export function groupRoutes(app: FastifyInstance, { groups }: SmdContext): void {
  app.get("/groups", async (request) => {
    const list = await groups.list(groupFilter(queryParams(request.query)));
    return list.map(groupToWire);
  });

  app.post("/groups", { schema: { body: GroupBody }, config: GO_JSON }, async (request, reply) => {
    const group = toGroup(request.body as GroupInput);
    await groups.insert(group);
    return createdList(reply, COLLECTION, [`${COLLECTION}/${group.label}`]);
  });

  app.get("/groups/labels", async () => groups.labels());

  app.get("/groups/:label", { schema: { params: LabelParams } }, async (request) => {
    const label = labelParam(request.params);
    const group = await groups.get(label, partitionFilter(queryParams(request.query).get("partition")));
    if (!group) throw errors.notFound(`No such group: ${label}`);
    return groupToWire(group);
  });

  app.patch(
    "/groups/:label",
    { schema: { params: LabelParams, body: DescriptionTagsBody }, config: GO_JSON },
    async (request, reply) => {
      const label = labelParam(request.params);
      const patch = toGroupPatch(request.body as GroupPatchInput);
      if (!(await groups.update(label, patch))) throw errors.notFound("no such group.");
      return reply.code(204).send();
    },
  );

  app.delete("/groups/:label", { schema: { params: LabelParams } }, async (request) => {
    if (!(await groups.delete(labelParam(request.params)))) throw errors.notFound("no such group.");
    return ok("deleted 1 entry");
  });

  app.get("/groups/:label/members", { schema: { params: LabelParams } }, async (request) => {
    const label = labelParam(request.params);
    const group = await groups.get(label, partitionFilter(queryParams(request.query).get("partition")));
    if (!group) throw errors.notFound(`No such group: ${label}`);
    return { ids: group.members };
  });

  app.post(
    "/groups/:label/members",
    { schema: { params: LabelParams, body: MemberBody }, config: GO_JSON },
    async (request, reply) => {
      const label = labelParam(request.params);
      const id = requiredMemberXname((request.body as { id?: string | null }).id ?? "");
      await groups.addMember(label, id);
      return createdList(reply, COLLECTION, memberUris(label, [id]));
    },
  );

  app.put(
    "/groups/:label/members",
    { schema: { params: LabelParams, body: MembersPutBody }, config: GO_JSON },
    async (request, reply) => {
      const label = labelParam(request.params);
      const raw = (request.body as { ids?: string[] | null }).ids ?? [];
      const invalid = raw.filter((id) => memberXname(id) === undefined);
      // Go's %v of a string slice: `[a b]`.
      if (invalid.length > 0) throw errors.badRequest(`invalid xname IDs: [${invalid.join(" ")}]`);
      const ids = unique(raw.map((id) => memberXname(id) as string));
      await groups.setMembers(label, ids);
      return createdList(reply, COLLECTION, memberUris(label, ids));
    },
  );

  app.delete("/groups/:label/members/:xname", { schema: { params: MemberParams } }, async (request) => {
    const label = labelParam(request.params);
    const id = requiredMemberXname((request.params as { xname: string }).xname);
    if (!(await groups.deleteMember(label, id))) throw errors.notFound("group has no such member.");
    return ok("deleted 1 entry");
  });
}
