// Server text in our messages: one short printable line, no markup, no token.
import { describe, expect, it } from "vitest";
import { EXCERPT_CHARS, excerpt } from "../../src/cloud/excerpt.js";

describe("excerpt", () => {
  it("an HTML page becomes its title, or its text without tags", () => {
    const page = `<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>body{color:red}</style></head><body>${"<p>filler</p>".repeat(500)}</body></html>`;
    expect(excerpt(page)).toBe("502 Bad Gateway");
    expect(excerpt("<html><body><h1>Not &amp; Found</h1><script>alert(1)</script></body></html>")).toBe("Not & Found");
  });

  it("long text is cut to one line of at most EXCERPT_CHARS characters", () => {
    const out = excerpt(`first line\nsecond\tline ${"word ".repeat(200)}`);
    expect(out.startsWith("first line second line word")).toBe(true);
    expect([...out].length).toBeLessThanOrEqual(EXCERPT_CHARS);
    expect(out.endsWith("…")).toBe(true);
    expect(out).not.toMatch(/[\n\t]/);
    // whole code points: no lone surrogate at the cut
    expect(excerpt("😀".repeat(200))).toBe(`${"😀".repeat(EXCERPT_CHARS - 1)}…`);
  });

  it("control characters, terminal escapes and bidi overrides are removed", () => {
    expect(excerpt("red \u001b[31mALERT\u001b[0m \u202eevil\u0007 \u0085x\u2028y")).toBe("red [31mALERT [0m evil x y");
  });

  it("tokens we sent and token-shaped strings are redacted", () => {
    const secret = "s3cr3t-claim-token";
    expect(excerpt(`no such claim: ${secret}`, [secret])).toBe("no such claim: [redacted]");
    expect(excerpt("Authorization: token pul-0123456789abcdef")).toBe("Authorization: token [redacted]");
    expect(excerpt("bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig")).toBe("bearer [redacted]");
  });

  it("empty stays empty", () => {
    expect(excerpt("")).toBe("");
    expect(excerpt(" \n\t ")).toBe("");
  });
});

describe("excerpt secrets", () => {
  it("a secret too short to be a token does not shred the text", () => {
    expect(excerpt("https://host/api/user", ["t", "ab"])).toBe("https://host/api/user");
    expect(excerpt("value abcdef here", ["abcdef"])).toBe("value [redacted] here");
  });
});
