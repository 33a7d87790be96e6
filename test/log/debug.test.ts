import { describe, expect, it } from "vitest";
import { addSecret, redact } from "../../src/log/debug.js";

describe("redact", () => {
  it("removes registered secrets whatever their format", () => {
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZ2VudCJ9.c2lnbmF0dXJl";
    expect(redact(`using ${jwt} now`)).toContain(jwt); // not token-shaped: only registration finds it
    addSecret(jwt);
    expect(redact(`using ${jwt} now`)).toBe("using [redacted] now");
  });
  it("removes token-shaped strings and token fields it never saw", () => {
    expect(redact("token pul-0123456789abcdef0123")).toBe("token [redacted]");
    expect(redact('{"accessToken": "abc.def", "x": 1}')).toBe('{"accessToken": "[redacted]", "x": 1}');
    expect(redact("Authorization: token secret-value")).toBe("Authorization: token [redacted]");
  });
  it("ignores values too short to be tokens", () => {
    addSecret("abc");
    expect(redact("abc")).toBe("abc");
  });
});
