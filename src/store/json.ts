// A JSON scanner over bytes that reads exactly what Go's encoding/json reads, and remembers where every
// value is, so an edit can splice the file instead of re-serializing it (docs/compatibility.md):
//  - whitespace is space, tab, CR, LF only; a UTF-8 byte order mark is a syntax error (as in Go);
//  - nesting deeper than 10,000 containers is a syntax error (Go's maxNestingDepth), never a RangeError:
//    the scanner keeps its own stack;
//  - any byte >= 0x20 may appear raw in a string; invalid UTF-8 decodes to U+FFFD per byte, a lone
//    surrogate escape to U+FFFD (Go's unquote), but the file's bytes are never rewritten from decoded text;
//  - numbers keep their source text (big numbers survive); duplicate keys are all kept, in order: the
//    reader that gives them meaning (schema.ts) lets the last one win, as Go does.
// Pure: no I/O.

export interface JsonSpan {
  /** Offset of the first byte of the value. */
  start: number;
  /** Offset just past its last byte. */
  end: number;
}
export interface JsonObject extends JsonSpan {
  type: "object";
  members: JsonMember[];
}
export interface JsonMember {
  /** The key, decoded as Go decodes it. */
  key: string;
  keyStart: number;
  keyEnd: number;
  value: JsonNode;
}
export interface JsonArray extends JsonSpan {
  type: "array";
  items: JsonNode[];
}
export interface JsonString extends JsonSpan {
  type: "string";
  /** True when the string has an escape or a non-ASCII byte (decoding is not a plain copy). */
  complex: boolean;
}
export interface JsonScalar extends JsonSpan {
  type: "number" | "true" | "false" | "null";
}
export type JsonNode = JsonObject | JsonArray | JsonString | JsonScalar;

export interface JsonDoc {
  bytes: Uint8Array;
  root: JsonNode;
}

/** Go's maxNestingDepth. */
export const MAX_NESTING_DEPTH = 10_000;

/** A syntax error; the message gives the place and a reason, never the content. */
export class JsonSyntaxError extends Error {
  override name = "JsonSyntaxError";
  constructor(
    readonly reason: string,
    readonly offset: number,
    readonly line: number,
    readonly column: number,
  ) {
    super(`invalid JSON at line ${line}, column ${column}: ${reason}`);
  }
}

function fail(bytes: Uint8Array, offset: number, reason?: string): never {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < bytes.length; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  let why = reason;
  if (!why) {
    if (offset >= bytes.length) why = "the file ends in the middle of a value (truncated?)";
    else if (offset === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      why = "the file starts with a byte order mark (BOM), which Go's JSON decoder rejects";
    } else why = "unexpected character";
  }
  throw new JsonSyntaxError(why, offset, line, offset - lineStart + 1);
}

const isWs = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;
const isHex = (c: number | undefined) =>
  c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));

function skipWs(b: Uint8Array, i: number): number {
  while (isWs(b[i])) i++;
  return i;
}

/** Scan a string starting at the opening quote; returns the offset past the closing quote. */
function scanString(b: Uint8Array, start: number): { end: number; complex: boolean } {
  let complex = false;
  let i = start + 1;
  for (;;) {
    const c = b[i];
    if (c === undefined) fail(b, i);
    if (c === 0x22) return { end: i + 1, complex };
    if (c < 0x20) fail(b, i, "a control character inside a string");
    if (c === 0x5c) {
      complex = true;
      const e = b[i + 1];
      if (e === 0x75) {
        for (let k = 2; k < 6; k++) if (!isHex(b[i + k])) fail(b, i + k, b[i + k] === undefined ? undefined : "an invalid \\u escape in a string");
        i += 6;
        continue;
      }
      if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
        i += 2;
        continue;
      }
      fail(b, i + 1, e === undefined ? undefined : "an invalid escape in a string");
    }
    if (c >= 0x80) complex = true;
    i++;
  }
}

