import { errors } from "@openchami/core";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { SmdContext } from "../context.ts";
import {
  type PatchInput,
  type SubscriptionInput,
  subscriptionId,
  subscriptionToWire,
  toPatch,
  toSubscription,
} from "../domain/scn.ts";
import { ok } from "./responses.ts";
import { GO_JSON, IdParams, OptionalNullable, OptionalStrings as Strings } from "./schemas.ts";

const Triggers = {
  Enabled: OptionalNullable(Type.Boolean()),
  Roles: Strings,
  SubRoles: Strings,
  SoftwareStatus: Strings,
  States: Strings,
};
const SubscriptionBody = Type.Object({
  Subscriber: OptionalNullable(Type.String()),
  Url: OptionalNullable(Type.String()),
  ...Triggers,
});
const PatchBody = Type.Object({ Op: OptionalNullable(Type.String()), ...Triggers });

const notFound = () => errors.notFound("Subscription not found");

function idParam(params: unknown): number | undefined {
  return subscriptionId((params as { id: string }).id);
}

/** Subscriptions/SCN (spec smd.md §3.14); every write refreshes the dispatcher's cache. */
export function subscriptionRoutes(app: FastifyInstance, { subscriptions, scn, enums }: SmdContext): void {
  app.get("/Subscriptions/SCN", async () => ({
    SubscriptionList: (await subscriptions.list()).map(subscriptionToWire),
  }));

  app.post("/Subscriptions/SCN", { schema: { body: SubscriptionBody }, config: GO_JSON }, async (request) => {
    const saved = await subscriptions.upsert(toSubscription(request.body as SubscriptionInput, enums));
    await scn.refresh();
    return subscriptionToWire(saved);
  });

  app.delete("/Subscriptions/SCN", async () => {
    const count = await subscriptions.delete();
    await scn.refresh();
    return ok(`${count} Subscriptions deleted`);
  });

  app.get("/Subscriptions/SCN/:id", { schema: { params: IdParams } }, async (request) => {
    const id = idParam(request.params);
    const sub = id === undefined ? undefined : await subscriptions.get(id);
    if (!sub) throw notFound();
    return subscriptionToWire(sub);
  });

  app.put(
    "/Subscriptions/SCN/:id",
    { schema: { params: IdParams, body: SubscriptionBody }, config: GO_JSON },
    async (request, reply) => {
      const id = idParam(request.params);
      const fields = toSubscription(request.body as SubscriptionInput, enums);
      if (id === undefined || !(await subscriptions.replace(id, fields))) throw notFound();
      await scn.refresh();
      return reply.code(204).send();
    },
  );

  app.patch(
    "/Subscriptions/SCN/:id",
    { schema: { params: IdParams, body: PatchBody }, config: GO_JSON },
    async (request, reply) => {
      const id = idParam(request.params);
      const { op, triggers } = toPatch(request.body as PatchInput, enums);
      if (id === undefined || !(await subscriptions.patch(id, op, triggers))) throw notFound();
      await scn.refresh();
      return reply.code(204).send();
    },
  );

  app.delete("/Subscriptions/SCN/:id", { schema: { params: IdParams } }, async (request) => {
    const id = idParam(request.params);
    if (id === undefined || (await subscriptions.delete(id)) === 0) throw notFound();
    await scn.refresh();
    return ok("Subscription deleted");
  });
}
