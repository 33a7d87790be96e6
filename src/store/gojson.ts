// Go's encoding/json on the way out (json.MarshalIndent's layout and string escaping) and the time rules
// of Go's time.Time, so what we write is what the Go CLI would have written and what it can read back.
// Values we do not model (RawJson) are written from their original bytes. Pure: no I/O.

import { GO_ZERO_TIME_MS, daysInMonth, fractionMs, utcMs } from "../core/go-time.js";

export { GO_ZERO_TIME } from "../core/go-time.js";

// ---------------------------------------------------------------------------------------------------
// times

const TIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/**
 * Milliseconds since the epoch of a time string exactly as Go's time.Time.UnmarshalJSON accepts it
 * (time.Parse with the RFC 3339 layout: a 1- or 2-digit hour, any number of fractional digits after
 * '.' or ',', an offset hour up to 24), or undefined if Go would refuse it. Go does not unescape the
 * JSON string first, so callers pass its raw bytes.
 */
export function goTimeMs(s: string): number | undefined {
  const m = TIME_RE.exec(s);
  if (!m) return undefined;
  const [year, month, day, hour, min, sec] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || min > 59 || sec > 59) return undefined;
  let offset = 0;
  if (!m[8]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 24 || om > 60) return undefined;
    offset = (m[9] === "-" ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  return utcMs(year, month, day, hour, min, sec, fractionMs(m[7])) - offset;
}

const STRICT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A time we are willing to write: RFC 3339 in the form Go itself writes (4-digit year, 2-digit fields,
 * up to 9 fractional digits, Z or ±hh:mm), valid as a date, and readable by JavaScript's Date too.
 */
export function isRfc3339(s: string): boolean {
  return STRICT_RE.test(s) && goTimeMs(s) !== undefined && !Number.isNaN(Date.parse(s));
}


/** True for Go's zero time (in any spelling Go might produce) and for an absent value. */
export function isZeroTime(s: string | undefined | null): boolean {
  if (s === undefined || s === null || s === "") return true;
  return goTimeMs(s) === GO_ZERO_TIME_MS;
}

/** Parse a stored time; undefined for absent, zero or invalid. JS keeps millisecond precision. */
export function parseGoTime(s: string | undefined | null): Date | undefined {
  if (s === undefined || s === null) return undefined;
  const ms = goTimeMs(s);
  return ms === undefined || ms === GO_ZERO_TIME_MS ? undefined : new Date(ms);
}

// ---------------------------------------------------------------------------------------------------
// values we keep as bytes

/** A JSON value we do not model, kept as the exact bytes the file had (big numbers, invalid UTF-8...). */
export class RawJson {
  private compacted: Uint8Array | undefined;
  constructor(readonly bytes: Uint8Array) {}

  /** The same JSON value: equal bytes once the whitespace between tokens is dropped. */
  equals(other: unknown): boolean {
    if (!(other instanceof RawJson)) return false;
    if (Buffer.compare(this.bytes, other.bytes) === 0) return true;
    return Buffer.compare(this.compact(), other.compact()) === 0;
  }

  private compact(): Uint8Array {
    this.compacted ??= compactJson(this.bytes);
    return this.compacted;
  }
}

/** `raw` (valid JSON) without whitespace between tokens; strings are copied byte for byte. */
export function compactJson(raw: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    out[n++] = c;
    if (c === 0x22) {
      for (i++; raw[i] !== 0x22; i++) {
        if (raw[i] === 0x5c) out[n++] = raw[i++]!;
        out[n++] = raw[i]!;
      }
      out[n++] = 0x22;
    }
  }
  return out.subarray(0, n);
}

// ---------------------------------------------------------------------------------------------------
// layout

/** How a file lays out its JSON; new members and values are written to match. */
export interface JsonStyle {
  /** One member per line (MarshalIndent) rather than all on one line. */
  pretty: boolean;
  newline: string;
  /** One level of indentation. */
  unit: string;
  /** Between a key and its value. */
  colon: string;
  /** Between members of a one-line container. */
  comma: string;
}

/** json.MarshalIndent(v, "", "    "). */
export const GO_STYLE: JsonStyle = { pretty: true, newline: "\n", unit: "    ", colon: ": ", comma: "," };

/** Pieces of output: text, or bytes copied from a file. */
export type Piece = string | Uint8Array;

