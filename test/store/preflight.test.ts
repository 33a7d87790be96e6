// The signup preflight: before the server creates an account, prove the folder can take it. Real
// folders, FIFOs, symlinks, a full tmpfs and a second, unprivileged user.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { chmod, chown, lstat, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { makeSandbox, type Sandbox } from "../support/sandbox.js";
import { ENVELOPE, GO_CLAIM, GO_HUMAN, HISTORY } from "../support/store-fixtures.js";
import { transpileSrc } from "../support/transpile.js";
import { unprivilegedUser } from "../support/users.js";
import { preflightStoreDir, type PreflightVerdict } from "../../src/store/preflight.js";
import { StoreError } from "../../src/store/errors.js";

const CLOUD = "https://api.pulumi.com";
type StoreFileName = "credentials.json" | "agent-claim.json" | "agent-claim-history.json";

let sb: Sandbox;
let dir: string;
beforeEach(async () => {
  sb = await makeSandbox();
  dir = sb.sharedDir;
});
afterEach(async () => {
  await sb.cleanup();
});

function codes(v: PreflightVerdict): string[] {
  return v.problems.map((p) => p.code);
}

/** Every file in `d` with its bytes (or "<dir>", "<fifo>", "-> target"), to prove nothing changed. */
async function snapshot(d: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(d)).sort()) {
    const p = path.join(d, name);
    const st = await lstat(p);
    out[name] = st.isSymbolicLink() ? "->" : st.isDirectory() ? "<dir>" : st.isFIFO() ? "<fifo>" : (await readFile(p)).toString("base64");
  }
  return out;
}

