// The decision of DESIGN §3 as pure functions: state in, action out. The shell (cli/run.ts) reads
// files only when a stage asks for them, so a human run reads nothing and a warm agent run does no I/O
// beyond two small files.
import { classifyCommand, type CommandInfo } from "./command.js";
import { resolveBackend, type BackendChoice } from "./backend.js";
import { credentialsFilePath } from "../store/paths.js";
import { isClaimOpen, isLocallyUsable, type AccountView, type ClaimView } from "./lifecycle.js";

// ---- stage 1: from argv and env alone -------------------------------------------------------------

export interface Detected {
  isAgent: boolean;
  name?: string | undefined;
}

export type Stage1 =
  | { kind: "passthrough"; reason: string; command: CommandInfo | undefined }
  | { kind: "resolve"; command: CommandInfo };

/** Human, opted out, or a command that never needs Pulumi Cloud → exec pulumi at once. */
export function decideStage1(argv: readonly string[], detected: Detected): Stage1 {
  if (!detected.isAgent) return { kind: "passthrough", reason: "not running under an AI agent", command: undefined };
  const command = classifyCommand(argv);
  if (!command.needsCloud) return { kind: "passthrough", reason: command.reason, command };
  return { kind: "resolve", command };
}

// ---- stage 2: which backend --------------------------------------------------------------------------

export function decideBackend(
  command: CommandInfo,
  env: Readonly<Record<string, string | undefined>>,
  projectBackendUrl: string | undefined,
  currentFromCredentials: string | undefined,
): BackendChoice {
  return resolveBackend({ env, loginTarget: command.loginTarget, projectBackendUrl, currentFromCredentials });
}

// ---- stage 3: which credentials ----------------------------------------------------------------------

/** What a credentials file held for the chosen cloud URL, as far as the decision cares. */
export type CredsView =
  | { kind: "missing" }
  | { kind: "empty-file" }
  | { kind: "ok"; account: AccountView | undefined }
  | { kind: "corrupt"; error: string }
  | { kind: "encrypted" }
  | { kind: "unreadable"; error: string };

export interface CredentialState {
  cloudUrl: string;
  now: number;
  envToken: string | undefined;
  /** Default credentials dir was chosen explicitly (PULUMI_CREDENTIALS_PATH or PULUMI_HOME). */
  defaultExplicit: boolean;
  defaultDir: string;
  defaultCreds: CredsView;
  /** agent-claim.json beside the default credentials (ours, when we stored there). */
  defaultClaim: ClaimView | undefined;
  sharedDir: string;
  sharedCreds: CredsView;
  sharedClaim: ClaimView | undefined;
}

export type Location = "default" | "shared";

export type CredentialAction =
  /** PULUMI_ACCESS_TOKEN is set: pulumi uses it; we never sign up. */
  | { kind: "use-env-token" }
  /** Use an account pulumi finds by itself or through PULUMI_CREDENTIALS_PATH=dir (location "shared"). */
  | { kind: "use-account"; location: Location; dir: string; account: AccountView; claim: ClaimView | undefined }
  /** Encrypted credentials: pulumi may be able to read them; we can't and never sign up over them. */
  | { kind: "defer-to-pulumi"; reason: string }
  /** Our agent account's token expired: a claim decision (claimable? claimed?) is needed first. */
  | { kind: "agent-expired"; location: Location; dir: string; account: AccountView; claim: ClaimView }
  /** No usable credentials anywhere: sign up in the first allowed location that is writable. */
  | { kind: "signup"; allowedLocations: Location[]; reason: string; expired?: { location: Location; dir: string; claim: ClaimView | undefined } }
  | { kind: "error"; reason: "corrupt" | "unreadable"; path: string; message: string };

/** An account in a dir is the agent's if the claim file beside it names the same cloud URL. */
function claimFor(claim: ClaimView | undefined, cloudUrl: string): ClaimView | undefined {
  return claim && claim.cloudUrl === cloudUrl ? claim : undefined;
}

function accountOf(view: CredsView): AccountView | undefined {
  return view.kind === "ok" ? view.account : undefined;
}

export function decideCredentials(s: CredentialState): CredentialAction {
  if (s.envToken) return { kind: "use-env-token" };

  const d = s.defaultCreds;
  if (d.kind === "encrypted") {
    return { kind: "defer-to-pulumi", reason: `${credentialsFilePath(s.defaultDir)} is encrypted by the Pulumi CLI's secure store` };
  }
  if (d.kind === "corrupt" || d.kind === "unreadable") {
    const path = credentialsFilePath(s.defaultDir);
    return { kind: "error", reason: d.kind, path, message: d.error };
  }

  let expired: { location: Location; dir: string; claim: ClaimView | undefined } | undefined;

  const defaultAccount = accountOf(d);
  if (defaultAccount && (defaultAccount.accessToken || defaultAccount.refreshToken)) {
    const claim = claimFor(s.defaultClaim, s.cloudUrl);
    if (isLocallyUsable(defaultAccount, s.now)) {
      return { kind: "use-account", location: "default", dir: s.defaultDir, account: defaultAccount, claim };
    }
    // An expired login that is not ours is a human's: never replace it with an anonymous account
    // (reference §9.6); pulumi itself will ask for `pulumi login`.
    if (!claim) return { kind: "use-account", location: "default", dir: s.defaultDir, account: defaultAccount, claim };
    if (isClaimOpen(claim, s.now) || claim.claimUnavailableAt) {
      return { kind: "agent-expired", location: "default", dir: s.defaultDir, account: defaultAccount, claim };
    }
    expired = { location: "default", dir: s.defaultDir, claim };
  }

  const sharedAccount = accountOf(s.sharedCreds);
  if (sharedAccount && (sharedAccount.accessToken || sharedAccount.refreshToken)) {
    // The shared dir's claim is a singleton (Go): only trust it for the same cloud URL.
    const claim = claimFor(s.sharedClaim, s.cloudUrl);
    if (isLocallyUsable(sharedAccount, s.now)) {
      return { kind: "use-account", location: "shared", dir: s.sharedDir, account: sharedAccount, claim };
    }
    if (claim && (isClaimOpen(claim, s.now) || claim.claimUnavailableAt)) {
      return { kind: "agent-expired", location: "shared", dir: s.sharedDir, account: sharedAccount, claim };
    }
    expired ??= { location: "shared", dir: s.sharedDir, claim };
  }

  // A corrupt shared file is not ours to overwrite either; the default dir may still take the account.
  const allowed: Location[] = [];
  if (d.kind !== "empty-file" || !s.defaultExplicit) allowed.push("default");
  if (s.sharedCreds.kind === "missing" || s.sharedCreds.kind === "ok" || s.sharedCreds.kind === "empty-file") allowed.push("shared");
  const reason = expired ? "the previous agent account and its claim window have expired" : "no Pulumi Cloud credentials found";
  return { kind: "signup", allowedLocations: allowed, reason, ...(expired ? { expired } : {}) };
}

