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
  it("redacts short secrets too, but only where they stand alone", () => {
    addSecret("abc");
    expect(redact("token abc in use")).toBe("token [redacted] in use");
    expect(redact("abc")).toBe("[redacted]");
    // a short secret does not garble the words that happen to contain it
    expect(redact("fabcd and abcdef")).toBe("fabcd and abcdef");
  });
  it("leaves prose that names a token field alone", () => {
    expect(redact("invalid refreshToken: expected a string")).toBe("invalid refreshToken: expected a string");
    expect(redact("grant_type=refresh_token&refresh_token=r-123")).toBe("grant_type=refresh_token&refresh_token=[redacted]");
  });
});
