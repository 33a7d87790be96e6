// The calendar arithmetic of Go's time.Time, shared by the two readers of times: store/gojson.ts (the
// files, exactly as Go reads them) and cloud/time.ts (the service's answers, read leniently).

/** Go's zero time.Time as encoding/json writes it: "no time". */
export const GO_ZERO_TIME = "0001-01-01T00:00:00Z";
export const GO_ZERO_TIME_MS = Date.parse(GO_ZERO_TIME);

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Milliseconds of a fraction's digits ("5" → 500, "123456" → 123). */
export function fractionMs(digits: string | undefined): number {
  return Number((digits ?? "").slice(0, 3).padEnd(3, "0"));
}

/** UTC milliseconds of a civil date and time (setUTCFullYear, unlike Date.UTC, keeps years 0-99 as they are). */
export function utcMs(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  return new Date(0).setUTCFullYear(year, month - 1, day) + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
}
