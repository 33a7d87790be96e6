// Errors of the credential store. `message` says what happened and names the path, `hint` says what to
// do; neither ever contains file contents (a credentials file holds bearer tokens).
import { AgentError } from "../core/errors.js";

export type StoreErrorCode =
  /** Not JSON, or JSON of the wrong shape (as Go's decoder would reject it). */
  | "corrupt"
  /** The Pulumi CLI's encrypted envelope ($pulumiSecureStore): only pulumi can read it. */
  | "encrypted"
  /** A `version` newer than the shapes we know: only a newer pulumi can read it. */
  | "newer-version"
  /** Readable, but an edit could not keep every byte outside the edited entry (e.g. duplicate keys Go merges). */
  | "not-rewritable"
  /** A value we were asked to store that a reader would reject (a token with spaces, a time Go cannot parse). */
  | "invalid-value"
  /** Cannot be read: permissions, a directory or FIFO at the path, an I/O error. */
  | "unreadable"
  /** A symlink or special file where we would write: we replace regular files only. */
  | "unsafe-file"
  /** A folder that is not private to us (symlink, foreign owner, not a folder). */
  | "unsafe-dir"
  /** Not enough room on the disk for the files of a signup. */
  | "no-space"
  | "io";

export interface StoreErrorOptions {
  cause?: unknown;
  /** What to do about it (one or two sentences). */
  hint?: string | undefined;
}

export class StoreError extends AgentError {
  override name = "StoreError";
  override readonly code: StoreErrorCode;
  readonly path: string;

  constructor(code: StoreErrorCode, path: string, message: string, options: StoreErrorOptions = {}) {
    super(message, { code, hint: options.hint, cause: options.cause });
    this.code = code;
    this.path = path;
  }
}

/** The errno code of a Node fs error, if any. */
export function errnoCode(e: unknown): string | undefined {
  if (typeof e === "object" && e !== null && "code" in e && typeof (e as { code: unknown }).code === "string") {
    return (e as { code: string }).code;
  }
  return undefined;
}

/**
 * A short, content-free description of an fs error: `EACCES: permission denied`. Node's own messages
 * repeat the path (already in ours) and are fine otherwise, but we keep the shape uniform.
 */
export function describeFsError(e: unknown): string {
  const code = errnoCode(e);
  const msg = e instanceof Error ? e.message : String(e);
  if (code === "EISDIR") return "it is a directory, not a file";
  if (code === "ENOTREG") return "it is not a regular file";
  if (code) {
    // "EACCES: permission denied, open '/x'" → "EACCES: permission denied"
    const m = /^([A-Z0-9_]+: [^,]+)/.exec(msg);
    return m?.[1] ?? code;
  }
  return msg;
}
