// Agent account lifecycle (docs/product.md#lifecycle, docs/compatibility.md#claim-lifecycle): pure functions of stored times and the last
// known claim state. Active 72 h (token valid) → read-only (token expired, claim window open)
// → locked (claim window over); "claimed" once the service said the claim token is no longer usable.

export type Phase = "active" | "read-only" | "locked" | "claimed";

export interface ClaimView {
  claimUrl: string;
  claimToken?: string | undefined;
  validUntil?: string | undefined;
  cloudUrl: string;
  claimUnavailableAt?: string | undefined;
  /** Set while a signup is storing this account's credentials; left behind if that failed. */
  pending?: boolean | undefined;
}

export interface AccountView {
  accessToken?: string | undefined;
  refreshToken?: string | undefined;
  username?: string | undefined;
  organizations?: string[] | undefined;
  /** tokenInformation.expiresAt */
  expiresAt?: string | undefined;
}

/** Parse a stored time; Go's zero time, empty, null and garbage all mean "no time". */
export function parseTime(value: string | null | undefined): number | undefined {
  if (!value || value.startsWith("0001-01-01")) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A token with a stored expiry in the past is expired; one without an expiry never expires locally. */
export function isTokenExpired(account: AccountView, now: number): boolean {
  return isTokenExpiring(account, now, 0);
}

/** Zero or missing validUntil counts as expired (docs/compatibility.md#claims-per-cloud-and-zero-times: consistent, unlike the Go CLI). */
export function isClaimOpen(claim: ClaimView | undefined, now: number): boolean {
  if (!claim?.claimUrl) return false;
  const until = parseTime(claim.validUntil);
  return until !== undefined && until > now && !claim.claimUnavailableAt;
}

export function accountPhase(account: AccountView | undefined, claim: ClaimView | undefined, now: number): Phase {
  if (claim?.claimUnavailableAt) return "claimed";
  if (account && (account.accessToken || account.refreshToken) && !isTokenExpired(account, now)) return "active";
  const until = parseTime(claim?.validUntil);
  // A refresh token renews short-lived access tokens (docs/compatibility.md#token-refresh): pulumi can still work.
  if (account?.refreshToken && until !== undefined && until > now) return "active";
  if (until !== undefined && until > now) return "read-only";
  return "locked";
}

/** The Go CLI's duration format (docs/compatibility.md#duration-format): 3d4h10m, 2h, <1m, expired. */
export function formatValidFor(untilMs: number | undefined, nowMs: number): string {
  if (untilMs === undefined) return "expired";
  const d = untilMs - nowMs;
  if (d <= 0) return "expired";
  const minutes = Math.floor(d / 60_000);
  if (minutes < 1) return "<1m";
  const days = Math.floor(minutes / (24 * 60));
  const hours = Math.floor((minutes % (24 * 60)) / 60);
  const mins = minutes % 60;
  return `${days ? `${days}d` : ""}${hours ? `${hours}h` : ""}${mins ? `${mins}m` : ""}`;
}

/** How early an access token counts as expiring: a refresh then still leaves pulumi time to work. */
export const REFRESH_MARGIN_MS = 5 * 60_000;

/** The access token is expired, or expires within `marginMs`. */
export function isTokenExpiring(account: AccountView, now: number, marginMs = REFRESH_MARGIN_MS): boolean {
  const exp = parseTime(account.expiresAt);
  return exp !== undefined && exp <= now + marginMs;
}
