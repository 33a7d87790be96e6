// The Go structs behind our files, as data, and the two things done with them:
//  - decode: what Go's json.Unmarshal makes of a parsed file (keys matched case-insensitively, null
//    leaves a string or time as it was and clears a map, slice or pointer, a repeated key is read again:
//    the last wins for values, maps and pointed-to structs merge), keys we do not know kept as RawJson;
//  - patch: the bytes of the file after a change of the decoded model, spliced so that every member
//    the change does not touch keeps its bytes, new members are placed where Go would put them (struct
//    order, sorted map keys) in the file's own layout, and values we write are checked first.
// Pure: no I/O.
import {
  GO_ZERO_TIME,
  type JsonStyle,
  type Piece,
  RawJson,
  compareUtf8,
  concatPieces,
  goQuote,
  goTimeMs,
  isPlainObject,
  isRfc3339,
  isZeroTime,
  layoutContainer,
  marshalPieces,
  reindent,
} from "./gojson.js";
import { type JsonArray, type JsonDoc, type JsonMember, type JsonNode, type JsonObject, sourceText, stringValue } from "./json.js";

export type GoType =
  /** string; `token`: must be printable ASCII without spaces when we write it. */
  | { kind: "string"; token?: boolean }
  | { kind: "bool" }
  | { kind: "int" }
  /** time.Time (null leaves it as it was). */
  | { kind: "time" }
  /** *time.Time (null clears it). */
  | { kind: "time-ptr" }
  | { kind: "strings" }
  | { kind: "map"; elem: GoType }
  /** A struct; `pointer`: *T (null clears it). */
  | { kind: "struct"; pointer: boolean; fields: GoField[] }
  /** Our own lists: elements that do not decode as `elem` are kept as RawJson, untouched. */
  | { kind: "list"; elem: GoType };

export interface GoField {
  name: string;
  type: GoType;
  /** `omitempty`: an empty value is not written. */
  omitEmpty: boolean;
}

/** A decoded struct or map: own keys only, any key (even "__proto__") is data. */
export type Model = Record<string, unknown>;

/** JSON of the wrong shape for the struct: Go's Unmarshal fails, the file is "corrupt". */
export class DecodeError extends Error {}
/** An edit we cannot make without changing bytes outside it (e.g. duplicate keys Go merges). */
export class NotLossless extends Error {}
/** A value that a reader would reject. */
export class InvalidValue extends Error {}

// ---------------------------------------------------------------------------------------------------
// helpers

function setOwn(o: Model, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

function getOwn(o: unknown, key: string): unknown {
  return isPlainObject(o) && Object.hasOwn(o, key) ? o[key] : undefined;
}

function copyModel(o: unknown): Model {
  const out: Model = {};
  if (isPlainObject(o)) for (const k of Object.keys(o)) setOwn(out, k, o[k]);
  return out;
}

/** Go's case folding of keys onto field names (bytes.EqualFold): ASCII case, plus ſ → s and K (Kelvin) → k. */
function fold(s: string): string {
  return s.toLowerCase().replace(/ſ/g, "s").replace(/\u212a/g, "k");
}

const foldCache = new WeakMap<GoField[], Map<string, GoField>>();

/** The field a JSON key fills: an exact match first, else a case-insensitive one (Go's rule). */
export function fieldFor(fields: GoField[], key: string): GoField | undefined {
  const exact = fields.find((f) => f.name === key);
  if (exact) return exact;
  let folded = foldCache.get(fields);
  if (!folded) {
    folded = new Map(fields.map((f) => [fold(f.name), f]));
    foldCache.set(fields, folded);
  }
  return folded.get(fold(key));
}

function quoteKey(k: string): string {
  const q = JSON.stringify(k);
  return q.length > 80 ? `${q.slice(0, 77)}…"` : q;
}

const sub = (where: string, name: string) => (where ? `${where}.${name}` : name);

/** Deep equality of decoded values (RawJson by bytes; own keys with undefined values count as absent). */
export function modelEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof RawJson) return a.equals(b);
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => modelEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && modelEqual(a[k], b[k]));
  }
  return false;
}

