// Which credentials a run uses, from what the two credential folders hold: pure. The rules, in order
// (docs/compatibility.md#credential-resolution, with this project's departures from the Go CLI):
// PULUMI_ACCESS_TOKEN; the default folder's account (a human login is never replaced, not even an
// expired one); the shared agent folder's account; else a signup, unless an agent account whose claim
// is still open would be shadowed by it.
import { claimFilePath, credentialsFilePath } from "./paths.js";
import { isClaimOpen, isTokenExpired, isTokenExpiring, type AccountView, type ClaimView } from "./lifecycle.js";

export type Location = "default" | "shared";

/** What a credentials.json holds, as far as the decision cares. */
export type CredsFileView =
  | { kind: "missing" }
  /** A 0-byte file: no credentials, but a file someone made (not ours to fill when its folder was chosen explicitly). */
  | { kind: "empty" }
  | { kind: "ok"; current: string | undefined; accounts: Readonly<Record<string, AccountView>> }
  /** Encrypted by the Go CLI's secure store, or a newer file version: pulumi may read it, we never write it. */
  | { kind: "opaque"; reason: string }
  | { kind: "corrupt"; message: string }
  | { kind: "unreadable"; message: string };

export type ClaimFileView =
  | { kind: "missing" }
  | { kind: "ok"; claim: ClaimView }
  /** Corrupt or unreadable: never overwritten. */
  | { kind: "bad"; message: string };

/** One credential folder: the default Pulumi folder or the shared agent folder. */
export interface StoreView {
  location: Location;
  dir: string;
  creds: CredsFileView;
  claim: ClaimFileView;
}

export interface CredentialInputs {
  cloudUrl: string;
  now: number;
  envToken: string | undefined;
  /** The default folder was chosen explicitly (PULUMI_CREDENTIALS_PATH or PULUMI_HOME). */
  defaultExplicit: boolean;
  default: StoreView;
  /** Undefined until gathered: the choice asks for it only when the default folder does not settle it. */
  shared: StoreView | undefined;
  /**
   * Whether a claim still marked pending means its signup failed. Only under the signup lock (or for a
   * report): outside it, another agent may be between storing the claim and storing the credentials.
   */
  pendingIsLost: boolean;
}

/** An account we may use, where it is, and the claim that makes it an agent account. */
export interface FoundAccount {
  location: Location;
  dir: string;
  account: AccountView;
  /** The claim for this cloud beside it (undefined: a human login, or a Go agent account without one). */
  claim: ClaimView | undefined;
  /** An agent account (ours or the Go CLI's): only these are ever refreshed, replaced or forgotten. */
  isAgent: boolean;
}

export type CredentialChoice =
  /** PULUMI_ACCESS_TOKEN is set: pulumi uses it; we never sign up. */
  | { kind: "env-token" }
  /** An account pulumi finds by itself (default) or through PULUMI_CREDENTIALS_PATH (shared). */
  | { kind: "account"; found: FoundAccount; refresh: boolean }
  /** The default credentials are encrypted or newer than we know: pulumi may read them; we never sign up over them. */
  | { kind: "opaque"; path: string; reason: string }
  /** Our agent account's access expired and its claim may still be open: never replaced silently. */
  | { kind: "agent-expired"; found: FoundAccount & { claim: ClaimView } }
  /** A signup was interrupted after the server created the account: its credentials were never stored. */
  | { kind: "lost"; location: Location; dir: string; claim: ClaimView }
  /** No usable credentials anywhere: sign up, in the first of `locations` that proves usable. */
  | { kind: "none"; locations: Location[]; replaces: FoundAccount | undefined }
  /** The shared folder is needed to decide. */
  | { kind: "need-shared" }
  | { kind: "unusable"; path: string; reason: "corrupt" | "unreadable"; message: string };

/** The claim beside an account makes it an agent account only if it names the same cloud. */
export function claimFor(view: ClaimFileView, cloudUrl: string): ClaimView | undefined {
  return view.kind === "ok" && view.claim.cloudUrl === cloudUrl ? view.claim : undefined;
}

export function accountIn(view: CredsFileView, cloudUrl: string): AccountView | undefined {
  if (view.kind !== "ok" || !Object.hasOwn(view.accounts, cloudUrl)) return undefined;
  return view.accounts[cloudUrl];
}

