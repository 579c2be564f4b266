#!/usr/bin/env node
// Lists test files explicitly (Node 20's `node --test` does not expand globs, and
// `tsx --test` with no files passes silently) and fails when it finds none.
// Usage: npm test [-- <path-substring> ...]
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const roots = ["packages", "tests"].map((d) => join(root, d));

function walk(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === "node_modules" || name === "dist" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith(".test.ts")) out.push(relative(root, path));
  }
  return out;
}

const filters = process.argv.slice(2);
const files = roots
  .flatMap((dir) => walk(dir, []))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();

if (files.length === 0) {
  console.error(`no test files found${filters.length ? ` matching ${filters.join(", ")}` : ""}`);
  process.exit(1);
}
/** Route suites that run a second time on a real PostgreSQL (`OPENCHAMI_TEST_DB=postgres`). */
const DUAL_BACKEND = [
  "packages/smd/src/routes/",
  "packages/bss/src/routes/",
  "packages/cloud-init/src/routes/",
  "packages/dhcp/src/hosts/",
];

function postgresInstalled() {
  const base = "/usr/lib/postgresql";
  return existsSync(base) && readdirSync(base).some((v) => existsSync(join(base, v, "bin", "initdb")));
}

function run(label, list, env) {
  console.log(`running ${list.length} test files${label}`);
  const result = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "--test",
      "--test-reporter=spec",
      `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`,
      // A test waiting on a lost datagram must fail, not hang the run.
      "--test-timeout=180000",
      ...list,
    ],
    { cwd: root, stdio: "inherit", env: { ...process.env, ...env } },
  );
  return result.status ?? 1;
}

let status = run("", files, {});
const dual = files.filter((f) => DUAL_BACKEND.some((prefix) => f.startsWith(prefix)));
if (status === 0 && dual.length > 0 && process.env.OPENCHAMI_TEST_DB === undefined) {
  if (postgresInstalled()) status = run(" again on PostgreSQL", dual, { OPENCHAMI_TEST_DB: "postgres" });
  else console.log("skipping the PostgreSQL pass of the route suites: PostgreSQL binaries not found");
}
process.exit(status);
