// What `account status`, `account bootstrap` and the library report about the login pulumi will use:
// one plain object, built from the plan's facts, rendered as text or JSON by the CLI.
import type { BackendChoice, BackendSource } from "./backend.js";
import { childEnvFor, filesOf, type CredentialChoice, type Location } from "./credentials.js";
import { accountPhase, formatValidFor, isClaimOpen, parseTime, type ClaimView, type Phase } from "./lifecycle.js";

export type CredentialsKind = "PULUMI_ACCESS_TOKEN" | "agent-account" | "login" | "none" | "not-needed" | "encrypted" | "error";

export interface EarlierClaim {
  claimUrl: string;
  validUntil: string;
  cloudUrl: string;
}

export interface AccountReport {
  cloudUrl: string;
  backendSource: BackendSource;
  /** False for a DIY backend (file://, s3://, ...): it needs no Pulumi Cloud account at all. */
  needsAccount: boolean;
  credentials: CredentialsKind;
  username?: string | undefined;
  organizations?: string[] | undefined;
  isAgentAccount: boolean;
  storage?: { location: Location; credentialsPath: string; claimPath?: string | undefined } | undefined;
  /** Env the pulumi child needs to find the account (the wrapper sets it by itself). */
  childEnv: Record<string, string>;
  phase?: Phase | undefined;
  accessExpiresAt?: string | undefined;
  accessExpiresIn?: string | undefined;
  /** The account has a refresh token: pulumi-agent renews its access token before it expires. */
  refreshes?: boolean | undefined;
  claimUrl?: string | undefined;
  claimExpiresAt?: string | undefined;
  claimValidFor?: string | undefined;
  /** What is wrong, when nothing usable was found (or why nothing is needed). */
  problem?: string | undefined;
  /** Claim links of earlier agent accounts that can still be claimed. */
  earlierClaims?: EarlierClaim[] | undefined;
}

export function diyReport(backend: BackendChoice): AccountReport {
  return {
    cloudUrl: backend.url,
    backendSource: backend.source,
    needsAccount: false,
    credentials: "not-needed",
    isAgentAccount: false,
    childEnv: {},
    problem: `${backend.url} is a DIY backend (state in ${backend.url.split(":")[0]} storage): it needs no Pulumi Cloud account, and pulumi-agent creates none`,
  };
}

export function accountReport(backend: BackendChoice, choice: CredentialChoice, now: number): AccountReport {
  const base = { cloudUrl: backend.url, backendSource: backend.source, needsAccount: true, childEnv: {} as Record<string, string>, isAgentAccount: false };
  switch (choice.kind) {
    case "env-token":
      return { ...base, credentials: "PULUMI_ACCESS_TOKEN" };
    case "opaque":
      return { ...base, credentials: "encrypted", problem: `${choice.path}: ${choice.reason}` };
    case "unusable":
      return { ...base, credentials: "error", problem: `${choice.path}: ${choice.message}` };
    case "need-shared":
      return { ...base, credentials: "none", problem: "the shared agent folder was not read" };
    case "none":
      return { ...base, credentials: "none", problem: choice.replaces ? "the previous agent account and its claim window have expired" : "no Pulumi Cloud credentials found" };
    case "lost":
      return {
        ...base,
        credentials: "error",
        isAgentAccount: true,
        claimUrl: choice.claim.claimUrl,
        claimExpiresAt: choice.claim.validUntil,
        claimValidFor: formatValidFor(parseTime(choice.claim.validUntil), now),
        problem: "an agent account was created, but storing its credentials failed; it can still be claimed with its claim link",
      };
    case "account":
    case "agent-expired": {
      const { found } = choice;
      const claim = found.claim;
      const files = filesOf(found);
      return {
        ...base,
        credentials: found.isAgent ? "agent-account" : "login",
        isAgentAccount: found.isAgent,
        username: found.account.username,
        organizations: found.account.organizations,
        storage: { location: found.location, credentialsPath: files.credentialsPath, claimPath: files.claimPath },
        childEnv: childEnvFor(found),
        phase: found.isAgent ? accountPhase(found.account, claim, now) : undefined,
        accessExpiresAt: found.account.expiresAt,
        accessExpiresIn: found.account.expiresAt ? formatValidFor(parseTime(found.account.expiresAt), now) : undefined,
        refreshes: found.account.refreshToken ? true : undefined,
        claimUrl: claim?.claimUrl,
        claimExpiresAt: claim?.validUntil,
        claimValidFor: claim ? formatValidFor(parseTime(claim.validUntil), now) : undefined,
      };
    }
  }
}

/** Still-open claims other than the current one, each once: archived ones first, then claim files. */
export function earlierClaims(candidates: readonly ClaimView[], current: string | undefined, now: number): EarlierClaim[] {
  const seen = new Set(current ? [current] : []);
  const out: EarlierClaim[] = [];
  for (const c of candidates) {
    if (!c.claimUrl || seen.has(c.claimUrl) || !isClaimOpen(c, now)) continue;
    seen.add(c.claimUrl);
    out.push({ claimUrl: c.claimUrl, validUntil: c.validUntil ?? "", cloudUrl: c.cloudUrl });
  }
  return out;
}
