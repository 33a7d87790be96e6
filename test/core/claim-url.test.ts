import { describe, expect, it } from "vitest";
import { claimUrlFor, goEscapePath, goPathClean, goPathJoin, hasConsoleFor } from "../../src/core/claim-url.js";

// The Go CLI's own results (docs/compatibility.md#claim-url): both tools must show the same link.
describe("claimUrlFor", () => {
  it.each([
    ["https://api.pulumi.com", undefined, "https://app.pulumi.com/claim/abc123"],
    ["https://api.pulumi.com/", undefined, "https://app.pulumi.com/claim/abc123"],
    ["http://api.example.com:8443", undefined, "http://app.example.com:8443/claim/abc123"],
    ["https://api.pulumi.com/base?x=1#f", undefined, "https://app.pulumi.com/claim/abc123?x=1#f"],
    ["https://API.pulumi.com", undefined, ""],
    ["https://pulumi.example.com", undefined, ""],
    ["http://127.0.0.1:8080", undefined, ""],
    ["http://localhost:8080", undefined, "http://localhost:3000/claim/abc123"],
    ["https://pulumi.corp.example", "console.corp.example:9443", "https://console.corp.example:9443/claim/abc123"],
    ["HTTPS://api.pulumi.com", undefined, "https://app.pulumi.com/claim/abc123"],
    ["not a url", undefined, ""],
  ])("%s (console %s) → %s", (api, consoleDomain, expected) => {
    expect(claimUrlFor(api, "abc123", consoleDomain)).toBe(expected);
  });

  it.each([
    // Go's url.URL.String() keeps + = $ & , ; : @ in a path and escapes ! * ' ( ), space, ?, % and non-ASCII.
    ["a+b=", "https://app.pulumi.com/claim/a+b="],
    ["a!b", "https://app.pulumi.com/claim/a%21b"],
    ["$&,;:@", "https://app.pulumi.com/claim/$&,;:@"],
    ["*'()", "https://app.pulumi.com/claim/%2A%27%28%29"],
    ["a b?c%d", "https://app.pulumi.com/claim/a%20b%3Fc%25d"],
    ["é~_-.", "https://app.pulumi.com/claim/%C3%A9~_-."],
    // path.Join("claim", token) splits and cleans: the Go CLI builds exactly these links.
    ["a/b", "https://app.pulumi.com/claim/a/b"],
    ["a/../b", "https://app.pulumi.com/claim/b"],
    ["..", "https://app.pulumi.com/."],
    ["../../x", "https://app.pulumi.com/../x"], // Clean keeps a leading .. of a relative path
  ])("token %j → %s", (token, url) => {
    expect(claimUrlFor("https://api.pulumi.com", token)).toBe(url);
  });

  it("blank token → no URL", () => {
    expect(claimUrlFor("https://api.pulumi.com", "  ")).toBe("");
  });
  it("knows before a signup whether a link can be built", () => {
    expect(hasConsoleFor("https://api.pulumi.com")).toBe(true);
    expect(hasConsoleFor("http://127.0.0.1:8080")).toBe(false);
    expect(hasConsoleFor("http://127.0.0.1:8080", "127.0.0.1:8080")).toBe(true);
  });
});

describe("Go's path functions", () => {
  it.each([
    ["", "."],
    ["a//b/./c/..", "a/b"],
    ["/../a", "/a"],
    ["../a", "../a"],
    ["a/../..", ".."],
    ["/", "/"],
  ])("path.Clean(%j) = %j", (p, clean) => expect(goPathClean(p)).toBe(clean));
  it("path.Join skips empty elements", () => {
    expect(goPathJoin("claim", "")).toBe("claim");
    expect(goPathJoin("", "")).toBe("");
  });
  it("escapes every byte outside the path-safe set", () => {
    expect(goEscapePath("/claim/\u{1F600}")).toBe("/claim/%F0%9F%98%80");
  });
});
