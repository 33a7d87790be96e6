// Private folders and the write probe, on real files. Tests run as root, so "unwritable" is made with
// ENOTDIR, foreign owners (chown) and symlinks, never with chmod.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chown, lstat, mkdir, readFile, readdir, stat, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { makeSandbox, type Sandbox } from "../support/sandbox.js";
import { expectStoreError } from "../support/store-fixtures.js";
import { ensurePrivateDir, probeWritableDir } from "../../src/store/dirs.js";

const posix = process.platform !== "win32";

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox();
});
afterEach(async () => {
  await sb.cleanup();
});

describe("ensurePrivateDir", () => {
  it("creates a missing folder (and its parents) with mode 0700", async () => {
    const dir = path.join(sb.root, "a", "b", ".pulumi");
    await ensurePrivateDir(dir);
    const st = await lstat(dir);
    expect(st.isDirectory()).toBe(true);
    if (posix) expect(st.mode & 0o777).toBe(0o700);
    await ensurePrivateDir(dir); // idempotent
  });

  it.runIf(posix)("tightens group/other bits (0755 → 0700)", async () => {
    const dir = sb.sharedDir;
    await mkdir(dir);
    const { chmod } = await import("node:fs/promises");
    await chmod(dir, 0o755);
    await ensurePrivateDir(dir);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it("refuses a symlink (even to a private folder of ours), naming it and saying what to do", async () => {
    const real = path.join(sb.root, "real");
    await mkdir(real, { mode: 0o700 });
    await symlink(real, sb.sharedDir);
    const err = await expectStoreError(ensurePrivateDir(sb.sharedDir));
    expect(err.code).toBe("unsafe-dir");
    expect(err.path).toBe(sb.sharedDir);
    expect(err.message).toContain(sb.sharedDir);
    expect(err.message).toMatch(/symbolic link/);
    expect(err.hint).toMatch(/PULUMI_AGENT_SHARED_DIR/);
    expect((await lstat(sb.sharedDir)).isSymbolicLink()).toBe(true);
  });

  it("refuses a regular file and leaves it alone", async () => {
    await writeFile(sb.sharedDir, "not a dir");
    const err = await expectStoreError(ensurePrivateDir(sb.sharedDir));
    expect(err.code).toBe("unsafe-dir");
    expect(err.message).toMatch(/not a folder/);
    expect(await readFile(sb.sharedDir, "utf8")).toBe("not a dir");
  });

  it.runIf(posix && process.getuid?.() === 0)("refuses a folder owned by another uid (the /tmp squatting attack)", async () => {
    await mkdir(sb.sharedDir, { mode: 0o700 });
    await chown(sb.sharedDir, 12345, 12345);
    const err = await expectStoreError(ensurePrivateDir(sb.sharedDir));
    expect(err.code).toBe("unsafe-dir");
    expect(err.message).toContain(`owned by uid 12345, not by you (uid ${process.getuid!()})`);
    expect((await stat(sb.sharedDir)).uid).toBe(12345);
  });

  it("uses a caller's hint", async () => {
    await writeFile(sb.sharedDir, "");
    const err = await expectStoreError(ensurePrivateDir(sb.sharedDir, { hint: "Do X." }));
    expect(err.hint).toBe("Do X.");
    expect(err.message).not.toContain("Do X.");
  });

  it("a parent that is a file gives a StoreError, not a crash", async () => {
    await writeFile(path.join(sb.root, "file"), "");
    const err = await expectStoreError(ensurePrivateDir(path.join(sb.root, "file", "sub")));
    expect(err.code).toBe("unsafe-dir");
    expect(err.message).toMatch(/ENOTDIR|ENOENT|EEXIST/);
  });
});

describe("probeWritableDir", () => {
  it("true for a writable folder (created 0700 if missing) and leaves nothing behind", async () => {
    const dir = path.join(sb.root, "probe", "here");
    expect(await probeWritableDir(dir)).toEqual({ ok: true });
    expect(await readdir(dir)).toEqual([]);
    if (posix) expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it("false (no throw) when a parent is a regular file", async () => {
    await writeFile(path.join(sb.root, "file"), "");
    const r = await probeWritableDir(path.join(sb.root, "file", "sub"));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toBeInstanceOf(Error);
  });
});

