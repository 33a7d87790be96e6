// The facts the plan asks for, read from the machine: which pulumi runs, the project's backend, what
// the two credential folders hold, the archived claims. Each reader reads only its own files.
import { statSync } from "node:fs";
import path from "node:path";
import type { AccountView, ClaimView } from "../core/lifecycle.js";
import type { ClaimFileView, CredsFileView, Location, StoreView } from "../core/credentials.js";
import type { PulumiFact } from "../core/plan.js";
import { claimFilePath, credentialsFilePath } from "../core/paths.js";
import { readCredentialsFile, getAccount, type CredentialsFile } from "../store/credentials.js";
import { readClaimFile, type ClaimRecord } from "../store/claim.js";
import { readClaimHistory } from "../store/claim-history.js";
import { describeFsError } from "../store/errors.js";
import { projectBackendUrl } from "../project/project-file.js";
import { addSecret } from "../log/debug.js";
import { locatePulumi } from "./exec-pulumi.js";

type Env = Readonly<Record<string, string | undefined>>;

export function gatherPulumi(env: Env): PulumiFact {
  const located = locatePulumi(env);
  return located.ok ? { found: true, path: located.path } : { found: false, message: located.message, exitCode: located.exitCode };
}

export async function gatherProject(cwd: string, cwdFlag: string | undefined): Promise<{ file: string | undefined; backendUrl: string | undefined }> {
  const found = await projectBackendUrl(cwdFlag ? path.resolve(cwd, cwdFlag) : cwd);
  return { file: found?.file, backendUrl: found?.url };
}

/** A file exists at `file` (the store reads a blank file as "no credentials"). */
function existsAsFile(file: string): boolean {
  try {
    return statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false; // e.g. ENOTDIR: the path runs through a regular file
  }
}

function accountView(a: ReturnType<typeof getAccount>): AccountView | undefined {
  if (!a) return undefined;
  addSecret(a.accessToken);
  addSecret(a.refreshToken);
  return {
    accessToken: a.accessToken,
    refreshToken: a.refreshToken,
    username: a.username,
    organizations: a.organizations,
    expiresAt: a.tokenInformation?.expiresAt ?? undefined,
  };
}

function credsView(read: Awaited<ReturnType<typeof readCredentialsFile>>, file: string): CredsFileView {
  switch (read.kind) {
    case "missing":
      return existsAsFile(file) ? { kind: "empty" } : { kind: "missing" };
    case "ok": {
      const creds = read.creds as CredentialsFile;
      const urls = new Set([...Object.keys(creds.accounts ?? {}), ...Object.keys(creds.accessTokens ?? {})]);
      const accounts: Record<string, AccountView> = {};
      for (const url of urls) {
        const view = accountView(getAccount(creds, url));
        if (view) accounts[url] = view;
      }
      return { kind: "ok", current: creds.current || undefined, accounts };
    }
    case "encrypted":
      return { kind: "opaque", reason: "it is encrypted by the Pulumi CLI's secure store ($pulumiSecureStore), which pulumi-agent cannot read" };
    case "newer-version":
      return { kind: "opaque", reason: `it has file version ${read.version}, newer than pulumi-agent knows (a newer Pulumi CLI wrote it), so pulumi-agent only reads what it must and never writes it` };
    case "corrupt":
      return { kind: "corrupt", message: `not a valid Pulumi credentials file (${read.error})` };
    default:
      return { kind: "unreadable", message: `cannot be read (${describeFsError(read.error)})` };
  }
}

function claimView(record: ClaimRecord): ClaimView {
  return {
    claimUrl: record.claimUrl,
    claimToken: record.claimToken,
    validUntil: record.validUntil,
    cloudUrl: record.cloudUrl,
    claimUnavailableAt: record.claimUnavailableAt,
    pending: record.credentialsPending === true,
  };
}

async function claimFileView(dir: string): Promise<ClaimFileView> {
  const r = await readClaimFile(claimFilePath(dir));
  if (r.kind === "ok") return { kind: "ok", claim: claimView(r.claim) };
  if (r.kind === "missing") return { kind: "missing" };
  switch (r.kind) {
    case "corrupt":
      return { kind: "bad", message: r.error };
    case "unreadable":
      return { kind: "bad", message: describeFsError(r.error) };
    case "encrypted":
      return { kind: "bad", message: "it is encrypted" };
    case "newer-version":
      return { kind: "bad", message: `it has file version ${r.version}, newer than pulumi-agent knows` };
  }
}

export async function gatherStore(location: Location, dir: string): Promise<StoreView> {
  const file = credentialsFilePath(dir);
  const [creds, claim] = await Promise.all([readCredentialsFile(file), claimFileView(dir)]);
  return { location, dir, creds: credsView(creds, file), claim };
}

export async function gatherHistory(dirs: readonly string[]): Promise<ClaimView[]> {
  const lists = await Promise.all([...new Set(dirs)].map((d) => readClaimHistory(d)));
  return lists.flat().map((c) => ({ claimUrl: c.claimUrl, validUntil: c.validUntil, cloudUrl: c.cloudUrl }));
}
