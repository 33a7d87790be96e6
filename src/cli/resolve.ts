// The imperative shell around core/decide.ts: reads exactly the files a stage asks for.
// Used on the hot path (agent runs), again under the signup lock, and by `account status`.
import { statSync } from "node:fs";
import path from "node:path";
import type { CommandInfo } from "../core/command.js";
import { decideBackend, decideCredentials, type CredentialAction, type CredentialState, type CredsView } from "../core/decide.js";
import type { BackendChoice } from "../core/backend.js";
import type { ClaimView } from "../core/lifecycle.js";
import { credentialsDir, sharedAgentDir, credentialsFilePath, claimFilePath } from "../store/paths.js";
import { credentialsReadError, readCredentialsFile, getAccount, type CredentialsFile, type StoreError } from "../store/credentials.js";
import { readClaimFile } from "../store/claim.js";
import { projectBackendUrl } from "./project-file.js";
import { addSecret } from "./debug.js";

type Env = Readonly<Record<string, string | undefined>>;

export interface Resolution {
  backend: BackendChoice;
  state: CredentialState;
  action: CredentialAction;
  projectFile: string | undefined;
}

type FileRead = Awaited<ReturnType<typeof readCredentialsFile>>;

/** A file exists at `file` (a "missing" read may be a blank file, which Go reads as no credentials). */
function existsAsFile(file: string): boolean {
  try {
    return statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false; // e.g. ENOTDIR: the path runs through a regular file
  }
}

function toView(read: FileRead, cloudUrl: string, file: string): CredsView {
  switch (read.kind) {
    case "missing":
      // An existing blank file reads as "no credentials" but is not ours to overwrite when explicit.
      return existsAsFile(file) ? { kind: "empty-file" } : { kind: "missing" };
    case "ok": {
      const account = getAccount(read.creds, cloudUrl);
      addSecret(account?.accessToken);
      addSecret(account?.refreshToken);
      return {
        kind: "ok",
        account: account && {
          accessToken: account.accessToken,
          refreshToken: account.refreshToken,
          username: account.username,
          organizations: account.organizations,
          expiresAt: account.tokenInformation?.expiresAt ?? undefined,
        },
      };
    }
    case "encrypted":
    case "newer-version": // like the envelope: pulumi's to read, never ours to write
      return { kind: "encrypted" };
    case "corrupt":
      return { kind: "corrupt", error: read.error };
    default:
      return { kind: "unreadable", error: read.error.message };
  }
}

async function readClaimView(dir: string): Promise<ClaimView | undefined> {
  const r = await readClaimFile(claimFilePath(dir));
  return r.kind === "ok" ? r.claim : undefined;
}

/** The store's own error (path, what happened, what to do) for a credentials file we must not use. */
export function credentialsFileError(action: Extract<CredentialAction, { kind: "error" }>): StoreError {
  return credentialsReadError(
    action.path,
    action.reason === "corrupt" ? { kind: "corrupt", error: action.message } : { kind: "unreadable", error: new Error(action.message) },
  );
}

export function isExplicitDefaultDir(env: Env): boolean {
  return Boolean(env.PULUMI_CREDENTIALS_PATH || env.PULUMI_HOME);
}

export async function resolveCredentials(command: CommandInfo, env: Env, cwd: string, now = Date.now()): Promise<Resolution> {
  const defaultDir = credentialsDir(env);
  const defaultFile = credentialsFilePath(defaultDir);
  const defaultRead = await readCredentialsFile(defaultFile);
  const current = defaultRead.kind === "ok" ? (defaultRead.creds as CredentialsFile).current : undefined;

  let project: { file: string; url: string | undefined } | undefined;
  if (!env.PULUMI_BACKEND_URL && !command.loginTarget) {
    project = await projectBackendUrl(command.cwd ? path.resolve(cwd, command.cwd) : cwd);
  }
  const backend = decideBackend(command, env, project?.url, current);
  const sharedDir = sharedAgentDir(env);
  const skipShared = backend.isDiy;
  const sharedFile = credentialsFilePath(sharedDir);
  const [sharedRead, defaultClaim, sharedClaim] = skipShared
    ? [{ kind: "missing" } as FileRead, undefined, undefined]
    : await Promise.all([
        readCredentialsFile(sharedFile),
        readClaimView(defaultDir),
        readClaimView(sharedDir),
      ]);
  const state: CredentialState = {
    cloudUrl: backend.url,
    now,
    envToken: env.PULUMI_ACCESS_TOKEN || undefined,
    defaultExplicit: isExplicitDefaultDir(env),
    defaultDir,
    defaultCreds: toView(defaultRead, backend.url, defaultFile),
    defaultClaim,
    sharedDir,
    sharedCreds: toView(sharedRead, backend.url, sharedFile),
    sharedClaim,
  };
  return { backend, state, action: decideCredentials(state), projectFile: project?.file };
}
