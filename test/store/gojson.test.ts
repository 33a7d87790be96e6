// Go's encoding/json on the way out, and Go's time rules.
import { describe, expect, it } from "vitest";
import {
  GO_STYLE,
  GO_ZERO_TIME,
  RawJson,
  compactJson,
  concatPieces,
  goQuote,
  goTimeMs,
  isRfc3339,
  isZeroTime,
  marshalIndent,
  parseGoTime,
  reindent,
} from "../../src/store/gojson.js";
import { nested } from "../support/store-fixtures.js";

describe("Go JSON encoding", () => {
  it("escapes strings like encoding/json (HTML-safe, \\b \\f, U+2028)", () => {
    expect(goQuote(`a"b\\c`)).toBe(`"a\\"b\\\\c"`);
    expect(goQuote("<a&b>")).toBe(`"\\u003ca\\u0026b\\u003e"`);
    expect(goQuote("\b\f\n\r\t\u0001\u001f")).toBe(`"\\b\\f\\n\\r\\t\\u0001\\u001f"`);
    expect(goQuote("\u2028\u2029")).toBe(`"\\u2028\\u2029"`);
    expect(goQuote("é😀/")).toBe(`"é😀/"`);
    expect(goQuote("\ud800x")).toBe(`"\ufffdx"`);
  });

  it("MarshalIndent layout: empty containers compact, nested 4-space indent", () => {
    expect(marshalIndent({})).toBe("{}");
    expect(marshalIndent({ a: [], b: {}, c: [1, "x", null, true] })).toBe(
      `{\n    "a": [],\n    "b": {},\n    "c": [\n        1,\n        "x",\n        null,\n        true\n    ]\n}`,
    );
  });

  it("a raw value is laid out like json.RawMessage under MarshalIndent, strings and numbers byte for byte", () => {
    const raw = Buffer.concat([Buffer.from(`{"a" :[1 , 123456789012345678901234567890,{ }],"b":"x`), Buffer.from([0xff]), Buffer.from(`\\"y"}`)]);
    const out = concatPieces(reindent(raw, "    ", GO_STYLE));
    expect(out).toEqual(
      Buffer.concat([
        Buffer.from(`{\n        "a": [\n            1,\n            123456789012345678901234567890,\n            {}\n        ],\n        "b": "x`),
        Buffer.from([0xff]),
        Buffer.from(`\\"y"\n    }`),
      ]),
    );
    expect(marshalIndent({ r: new RawJson(Buffer.from(`[ ]`)) })).toBe(`{\n    "r": []\n}`);
  });

  it("a raw value deeper than 64 levels is copied as it is (its MarshalIndent layout would be quadratic)", () => {
    const deep = Buffer.from(nested(10_000));
    expect(concatPieces(reindent(deep, "", GO_STYLE))).toEqual(deep);
  });

  it("RawJson equality ignores whitespace between tokens only", () => {
    const a = new RawJson(Buffer.from(`{ "a" : [1, "x y"] }`));
    expect(a.equals(new RawJson(Buffer.from(`{"a":[1,"x y"]}`)))).toBe(true);
    expect(a.equals(new RawJson(Buffer.from(`{"a":[1,"xy"]}`)))).toBe(false);
    expect(compactJson(Buffer.from(` [ "\\" ", 1 ] `)).toString()).toBe(`["\\" ",1]`);
  });
});

describe("Go times", () => {
  it("times: zero, null and empty are zero; fractional offsets parse", () => {
    expect(isZeroTime(GO_ZERO_TIME)).toBe(true);
    expect(isZeroTime("0001-01-01T00:00:00+00:00")).toBe(true);
    expect(isZeroTime(null)).toBe(true);
    expect(isZeroTime("")).toBe(true);
    expect(parseGoTime("2026-05-22T10:15:30.123456789-07:00")?.toISOString()).toBe("2026-05-22T17:15:30.123Z");
    expect(parseGoTime(GO_ZERO_TIME)).toBeUndefined();
  });

  it.each([
    ["2026-05-22T17:15:30Z", Date.UTC(2026, 4, 22, 17, 15, 30)],
    ["2026-05-22T17:15:30.5+02:00", Date.UTC(2026, 4, 22, 15, 15, 30, 500)],
    ["2026-05-22T17:15:30,25Z", Date.UTC(2026, 4, 22, 17, 15, 30, 250)], // Go accepts a comma
    ["2026-05-22T7:15:30Z", Date.UTC(2026, 4, 22, 7, 15, 30)], // and a 1-digit hour (time.Parse's "15")
    ["2026-05-22T17:15:30.1234567891234Z", Date.UTC(2026, 4, 22, 17, 15, 30, 123)], // and >9 digits
    ["2024-02-29T00:00:00Z", Date.UTC(2024, 1, 29)],
    ["0099-01-01T00:00:00Z", new Date(0).setUTCFullYear(99, 0, 1)],
  ])("Go reads %s", (s, ms) => {
    expect(goTimeMs(s)).toBe(ms);
  });

  it.each([
    "2030-01-01 00:00:00Z",
    "2030-01-01T00:00:00",
    "2030-01-01t00:00:00z",
    "2025-02-29T00:00:00Z",
    "2030-13-01T00:00:00Z",
    "2030-01-01T24:00:00Z",
    "2030-01-01T00:60:00Z",
    "2030-01-01T00:00:60Z",
    "2030-01-01T00:00:00+2500",
    "+12030-01-01T00:00:00Z",
    "",
  ])("Go refuses %j", (s) => {
    expect(goTimeMs(s)).toBeUndefined();
    expect(isRfc3339(s)).toBe(false);
  });

  it("we write only the canonical form", () => {
    expect(isRfc3339("2026-05-22T17:15:30.123Z")).toBe(true);
    expect(isRfc3339("2026-05-22T17:15:30.123456789-07:00")).toBe(true);
    expect(isRfc3339("2026-05-22T7:15:30Z")).toBe(false);
    expect(isRfc3339("2026-05-22T17:15:30.1234567891Z")).toBe(false);
  });
});
