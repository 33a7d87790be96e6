// Shared values of the core's table tests: a fixed clock, accounts, claims and store views.
import type { AccountView, ClaimView } from "../../src/core/lifecycle.js";
import type { ClaimFileView, CredsFileView, StoreView } from "../../src/core/credentials.js";

export const NOW = Date.parse("2026-11-22T12:00:00Z");
export const H = 3600_000;
export const D = 24 * H;
export const iso = (ms: number) => new Date(ms).toISOString();
export const CLOUD = "https://api.pulumi.com";
export const DEFAULT_DIR = "/home/u/.pulumi";
export const SHARED_DIR = "/tmp/.pulumi";

export const fresh: AccountView = { accessToken: "pul-a", username: "agent-1", expiresAt: iso(NOW + 10 * H) };
export const expiring: AccountView = { ...fresh, expiresAt: iso(NOW + 2 * 60_000) };
export const expired: AccountView = { ...fresh, expiresAt: iso(NOW - H) };
export const human: AccountView = { accessToken: "pul-human", username: "alice" };
export const openClaim: ClaimView = { claimUrl: "https://app.pulumi.com/claim/t", claimToken: "t", validUntil: iso(NOW + 20 * D), cloudUrl: CLOUD };
export const closedClaim: ClaimView = { ...openClaim, validUntil: iso(NOW - H) };
export const claimedClaim: ClaimView = { ...openClaim, claimUnavailableAt: iso(NOW - H) };

export const creds = (accounts: Record<string, AccountView>, current?: string): CredsFileView => ({ kind: "ok", current, accounts });
export const claimFile = (claim: ClaimView): ClaimFileView => ({ kind: "ok", claim });

export function store(location: "default" | "shared", over: Partial<StoreView> = {}): StoreView {
  return { location, dir: location === "default" ? DEFAULT_DIR : SHARED_DIR, creds: { kind: "missing" }, claim: { kind: "missing" }, ...over };
}
