// Byte-compatible output of Go's json.MarshalIndent(v, "", "    ") and the time rules of Go's
// encoding/json, so files we write are exactly what the Go CLI would have written (reference §3).

/** Go's zero time.Time as encoding/json writes it. */
export const GO_ZERO_TIME = "0001-01-01T00:00:00Z";

// Go's time.Time.UnmarshalJSON accepts RFC 3339 with optional fractional seconds and a Z or ±hh:mm zone.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export function isRfc3339(s: string): boolean {
  return RFC3339.test(s) && !Number.isNaN(Date.parse(s));
}

/** True for Go's zero time (in any spelling Go might produce) and for an absent value. */
export function isZeroTime(s: string | undefined | null): boolean {
  if (s === undefined || s === null || s === "") return true;
  const t = Date.parse(s);
  return t === Date.parse(GO_ZERO_TIME);
}

/** Parse a stored time; undefined for absent, zero or invalid. JS keeps millisecond precision. */
export function parseGoTime(s: string | undefined | null): Date | undefined {
  if (isZeroTime(s)) return undefined;
  const t = Date.parse(s as string);
  return Number.isNaN(t) ? undefined : new Date(t);
}

/** An object whose key order is given explicitly (JS objects put integer-like keys first). */
export class Ordered {
  constructor(readonly entries: ReadonlyArray<readonly [string, unknown]>) {}
}

/** Go's encodeState.string with HTML escaping on (the default for json.Marshal). */
export function goQuote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    switch (c) {
      case 0x22:
        out += '\\"';
        continue;
      case 0x5c:
        out += "\\\\";
        continue;
      case 0x08:
        out += "\\b";
        continue;
      case 0x0c:
        out += "\\f";
        continue;
      case 0x0a:
        out += "\\n";
        continue;
      case 0x0d:
        out += "\\r";
        continue;
      case 0x09:
        out += "\\t";
        continue;
      case 0x3c: // <
      case 0x3e: // >
      case 0x26: // &
      case 0x2028:
      case 0x2029:
        out += "\\u" + c.toString(16).padStart(4, "0");
        continue;
    }
    if (c < 0x20) {
      out += "\\u" + c.toString(16).padStart(4, "0");
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
      } else {
        out += "\ufffd"; // Go decodes a lone surrogate escape to U+FFFD
      }
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      out += "\ufffd";
    } else {
      out += s[i]!;
    }
  }
  return out + '"';
}

/**
 * json.MarshalIndent(v, "", "    "): 4-space indent, empty containers as `{}`/`[]`, no trailing
 * newline. Plain objects keep their own key order; use Ordered to force one. Numbers print like Go's
 * float64 encoder, which deliberately matches ES Number#toString.
 */
export function marshalIndent(v: unknown, indent = ""): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return goQuote(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return Number.isFinite(v) ? JSON.stringify(v) : "null";
  const inner = indent + "    ";
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    return "[\n" + v.map((x) => inner + marshalIndent(x, inner)).join(",\n") + "\n" + indent + "]";
  }
  const entries = v instanceof Ordered ? v.entries : Object.entries(v as Record<string, unknown>);
  const present = entries.filter(([, x]) => x !== undefined);
  if (present.length === 0) return "{}";
  return (
    "{\n" +
    present.map(([k, x]) => inner + goQuote(k) + ": " + marshalIndent(x, inner)).join(",\n") +
    "\n" +
    indent +
    "}"
  );
}

/** Go sorts map keys by their UTF-8 bytes. */
export function goSortedKeys(o: Record<string, unknown>): string[] {
  return Object.keys(o).sort((a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")));
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