describe("preflightStoreDir", () => {
  it("a missing shared folder is created 0700 and can take an account; nothing else is written", async () => {
    const v = await preflightStoreDir(dir, { cloudUrl: CLOUD, private: true });
    expect(v).toEqual({ dir, ok: true, problems: [] });
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(await readdir(dir)).toEqual([]);
  });

  it("a folder holding a human login, a claim and a history in Go's shape is fine", async () => {
    await mkdir(dir, { mode: 0o700 });
    await writeFile(path.join(dir, "credentials.json"), GO_HUMAN);
    await writeFile(path.join(dir, "agent-claim.json"), GO_CLAIM);
    await writeFile(path.join(dir, "agent-claim-history.json"), HISTORY);
    const before = await snapshot(dir);
    expect((await preflightStoreDir(dir, { cloudUrl: CLOUD, private: true })).ok).toBe(true);
    expect(await snapshot(dir)).toEqual(before);
  });

  type Plant = (p: string) => Promise<void>;
  const content = (text: string): Plant => (p) => writeFile(p, text);
  const cases: Array<[string, StoreFileName, Plant, string]> = [
    ["credentials.json is a symlink", "credentials.json", (p) => symlink(path.join(sb.root, "elsewhere.json"), p), "unsafe-file"],
    ...(process.platform === "linux"
      ? [["agent-claim.json is a FIFO", "agent-claim.json", async (p: string) => void expect(spawnSync("mkfifo", [p]).status).toBe(0), "unsafe-file"] as [string, StoreFileName, Plant, string]]
      : []),
    ["agent-claim.json is a directory", "agent-claim.json", (p) => mkdir(p), "unsafe-file"],
    ["agent-claim-history.json is a symlink to a good file", "agent-claim-history.json", async (p) => {
      await writeFile(path.join(sb.root, "h.json"), HISTORY);
      await symlink(path.join(sb.root, "h.json"), p);
    }, "unsafe-file"],
    ["credentials.json is corrupt", "credentials.json", content(`{"accounts": {`), "corrupt"],
    ["credentials.json is whitespace only", "credentials.json", content(" \n"), "corrupt"],
    ["credentials.json is encrypted", "credentials.json", content(ENVELOPE), "encrypted"],
    ["credentials.json has a newer version", "credentials.json", content(`{"version": 7}`), "newer-version"],
    ["credentials.json repeats `accounts` (Go merges them)", "credentials.json", content(`{"accounts": {"a": {}}, "accounts": {"b": {}}}`), "not-rewritable"],
    ["agent-claim.json starts with a BOM", "agent-claim.json", content(`\ufeff${GO_CLAIM}`), "corrupt"],
    ["agent-claim-history.json is not a list", "agent-claim-history.json", content(`{}`), "corrupt"],
  ];
  it.each(cases)("refuses when %s, leaving everything as it was", async (_name, name, plant, code) => {
    await mkdir(dir, { mode: 0o700 });
    await plant(path.join(dir, name));
    const before = await snapshot(dir);
    const v = await preflightStoreDir(dir, { cloudUrl: CLOUD, private: true });
    expect(v.ok).toBe(false);
    expect(codes(v)).toEqual([code]);
    const p = v.problems[0]!;
    expect(p).toBeInstanceOf(StoreError);
    expect(p.path).toBe(path.join(dir, name));
    expect(p.message).toContain(path.join(dir, name));
    expect(p.hint).toMatch(/PULUMI_CREDENTIALS_PATH|Update pulumi-agent|repeated keys|PULUMI_ACCESS_TOKEN/);
    expect(await snapshot(dir)).toEqual(before);
  });

  it("reports every problem at once", async () => {
    await mkdir(dir, { mode: 0o700 });
    await writeFile(path.join(dir, "credentials.json"), "{");
    await mkdir(path.join(dir, "agent-claim.json"));
    await writeFile(path.join(dir, "agent-claim-history.json"), "[");
    expect(codes(await preflightStoreDir(dir, { cloudUrl: CLOUD, private: true }))).toEqual(["corrupt", "unsafe-file", "corrupt"]);
  });

  it("the shared folder must be private: a symlink to a folder is refused, the default folder may be one", async () => {
    const real = path.join(sb.root, "real");
    await mkdir(real, { mode: 0o700 });
    await symlink(real, dir);
    const shared = await preflightStoreDir(dir, { cloudUrl: CLOUD, private: true, hint: "Do X." });
    expect(codes(shared)).toEqual(["unsafe-dir"]);
    expect(shared.problems[0]!.hint).toBe("Do X.");
    expect((await preflightStoreDir(dir, { cloudUrl: CLOUD, private: false })).ok).toBe(true);
  });

  it.runIf(process.getuid?.() === 0)("a shared folder owned by another uid is refused", async () => {
    await mkdir(dir, { mode: 0o700 });
    await chown(dir, 12345, 12345);
    expect(codes(await preflightStoreDir(dir, { cloudUrl: CLOUD, private: true }))).toEqual(["unsafe-dir"]);
  });

  it("a path through a regular file, or a file where the folder should be, is a problem, not a throw", async () => {
    await writeFile(path.join(sb.root, "file"), "");
    const under = await preflightStoreDir(path.join(sb.root, "file", "sub"), { cloudUrl: CLOUD, private: false });
    expect(codes(under)).toEqual(["unsafe-dir"]);
    expect(under.problems[0]!.message).toMatch(/ENOTDIR|EEXIST/);
    expect(codes(await preflightStoreDir(path.join(sb.root, "file"), { cloudUrl: CLOUD, private: false }))).toEqual(["unsafe-dir"]);
  });

  it("a disk with less room than asked for is reported (statfs)", async () => {
    const v = await preflightStoreDir(dir, { cloudUrl: CLOUD, private: true, minFreeBytes: Number.MAX_SAFE_INTEGER });
    expect(codes(v)).toEqual(["no-space"]);
    expect(v.problems[0]!.hint).toMatch(/Free some space/);
  });
});

