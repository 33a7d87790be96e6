// Shape checks shared by the credentials and claim file parsers. Go's decoder treats JSON null as
// "leave the zero value", so null is accepted wherever a value is optional.
import { isPlainObject, isRfc3339 } from "./gojson.js";

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
