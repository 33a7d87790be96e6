// Times the service sends, read the way Go's time.Time reads JSON (RFC 3339: date, "T", time,
// optional fraction, "Z" or ±hh:mm) plus the obvious near-misses (a space or a lower-case "t" for the
// "T", "z", "+hhmm" or "+hh" zones, a comma before the fraction, no zone at all = UTC), and written
// back as `toISOString()`, which every Go version parses (docs/compatibility.md#times). Anything else
// is not a time.

const SHAPE =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/** Go's zero time: the service's way of saying "no time"; counts as absent (like the Go CLI). */
export const GO_ZERO_TIME_MS = Date.parse("0001-01-01T00:00:00Z");

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] as number;
}

/** Milliseconds since the epoch, or undefined when `value` is not a time Go (or a lenient reader) accepts. */
export function parseServerTimeMs(value: string): number | undefined {
  const m = SHAPE.exec(value.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined; // Go rejects leap seconds too
  let offsetMin = 0;
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11] ?? "0");
    if (oh > 23 || om > 59) return undefined;
    offsetMin = (m[9] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  const ms = Number(((m[7] ?? "") + "000").slice(0, 3));
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day); // not Date.UTC: it maps years 0..99 to 1900..1999
  d.setUTCHours(hour, minute, second, ms);
  const t = d.getTime() - offsetMin * 60_000;
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
  if (t === GO_ZERO_TIME_MS) return { ok: false, problem: "is the zero time" };
  return { ok: true, iso: new Date(t).toISOString() };
}
