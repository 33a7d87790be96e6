// Crash-safe file replacement: a reader (or a process killed mid-write) sees the old file or the new
// one, never a partial one. Unlike the Go CLI's in-place lockedfile.Write (see docs/compatibility.md).
import { constants as C } from "node:fs";
import { lstat, open, readdir, rename, unlink, type FileHandle } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { StoreError, errnoCode } from "./errors.js";

// Not defined on Windows; 0 keeps the flags valid there.
const O_NOFOLLOW = C.O_NOFOLLOW ?? 0;

const TEMP_RE = /^\..+\.tmp-\d+-[0-9a-f]+$/;

function tempPathFor(target: string): string {
  const dir = path.dirname(target);
  return path.join(dir, `.${path.basename(target)}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`);
}

/** What is at a path, by lstat (a link is never followed). */
export type PathKind = "missing" | "file" | "symlink" | "directory" | "special";

/**
 * lstat `target`: "missing" (ENOENT), a regular "file", or what we never replace or delete: a
 * "symlink", a "directory", a "special" file (FIFO, socket, device). Any other lstat error is thrown.
 */
export async function pathKind(target: string): Promise<PathKind> {
  let st;
  try {
    st = await lstat(target);
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return "missing";
    throw e;
  }
  if (st.isSymbolicLink()) return "symlink";
  if (st.isFile()) return "file";
  return st.isDirectory() ? "directory" : "special";
}

/** Throw if `target` exists and is something we must not replace (a symlink, a directory, ...). */
async function assertReplaceable(target: string): Promise<void> {
  const kind = await pathKind(target);
  if (kind === "symlink") {
    throw new StoreError("unsafe-file", target, `${target} is a symbolic link; pulumi-agent does not replace linked credential files. It was left untouched.`, {
      hint: "Replace the link with a regular file, or point PULUMI_CREDENTIALS_PATH at the folder it links to.",
    });
  }
  if (kind === "directory" || kind === "special") {
    throw new StoreError(
      "unsafe-file",
      target,
      `${target} is not a regular file (it is a ${kind === "directory" ? "directory" : "special file"}); it was left untouched.`,
      { hint: "Remove it, or point PULUMI_CREDENTIALS_PATH at another folder." },
    );
  }
}

/** Delete `file` if it exists; refuses (StoreError "unsafe-file") to delete a symlink. */
export async function removeFile(file: string): Promise<void> {
  if ((await pathKind(file)) === "symlink") {
    throw new StoreError("unsafe-file", file, `${file} is a symbolic link; pulumi-agent does not delete linked files. It was left untouched.`, {
      hint: "Replace the link with a regular file.",
    });
  }
  try {
    await unlink(file);
  } catch (e) {
    if (errnoCode(e) !== "ENOENT") throw e;
  }
}

async function renameWithRetry(from: string, to: string): Promise<void> {
  // Windows refuses to replace a file another process has open (antivirus, indexer) for a moment.
  for (let attempt = 0; ; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (e) {
      const code = errnoCode(e);
      const transient = code === "EPERM" || code === "EACCES" || code === "EBUSY";
      if (process.platform !== "win32" || attempt >= 10 || !transient) {
        throw e;
      }
      await new Promise((r) => setTimeout(r, 20 * (attempt + 1)));
    }
  }
}

async function syncDir(dir: string): Promise<void> {
  // Makes the rename durable; not possible on Windows and some filesystems, hence best effort.
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, C.O_RDONLY);
    await fh.sync();
  } catch {
    // best effort
  } finally {
    await fh?.close().catch(() => {});
  }
}

export interface WriteAtomicOptions {
  /** File mode of the new file (default 0o600). */
  mode?: number;
}

/**
 * Replace `target` with `data`: write a private temp file beside it (O_EXCL|O_NOFOLLOW), fsync,
 * rename over the target, fsync the folder. On failure the temp file is removed and the error
 * rethrown; a kill may leave a `.<name>.tmp-<pid>-<hex>` file behind (see cleanStaleTemps).
 * Refuses (StoreError) to replace a symlink or a non-regular file.
 */
export async function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  opts: WriteAtomicOptions = {},
): Promise<void> {
  const mode = opts.mode ?? 0o600;
  await assertReplaceable(target);
  const tmp = tempPathFor(target);
  let fh: FileHandle | undefined;
  let created = false;
  try {
    fh = await open(tmp, C.O_WRONLY | C.O_CREAT | C.O_EXCL | O_NOFOLLOW, mode);
    created = true;
    // The umask may have removed bits we asked for (or kept ones it should not): set the mode exactly.
    if (process.platform !== "win32") await fh.chmod(mode);
    await fh.writeFile(data);
    await fh.sync();
    await fh.close();
    fh = undefined;
    await renameWithRetry(tmp, target);
    created = false;
  } catch (e) {
    await fh?.close().catch(() => {});
    if (created) await unlink(tmp).catch(() => {});
    throw e;
  }
  await syncDir(path.dirname(target));
}

export interface CleanTempsOptions {
  /** Remove temp files at least this old (default one minute). */
  maxAgeMs?: number;
  now?: number;
}

/** Remove temp files that a killed writer left in `dir`. Never throws; returns how many were removed. */
export async function cleanStaleTemps(dir: string, opts: CleanTempsOptions = {}): Promise<number> {
  const maxAge = opts.maxAgeMs ?? 60_000;
  const now = opts.now ?? Date.now();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!TEMP_RE.test(name)) continue;
    const p = path.join(dir, name);
    try {
      const st = await lstat(p);
      if (!st.isFile() || now - st.mtimeMs < maxAge) continue;
      await unlink(p);
      removed++;
    } catch {
      // raced with another cleaner, or not ours to remove
    }
  }
  return removed;
}

/** True if `name` looks like one of our temp files. */
export function isTempFileName(name: string): boolean {
  return TEMP_RE.test(name);
}
