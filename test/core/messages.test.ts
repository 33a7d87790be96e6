import { describe, expect, it } from "vitest";
import { claimBlock, loginRequiredBlock, logoutNotice, reminderLine, signupLines } from "../../src/core/messages.js";
import { NOW, closedClaim, expired, fresh, openClaim } from "./fixtures.js";

describe("messages", () => {
  it("the signup's three lines", () => {
    expect(signupLines("https://app.pulumi.com/claim/t")).toBe(
      "pulumi: created an agent account on Pulumi Cloud so this work persists.\nClaim within 30 days to take ownership.\nhttps://app.pulumi.com/claim/t\n",
    );
  });
  it("the reminder line", () => {
    expect(reminderLine(fresh, openClaim, NOW)).toBe(`pulumi-agent: using agent account agent-1 (write access for 10h; claim within 20d): ${openClaim.claimUrl}\n`);
  });
  it("the claim block while access lasts, then while only the claim does, then nothing", () => {
    expect(claimBlock(fresh, openClaim, NOW).split("\n").slice(0, 3)).toEqual(["PULUMI_EPHEMERAL_AGENT_ACCOUNT", `CLAIM_URL=${openClaim.claimUrl}`, "EPHEMERAL_ACCOUNT_ACCESS_EXPIRES_IN=10h"]);
    expect(claimBlock(expired, openClaim, NOW)).toContain("CLAIM_URL_VALID_FOR=20d");
    expect(claimBlock(expired, closedClaim, NOW)).toBe("");
  });
  it("the login-required block", () => {
    expect(loginRequiredBlock({ reason: "token-rejected", tokenExpiresAt: fresh.expiresAt, now: NOW })).toContain("even though local access had not expired");
    expect(loginRequiredBlock({ reason: "claim-unavailable", now: NOW })).not.toContain("EPHEMERAL_ACCOUNT_ACCESS_EXPIRES_IN");
  });
  it("the logout notice keeps the link and says where it stays", () => {
    const text = logoutNotice(openClaim, "/tmp/.pulumi/agent-claim-history.json", NOW);
    expect(text).toContain(openClaim.claimUrl);
    expect(text).toContain("claim it within 20d");
    expect(text).toContain("/tmp/.pulumi/agent-claim-history.json");
    expect(logoutNotice(closedClaim, "h", NOW)).toContain("its claim window is over");
  });
});
