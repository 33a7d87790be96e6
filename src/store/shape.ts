// Shape checks shared by the credentials and claim file parsers. Go's decoder treats JSON null as
// "leave the zero value", so null is accepted wherever a value is optional.
import { isPlainObject, isRfc3339 } from "./gojson.js";
import { describeJsonError } from "./errors.js";

/** A file whose JSON parses but whose values have the wrong types: reported as "corrupt". */
export class ShapeError extends Error {}

export function optString(v: unknown, where: string): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v !== "string") throw new ShapeError(`${where} must be a string`);
  return v;
}

export function optTime(v: unknown, where: string): string | undefined {
  const s = optString(v, where);
  // "" would make Go's decoder fail the whole file; we read it as the zero time and never write it.
  if (s === undefined || s === "") return undefined;
  if (!isRfc3339(s)) throw new ShapeError(`${where} is not an RFC 3339 time`);
  return s;
}

export function optBool(v: unknown, where: string): boolean | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v !== "boolean") throw new ShapeError(`${where} must be true or false`);
  return v;
}

export function optObject(v: unknown, where: string): Record<string, unknown> | undefined {
  if (v === null || v === undefined) return undefined;
  if (!isPlainObject(v)) throw new ShapeError(`${where} must be an object`);
  return v;
}

/**
 * The top-level object of a Go-written JSON file: blank text is "missing" (Go treats an empty file as
 * no file), `null` is an empty object (Go's decoder), anything but an object is "corrupt".
 */
export function parseTopObject(text: string): { kind: "missing" } | { kind: "corrupt"; error: string } | { kind: "object"; value: Record<string, unknown> } {
  if (text.trim() === "") return { kind: "missing" };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { kind: "corrupt", error: describeJsonError(e, text) };
  }
  if (raw === null) return { kind: "object", value: {} };
  if (!isPlainObject(raw)) return { kind: "corrupt", error: "the top level must be a JSON object" };
  return { kind: "object", value: raw };
}
