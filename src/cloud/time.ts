// Times the service sends, read the way Go's time.Time reads JSON (RFC 3339: date, "T", time,
// optional fraction, "Z" or ±hh:mm) plus the obvious near-misses (a space or a lower-case "t" for the
// "T", "z", "+hhmm" or "+hh" zones, a comma before the fraction, no zone at all = UTC), and written
// back as `toISOString()`, which every Go version parses (docs/compatibility.md#times). Anything else
// is not a time.
import { GO_ZERO_TIME_MS, daysInMonth, fractionMs, utcMs } from "../core/go-time.js";

const SHAPE =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/** Milliseconds since the epoch, or undefined when `value` is not a time Go (or a lenient reader) accepts. */
export function parseServerTimeMs(value: string): number | undefined {
  const m = SHAPE.exec(value.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined; // Go rejects leap seconds too
  let offsetMin = 0;
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11] ?? "0");
    if (oh > 23 || om > 59) return undefined;
    offsetMin = (m[9] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  const t = utcMs(year, month, day, hour, minute, second, fractionMs(m[7])) - offsetMin * 60_000;
  const utcYear = new Date(t).getUTCFullYear();
  // toISOString() of a year outside 0..9999 has six digits and a sign: Go cannot read it back.
  if (utcYear < 0 || utcYear > 9999) return undefined;
  return t;
}

export type TimeReading = { ok: true; iso: string } | { ok: false; problem: "is not a string" | "is not a valid RFC 3339 time" | "is the zero time" };

/** A JSON value read as a service time: normalized to RFC 3339 (UTC, millisecond precision). */
export function readServerTime(value: unknown): TimeReading {
  if (typeof value !== "string") return { ok: false, problem: "is not a string" };
  const t = parseServerTimeMs(value);
  if (t === undefined) return { ok: false, problem: "is not a valid RFC 3339 time" };
  // Go's zero time is the service's way of saying "no time": absent, as in the Go CLI.
  if (t === GO_ZERO_TIME_MS) return { ok: false, problem: "is the zero time" };
  return { ok: true, iso: new Date(t).toISOString() };
}