function raw(doc: JsonDoc, node: JsonNode): RawJson {
  return new RawJson(doc.bytes.subarray(node.start, node.end));
}

// ---------------------------------------------------------------------------------------------------
// decode

function zeroOf(t: GoType): unknown {
  if (t.kind === "string") return "";
  if (t.kind === "struct" && !t.pointer) return {};
  return undefined;
}

/** The text of a time string as Go reads it (no unescaping), or a DecodeError. */
function timeText(doc: JsonDoc, node: JsonNode, where: string): string {
  if (node.type !== "string") throw new DecodeError(`${where} must be a time string`);
  // Go parses the raw bytes between the quotes: an escape or a non-ASCII byte is never a valid time.
  const text = node.complex ? "" : sourceText(doc, { start: node.start + 1, end: node.end - 1 });
  if (goTimeMs(text) === undefined) throw new DecodeError(`${where} is not an RFC 3339 time`);
  return text;
}

/** Decode `node` into a Go value of type `t` that currently holds `existing` (Go's Unmarshal into it). */
export function decodeValue(doc: JsonDoc, node: JsonNode, t: GoType, existing: unknown, where: string): unknown {
  const isNull = node.type === "null";
  switch (t.kind) {
    case "string":
      if (isNull) return existing;
      if (node.type !== "string") throw new DecodeError(`${where} must be a string`);
      return stringValue(doc, node);
    case "bool":
      if (isNull) return existing;
      if (node.type !== "true" && node.type !== "false") throw new DecodeError(`${where} must be true or false`);
      return node.type === "true";
    case "int": {
      if (isNull) return existing;
      const text = node.type === "number" ? sourceText(doc, node) : "";
      if (!/^-?\d{1,15}$/.test(text)) throw new DecodeError(`${where} must be an integer`);
      return Number(text);
    }
    case "time":
      return isNull ? existing : timeText(doc, node, where);
    case "time-ptr":
      return isNull ? undefined : timeText(doc, node, where);
    case "strings":
      if (isNull) return undefined;
      if (node.type !== "array") throw new DecodeError(`${where} must be a list of strings`);
      return node.items.map((item, i) => {
        if (item.type === "null") return "";
        if (item.type !== "string") throw new DecodeError(`${where}[${i}] must be a string`);
        return stringValue(doc, item);
      });
    case "map": {
      if (isNull) return undefined;
      if (node.type !== "object") throw new DecodeError(`${where} must be an object`);
      const out = copyModel(existing);
      for (const m of node.members) setOwn(out, m.key, decodeValue(doc, m.value, t.elem, zeroOf(t.elem), `${where}[${quoteKey(m.key)}]`));
      return out;
    }
    case "struct":
      if (isNull) return t.pointer ? undefined : existing;
      if (node.type !== "object") throw new DecodeError(`${where || "the top level"} must be an object`);
      return decodeStruct(doc, node, t.fields, copyModel(existing), where);
    case "list": {
      if (isNull) return [];
      if (node.type !== "array") throw new DecodeError(`${where || "the top level"} must be a list`);
      return node.items.map((item, i) => {
        try {
          return decodeValue(doc, item, t.elem, zeroOf(t.elem), `${where}[${i}]`);
        } catch (e) {
          if (e instanceof DecodeError) return raw(doc, item);
          throw e;
        }
      });
    }
  }
}

function decodeStruct(doc: JsonDoc, node: JsonObject, fields: GoField[], base: Model, where: string): Model {
  for (const m of node.members) {
    const f = fieldFor(fields, m.key);
    if (f) setOwn(base, f.name, decodeValue(doc, m.value, f.type, base[f.name], sub(where, f.name)));
    else setOwn(base, m.key, raw(doc, m.value));
  }
  return base;
}

// ---------------------------------------------------------------------------------------------------
// writing fresh values

const PRINTABLE_NO_SPACE = /^[\x21-\x7e]*$/;

