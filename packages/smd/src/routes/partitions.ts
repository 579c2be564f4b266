import { errors } from "@openchami/core";
import { queryParams } from "@openchami/http";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { SmdContext } from "../context.ts";
import {
  type GroupPatchInput,
  groupField,
  type PartitionInput,
  partitionListFilter,
  partitionMember,
  partitionToWire,
  requiredMemberXname,
  toGroupPatch,
  toPartition,
} from "../domain/groups.ts";
import { API_BASE, createdList, ok } from "./responses.ts";
import { DescriptionTagsBody, GO_JSON, MemberBody, OptionalNullable, OptionalStrings } from "./schemas.ts";

const PartitionBody = Type.Object({
  name: OptionalNullable(Type.String()),
  description: OptionalNullable(Type.String()),
  tags: OptionalStrings,
  members: OptionalNullable(Type.Object({ ids: OptionalStrings })),
});
const NameParams = Type.Object({ name: Type.String() });
const MemberParams = Type.Object({ name: Type.String(), xname: Type.String() });

const COLLECTION = `${API_BASE}/partitions`;

/** The `{name}` path segment, lower-cased; other characters than a group field's are a 400. */
function nameParam(params: unknown): string {
  const name = groupField((params as { name: string }).name);
  if (name === undefined) throw errors.badRequest("Invalid partition name.");
  return name;
}

/** partitions (spec smd.md §3.11). */
export function partitionRoutes(app: FastifyInstance, { partitions }: SmdContext): void {
  app.get("/partitions", async (request) => {
    const list = await partitions.list(partitionListFilter(queryParams(request.query)));
    return list.map(partitionToWire);
  });

  app.post("/partitions", { schema: { body: PartitionBody }, config: GO_JSON }, async (request, reply) => {
    const partition = toPartition(request.body as PartitionInput);
    await partitions.insert(partition);
    return createdList(reply, COLLECTION, [`${COLLECTION}/${partition.name}`]);
  });

  app.get("/partitions/names", async () => partitions.names());

  app.get("/partitions/:name", { schema: { params: NameParams } }, async (request) => {
    const name = nameParam(request.params);
    const partition = await partitions.get(name);
    if (!partition) throw errors.notFound(`No such partition: ${name}`);
    return partitionToWire(partition);
  });

  app.patch(
    "/partitions/:name",
    { schema: { params: NameParams, body: DescriptionTagsBody }, config: GO_JSON },
    async (request, reply) => {
      const name = nameParam(request.params);
      const patch = toGroupPatch(request.body as GroupPatchInput);
      if (!(await partitions.update(name, patch))) throw errors.notFound("no such partition.");
      return reply.code(204).send();
    },
  );

  app.delete("/partitions/:name", { schema: { params: NameParams } }, async (request) => {
    if (!(await partitions.delete(nameParam(request.params)))) throw errors.notFound("no such partition.");
    return ok("deleted 1 entry");
  });

  app.get("/partitions/:name/members", { schema: { params: NameParams } }, async (request) => {
    const name = nameParam(request.params);
    const partition = await partitions.get(name);
    if (!partition) throw errors.notFound(`No such partition: ${name}`);
    return { ids: partition.members };
  });

  app.post(
    "/partitions/:name/members",
    { schema: { params: NameParams, body: MemberBody }, config: GO_JSON },
    async (request, reply) => {
      const name = nameParam(request.params);
      const id = partitionMember((request.body as { id?: string | null }).id ?? "");
      await partitions.addMember(name, id);
      return createdList(reply, COLLECTION, [`${COLLECTION}/${name}/members/${id}`]);
    },
  );

  app.delete("/partitions/:name/members/:xname", { schema: { params: MemberParams } }, async (request) => {
    const name = nameParam(request.params);
    const id = requiredMemberXname((request.params as { xname: string }).xname);
    if (!(await partitions.deleteMember(name, id))) throw errors.notFound("partition has no such member.");
    return ok("deleted 1 entry");
  });
}