export function concatPieces(pieces: readonly Piece[]): Buffer {
  return Buffer.concat(pieces.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : p)));
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
        out += "\ufffd"; // Go writes invalid UTF-16 as U+FFFD
      }
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      out += "\ufffd";
    } else {
      out += s[i]!;
    }
  }
  return out + '"';
}

/** Deeper raw values are copied as they are rather than re-indented (Go's layout of them is quadratic). */
const REINDENT_MAX_DEPTH = 64;

/**
 * A raw JSON value in the given layout, as json.MarshalIndent lays out a json.RawMessage: whitespace
 * between tokens is rewritten, strings and numbers are copied byte for byte. `raw` must be valid JSON.
 * Iterative, so any nesting Go accepts is fine.
 */
export function reindent(raw: Uint8Array, indent: string, style: JsonStyle): Piece[] {
  const out: Piece[] = [];
  let depth = 0;
  let maxDepth = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === 0x7b || c === 0x5b) maxDepth = Math.max(maxDepth, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x22) for (i++; raw[i] !== 0x22; i++) if (raw[i] === 0x5c) i++;
  }
  if (maxDepth > REINDENT_MAX_DEPTH) return [raw];
  const isWs = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
  const line = (d: number) => (style.pretty ? style.newline + indent + style.unit.repeat(d) : "");
  depth = 0;
  for (let i = 0; i < raw.length; ) {
    const c = raw[i]!;
    if (isWs(c)) {
      i++;
    } else if (c === 0x7b || c === 0x5b) {
      let j = i + 1;
      while (isWs(raw[j])) j++;
      if (raw[j] === c + 2) {
        out.push(c === 0x7b ? "{}" : "[]");
        i = j + 1;
      } else {
        depth++;
        out.push(String.fromCharCode(c) + line(depth));
        i++;
      }
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      out.push(line(depth) + String.fromCharCode(c));
      i++;
    } else if (c === 0x2c) {
      out.push(style.pretty ? "," + line(depth) : style.comma);
      i++;
    } else if (c === 0x3a) {
      out.push(style.colon);
      i++;
    } else {
      let j = i + 1;
      if (c === 0x22) {
        while (raw[j] !== 0x22) j += raw[j] === 0x5c ? 2 : 1;
        j++;
      } else {
        while (j < raw.length && !isWs(raw[j]) && raw[j] !== 0x2c && raw[j] !== 0x7d && raw[j] !== 0x5d && raw[j] !== 0x3a) j++;
      }
      out.push(raw.subarray(i, j));
      i = j;
    }
  }
  return out;
}

/** Lay out a list of already-serialized children as Go does: `[]`/`{}` when empty, one per line. */
export function layoutContainer(open: string, close: string, children: Piece[][], indent: string, style: JsonStyle): Piece[] {
  if (children.length === 0) return [open + close];
  const out: Piece[] = [open];
  const inner = style.pretty ? style.newline + indent + style.unit : "";
  children.forEach((child, i) => {
    out.push(i === 0 ? inner : style.pretty ? "," + inner : style.comma, ...child);
  });
  out.push((style.pretty ? style.newline + indent : "") + close);
  return out;
}

/**
 * A generic value in the given layout: plain objects keep their key order, undefined members are skipped, numbers print like Go's float64 encoder (which matches ES
 * Number#toString), RawJson is re-laid out from its bytes.
 */
export function marshalPieces(v: unknown, indent: string, style: JsonStyle): Piece[] {
  if (v === null || v === undefined) return ["null"];
  if (typeof v === "string") return [goQuote(v)];
  if (typeof v === "boolean") return [v ? "true" : "false"];
  if (typeof v === "number") return [Number.isFinite(v) ? JSON.stringify(v) : "null"];
  if (v instanceof RawJson) return reindent(v.bytes, indent, style);
  const inner = indent + style.unit;
  if (Array.isArray(v)) return layoutContainer("[", "]", v.map((x) => marshalPieces(x, inner, style)), indent, style);
  const present = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  return layoutContainer(
    "{",
    "}",
    present.map(([k, x]) => [goQuote(k) + style.colon, ...marshalPieces(x, inner, style)]),
    indent,
    style,
  );
}

/** json.MarshalIndent(v, "", "    ") as text: 4-space indent, empty containers as `{}`/`[]`, no trailing newline. */
export function marshalIndent(v: unknown, indent = ""): string {
  return concatPieces(marshalPieces(v, indent, GO_STYLE)).toString("utf8");
}

/** Go sorts map keys by their UTF-8 bytes. */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof RawJson);
}
