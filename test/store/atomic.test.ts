// Atomic writes and temp cleanup, on real files.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdir, readFile, readdir, stat, symlink, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { makeSandbox, type Sandbox } from "../support/sandbox.js";
import { expectStoreError } from "../support/store-fixtures.js";
import { cleanStaleTemps, isTempFileName, writeFileAtomic } from "../../src/store/atomic.js";

const posix = process.platform !== "win32";

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox();
});
afterEach(async () => {
  await sb.cleanup();
});

describe("writeFileAtomic", () => {
  it("creates a 0600 file with exactly the data and no temp left", async () => {
    const target = path.join(sb.root, "f.json");
    await writeFileAtomic(target, "hello");
    expect(await readFile(target, "utf8")).toBe("hello");
    if (posix) expect((await stat(target)).mode & 0o777).toBe(0o600);
    expect(await readdir(sb.root)).not.toContainEqual(expect.stringMatching(/tmp-/));
  });

  it("replaces an existing file (new inode, mode forced to 0600)", async () => {
    const target = path.join(sb.root, "f.json");
    await writeFile(target, "old", { mode: 0o644 });
    const before = await stat(target);
    await writeFileAtomic(target, Buffer.from("new"));
    const after = await stat(target);
    expect(await readFile(target, "utf8")).toBe("new");
    expect(after.ino).not.toBe(before.ino);
    if (posix) expect(after.mode & 0o777).toBe(0o600);
  });

  it("honours an explicit mode", async () => {
    const target = path.join(sb.root, "f.json");
    await writeFileAtomic(target, "x", { mode: 0o640 });
    if (posix) expect((await stat(target)).mode & 0o777).toBe(0o640);
  });

  it("refuses to replace a symlink or a directory; nothing changes, no temp left", async () => {
    const real = path.join(sb.root, "real");
    await writeFile(real, "real");
    const link = path.join(sb.root, "link");
    await symlink(real, link);
    expect((await expectStoreError(writeFileAtomic(link, "x"))).code).toBe("unsafe-file");
    expect(await readFile(real, "utf8")).toBe("real");

    const d = path.join(sb.root, "d");
    await mkdir(d);
    expect((await expectStoreError(writeFileAtomic(d, "x"))).code).toBe("unsafe-file");
    expect((await readdir(sb.root)).filter(isTempFileName)).toEqual([]);
  });

  it("a failing write rethrows and removes its temp file", async () => {
    await expect(writeFileAtomic(path.join(sb.root, "missing-dir", "f"), "x")).rejects.toMatchObject({ code: "ENOENT" });
    // Fails after the temp file exists (the write itself throws): old content kept, temp removed.
    const target = path.join(sb.root, "f.json");
    await writeFile(target, "old");
    await expect(writeFileAtomic(target, 42 as unknown as string)).rejects.toThrow();
    expect(await readFile(target, "utf8")).toBe("old");
    expect((await readdir(sb.root)).filter(isTempFileName)).toEqual([]);
  });
});

describe("cleanStaleTemps", () => {
  it("removes only our temp files older than the threshold", async () => {
    const dir = sb.root;
    const old = path.join(dir, ".credentials.json.tmp-123-abcdef");
    const fresh = path.join(dir, ".credentials.json.tmp-456-0123ab");
    const other = path.join(dir, "credentials.json");
    for (const f of [old, fresh, other]) await writeFile(f, "x");
    const past = new Date(Date.now() - 5 * 60_000);
    await utimes(old, past, past);
    await utimes(other, past, past);
    expect(await cleanStaleTemps(dir)).toBe(1);
    const left = await readdir(dir);
    expect(left).toContain(path.basename(fresh));
    expect(left).toContain("credentials.json");
    expect(left).not.toContain(path.basename(old));
    expect(await cleanStaleTemps(path.join(dir, "does-not-exist"))).toBe(0);
  });
});
