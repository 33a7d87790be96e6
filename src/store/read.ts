// Reading a small state file without blocking on FIFOs or treating a directory as a file.
import { constants as C } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { errnoCode } from "./errors.js";

export type RawRead =
  | { kind: "missing" }
  | { kind: "text"; text: string }
  | { kind: "unreadable"; error: Error };

/**
 * Read `path` as UTF-8. ENOENT or ENOTDIR (a path through a regular file, which can hold no file) →
 * missing; anything that is not a regular file → unreadable.
 */
export async function readRaw(path: string): Promise<RawRead> {
  let fh: FileHandle | undefined;
  try {
    // O_NONBLOCK: opening a FIFO planted at the path must not hang us.
    fh = await open(path, C.O_RDONLY | (C.O_NONBLOCK ?? 0));
    const st = await fh.stat();
    if (!st.isFile()) {
      const kind = st.isDirectory() ? "a directory" : "not a regular file";
      const error = Object.assign(new Error(`${kind}`), { code: st.isDirectory() ? "EISDIR" : "ENOTREG" });
      return { kind: "unreadable", error };
    }
    return { kind: "text", text: await fh.readFile({ encoding: "utf8" }) };
  } catch (e) {
    if (errnoCode(e) === "ENOENT" || errnoCode(e) === "ENOTDIR") return { kind: "missing" };
    if (errnoCode(e) === "EISDIR") {
      return { kind: "unreadable", error: Object.assign(new Error("a directory"), { code: "EISDIR" }) };
    }
    return { kind: "unreadable", error: e instanceof Error ? e : new Error(String(e)) };
  } finally {
    await fh?.close().catch(() => {});
  }
}

/** A content-free reason for an unreadable result: "it is a directory", "EACCES: permission denied". */
export function describeUnreadable(error: Error): string {
  const code = errnoCode(error);
  if (code === "EISDIR") return "it is a directory, not a file";
  if (code === "ENOTREG") return "it is not a regular file";
  const m = /^([A-Z0-9_]+: [^,]+)/.exec(error.message);
  return m?.[1] ?? code ?? error.message;
}

/**
 * readRaw, but tolerant of the Go CLI's in-place writes (truncate, then write, under an flock we cannot
 * take, reference §6.2): if the text is not `settled` (empty or invalid), look again shortly and
 * accept it only once it stops changing. Costs nothing when the file is fine.
 */
export async function readSettled(path: string, settled: (text: string) => boolean): Promise<RawRead> {
  let raw = await readRaw(path);
  for (let i = 0; i < 3; i++) {
    if (raw.kind !== "text" || settled(raw.text)) return raw;
    await new Promise((r) => setTimeout(r, 50));
    const again = await readRaw(path);
    if (again.kind === "text" && again.text === raw.text) return raw;
    raw = again;
  }
  return raw;
}
