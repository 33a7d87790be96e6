import { describe, expect, it } from "vitest";
import { liveClaimRows, renderReport } from "../../../src/cli/account/render.js";
import type { AccountReport } from "../../../src/core/report.js";

const report: AccountReport = {
  cloudUrl: "https://api.pulumi.com",
  backendSource: "default",
  needsAccount: true,
  credentials: "agent-account",
  isAgentAccount: true,
  username: "agent-1",
  childEnv: {},
  phase: "active",
  accessExpiresIn: "10h",
  refreshes: true,
  claimUrl: "https://app.pulumi.com/claim/t",
  claimValidFor: "20d",
};

describe("renderReport", () => {
  it("one aligned table, the service's answer among the rows", () => {
    const details = { agent: { login: "agent-1", orgName: "agent-1", createdAt: "2026-12-01T00:00:00.000Z" }, inventory: [{ kind: "stack", name: "web/dev" }], conflicts: [], failures: [], claimExpiresAt: "2026-12-31T00:00:00.000Z" };
    const lines = renderReport(report, liveClaimRows("claimable", details)).trimEnd().split("\n");
    const col = lines[0]!.indexOf("https://");
    for (const l of lines) expect(l.length).toBeGreaterThan(col);
    expect(lines.every((l) => /^\S[^:]*: +\S/.test(l) && l.slice(0, col).trimEnd().endsWith(":"))).toBe(true);
    const row = (key: string) => lines.find((l) => l.startsWith(`${key}:`))?.slice(col);
    expect(row("Inventory")).toBe("stack web/dev");
    expect(row("Agent org")).toBe("agent-1 (created 2026-12-01T00:00:00.000Z)");
    expect(row("Access")).toBe("expires in 10h (renewed automatically before it expires)");
  });
  it("what a DIY backend and an unanswered claim look like", () => {
    expect(renderReport({ ...report, needsAccount: false, credentials: "not-needed", cloudUrl: "file:///state" })).toContain("none needed");
    expect(liveClaimRows("unknown", undefined)).toEqual([["Claimable", "unknown (Pulumi Cloud did not answer)"]]);
    expect(liveClaimRows(undefined, undefined)).toEqual([]);
  });
});