/** A 64 KiB tmpfs, mounted before the tests are collected; undefined where it cannot be (not root, not Linux, no CAP_SYS_ADMIN). */
function mountSmallTmpfs(): string | undefined {
  if (process.platform !== "linux" || process.getuid?.() !== 0) return undefined;
  const m = mkdtempSync(path.join(os.tmpdir(), "pa-full-"));
  if (spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", m]).status === 0) return m;
  rmSync(m, { recursive: true, force: true });
  return undefined;
}
const fullDiskMount = mountSmallTmpfs();

describe.runIf(fullDiskMount !== undefined)("preflightStoreDir on a full disk (where a tmpfs can be mounted)", () => {
  const mnt = fullDiskMount as string;
  afterAll(async () => {
    spawnSync("umount", [mnt]);
    await rm(mnt, { recursive: true, force: true });
  });

  it("a real tmpfs filled to the brim says there is no room", async () => {
    const d = path.join(mnt, ".pulumi");
    expect((await preflightStoreDir(d, { cloudUrl: CLOUD, private: true })).ok).toBe(true);
    // Fill it: write until ENOSPC.
    await writeFile(path.join(mnt, "filler"), Buffer.alloc(60 * 1024)).catch(() => {});
    const v = await preflightStoreDir(d, { cloudUrl: CLOUD, private: true });
    expect(codes(v)).toContain("no-space");
  });
});

describe.runIf(process.platform === "linux" && process.getuid?.() === 0)("preflightStoreDir as an unprivileged user", () => {
  let root: string;
  let mod: string;
  let user: { uid: number; gid: number };
  beforeAll(async () => {
    const found = unprivilegedUser();
    // As root on Linux, useradd is always there: no user means a broken machine, not a test to skip.
    if (!found) throw new Error("useradd did not create the unprivileged test user");
    user = found;
    root = await mkdtemp(path.join(os.tmpdir(), "pa-preflight-user-"));
    await chmod(root, 0o755);
    mod = path.join(root, "mod");
    await transpileSrc(mod, ["store", "core"]);
    await writeFile(
      path.join(mod, "preflight.mjs"),
      `import { preflightStoreDir } from "./store/preflight.js";
const [dir, priv] = process.argv.slice(2);
const v = await preflightStoreDir(dir, { cloudUrl: "${CLOUD}", private: priv === "1" });
process.stdout.write(JSON.stringify({ ok: v.ok, problems: v.problems.map((p) => ({ code: p.code, path: p.path, message: p.message })) }));
`,
      { mode: 0o644 },
    );
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  function runAs(dir: string, priv: boolean): { ok: boolean; problems: Array<{ code: string; path: string; message: string }> } {
    const r = spawnSync(process.execPath, [path.join(mod, "preflight.mjs"), dir, priv ? "1" : "0"], {
      uid: user.uid,
      gid: user.gid,
      env: { PATH: process.env.PATH },
      encoding: "utf8",
    });
    // (r.error: this Node cannot be run as that user, e.g. it lives in a folder private to root.)
    expect(r.status, `${r.error?.message ?? ""} ${r.stderr}`).toBe(0);
    return JSON.parse(r.stdout);
  }

  it("a default folder the user cannot write: the write probe fails (EACCES)", async () => {
    const d = path.join(root, "root-owned");
    await mkdir(d, { mode: 0o755 });
    const v = runAs(d, false);
    expect(v.ok).toBe(false);
    expect(v.problems.map((p) => p.code)).toEqual(["io"]);
    expect(v.problems[0]!.message).toMatch(/Cannot create files in .*EACCES/);
    expect(await readdir(d)).toEqual([]);
  });

  it("a credentials file the user cannot read, in its own folder: unreadable (EACCES), untouched", async () => {
    const d = path.join(root, "users-own");
    await mkdir(d, { mode: 0o700 });
    await chown(d, user.uid, user.gid);
    await writeFile(path.join(d, "credentials.json"), GO_HUMAN, { mode: 0o600 }); // owned by root
    const v = runAs(d, true);
    expect(v.problems.map((p) => [p.code, p.path])).toEqual([["unreadable", path.join(d, "credentials.json")]]);
    expect(v.problems[0]!.message).toMatch(/EACCES/);
    expect(await readFile(path.join(d, "credentials.json"), "utf8")).toBe(GO_HUMAN);
  });
});