function isEmptyValue(v: unknown, t: GoType): boolean {
  if (v === undefined) return true;
  if (t.kind === "struct" || t.kind === "time-ptr" || t.kind === "time") return false;
  if (v === "" || v === false || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isPlainObject(v)) return Object.keys(v).every((k) => v[k] === undefined);
  return false;
}

/** Not written at all: absent, or empty under omitempty ("" is no time: Go's decoder would fail on it). */
function omitted(v: unknown, f: GoField): boolean {
  if (v === "" && f.type.kind === "time-ptr") return true;
  return v === undefined || (f.omitEmpty && isEmptyValue(v, f.type));
}

/** Go's encoding of `v` as a `t`, laid out at `indent`; checks every value a reader would reject. */
export function freshValue(v: unknown, t: GoType, indent: string, style: JsonStyle, where: string): Piece[] {
  if (v instanceof RawJson) return reindent(v.bytes, indent, style);
  const inner = indent + style.unit;
  switch (t.kind) {
    case "string": {
      const s = v ?? "";
      if (typeof s !== "string") throw new InvalidValue(`${where} must be a string`);
      // A token with a space, CR/LF or a non-ASCII character breaks every pulumi that sends it in a header.
      if (t.token && !PRINTABLE_NO_SPACE.test(s)) throw new InvalidValue(`${where} contains characters other than printable ASCII (or a space)`);
      return [goQuote(s)];
    }
    case "bool":
      if (v !== undefined && typeof v !== "boolean") throw new InvalidValue(`${where} must be true or false`);
      return [v ? "true" : "false"];
    case "int":
      if (v !== undefined && !Number.isSafeInteger(v)) throw new InvalidValue(`${where} must be an integer`);
      return [String(v ?? 0)];
    case "time":
    case "time-ptr": {
      const s = v === undefined || v === "" ? GO_ZERO_TIME : v;
      if (typeof s !== "string" || (s !== GO_ZERO_TIME && !isRfc3339(s))) {
        throw new InvalidValue(`${where} is not an RFC 3339 time that Go can read`);
      }
      return [goQuote(s)];
    }
    case "strings":
      if (v === undefined) return ["null"];
      if (!Array.isArray(v)) throw new InvalidValue(`${where} must be a list of strings`);
      return layoutContainer("[", "]", v.map((x, i) => freshValue(x, { kind: "string" }, inner, style, `${where}[${i}]`)), indent, style);
    case "list":
      if (!Array.isArray(v)) throw new InvalidValue(`${where || "the top level"} must be a list`);
      return layoutContainer("[", "]", v.map((x, i) => freshValue(x, t.elem, inner, style, `${where}[${i}]`)), indent, style);
    case "map": {
      if (v === undefined) return ["null"];
      if (!isPlainObject(v)) throw new InvalidValue(`${where} must be an object`);
      const keys = Object.keys(v).filter((k) => v[k] !== undefined).sort(compareUtf8);
      return layoutContainer(
        "{",
        "}",
        keys.map((k) => [goQuote(k) + style.colon, ...freshValue(v[k], t.elem, inner, style, `${where}[${quoteKey(k)}]`)]),
        indent,
        style,
      );
    }
    case "struct": {
      if (v === undefined) return ["null"];
      if (!isPlainObject(v)) throw new InvalidValue(`${where || "the top level"} must be an object`);
      const members: Piece[][] = [];
      for (const f of t.fields) {
        const x = v[f.name];
        // Without omitempty Go writes the zero value of an absent field.
        if (!f.omitEmpty || !omitted(x, f)) {
          members.push([goQuote(f.name) + style.colon, ...freshValue(x, f.type, inner, style, sub(where, f.name))]);
        }
      }
      for (const k of Object.keys(v)) {
        if (v[k] === undefined || t.fields.some((f) => f.name === k)) continue;
        members.push([goQuote(k) + style.colon, ...marshalPieces(v[k], inner, style)]);
      }
      return layoutContainer("{", "}", members, indent, style);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// patching a parsed file

interface Ctx {
  doc: JsonDoc;
  style: JsonStyle;
}

const slice = (ctx: Ctx, start: number, end: number) => ctx.doc.bytes.subarray(start, end);

/** The whitespace that starts the line holding `offset`. */
function lineIndent(ctx: Ctx, offset: number): string {
  const b = ctx.doc.bytes;
  let s = offset;
  while (s > 0 && b[s - 1] !== 0x0a) s--;
  let e = s;
  while (e < offset && (b[e] === 0x20 || b[e] === 0x09)) e++;
  return Buffer.from(b.subarray(s, e)).toString("latin1");
}

type Op = { remove: true } | { value: Piece[] };
interface Insert {
  slot: number;
  order: number;
  /** Key (objects only) and value. */
  key?: string;
  value: (indent: string, style: JsonStyle) => Piece[];
}

/** Rebuild a container from its original members (copied), replaced values, removals and insertions. */
function assemble(
  ctx: Ctx,
  node: JsonObject | JsonArray,
  ops: Map<number, Op>,
  inserts: Insert[],
  indent: string,
): Piece[] | null {
  if (ops.size === 0 && inserts.length === 0) return null;
  const isObj = node.type === "object";
  const spans: Array<{ start: number; valueStart: number; end: number }> = isObj
    ? node.members.map((m) => ({ start: m.keyStart, valueStart: m.value.start, end: m.value.end }))
    : node.items.map((it) => ({ start: it.start, valueStart: it.start, end: it.end }));
  const n = spans.length;
  const [open, close] = isObj ? ["{", "}"] : ["[", "]"];
  // The layout: taken from the container itself when it has members, else from the file's style.
  let lead: Piece;
  let trail: Piece;
  let pretty: boolean;
  let colon = ctx.style.colon;
  if (n > 0) {
    lead = slice(ctx, node.start + 1, spans[0]!.start);
    trail = slice(ctx, spans[n - 1]!.end, node.end - 1);
    pretty = lead.includes(0x0a);
    if (isObj) colon = Buffer.from(slice(ctx, node.members[0]!.keyEnd, node.members[0]!.value.start)).toString("latin1");
  } else {
    pretty = ctx.style.pretty;
    lead = pretty ? ctx.style.newline + indent + ctx.style.unit : "";
    trail = pretty ? ctx.style.newline + indent : "";
  }
  const leadText = typeof lead === "string" ? lead : Buffer.from(lead).toString("latin1");
  const memberIndent = pretty ? leadText.slice(leadText.lastIndexOf("\n") + 1) : "";
  const sepAfter = (i: number) => slice(ctx, spans[i]!.end, spans[i + 1]!.start);
  // Between a new member and its neighbour: as between the last two members, else as the file does.
  const defaultSep: Piece[] = n >= 2 ? [sepAfter(n - 2)] : pretty ? [",", lead] : [ctx.style.comma];
  const style: JsonStyle = { ...ctx.style, pretty, colon, comma: pretty ? "," : concatPieces(defaultSep).toString("latin1") };

  const items: Array<{ orig?: number; pieces: Piece[] }> = [];
  const sorted = [...inserts].sort((a, b) => a.slot - b.slot || a.order - b.order);
  let k = 0;
  for (let slot = 0; slot <= n; slot++) {
    while (k < sorted.length && sorted[k]!.slot === slot) {
      const ins = sorted[k++]!;
      const value = ins.value(memberIndent, style);
      items.push({ pieces: ins.key === undefined ? value : [goQuote(ins.key) + colon, ...value] });
    }
    if (slot === n) break;
    const op = ops.get(slot);
    const s = spans[slot]!;
    if (op && "remove" in op) continue;
    items.push({ orig: slot, pieces: op ? [slice(ctx, s.start, s.valueStart), ...op.value] : [slice(ctx, s.start, s.end)] });
  }
  if (items.length === 0) return [open + close];
  const out: Piece[] = [open, lead];
  items.forEach((item, i) => {
    if (i > 0) {
      const prev = items[i - 1]!;
      if (prev.orig !== undefined && prev.orig < n - 1) out.push(sepAfter(prev.orig));
      else if (item.orig !== undefined && item.orig > 0) out.push(sepAfter(item.orig - 1));
      else out.push(...defaultSep);
    }
    out.push(...item.pieces);
  });
  out.push(trail, close);
  return out;
}

function lastIndexWhere<T>(list: readonly T[], test: (x: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) if (test(list[i]!)) return i;
  return -1;
}

function isMerging(t: GoType): boolean {
  return t.kind === "map" || t.kind === "struct";
}

/**
 * The new bytes of `node` (a value of type `t` that decodes to `before`) so that it decodes to
 * `after`, or null when nothing changes. `inEntry`: the value belongs to one edited entry, so when
 * an in-place edit is ambiguous it may be rewritten whole; outside entries that is NotLossless.
 */
function patchValue(
  ctx: Ctx,
  node: JsonNode,
  t: GoType,
  before: unknown,
  after: unknown,
  indent: string,
  inEntry: boolean,
  where: string,
): Piece[] | null {
  if (modelEqual(before, after)) return null;
  if (after instanceof RawJson) return reindent(after.bytes, indent, ctx.style);
  try {
    if (t.kind === "struct" && node.type === "object" && isPlainObject(after)) {
      return patchStruct(ctx, node, t.fields, before, after, indent, inEntry, where);
    }
    if (t.kind === "map" && node.type === "object" && isPlainObject(after)) {
      return patchMap(ctx, node, t.elem, before, after, indent, where);
    }
    if ((t.kind === "list" || t.kind === "strings") && node.type === "array" && Array.isArray(after) && Array.isArray(before)) {
      return patchList(ctx, node, t.kind === "list" ? t.elem : { kind: "string" }, before, after, indent, where);
    }
  } catch (e) {
    if (!(e instanceof NotLossless) || !inEntry) throw e;
  }
  return freshValue(after, t, indent, ctx.style, where);
}

function patchStruct(
  ctx: Ctx,
  node: JsonObject,
  fields: GoField[],
  before: unknown,
  after: Model,
  indent: string,
  inEntry: boolean,
  where: string,
): Piece[] | null {
  const ops = new Map<number, Op>();
  const inserts: Insert[] = [];
  const matched = node.members.map((m) => fieldFor(fields, m.key));
  const indexOf = (f: GoField | undefined) => (f ? fields.indexOf(f) : -1);

  fields.forEach((f, fi) => {
    const b = getOwn(before, f.name);
    const a = getOwn(after, f.name);
    if (modelEqual(b, a)) return;
    const ms = node.members.map((_, i) => i).filter((i) => matched[i] === f);
    if (omitted(a, f)) {
      for (const i of ms) ops.set(i, { remove: true });
      return;
    }
    if (ms.length === 0) {
      // Where Go would put it: after the last member of an earlier field, else before a later one.
      let slot = node.members.length;
      const lastBefore = lastIndexWhere(matched, (m) => m !== undefined && indexOf(m) < fi);
      const firstAfter = matched.findIndex((m) => m !== undefined && indexOf(m) > fi);
      if (lastBefore >= 0) slot = lastBefore + 1;
      else if (firstAfter >= 0) slot = firstAfter;
      inserts.push({ slot, order: fi, key: f.name, value: (ind, st) => freshValue(a, f.type, ind, st, sub(where, f.name)) });
      return;
    }
    let target = ms[ms.length - 1]!;
    if (isMerging(f.type)) {
      // Go merges repeated objects into one map or struct; after the last null only.
      const lastNull = lastIndexWhere(ms, (i) => node.members[i]!.value.type === "null");
      const live = ms.slice(lastNull + 1);
      if (live.length > 1) throw new NotLossless(`${sub(where, f.name)} appears more than once`);
      target = live[0] ?? target;
    }
    const m = node.members[target]!;
    const value = patchValue(ctx, m.value, f.type, b, a, lineIndent(ctx, m.keyStart), inEntry, sub(where, f.name));
    if (value) ops.set(target, { value });
  });

  // Keys we do not know: kept unless the caller changed them.
  const isKnown = (k: string) => fields.some((f) => f.name === k);
  const unknown = new Set([...Object.keys(isPlainObject(before) ? before : {}), ...Object.keys(after)].filter((k) => !isKnown(k)));
  for (const k of unknown) {
    const b = getOwn(before, k);
    const a = getOwn(after, k);
    if (modelEqual(b, a)) continue;
    const ms = node.members.map((_, i) => i).filter((i) => node.members[i]!.key === k && matched[i] === undefined);
    if (a === undefined) {
      for (const i of ms) ops.set(i, { remove: true });
    } else if (ms.length === 0) {
      inserts.push({ slot: node.members.length, order: fields.length, key: k, value: (ind, st) => marshalPieces(a, ind, st) });
    } else {
      const m = node.members[ms[ms.length - 1]!]!;
      ops.set(ms[ms.length - 1]!, { value: marshalPieces(a, lineIndent(ctx, m.keyStart), ctx.style) });
    }
  }
  return assemble(ctx, node, ops, inserts, indent);
}

function patchMap(ctx: Ctx, node: JsonObject, elem: GoType, before: unknown, after: Model, indent: string, where: string): Piece[] | null {
  const ops = new Map<number, Op>();
  const inserts: Insert[] = [];
  const keys = new Set([...Object.keys(isPlainObject(before) ? before : {}), ...Object.keys(after)]);
  for (const k of keys) {
    const b = getOwn(before, k);
    const a = getOwn(after, k);
    if (modelEqual(b, a)) continue;
    const ms = node.members.map((_, i) => i).filter((i) => node.members[i]!.key === k);
    const w = `${where}[${quoteKey(k)}]`;
    if (a === undefined) {
      for (const i of ms) ops.set(i, { remove: true });
    } else if (ms.length === 0) {
      // Go writes map keys sorted by their bytes.
      const later = node.members.findIndex((m: JsonMember) => compareUtf8(m.key, k) > 0);
      inserts.push({ slot: later < 0 ? node.members.length : later, order: 0, key: k, value: (ind, st) => freshValue(a, elem, ind, st, w) });
    } else {
      // Each repeated key is decoded afresh: the last one is the value.
      const i = ms[ms.length - 1]!;
      const m = node.members[i]!;
      const value = patchValue(ctx, m.value, elem, b, a, lineIndent(ctx, m.keyStart), true, w);
      if (value) ops.set(i, { value });
    }
  }
  // Same-slot insertions in key order.
  inserts.sort((x, y) => x.slot - y.slot || compareUtf8(x.key!, y.key!)).forEach((ins, i) => (ins.order = i));
  return assemble(ctx, node, ops, inserts, indent);
}

function patchList(ctx: Ctx, node: JsonArray, elem: GoType, before: unknown[], after: unknown[], indent: string, where: string): Piece[] | null {
  // Elements that survive keep their bytes; others are removed; new ones are written fresh.
  const used = new Set<number>();
  const plan: Array<{ orig: number } | { value: unknown; index: number }> = after.map((a, index) => {
    const j = before.findIndex((b, bi) => !used.has(bi) && (a === b || modelEqual(a, b)));
    if (j >= 0) {
      used.add(j);
      return { orig: j };
    }
    return { value: a, index };
  });
  // Kept elements must stay in their original order for the splice; otherwise rewrite the list.
  const origs = plan.flatMap((p) => ("orig" in p ? [p.orig] : []));
  if (origs.some((o, i) => i > 0 && o < origs[i - 1]!)) throw new NotLossless(`${where || "the list"} was reordered`);
  const ops = new Map<number, Op>();
  node.items.forEach((_, i) => {
    if (!used.has(i)) ops.set(i, { remove: true });
  });
  const inserts: Insert[] = [];
  let nextOrig = 0;
  plan.forEach((p, order) => {
    if ("orig" in p) {
      nextOrig = p.orig + 1;
      return;
    }
    const slot = nextOrig;
    inserts.push({ slot, order, value: (ind, st) => freshValue(p.value, elem, ind, st, `${where}[${p.index}]`) });
  });
  return assemble(ctx, node, ops, inserts, indent);
}

/**
 * The whole file after the change: bytes before and after the top-level value are kept; the value is
 * patched in place, or written fresh when it is not an object (e.g. `null`).
 */
export function patchDocument(doc: JsonDoc, t: GoType, style: JsonStyle, before: unknown, after: unknown): Piece[] | null {
  const ctx: Ctx = { doc, style };
  const value = patchValue(ctx, doc.root, t, before, after, "", false, "");
  if (!value) return null;
  return [doc.bytes.subarray(0, doc.root.start), ...value, doc.bytes.subarray(doc.root.end)];
}

/** The layout of a parsed file, read off its top-level container (Go's MarshalIndent if it has none). */
export function detectStyle(doc: JsonDoc, fallback: JsonStyle): JsonStyle {
  const root = doc.root;
  const first = root.type === "object" ? root.members[0] : undefined;
  const firstStart = root.type === "object" ? first?.keyStart : root.type === "array" ? root.items[0]?.start : undefined;
  if (firstStart === undefined) return fallback;
  const lead = Buffer.from(doc.bytes.subarray(root.start + 1, firstStart)).toString("latin1");
  const colon = first ? Buffer.from(doc.bytes.subarray(first.keyEnd, first.value.start)).toString("latin1") : fallback.colon;
  const nl = lead.lastIndexOf("\n");
  if (nl < 0) {
    const second = root.type === "object" ? root.members[1]?.keyStart : root.type === "array" ? root.items[1]?.start : undefined;
    const end = root.type === "object" ? first?.value.end : root.type === "array" ? root.items[0]?.end : undefined;
    const comma = second !== undefined && end !== undefined ? Buffer.from(doc.bytes.subarray(end, second)).toString("latin1") : "," + lead;
    return { pretty: false, newline: fallback.newline, unit: "", colon, comma };
  }
  const unit = lead.slice(nl + 1);
  return { pretty: true, newline: lead.includes("\r\n") ? "\r\n" : "\n", unit: unit || fallback.unit, colon, comma: "," };
}

const COMPACT: JsonStyle = { pretty: false, newline: "", unit: "", colon: ":", comma: "," };

/**
 * What a value means once written and read back: omitted empties, zero times and absent fields all
 * read as their zero value, values we do not model as RawJson. Two values with the same canonical
 * form are the same file content to Go. Never throws (unlike freshValue, it checks nothing).
 */
export function canonical(v: unknown, t: GoType): unknown {
  if (v instanceof RawJson) return v;
  switch (t.kind) {
    case "string":
      return v ?? "";
    case "bool":
      return v ?? false;
    case "int":
      return v ?? 0;
    case "time":
    case "time-ptr":
      return typeof v === "string" && isZeroTime(v) ? undefined : v;
    case "strings":
      return Array.isArray(v) ? v.map((x) => x ?? "") : [];
    case "list":
      return Array.isArray(v) ? v.map((x) => canonical(x, t.elem)) : [];
    case "map": {
      const out: Model = {};
      if (isPlainObject(v)) for (const k of Object.keys(v)) if (v[k] !== undefined) setOwn(out, k, canonical(v[k], t.elem));
      return out;
    }
    case "struct": {
      if (v === undefined && t.pointer) return undefined;
      const o = isPlainObject(v) ? v : {};
      const out: Model = {};
      for (const f of t.fields) setOwn(out, f.name, canonical(o[f.name], f.type));
      for (const k of Object.keys(o)) {
        if (o[k] === undefined || t.fields.some((f) => f.name === k)) continue;
        const x = o[k];
        setOwn(out, k, x instanceof RawJson ? x : new RawJson(concatPieces(marshalPieces(x, "", COMPACT))));
      }
      return out;
    }
  }
}
