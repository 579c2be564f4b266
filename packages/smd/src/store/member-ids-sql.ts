import { sql } from "kysely";

/**
 * `members`: the ids of a group's or partition's members, left-joined as `m`, sorted by id;
 * `{}` for one without members (where `array_agg` alone would give `{NULL}`).
 */
export const MEMBER_IDS = sql<
  string[]
>`coalesce(array_agg(m.component_id order by m.component_id) filter (where m.component_id is not null), '{}')`.as(
  "members",
);
