import type { FastifyInstance } from "fastify";
import type { CloudInitContext } from "../context.ts";
import {
  DecodeError,
  decodeClusterDefaults,
  decodeGroup,
  decodeInstanceInfo,
  EMPTY_INSTANCE_INFO,
  type GroupData,
  mergeDefaults,
} from "../domain/wire.ts";
import { jsonBody, nodeId, sendJson, sendText } from "./replies.ts";

type Name = { Params: { name: string } };
type Id = { Params: { id: string } };

/** A write refused inside its transaction (rolled back), answered as plain text. */
class Refused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The admin routes (spec cloud-init.md §2.3); protected by the plugin's requireAuth. */
export function adminRoutes(app: FastifyInstance, { state, store }: CloudInitContext): void {
  app.get("/admin/cluster-defaults", async (_request, reply) => sendJson(reply, state.defaults));

  app.post("/admin/cluster-defaults", async (request, reply) => {
    let update: ReturnType<typeof decodeClusterDefaults>;
    try {
      update = decodeClusterDefaults(jsonBody(request.body));
    } catch (error) {
      if (error instanceof DecodeError) return sendText(reply, 400, error.message);
      throw error;
    }
    await state.write(
      ["defaults"],
      async (tx) => {
        const merged = mergeDefaults(await store.loadDefaults(tx.kysely), update);
        await store.putDefaults(tx, merged);
        return merged;
      },
      (merged) => {
        state.defaults = merged;
      },
    );
    return sendText(reply, 201);
  });

  app.get("/admin/groups", async (_request, reply) => {
    const names = [...state.groups.keys()].sort();
    return sendJson(reply, Object.fromEntries(names.map((name) => [name, state.groups.get(name)])));
  });

  app.post("/admin/groups", async (request, reply) => {
    const group = decodeOr422(request.body, undefined);
    if (typeof group === "string") return sendText(reply, 422, group);
    const added = await state.write(
      [`group:${group.name}`],
      (tx) => store.insertGroup(tx, group),
      (inserted) => {
        if (inserted) state.groups.set(group.name, group);
      },
    );
    if (!added) return sendText(reply, 409, `group '${group.name}' not added as it already exists`);
    return sendText(reply.header("location", `/groups/${group.name}`), 201);
  });

  app.get<Name>("/admin/groups/:name", async (request, reply) => {
    const group = state.groups.get(request.params.name);
    if (!group) return sendText(reply, 404, `group (${request.params.name}) not found in memstore`);
    return sendJson(reply, group);
  });

  app.put<Name>("/admin/groups/:name", async (request, reply) => {
    const group = decodeOr422(request.body, request.params.name);
    if (typeof group === "string") return sendText(reply, 422, group);
    await state.write(
      [`group:${group.name}`],
      (tx) => store.upsertGroup(tx, group),
      () => state.groups.set(group.name, group),
    );
    return sendText(reply.header("location", `/groups/${group.name}`), 201);
  });

  app.delete<Name>("/admin/groups/:name", async (request, reply) => {
    const { name } = request.params;
    await state.write(
      [`group:${name}`],
      (tx) => store.deleteGroup(tx, name),
      () => state.groups.delete(name),
    );
    return sendText(reply, 200);
  });

  app.get<Id>("/admin/instance-info/:id", async (request, reply) => {
    const id = nodeId(request.params.id);
    const info = state.instances.get(id);
    const instanceId = state.ids.get(id);
    if (!info && !instanceId) return sendText(reply, 404, `instance info (${request.params.id}) not found`);
    return sendJson(reply, { ...EMPTY_INSTANCE_INFO, ...info, id, "instance-id": instanceId ?? "" });
  });

  app.put<Id>("/admin/instance-info/:id", async (request, reply) => {
    const id = nodeId(request.params.id);
    let info: ReturnType<typeof decodeInstanceInfo>;
    try {
      info = decodeInstanceInfo(jsonBody(request.body), id);
    } catch (error) {
      if (error instanceof DecodeError) return sendText(reply, 400, error.message);
      throw error;
    }
    try {
      await state.write(
        [`instance:${id}`],
        async (tx) => {
          let instanceId = await store.instanceIdOf(tx, id);
          const wanted = info["instance-id"];
          if (!instanceId && wanted) {
            const owner = await store.instanceIdOwner(tx, wanted);
            if (owner !== undefined) throw new Refused(409, `instance-id ${wanted} is already in use`);
            await store.setInstanceId(tx, id, wanted);
            instanceId = wanted;
          }
          const stored = { ...info, "instance-id": instanceId ?? "" };
          await store.putInstanceInfo(tx, stored);
          return stored;
        },
        (stored) => {
          state.instances.set(id, stored);
          if (stored["instance-id"]) state.ids.set(id, stored["instance-id"]);
        },
      );
    } catch (error) {
      if (error instanceof Refused) return sendText(reply, error.status, error.message);
      throw error;
    }
    return sendText(reply, 201);
  });

  app.delete<Id>("/admin/instance-info/:id", async (request, reply) => {
    const id = nodeId(request.params.id);
    await state.write(
      [`instance:${id}`],
      (tx) => store.deleteInstanceInfo(tx, id),
      () => state.instances.delete(id),
    );
    return sendText(reply, 200);
  });
}

/** The decoded group, or the 422 text. */
function decodeOr422(body: unknown, pathName: string | undefined): GroupData | string {
  try {
    return decodeGroup(jsonBody(body), pathName);
  } catch (error) {
    if (error instanceof DecodeError) return error.message;
    throw error;
  }
}