function hasCredential(a: AccountView | undefined): a is AccountView {
  return Boolean(a?.accessToken || a?.refreshToken);
}

/** An agent account's fate: use it (refreshing first when it can and must), keep it for the human, or replace it. */
function judgeAgentAccount(found: FoundAccount, now: number): CredentialChoice | "replace" {
  const { account, claim } = found;
  if (account.refreshToken && (!account.accessToken || isTokenExpiring(account, now))) return { kind: "account", found, refresh: true };
  if (!isTokenExpired(account, now) && account.accessToken) return { kind: "account", found, refresh: false };
  if (claim && (isClaimOpen(claim, now) || claim.claimUnavailableAt)) return { kind: "agent-expired", found: { ...found, claim } };
  return "replace";
}

export function chooseCredentials(s: CredentialInputs): CredentialChoice {
  if (s.envToken) return { kind: "env-token" };
  const d = s.default;
  const defaultFile = credentialsFilePath(d.dir);
  if (d.creds.kind === "opaque") return { kind: "opaque", path: defaultFile, reason: d.creds.reason };
  if (d.creds.kind === "corrupt" || d.creds.kind === "unreadable") {
    return { kind: "unusable", path: defaultFile, reason: d.creds.kind, message: d.creds.message };
  }

  let replaces: FoundAccount | undefined;
  const defaultAccount = accountIn(d.creds, s.cloudUrl);
  if (hasCredential(defaultAccount)) {
    const claim = claimFor(d.claim, s.cloudUrl);
    const found: FoundAccount = { location: "default", dir: d.dir, account: defaultAccount, claim, isAgent: Boolean(claim) };
    // A login without our claim beside it is a human's: used as it is, expired or not (pulumi itself then
    // asks for `pulumi login`); never replaced by an anonymous account (pulumi/pulumi#23918).
    if (!found.isAgent) return { kind: "account", found, refresh: false };
    const verdict = judgeAgentAccount(found, s.now);
    if (verdict !== "replace") return verdict;
    replaces = found;
  }

  if (!s.shared) return { kind: "need-shared" };
  const sh = s.shared;
  const sharedAccount = accountIn(sh.creds, s.cloudUrl);
  if (hasCredential(sharedAccount)) {
    // The shared folder holds agent accounts only; its claim file is a singleton: trusted for this cloud only.
    const found: FoundAccount = { location: "shared", dir: sh.dir, account: sharedAccount, claim: claimFor(sh.claim, s.cloudUrl), isAgent: true };
    const verdict = judgeAgentAccount(found, s.now);
    if (verdict !== "replace") return verdict;
    replaces ??= found;
  }

  // A claim marked pending names an account the server created but whose credentials were never stored:
  // report it instead of creating another. (Outside the lock the signup that follows takes the lock and
  // asks again, and then it is known.)
  for (const view of s.pendingIsLost ? [d, sh] : []) {
    const claim = claimFor(view.claim, s.cloudUrl);
    if (claim?.pending && !hasCredential(accountIn(view.creds, s.cloudUrl)) && isClaimOpen(claim, s.now)) {
      return { kind: "lost", location: view.location, dir: view.dir, claim };
    }
  }

  // A blank file in an explicitly chosen folder, or a file we cannot read, is not ours to write.
  const locations: Location[] = [];
  if ((d.creds.kind !== "empty" || !s.defaultExplicit) && d.claim.kind !== "bad") locations.push("default");
  const sharedWritable = sh.creds.kind === "missing" || sh.creds.kind === "ok" || sh.creds.kind === "empty";
  if (sharedWritable && sh.claim.kind !== "bad" && sh.dir !== d.dir) locations.push("shared");
  return { kind: "none", locations, replaces };
}

/** What the pulumi child needs to find the account: the shared folder is not where pulumi looks by itself. */
export function childEnvFor(found: Pick<FoundAccount, "location" | "dir">): Record<string, string> {
  return found.location === "shared" ? { PULUMI_CREDENTIALS_PATH: found.dir } : {};
}

/** Where the files of a found account are, for reports. */
export function filesOf(found: Pick<FoundAccount, "dir" | "claim">): { credentialsPath: string; claimPath: string | undefined } {
  return { credentialsPath: credentialsFilePath(found.dir), claimPath: found.claim ? claimFilePath(found.dir) : undefined };
}
