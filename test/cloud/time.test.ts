// Service times: what Go's time.Time reads from JSON, plus the obvious near-misses, normalized to
// toISOString(); everything else is not a time.
import { describe, expect, it } from "vitest";
import { parseServerTimeMs, readServerTime } from "../../src/cloud/time.js";

describe("readServerTime", () => {
  it.each([
    ["2030-01-01T00:00:00Z", "2030-01-01T00:00:00.000Z"],
    ["2026-05-22T10:15:30.123456789-07:00", "2026-05-22T17:15:30.123Z"],
    ["2026-05-22T10:15:30.5+05:30", "2026-05-22T04:45:30.500Z"],
    ["2024-02-29T23:59:59Z", "2024-02-29T23:59:59.000Z"],
    ["0000-01-01T00:00:00Z", "0000-01-01T00:00:00.000Z"],
    ["0050-06-01T00:00:00Z", "0050-06-01T00:00:00.000Z"], // not 1950 (Date.UTC's two-digit years)
    ["9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"],
    // near-misses a lenient server sends
    ["2030-01-01 00:00:00Z", "2030-01-01T00:00:00.000Z"],
    ["2030-01-01t00:00:00z", "2030-01-01T00:00:00.000Z"],
    ["2030-01-01T00:00:00+0100", "2029-12-31T23:00:00.000Z"],
    ["2030-01-01T00:00:00+01", "2029-12-31T23:00:00.000Z"],
    ["2030-01-01T00:00:00,25Z", "2030-01-01T00:00:00.250Z"],
    ["2030-01-01T00:00:00", "2030-01-01T00:00:00.000Z"],
    [" 2030-01-01T00:00:00Z\n", "2030-01-01T00:00:00.000Z"],
  ])("%j → %s", (input, iso) => {
    expect(readServerTime(input)).toEqual({ ok: true, iso });
    // What we write back is read back unchanged (and is RFC 3339 that Go reads).
    expect(readServerTime(iso)).toEqual({ ok: true, iso });
  });

  it.each([
    "",
    "tomorrow",
    "2030-01-01",
    "2030-1-01T00:00:00Z",
    "2030-01-01T0:00:00Z",
    "2030-13-01T00:00:00Z",
    "2023-02-29T00:00:00Z",
    "2030-04-31T00:00:00Z",
    "2030-01-01T24:00:00Z",
    "2030-01-01T23:60:00Z",
    "2030-01-01T23:59:60Z",
    "2030-01-01T00:00:00+24:00",
    "2030-01-01T00:00:00+01:60",
    "2030-01-01T00:00:00ZZ",
    "0000-01-01T00:00:00+01:00", // UTC year -1: toISOString would write "-000001"
    "+012030-01-01T00:00:00Z",
    "1767225600",
  ])("%j is not a time", (input) => {
    expect(parseServerTimeMs(input)).toBeUndefined();
    expect(readServerTime(input)).toEqual({ ok: false, problem: "is not a valid RFC 3339 time" });
  });

  it("Go's zero time counts as absent; non-strings are not times", () => {
    expect(readServerTime("0001-01-01T00:00:00Z")).toEqual({ ok: false, problem: "is the zero time" });
    for (const v of [null, 0, 1767225600, true, {}, []]) expect(readServerTime(v)).toEqual({ ok: false, problem: "is not a string" });
  });
});
