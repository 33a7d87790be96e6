// What `account status`/`bootstrap` report: one plain object, rendered as text or JSON.
import type { Resolution } from "./resolve.js";
import { accountPhase, formatValidFor, parseTime, type Phase } from "../core/lifecycle.js";
import { credentialsFilePath, claimFilePath } from "../store/paths.js";

export interface AccountReport {
  cloudUrl: string;
  backendSource: string;
  credentials: "PULUMI_ACCESS_TOKEN" | "agent-account" | "login" | "none" | "encrypted" | "error";
  username?: string | undefined;
  organizations?: string[] | undefined;
  isAgentAccount: boolean;
  storage?: { location: "default" | "shared"; credentialsPath: string; claimPath?: string | undefined } | undefined;
  /** Env the pulumi child needs to find the account (set by the wrapper automatically). */
  childEnv: Record<string, string>;
  phase?: Phase | undefined;
  accessExpiresAt?: string | undefined;
  accessExpiresIn?: string | undefined;
  claimUrl?: string | undefined;
  claimExpiresAt?: string | undefined;
  claimValidFor?: string | undefined;
  problem?: string | undefined;
  /** Claim links of earlier agent accounts that can still be claimed. */
  earlierClaims?: Array<{ claimUrl: string; validUntil: string; cloudUrl: string }> | undefined;
}

export function reportFrom(res: Resolution, now = Date.now()): AccountReport {
  const base = { cloudUrl: res.backend.url, backendSource: res.backend.source, childEnv: {} as Record<string, string>, isAgentAccount: false };
  const a = res.action;
  switch (a.kind) {
    case "use-env-token":
      return { ...base, credentials: "PULUMI_ACCESS_TOKEN" };
    case "defer-to-pulumi":
      return { ...base, credentials: "encrypted", problem: a.reason };
    case "error":
      return { ...base, credentials: "error", problem: `${a.path}: ${a.message}` };
    case "signup":
      return { ...base, credentials: "none", problem: a.reason };
    case "use-account":
    case "agent-expired": {
      const claim = a.claim;
      const claimUntil = parseTime(claim?.validUntil);
      return {
        ...base,
        credentials: claim ? "agent-account" : "login",
        isAgentAccount: Boolean(claim),
        username: a.account.username,
        organizations: a.account.organizations,
        storage: {
          location: a.location,
          credentialsPath: credentialsFilePath(a.dir),
          claimPath: claim ? claimFilePath(a.dir) : undefined,
        },
        childEnv: a.location === "shared" ? { PULUMI_CREDENTIALS_PATH: a.dir } : {},
        phase: claim ? accountPhase(a.account, claim, now) : undefined,
        accessExpiresAt: a.account.expiresAt,
        accessExpiresIn: a.account.expiresAt ? formatValidFor(parseTime(a.account.expiresAt), now) : undefined,
        claimUrl: claim?.claimUrl,
        claimExpiresAt: claim?.validUntil,
        claimValidFor: claim ? formatValidFor(claimUntil, now) : undefined,
      };
    }
  }
}

const PHASE_TEXT: Record<Phase, string> = {
  active: "active (write access)",
  "read-only": "read-only (access expired; the claim link still works)",
  locked: "locked (the claim window is over)",
  claimed: "claimed or no longer claimable (run `pulumi login`)",
};

export function renderReport(r: AccountReport): string {
  const rows: [string, string][] = [["Pulumi Cloud", `${r.cloudUrl} (from ${r.backendSource})`]];
  switch (r.credentials) {
    case "PULUMI_ACCESS_TOKEN":
      rows.push(["Credentials", "PULUMI_ACCESS_TOKEN from the environment"]);
      break;
    case "none":
      rows.push(["Credentials", "none; the next agent run that needs Pulumi Cloud creates an agent account"]);
      break;
    case "encrypted":
    case "error":
      rows.push(["Credentials", r.problem ?? r.credentials]);
      break;
    default:
      rows.push(["Login", `${r.username ?? "(unknown)"}${r.isAgentAccount ? " (agent account)" : ""}`]);
      if (r.organizations?.length) rows.push(["Organizations", r.organizations.join(", ")]);
      if (r.storage) rows.push(["Stored in", r.storage.credentialsPath]);
      if (r.phase) rows.push(["Phase", PHASE_TEXT[r.phase]]);
      if (r.accessExpiresIn) rows.push(["Access", r.accessExpiresIn === "expired" ? "expired" : `expires in ${r.accessExpiresIn}`]);
      if (r.claimUrl) rows.push(["Claim link", r.claimUrl], ["Claim window", r.claimValidFor === "expired" ? "over" : `closes in ${r.claimValidFor}`]);
  }
  for (const c of r.earlierClaims ?? []) rows.push(["Earlier claim", `${c.claimUrl} (${c.cloudUrl}, until ${c.validUntil})`]);
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  return rows.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`).join("\n") + "\n";
}
