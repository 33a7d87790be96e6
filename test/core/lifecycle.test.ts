import { describe, expect, it } from "vitest";
import { accountPhase, formatValidFor, isClaimOpen, isTokenExpired, isTokenExpiring, parseTime } from "../../src/core/lifecycle.js";
import { D, H, NOW, claimedClaim, closedClaim, expired, expiring, fresh, iso, openClaim } from "./fixtures.js";

describe("phases", () => {
  it.each([
    [fresh, openClaim, "active"],
    [expired, openClaim, "read-only"],
    [expired, closedClaim, "locked"],
    [fresh, claimedClaim, "claimed"],
    [expired, { ...openClaim, validUntil: "0001-01-01T00:00:00Z" }, "locked"],
    [{ ...expired, refreshToken: "r" }, openClaim, "active"],
    [{ ...expired, refreshToken: "r" }, closedClaim, "locked"],
  ])("phase of %j with %j is %s", (account, claim, phase) => {
    expect(accountPhase(account, claim, NOW)).toBe(phase);
  });
});

describe("times", () => {
  it.each([
    [undefined, undefined],
    ["", undefined],
    ["0001-01-01T00:00:00Z", undefined],
    ["garbage", undefined],
    ["2026-11-22T12:00:00Z", NOW],
    ["2026-11-22T13:00:00+01:00", NOW],
  ])("parseTime(%j) = %s", (s, ms) => {
    expect(parseTime(s)).toBe(ms);
  });
  it("expiry and the refresh margin", () => {
    expect(isTokenExpired(expired, NOW)).toBe(true);
    expect(isTokenExpired(fresh, NOW)).toBe(false);
    expect(isTokenExpired({ accessToken: "x" }, NOW)).toBe(false); // no expiry: never expires locally
    expect(isTokenExpiring(expiring, NOW)).toBe(true);
    expect(isTokenExpiring(fresh, NOW)).toBe(false);
    expect(isTokenExpiring({ ...fresh, expiresAt: iso(NOW + 6 * 60_000) }, NOW)).toBe(false);
  });
  it("a claim is open only with a future validUntil and no unavailable mark", () => {
    expect(isClaimOpen(openClaim, NOW)).toBe(true);
    expect(isClaimOpen(closedClaim, NOW)).toBe(false);
    expect(isClaimOpen(claimedClaim, NOW)).toBe(false);
    expect(isClaimOpen({ ...openClaim, validUntil: "0001-01-01T00:00:00Z" }, NOW)).toBe(false);
    expect(isClaimOpen(undefined, NOW)).toBe(false);
  });
});

// The Go CLI's duration format (docs/compatibility.md#duration-format).
describe("formatValidFor", () => {
  it.each([
    [3 * D + 4 * H + 10 * 60_000 + 30_000, "3d4h10m"],
    [2 * H, "2h"],
    [30_000, "<1m"],
    [-60_000, "expired"],
    [0, "expired"],
    [D + 5 * 60_000, "1d5m"],
    [2 * D + 3 * H + 9 * 60_000, "2d3h9m"],
  ])("+%d ms → %s", (delta, text) => {
    expect(formatValidFor(NOW + delta, NOW)).toBe(text);
  });
  it("no time is expired", () => expect(formatValidFor(undefined, NOW)).toBe("expired"));
});
