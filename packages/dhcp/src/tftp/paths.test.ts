import assert from "node:assert/strict";
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { checkName, resolveSafePath } from "./paths.ts";

let base: string;
let root: string;

before(async () => {
  base = await mkdtemp(path.join(tmpdir(), "tftp-paths-"));
  root = path.join(base, "root");
  await mkdir(path.join(root, "sub"), { recursive: true });
  await writeFile(path.join(base, "secret"), "outside");
  await writeFile(path.join(root, "ipxe.efi"), "binary");
  await writeFile(path.join(root, "sub", "x"), "nested");
  await symlink(path.join(base, "secret"), path.join(root, "escape"));
  await symlink("../ipxe.efi", path.join(root, "sub", "alias"));
  await symlink(base, path.join(root, "updir"));
});

after(() => rm(base, { recursive: true, force: true }));

const refusals: Record<string, [string, 1 | 2]> = {
  "parent segment": ["../etc/passwd", 2],
  "absolute path": ["/etc/passwd", 2],
  "leading backslash": ["\\etc\\passwd", 2],
  "parent segment after a directory": ["a/../../x", 2],
  "parent segment that stays inside": ["sub/../ipxe.efi", 2],
  "trailing parent segment": ["sub/..", 2],
  "backslash parent": ["..\\x", 2],
  "drive prefix": ["C:x", 2],
  NUL: ["ipxe.efi\0.txt", 2],
  "escaping symlink": ["escape", 2],
  "file behind a symlinked directory outside": ["updir/secret", 2],
  directory: ["sub", 2],
  "directory with a slash": ["sub/", 2],
  "the root itself": [".", 2],
  missing: ["nothing-here", 1],
  "missing in a missing directory": ["nope/ipxe.efi", 1],
  "a file used as a directory": ["ipxe.efi/x", 1],
};

for (const [label, [name, code]] of Object.entries(refusals)) {
  test(`refused: ${label} → ERROR ${code}`, async () => {
    const result = await resolveSafePath(root, name);
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.code, code);
  });
}

test("regular files inside the root resolve to their real path, with size and mtime", async () => {
  const direct = await resolveSafePath(root, "ipxe.efi");
  assert.ok(direct.ok);
  assert.equal(direct.size, 6);
  assert.ok(direct.mtimeMs > 0);
  const nested = await resolveSafePath(root, "./sub//x");
  assert.ok(nested.ok);
  assert.equal(path.basename(nested.path), "x");
});

test("a symlink that stays inside the root is followed", async () => {
  const result = await resolveSafePath(root, "sub/alias");
  assert.ok(result.ok);
  assert.equal(result.path, path.join(await realpath(root), "ipxe.efi"));
});

test("a missing root refuses with ERROR 1", async () => {
  const result = await resolveSafePath(path.join(base, "no-root"), "ipxe.efi");
  assert.deepEqual(result.ok ? undefined : result.code, 1);
});

test("checkName normalises accepted names (the key for generated files)", () => {
  assert.deepEqual(checkName("./config.ipxe"), { ok: true, name: "config.ipxe" });
  assert.deepEqual(checkName("pxe//a/./b"), { ok: true, name: "pxe/a/b" });
  assert.deepEqual(checkName("..foo"), { ok: true, name: "..foo" });
});
