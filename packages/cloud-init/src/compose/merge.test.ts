import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeGroup, type GroupData } from "../domain/wire.ts";
import { deepMerge, mergeableContent, mergedUserData } from "./merge.ts";

const group = (name: string, content: string, encoding = "plain") =>
  decodeGroup({ name, file: { content, encoding } });

describe("merged user-data (§3.5)", () => {
  test("the worked example: slurm merged, the template left to vendor-data", () => {
    const groups = new Map<string, GroupData>([
      ["compute", group("compute", "## template: jinja\n#cloud-config\nusers: []\n")],
      ["slurm", group("slurm", "I2Nsb3VkLWNvbmZpZwpwYWNrYWdlczogW29ocGMtc2x1cm0tY2xpZW50XQo=", "base64")],
    ]);
    assert.deepEqual(mergedUserData(["compute", "slurm"], groups), {
      userData: "#cloud-config\npackages:\n- ohpc-slurm-client\n",
      remaining: ["compute"],
    });
  });

  test("mergeable: exact first line and a mapping or nothing", () => {
    assert.deepEqual(mergeableContent(group("a", "#cloud-config\n")), {});
    assert.deepEqual(mergeableContent(undefined), {});
    assert.equal(mergeableContent(group("a", "#cloud-config \nx: 1\n")), null);
    assert.equal(mergeableContent(group("a", "#cloud-config\n- 1\n")), null);
    assert.equal(mergeableContent(group("a", "#!/bin/sh\necho\n")), null);
    assert.equal(mergeableContent(group("a", "#cloud-config\n: : bad: [\n")), null);
  });

  test("deep merge: maps recurse, lists concatenate, scalars replace; merge_how dropped", () => {
    assert.deepEqual(deepMerge({ a: { b: 1, l: [1] }, s: "x" }, { a: { c: 2, l: [2] }, s: "y" }), {
      a: { b: 1, c: 2, l: [1, 2] },
      s: "y",
    });
    const groups = new Map<string, GroupData>([
      ["one", group("one", "#cloud-config\nmerge_how: []\npackages: [a]\n")],
      ["two", group("two", "#cloud-config\npackages: [b]\n")],
    ]);
    assert.equal(mergedUserData(["one", "two"], groups).userData, "#cloud-config\npackages:\n- a\n- b\n");
    assert.equal(mergedUserData([], groups).userData, "#cloud-config\n{}\n");
  });
});
