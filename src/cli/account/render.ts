// The text form of an account report (`account status`, `account bootstrap`).
import type { AccountReport } from "../../core/report.js";
import type { Phase } from "../../core/lifecycle.js";
import type { AgentClaimResponse } from "../../cloud/protocol.js";
import type { ClaimCheck } from "../../core/plan.js";

const PHASE_TEXT: Record<Phase, string> = {
  active: "active (write access)",
  "read-only": "read-only (access expired; the claim link still works)",
  locked: "locked (the claim window is over)",
  claimed: "claimed or no longer claimable (run `pulumi login`)",
};

function table(rows: Array<[string, string]>): string {
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  return rows.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`).join("\n") + "\n";
}

export function renderReport(r: AccountReport, extra: Array<[string, string]> = []): string {
  const rows: Array<[string, string]> = [["Pulumi Cloud", `${r.cloudUrl} (from ${r.backendSource})`]];
  switch (r.credentials) {
    case "PULUMI_ACCESS_TOKEN":
      rows.push(["Credentials", "PULUMI_ACCESS_TOKEN from the environment"]);
      break;
    case "not-needed":
      rows[0] = ["Backend", `${r.cloudUrl} (from ${r.backendSource})`];
      rows.push(["Credentials", "none needed: a DIY backend keeps its state in your own storage, so no agent account is created"]);
      break;
    case "none":
      rows.push(["Credentials", "none; the next agent run that needs Pulumi Cloud creates an agent account"]);
      break;
    case "encrypted":
    case "error":
      rows.push(["Credentials", r.problem ?? r.credentials]);
      if (r.claimUrl) rows.push(["Claim link", r.claimUrl]);
      break;
    default:
      rows.push(["Login", `${r.username ?? "(unknown)"}${r.isAgentAccount ? " (agent account)" : ""}`]);
      if (r.organizations?.length) rows.push(["Organizations", r.organizations.join(", ")]);
      if (r.storage) rows.push(["Stored in", r.storage.credentialsPath]);
      if (r.phase) rows.push(["Phase", PHASE_TEXT[r.phase]]);
      if (r.accessExpiresIn) {
        const renews = r.refreshes ? " (renewed automatically before it expires)" : "";
        rows.push(["Access", r.accessExpiresIn === "expired" ? `expired${renews}` : `expires in ${r.accessExpiresIn}${renews}`]);
      }
      if (r.claimUrl) rows.push(["Claim link", r.claimUrl], ["Claim window", r.claimValidFor === "expired" ? "over" : `closes in ${r.claimValidFor}`]);
  }
  rows.push(...extra);
  for (const c of r.earlierClaims ?? []) rows.push(["Earlier claim", `${c.claimUrl} (${c.cloudUrl}, until ${c.validUntil})`]);
  return table(rows);
}

/** What the validate endpoint said about the claim, as rows of the `account status` table. */
export function liveClaimRows(check: ClaimCheck | undefined, details: AgentClaimResponse | undefined): Array<[string, string]> {
  if (details) {
    const inv = details.inventory;
    return [
      ["Agent org", `${details.agent.orgName} (created ${details.agent.createdAt})`],
      ["Inventory", inv.length ? inv.map((e) => `${e.kind} ${e.name}`).join(", ") : "(nothing yet)"],
    ];
  }
  if (check === "claimable") return [["Claimable", "yes"]];
  if (check === "unavailable") return [["Claimable", "no (already claimed, expired or revoked: run `pulumi login`)"]];
  if (check === "unknown") return [["Claimable", "unknown (Pulumi Cloud did not answer)"]];
  return [];
}

/** The JSON form of the live claim state. */
export function liveClaimJson(check: ClaimCheck | undefined, details: AgentClaimResponse | undefined): Record<string, unknown> | undefined {
  if (check === undefined) return undefined;
  if (details) return { claimable: true, agent: details.agent, inventory: details.inventory, claimExpiresAt: details.claimExpiresAt };
  return { claimable: check === "claimable" ? true : check === "unavailable" ? false : "unknown" };
}
