import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import type { CloudInitContext } from "./context.ts";
import {
  type ClusterDefaults,
  DecodeError,
  decodeClusterDefaults,
  decodeGroup,
  decodeInstanceInfo,
  type GroupData,
  type InstanceInfo,
  mergeDefaults,
} from "./domain/wire.ts";
import { nodeId } from "./routes/replies.ts";

const FILES = ["groups.yaml", "instances.yaml", "clusterdefaults.yaml"] as const;

function mapping(value: unknown, file: string): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw new Error(`SEED_PATH: ${file}: not a mapping`);
  return value as Record<string, unknown>;
}

function decoded<T>(file: string, key: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof DecodeError) throw new Error(`SEED_PATH: ${file}: ${key}: ${error.message}`);
    throw error;
  }
}

/**
 * Upserts the seed files (spec cloud-init.md §5 "Seeding", upstream PR #103) in one
 * transaction: groups by name, instance info by node ID (its instance-id only if the node
 * has none), the cluster defaults merged. All three files are required.
 */
export async function seed(context: CloudInitContext): Promise<void> {
  const dir = context.config.seedPath;
  if (dir === "") return;
  const [groupsDoc, instancesDoc, defaultsDoc] = await Promise.all(
    FILES.map(async (file) => {
      const path = join(dir, file);
      let text: string;
      try {
        text = await readFile(path, "utf8");
      } catch (error) {
        throw new Error(`SEED_PATH: cannot read ${path}: ${(error as Error).message}`);
      }
      try {
        return mapping(parse(text), file);
      } catch (error) {
        throw new Error(`SEED_PATH: ${file}: ${(error as Error).message}`);
      }
    }),
  );
  const groups: GroupData[] = Object.entries(groupsDoc ?? {}).map(([name, value]) =>
    decoded("groups.yaml", name, () => decodeGroup(value ?? {}, name)),
  );
  const instances: InstanceInfo[] = Object.entries(instancesDoc ?? {}).map(([id, value]) =>
    decoded("instances.yaml", id, () => decodeInstanceInfo(value ?? {}, nodeId(id))),
  );
  const update = decoded("clusterdefaults.yaml", "defaults", () => decodeClusterDefaults(defaultsDoc));
  const { state, store, deps } = context;
  const keys = [
    "defaults",
    ...groups.map((g) => `group:${g.name}`),
    ...instances.map((i) => `instance:${i.id}`),
  ];
  await state.write<{ defaults: ClusterDefaults; instances: InstanceInfo[] }>(
    keys,
    async (tx) => {
      const defaults = mergeDefaults(await store.loadDefaults(tx.kysely), update);
      await store.putDefaults(tx, defaults);
      for (const group of groups) await store.upsertGroup(tx, group);
      const stored: InstanceInfo[] = [];
      for (const info of instances) {
        let instanceId = await store.instanceIdOf(tx, info.id);
        const wanted = info["instance-id"];
        if (!instanceId && wanted) {
          const owner = await store.instanceIdOwner(tx, wanted);
          if (owner === undefined) {
            await store.setInstanceId(tx, info.id, wanted);
            instanceId = wanted;
          } else deps.logger.warn({ node: info.id, owner }, `seed: instance-id ${wanted} is already in use`);
        }
        const record = { ...info, "instance-id": instanceId ?? "" };
        await store.putInstanceInfo(tx, record);
        stored.push(record);
      }
      return { defaults, instances: stored };
    },
    (result) => {
      state.defaults = result.defaults;
      for (const group of groups) state.groups.set(group.name, group);
      for (const info of result.instances) {
        state.instances.set(info.id, info);
        if (info["instance-id"]) state.ids.set(info.id, info["instance-id"]);
      }
    },
  );
  deps.logger.info({ groups: groups.length, instances: instances.length, dir }, "seeded cloud-init records");
}
