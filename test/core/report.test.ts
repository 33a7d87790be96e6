import { describe, expect, it } from "vitest";
import { accountReport, diyReport, earlierClaims } from "../../src/core/report.js";
import { CLOUD, D, DEFAULT_DIR, NOW, SHARED_DIR, closedClaim, expired, fresh, human, iso, openClaim } from "./fixtures.js";

const backend = { url: CLOUD, source: "PULUMI_BACKEND_URL" as const, isDiy: false };

describe("accountReport", () => {
  it("an agent account in the shared folder: phase, times, claim, and the env pulumi needs", () => {
    const r = accountReport(backend, { kind: "account", refresh: false, found: { location: "shared", dir: SHARED_DIR, account: { ...fresh, refreshToken: "r" }, claim: openClaim, isAgent: true } }, NOW);
    expect(r).toMatchObject({
      credentials: "agent-account",
      isAgentAccount: true,
      needsAccount: true,
      username: "agent-1",
      phase: "active",
      accessExpiresIn: "10h",
      refreshes: true,
      claimUrl: openClaim.claimUrl,
      claimValidFor: "20d",
      childEnv: { PULUMI_CREDENTIALS_PATH: SHARED_DIR },
      storage: { location: "shared", credentialsPath: `${SHARED_DIR}/credentials.json`, claimPath: `${SHARED_DIR}/agent-claim.json` },
    });
  });
  it("a human login: no phase, no claim", () => {
    const r = accountReport(backend, { kind: "account", refresh: false, found: { location: "default", dir: DEFAULT_DIR, account: human, claim: undefined, isAgent: false } }, NOW);
    expect(r).toMatchObject({ credentials: "login", isAgentAccount: false, phase: undefined, claimUrl: undefined, childEnv: {} });
  });
  it("an expired agent account is read-only", () => {
    const r = accountReport(backend, { kind: "agent-expired", found: { location: "default", dir: DEFAULT_DIR, account: expired, claim: openClaim, isAgent: true } }, NOW);
    expect(r).toMatchObject({ phase: "read-only", accessExpiresIn: "expired" });
  });
  it("a DIY backend needs no account", () => {
    expect(diyReport({ url: "file:///state", source: "PULUMI_BACKEND_URL", isDiy: true })).toMatchObject({ needsAccount: false, credentials: "not-needed", problem: expect.stringContaining("needs no Pulumi Cloud account") });
  });
});

describe("earlierClaims", () => {
  it("open claims other than the current one, each once", () => {
    const other = { ...openClaim, claimUrl: "https://app.pulumi.com/claim/other" };
    const list = earlierClaims([other, openClaim, other, closedClaim, { ...openClaim, claimUrl: "https://app.pulumi.com/claim/old", validUntil: iso(NOW - D) }], openClaim.claimUrl, NOW);
    expect(list).toEqual([{ claimUrl: other.claimUrl, validUntil: other.validUntil, cloudUrl: CLOUD }]);
  });
});
