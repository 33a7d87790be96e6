// Errors of the credential store. Messages name the path and say what to do; they never contain file
// contents (a credentials file holds bearer tokens).

export type StoreErrorCode =
  | "corrupt"
  | "encrypted"
  | "unreadable"
  | "unsafe-dir"
  | "io"
  | "lock-timeout"
  | "lock-compromised";

export class StoreError extends Error {
  override readonly name = "StoreError";
  readonly code: StoreErrorCode;
  readonly path: string;

  constructor(code: StoreErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
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
  if (code) {
    // "EACCES: permission denied, open '/x'" → "EACCES: permission denied"
    const m = /^([A-Z0-9_]+: [^,]+)/.exec(msg);
    return m?.[1] ?? code;
  }
  return msg;
}

/**
 * Describe a JSON.parse failure without echoing the input: V8 quotes a slice of the text in some
 * messages (`Unexpected token 'p', "pul-abc..." is not valid JSON`), and that slice may be a token.
 */
export function describeJsonError(e: unknown, text: string): string {
  const msg = e instanceof Error ? e.message : "";
  if (/end of JSON input|Unterminated string/i.test(msg) && !/position/.test(msg)) {
    return "the file ends in the middle of a value (truncated?)";
  }
  const pos = /position (\d+)/.exec(msg);
  if (pos) {
    const offset = Number(pos[1]);
    const before = text.slice(0, offset);
    const line = before.split("\n").length;
    const column = offset - before.lastIndexOf("\n");
    return `invalid JSON at line ${line}, column ${column}`;
  }
  return "invalid JSON";
}
