// The byte-level JSON scanner: exactly what Go's encoding/json accepts, with the spans edits need.
import { describe, expect, it } from "vitest";
import { JsonSyntaxError, MAX_NESTING_DEPTH, parseJson, stringValue, type JsonObject, type JsonString } from "../../src/store/json.js";
import { nested } from "../support/store-fixtures.js";

const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))));

function syntaxError(input: string | Buffer): JsonSyntaxError {
  try {
    parseJson(typeof input === "string" ? Buffer.from(input, "utf8") : input);
  } catch (e) {
    expect(e).toBeInstanceOf(JsonSyntaxError);
    return e as JsonSyntaxError;
  }
  throw new Error("expected a syntax error");
}

/** The decoded value of a one-string document. */
function decoded(input: Buffer): string {
  const doc = parseJson(input);
  return stringValue(doc, doc.root as JsonString);
}

describe("parseJson", () => {
  it("keeps the span of every key and value, and every duplicate key in order", () => {
    const text = `{ "a" : [1, "x"], "a": null }`;
    const doc = parseJson(Buffer.from(text));
    const root = doc.root as JsonObject;
    expect(root.members.map((m) => [m.key, text.slice(m.keyStart, m.keyEnd), text.slice(m.value.start, m.value.end)])).toEqual([
      ["a", `"a"`, `[1, "x"]`],
      ["a", `"a"`, "null"],
    ]);
    expect([root.start, root.end]).toEqual([0, text.length]);
  });

  it.each([
    ["empty input", "", /no JSON value/],
    ["whitespace only", " \r\n\t", /only whitespace/],
    ["a byte order mark (Go: invalid character 'ï')", "\ufeff{}", /byte order mark/],
    ["a form feed (not JSON whitespace)", "{\f}", /unexpected character/],
    ["a no-break space", "{\u00a0}", /unexpected character/],
    ["a trailing comma", `{"a": 1,}`, /unexpected character/],
    ["a single-quoted string", `{'a': 1}`, /unexpected character/],
    ["data after the value", `{} {}`, /data after the top-level value/],
    ["a truncated object", `{"a": `, /truncated/],
    ["a raw newline in a string", `"a\nb"`, /control character inside a string/],
    ["an invalid escape", `"\\x41"`, /invalid escape/],
    ["a short \\u escape", `"\\u12"`, /invalid \\u escape/],
    ["NaN", `NaN`, /unexpected character/],
  ])("refuses %s", (_name, input, reason) => {
    expect(syntaxError(input).message).toMatch(reason);
  });

  it.each(["0", "-0", "1e5", "1.5E+3", "-12.25e-2", "123456789012345678901234567890"])("accepts the number %s", (n) => {
    expect(parseJson(Buffer.from(n)).root.type).toBe("number");
  });

  it.each(["01", "-", "1.", ".5", "+1", "1e", "1e+", "0x10", "Infinity"])("refuses the number %s", (n) => {
    syntaxError(n);
  });

  it("says where the error is without quoting the content", () => {
    const e = syntaxError(`{\n  "token": "pul-SECRET",\n  oops\n}`);
    expect(e.message).toBe("invalid JSON at line 3, column 3: unexpected character");
    expect([e.line, e.column, e.offset]).toEqual([3, 3, 29]);
  });

  it(`nesting: ${MAX_NESTING_DEPTH} containers are fine, one more is Go's "exceeded max depth", a million is no RangeError`, () => {
    expect(parseJson(Buffer.from(nested(MAX_NESTING_DEPTH))).root.type).toBe("array");
    expect(parseJson(Buffer.from(nested(MAX_NESTING_DEPTH - 1, "{}"))).root.type).toBe("array");
    expect(syntaxError(nested(MAX_NESTING_DEPTH + 1)).message).toMatch(/nesting deeper than 10000 levels/);
    expect(syntaxError(nested(MAX_NESTING_DEPTH, "{}")).message).toMatch(/nesting deeper/);
    expect(syntaxError("[".repeat(1_000_000)).message).toMatch(/nesting deeper/);
  });

  it("accepts any byte >= 0x20 in a string (invalid UTF-8, DEL), as Go does", () => {
    expect(parseJson(bytes(`"`, [0xff, 0x7f, 0xc0, 0xaf], `"`)).root.type).toBe("string");
  });
});

describe("string decoding (Go's unquote)", () => {
  it.each([
    ["a truncated 3-byte sequence: one U+FFFD per byte", [0xe2, 0x82, 0x41], "\ufffd\ufffdA"],
    ["an overlong encoding", [0xc0, 0xaf], "\ufffd\ufffd"],
    ["an encoded surrogate", [0xed, 0xa0, 0x80], "\ufffd\ufffd\ufffd"],
    ["a code point above U+10FFFF", [0xf4, 0x90, 0x80, 0x80], "\ufffd\ufffd\ufffd\ufffd"],
    ["a lone continuation byte", [0x80], "\ufffd"],
    ["valid 2-, 3- and 4-byte sequences", [0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80], "é€😀"],
  ])("%s", (_name, raw, expected) => {
    expect(decoded(bytes(`"`, raw, `"`))).toBe(expected);
  });

  it("escapes: a surrogate pair joins, a lone surrogate is U+FFFD, the rest as JSON says", () => {
    expect(decoded(Buffer.from(`"\\ud83d\\ude00"`))).toBe("😀");
    expect(decoded(Buffer.from(`"\\ud800\\u0041"`))).toBe("\ufffdA");
    expect(decoded(Buffer.from(`"\\udc00x"`))).toBe("\ufffdx");
    expect(decoded(Buffer.from(`"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9"`))).toBe(`"\\/\b\f\n\r\té`);
  });
});
