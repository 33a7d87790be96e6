import { describe, expect, it } from "vitest";
import { decideCredentials, decideStage1, type CredentialState, type CredsView } from "../src/core/decide.js";
import { accountPhase, formatValidFor } from "../src/core/lifecycle.js";
import { claimUrlFor } from "../src/claim/url.js";

const NOW = Date.parse("2026-11-22T12:00:00Z");
const H = 3600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const URL_ = "https://api.pulumi.com";

const fresh = { accessToken: "pul-a", username: "agent-1", expiresAt: iso(NOW + 10 * H) };
const expired = { accessToken: "pul-a", username: "agent-1", expiresAt: iso(NOW - H) };
const human = { accessToken: "pul-human", username: "alice" };
const openClaim = { claimUrl: "https://app.pulumi.com/claim/t", claimToken: "t", validUntil: iso(NOW + 20 * 24 * H), cloudUrl: URL_ };
const closedClaim = { ...openClaim, validUntil: iso(NOW - H) };
const claimedClaim = { ...openClaim, claimUnavailableAt: iso(NOW - H) };

function state(over: Partial<CredentialState>): CredentialState {
  return {
    cloudUrl: URL_,
    now: NOW,
    envToken: undefined,
    defaultExplicit: false,
    defaultDir: "/home/u/.pulumi",
    defaultCreds: { kind: "missing" },
    defaultClaim: undefined,
    sharedDir: "/tmp/.pulumi",
    sharedCreds: { kind: "missing" },
    sharedClaim: undefined,
    ...over,
  };
}
const ok = (account: object | undefined): CredsView => ({ kind: "ok", account });

describe("decideStage1", () => {
  it("humans pass through before anything else is looked at", () => {
    expect(decideStage1(["up"], { isAgent: false }).kind).toBe("passthrough");
  });
  it("agents pass through for local commands", () => {
    expect(decideStage1(["version"], { isAgent: true, name: "codex" }).kind).toBe("passthrough");
  });
  it("agents resolve credentials for cloud commands", () => {
    expect(decideStage1(["up"], { isAgent: true, name: "codex" }).kind).toBe("resolve");
  });
});

describe("decideCredentials", () => {
  it.each<[string, Partial<CredentialState>, string, Record<string, unknown>?]>([
    ["env token wins over everything", { envToken: "pul-env", defaultCreds: { kind: "corrupt", error: "x" } }, "use-env-token"],
    ["valid default login is used", { defaultCreds: ok(human) }, "use-account", { location: "default" }],
    ["our agent account in the default dir", { defaultCreds: ok(fresh), defaultClaim: openClaim }, "use-account", { location: "default" }],
    ["expired human login is never replaced", { defaultCreds: ok({ ...human, expiresAt: iso(NOW - H) }) }, "use-account", { location: "default" }],
    ["an expired token with a refresh token is still usable (pulumi refreshes it)", { defaultCreds: ok({ ...expired, refreshToken: "r" }), defaultClaim: openClaim }, "use-account"],
    ["shared account is reused", { sharedCreds: ok(fresh), sharedClaim: openClaim }, "use-account", { location: "shared", dir: "/tmp/.pulumi" }],
    ["default wins over shared", { defaultCreds: ok(human), sharedCreds: ok(fresh) }, "use-account", { location: "default" }],
    ["nothing → signup in default or shared", {}, "signup", { allowedLocations: ["default", "shared"] }],
    ["empty default file under explicit path → shared only", { defaultExplicit: true, defaultCreds: { kind: "empty-file" } }, "signup", { allowedLocations: ["shared"] }],
    ["empty default file without explicit path → default ok", { defaultCreds: { kind: "empty-file" } }, "signup", { allowedLocations: ["default", "shared"] }],
    ["corrupt shared file is not overwritten", { sharedCreds: { kind: "corrupt", error: "bad" } }, "signup", { allowedLocations: ["default"] }],
    ["corrupt default file is an error", { defaultCreds: { kind: "corrupt", error: "bad json" } }, "error", { reason: "corrupt" }],
    ["encrypted default file defers to pulumi", { defaultCreds: { kind: "encrypted" } }, "defer-to-pulumi"],
    ["expired agent, claim open → no re-signup", { defaultCreds: ok(expired), defaultClaim: openClaim }, "agent-expired", { location: "default" }],
    ["expired agent, claimed → no re-signup", { sharedCreds: ok(expired), sharedClaim: claimedClaim }, "agent-expired", { location: "shared" }],
    ["expired agent, claim window over → new signup", { defaultCreds: ok(expired), defaultClaim: closedClaim }, "signup"],
    ["expired shared agent without claim → new signup", { sharedCreds: ok(expired) }, "signup"],
    ["claim for another cloud does not mark an account as ours", { defaultCreds: ok(expired), defaultClaim: { ...openClaim, cloudUrl: "https://api.other.example" } }, "use-account"],
    ["account for another URL does not count", { defaultCreds: ok(undefined) }, "signup"],
  ])("%s", (_name, over, kind, fields) => {
    const action = decideCredentials(state(over));
    expect(action.kind).toBe(kind);
    if (fields) expect(action).toMatchObject(fields);
  });

  it("a signup after expiry remembers what expired (for the last claim-link notice)", () => {
    const a = decideCredentials(state({ defaultCreds: ok(expired), defaultClaim: closedClaim }));
    expect(a).toMatchObject({ kind: "signup", expired: { location: "default", claim: closedClaim } });
  });
});

describe("lifecycle", () => {
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

  // reference §4.4
  it.each([
    [3 * 24 * H + 4 * H + 10 * 60_000 + 30_000, "3d4h10m"],
    [2 * H, "2h"],
    [30_000, "<1m"],
    [-60_000, "expired"],
    [0, "expired"],
    [24 * H + 5 * 60_000, "1d5m"],
    [2 * 24 * H + 3 * H + 9 * 60_000, "2d3h9m"],
  ])("formatValidFor(+%d ms) = %s", (delta, text) => {
    expect(formatValidFor(NOW + delta, NOW)).toBe(text);
  });
});

describe("claimUrlFor (reference §5)", () => {
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
  ])("%s (console %s) → %s", (api, consoleDomain, expected) => {
    expect(claimUrlFor(api, "abc123", consoleDomain)).toBe(expected);
  });
  it("escapes tokens that would change the path", () => {
    expect(claimUrlFor("https://api.pulumi.com", "a/../b")).toBe("https://app.pulumi.com/claim/a%2F..%2Fb");
  });
  it("blank token → no URL", () => {
    expect(claimUrlFor("https://api.pulumi.com", "  ")).toBe("");
  });
});
