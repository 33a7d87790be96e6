// Reading a small state file as bytes, without blocking on FIFOs or treating a directory as a file.
import { closeSync, constants as C, fstatSync, openSync, readFileSync } from "node:fs";
import { errnoCode } from "./errors.js";

export type RawRead =
  | { kind: "missing" }
  | { kind: "bytes"; bytes: Buffer }
  | { kind: "unreadable"; error: Error };

function notRegular(isDirectory: boolean): Error {
  return Object.assign(new Error(isDirectory ? "a directory" : "not a regular file"), { code: isDirectory ? "EISDIR" : "ENOTREG" });
}

/**
 * Read `path` as bytes (follows symlinks, like Go). ENOENT or ENOTDIR (a path through a regular file,
 * which can hold no file) → missing; anything that is not a regular file → unreadable.
 */
export async function readRaw(path: string): Promise<RawRead> {
  return readRawSync(path);
}

/**
 * The same, synchronously: these files are a few KiB, and a run reads them before anything else can
 * happen, so the thread-pool round trips of the asynchronous calls would only add time to every run.
 */
function readRawSync(path: string): RawRead {
  let fd: number | undefined;
  try {
    // O_NONBLOCK: opening a FIFO planted at the path must not hang us.
    fd = openSync(path, C.O_RDONLY | (C.O_NONBLOCK ?? 0));
    const st = fstatSync(fd);
    if (!st.isFile()) return { kind: "unreadable", error: notRegular(st.isDirectory()) };
    return { kind: "bytes", bytes: readFileSync(fd) };
  } catch (e) {
    if (errnoCode(e) === "ENOENT" || errnoCode(e) === "ENOTDIR") return { kind: "missing" };
    if (errnoCode(e) === "EISDIR") return { kind: "unreadable", error: notRegular(true) };
    return { kind: "unreadable", error: e instanceof Error ? e : new Error(String(e)) };
  } finally {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // nothing to undo
      }
    }
  }
}

export function sameRead(a: RawRead, b: RawRead): boolean {
  if (a.kind !== b.kind) return false;
  return a.kind !== "bytes" || (b.kind === "bytes" && a.bytes.equals(b.bytes));
}

/**
 * readRaw, but tolerant of the Go CLI's in-place writes (truncate, then write, under an flock we cannot
 * take; see docs/compatibility.md): if the bytes are not `settled` (empty or invalid), look again shortly
 * and accept them only once they stop changing. Costs nothing when the file is fine.
 */
export async function readSettled(path: string, settled: (bytes: Buffer) => boolean): Promise<RawRead> {
  let raw = await readRaw(path);
  for (let i = 0; i < 3; i++) {
    if (raw.kind !== "bytes" || settled(raw.bytes)) return raw;
    await new Promise((r) => setTimeout(r, 50));
    const again = await readRaw(path);
    if (sameRead(again, raw)) return raw;
    raw = again;
  }
  return raw;
}
