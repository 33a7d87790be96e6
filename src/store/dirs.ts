// Private folders for credentials. Stricter than the Go CLI (docs/compatibility.md): we also refuse a
// folder owned by another uid, which defeats a pre-created /tmp/.pulumi (a root-run agent would
// otherwise write its tokens into an attacker's folder).
import { constants as C } from "node:fs";
import { chmod, lstat, mkdir, open, unlink } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { StoreError, describeFsError, errnoCode } from "./errors.js";

const DEFAULT_HINT =
  "Remove it, or set PULUMI_AGENT_SHARED_DIR (the shared agent folder) or PULUMI_CREDENTIALS_PATH to a private folder you own.";

export interface PrivateDirOptions {
  /** What the user can do about a refused folder (the error's hint). */
  hint?: string;
}

function octal(mode: number): string {
  return "0" + (mode & 0o777).toString(8).padStart(3, "0");
}

/**
 * Make sure `dir` is a private folder of ours: create it (0700, parents too) if missing; refuse a
 * symlink, a non-directory, or (POSIX) a folder owned by another uid; tighten group/other bits to 0700.
 * Every refusal is a StoreError "unsafe-dir" naming the folder.
 */
export async function ensurePrivateDir(dir: string, opts: PrivateDirOptions = {}): Promise<void> {
  const hint = opts.hint ?? DEFAULT_HINT;
  const fail = (what: string, cause?: unknown): never => {
    throw new StoreError("unsafe-dir", dir, what, { hint, cause });
  };

  let st;
  try {
    st = await lstat(dir);
  } catch (e) {
    if (errnoCode(e) !== "ENOENT") fail(`Cannot inspect the folder ${dir} (${describeFsError(e)}).`, e);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (e2) {
      // EEXIST: something that is not a directory appeared; the lstat below reports what it is.
      if (errnoCode(e2) !== "EEXIST") fail(`Cannot create the folder ${dir} (${describeFsError(e2)}).`, e2);
    }
    try {
      st = await lstat(dir);
    } catch (e3) {
      fail(`Cannot inspect the folder ${dir} (${describeFsError(e3)}).`, e3);
    }
  }
  if (!st) return fail(`Cannot inspect the folder ${dir}.`);

  if (st.isSymbolicLink()) {
    fail(`${dir} is a symbolic link; refusing to keep credentials behind a link someone else may control.`);
  }
  if (!st.isDirectory()) {
    fail(`${dir} exists but is not a folder.`);
  }
  if (process.platform === "win32") return; // modes and uids mean nothing there (Go skips them too)

  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    fail(
      `${dir} is owned by uid ${st.uid}, not by you (uid ${uid}); refusing to use it, since its owner could read ` +
        `or plant credentials there.`,
    );
  }
  if ((st.mode & 0o077) !== 0) {
    try {
      await chmod(dir, 0o700);
    } catch (e) {
      fail(
        `${dir} is accessible to other users (mode ${octal(st.mode)}) and could not be restricted to 0700 ` +
          `(${describeFsError(e)}).`,
        e,
      );
    }
  }
}

/**
 * Can we create files in `dir`? Creates the folder (0700) if needed, then creates and removes a
 * `.pulumi-write-test-<hex>` file like the Go CLI's probe. Never throws.
 */
export async function probeWritableDir(dir: string): Promise<{ ok: true } | { ok: false; error: Error }> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const probe = path.join(dir, `.pulumi-write-test-${randomBytes(6).toString("hex")}`);
    const fh = await open(probe, C.O_WRONLY | C.O_CREAT | C.O_EXCL | (C.O_NOFOLLOW ?? 0), 0o600);
    await fh.close();
    await unlink(probe);
    return { ok: true };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e : new Error(String(e)) };
  }
}