function scanNumber(b: Uint8Array, start: number): number {
  let i = start;
  if (b[i] === 0x2d) i++;
  if (b[i] === 0x30) i++;
  else if (isDigit(b[i])) while (isDigit(b[i])) i++;
  else fail(b, i);
  if (b[i] === 0x2e) {
    i++;
    if (!isDigit(b[i])) fail(b, i);
    while (isDigit(b[i])) i++;
  }
  if (b[i] === 0x65 || b[i] === 0x45) {
    i++;
    if (b[i] === 0x2b || b[i] === 0x2d) i++;
    if (!isDigit(b[i])) fail(b, i);
    while (isDigit(b[i])) i++;
  }
  return i;
}

const LITERALS: Record<number, [JsonScalar["type"], number[]]> = {
  0x74: ["true", [0x74, 0x72, 0x75, 0x65]],
  0x66: ["false", [0x66, 0x61, 0x6c, 0x73, 0x65]],
  0x6e: ["null", [0x6e, 0x75, 0x6c, 0x6c]],
};

/** Parse `bytes` (one JSON value, optionally surrounded by whitespace). Throws JsonSyntaxError. */
export function parseJson(bytes: Uint8Array): JsonDoc {
  const b = bytes;
  const stack: Array<JsonObject | JsonArray> = [];
  let i = 0;

  // Reads `"key" :` for the object on top of the stack; leaves i at the value.
  const readKey = (obj: JsonObject) => {
    i = skipWs(b, i);
    if (b[i] !== 0x22) fail(b, i);
    const keyStart = i;
    const s = scanString(b, i);
    i = skipWs(b, s.end);
    if (b[i] !== 0x3a) fail(b, i);
    i++;
    const key = decodeStringBytes(b, keyStart, s.end, s.complex);
    obj.members.push({ key, keyStart, keyEnd: s.end, value: undefined as unknown as JsonNode });
  };

  if (skipWs(b, 0) >= b.length) fail(b, b.length, "no JSON value (the file is empty or holds only whitespace)");
  for (;;) {
    // A value starts here.
    i = skipWs(b, i);
    const c = b[i];
    let node: JsonNode;
    if (c === 0x7b || c === 0x5b) {
      if (stack.length >= MAX_NESTING_DEPTH) fail(b, i, `nesting deeper than ${MAX_NESTING_DEPTH} levels (Go's decoder limit)`);
      const start = i;
      i = skipWs(b, i + 1);
      if (c === 0x7b) {
        const obj: JsonObject = { type: "object", start, end: -1, members: [] };
        if (b[i] === 0x7d) {
          obj.end = ++i;
          node = obj;
        } else {
          stack.push(obj);
          readKey(obj);
          continue;
        }
      } else {
        const arr: JsonArray = { type: "array", start, end: -1, items: [] };
        if (b[i] === 0x5d) {
          arr.end = ++i;
          node = arr;
        } else {
          stack.push(arr);
          continue;
        }
      }
    } else if (c === 0x22) {
      const s = scanString(b, i);
      node = { type: "string", start: i, end: s.end, complex: s.complex };
      i = s.end;
    } else if (c === 0x2d || isDigit(c)) {
      const end = scanNumber(b, i);
      node = { type: "number", start: i, end };
      i = end;
    } else {
      const lit = c === undefined ? undefined : LITERALS[c];
      if (!lit) fail(b, i);
      const [type, word] = lit;
      for (let k = 0; k < word.length; k++) if (b[i + k] !== word[k]) fail(b, i + k);
      node = { type, start: i, end: i + word.length };
      i += word.length;
    }

    // Attach the value to its container; close containers that end here.
    for (;;) {
      const top = stack[stack.length - 1];
      if (!top) {
        i = skipWs(b, i);
        if (i < b.length) fail(b, i, "data after the top-level value");
        return { bytes, root: node };
      }
      if (top.type === "object") top.members[top.members.length - 1]!.value = node;
      else top.items.push(node);
      i = skipWs(b, i);
      const d = b[i];
      if (d === 0x2c) {
        i++;
        if (top.type === "object") readKey(top);
        break;
      }
      if ((top.type === "object" && d === 0x7d) || (top.type === "array" && d === 0x5d)) {
        top.end = ++i;
        stack.pop();
        node = top;
        continue;
      }
      fail(b, i);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// strings

const latin1 = (b: Uint8Array, start: number, end: number) => {
  let s = "";
  for (let i = start; i < end; i += 4096) s += String.fromCharCode(...b.subarray(i, Math.min(end, i + 4096)));
  return s;
};

function hex4(b: Uint8Array, i: number): number {
  if (![0, 1, 2, 3].every((k) => isHex(b[i + k]))) return -1;
  return parseInt(String.fromCharCode(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!), 16);
}

/** One UTF-8 sequence at i as Go's utf8.DecodeRune reads it: [code point, length]; invalid → [0xfffd, 1]. */
function decodeRune(b: Uint8Array, i: number): [number, number] {
  const c0 = b[i]!;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => {
    const c = b[i + k];
    return c !== undefined && c >= lo && c <= hi ? c & 0x3f : -1;
  };
  if (c0 >= 0xc2 && c0 <= 0xdf) {
    const c1 = cont(1);
    if (c1 >= 0) return [((c0 & 0x1f) << 6) | c1, 2];
  } else if (c0 >= 0xe0 && c0 <= 0xef) {
    const c1 = cont(1, c0 === 0xe0 ? 0xa0 : 0x80, c0 === 0xed ? 0x9f : 0xbf);
    const c2 = c1 >= 0 ? cont(2) : -1;
    if (c2 >= 0) return [((c0 & 0x0f) << 12) | (c1 << 6) | c2, 3];
  } else if (c0 >= 0xf0 && c0 <= 0xf4) {
    const c1 = cont(1, c0 === 0xf0 ? 0x90 : 0x80, c0 === 0xf4 ? 0x8f : 0xbf);
    const c2 = c1 >= 0 ? cont(2) : -1;
    const c3 = c2 >= 0 ? cont(3) : -1;
    if (c3 >= 0) return [((c0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3, 4];
  }
  return [0xfffd, 1];
}

const SIMPLE_ESCAPES: Record<number, number> = { 0x62: 8, 0x66: 12, 0x6e: 10, 0x72: 13, 0x74: 9 };

/** Decode the string whose quotes are at start and end-1, exactly as Go's unquote does. */
function decodeStringBytes(b: Uint8Array, start: number, end: number, complex: boolean): string {
  if (!complex) return latin1(b, start + 1, end - 1);
  const out: number[] = [];
  let s = "";
  const flush = () => {
    if (out.length > 0) {
      s += String.fromCodePoint(...out);
      out.length = 0;
    }
  };
  for (let i = start + 1; i < end - 1; ) {
    const c = b[i]!;
    if (c === 0x5c) {
      const e = b[i + 1]!;
      if (e === 0x75) {
        let r = hex4(b, i + 2);
        i += 6;
        if (r >= 0xd800 && r <= 0xdfff) {
          const lo = b[i] === 0x5c && b[i + 1] === 0x75 ? hex4(b, i + 2) : -1;
          if (r <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff) {
            r = 0x10000 + ((r - 0xd800) << 10) + (lo - 0xdc00);
            i += 6;
          } else {
            r = 0xfffd;
          }
        }
        out.push(r);
        continue;
      }
      out.push(SIMPLE_ESCAPES[e] ?? e);
      i += 2;
    } else if (c < 0x80) {
      out.push(c);
      i++;
    } else {
      const [r, n] = decodeRune(b, i);
      out.push(r);
      i += n;
    }
    if (out.length >= 4096) flush();
  }
  flush();
  return s;
}

/** The decoded value of a string node. */
export function stringValue(doc: JsonDoc, node: JsonString): string {
  return decodeStringBytes(doc.bytes, node.start, node.end, node.complex);
}

/** The source text of a node that is ASCII by construction (a number, a literal, a time string). */
export function sourceText(doc: JsonDoc, node: JsonSpan): string {
  return latin1(doc.bytes, node.start, node.end);
}
