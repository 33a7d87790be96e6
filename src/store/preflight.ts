// Before a signup (the one step that cannot be undone: the server creates an account), prove that a
// store folder can take the new account: the folder is usable, each of our three files is absent or a
// regular file we can read, parse and change losslessly, and the disk has room. Every expected
// problem is returned as a StoreError (message + hint); nothing is written but the folder itself
// and the write probe's temporary file.
import { mkdir, stat, statfs } from "node:fs/promises";
import path from "node:path";
import { pathKind, type PathKind } from "./atomic.js";
import { type StoreFileSpec, planUpdate, refusalError, DEFAULT_ALTERNATIVE } from "./codec.js";
import { StoreError, describeFsError, errnoCode } from "./errors.js";
import { CREDENTIALS_SPEC, type CredentialsFile, withAccount } from "./credentials.js";
import { CLAIM_SPEC } from "./claim.js";
import { CLAIM_HISTORY_FILE, CLAIM_HISTORY_SPEC } from "./claim-history.js";
import { ensurePrivateDir, probeWritableDir } from "./dirs.js";
import { CLAIM_FILE, CREDENTIALS_FILE } from "./paths.js";

export interface PreflightOptions {
  /** The cloud the new account is for: the credentials edit is tried for it. */
  cloudUrl: string;
  /**
   * The shared agent folder must be private to us (ensurePrivateDir: not a symlink, ours, 0700); the
   * default folder only has to be a folder we can write (it may be a symlink, as ~/.pulumi often is).
   */
  private: boolean;
  /** Free space the files need (default 16 KiB: three small files and their temp copies). */
  minFreeBytes?: number;
  /** Ends hints: what the user can do instead (default: point PULUMI_CREDENTIALS_PATH elsewhere). */
  hint?: string;
}

export interface PreflightVerdict {
  dir: string;
  ok: boolean;
  /** One per problem found, in the order checked (folder, files, disk). */
  problems: StoreError[];
}

const PREFLIGHT_URL = "https://app.pulumi.com/claim/preflight";
const LATER = "2099-01-01T00:00:00Z";

interface FileCheck {
  name: string;
  spec: StoreFileSpec<unknown>;
  /** The edit the signup will make, on the decoded file. */
  edit: (model: unknown) => unknown;
}

function fileChecks(cloudUrl: string): FileCheck[] {
  const account = { accessToken: "pul-preflight", username: "agent-preflight", lastValidatedAt: LATER, tokenInformation: { name: "", expiresAt: LATER } };
  const claim = { claimUrl: PREFLIGHT_URL, claimToken: "preflight", validUntil: LATER, cloudUrl };
  return [
    {
      name: CREDENTIALS_FILE,
      spec: CREDENTIALS_SPEC as StoreFileSpec<unknown>,
      edit: (m) => withAccount(m as CredentialsFile, cloudUrl, account, { setCurrentIfNone: true }),
    },
    { name: CLAIM_FILE, spec: CLAIM_SPEC as StoreFileSpec<unknown>, edit: () => claim },
    {
      name: CLAIM_HISTORY_FILE,
      spec: CLAIM_HISTORY_SPEC as StoreFileSpec<unknown>,
      edit: (m) => [...(m as unknown[]), { ...claim, archivedAt: LATER }],
    },
  ];
}

async function checkFile(file: string, check: FileCheck, alternative: string): Promise<StoreError | undefined> {
  let kind: PathKind;
  try {
    kind = await pathKind(file);
  } catch (e) {
    if (errnoCode(e) === "ENOTDIR") return undefined;
    return refusalError(check.spec, file, { kind: "unreadable", error: e as Error }, alternative);
  }
  if (kind === "missing") return undefined;
  if (kind !== "file") {
    const what = kind === "symlink" ? "a symbolic link" : kind === "directory" ? "a directory" : "a special file (FIFO, socket or device)";
    return new StoreError("unsafe-file", file, `${file} is ${what}; pulumi-agent replaces regular files only, so it cannot store an account here.`, {
      hint: `Remove it or replace it with a regular file, or ${alternative}.`,
    });
  }
  try {
    // The write's own read → refuse → plan, writing nothing.
    await planUpdate(check.spec, file, check.edit, alternative);
    return undefined;
  } catch (e) {
    if (e instanceof StoreError) return e;
    throw e;
  }
}

async function checkDir(dir: string, opts: PreflightOptions, alternative: string): Promise<StoreError | undefined> {
  if (opts.private) {
    try {
      await ensurePrivateDir(dir, opts.hint === undefined ? {} : { hint: opts.hint });
      return undefined;
    } catch (e) {
      if (e instanceof StoreError) return e;
      throw e;
    }
  }
  const fail = (what: string, e?: unknown) =>
    new StoreError("unsafe-dir", dir, what, { hint: `Make it a writable folder, or ${alternative}.`, cause: e });
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (!(await stat(dir)).isDirectory()) return fail(`${dir} exists but is not a folder.`);
    return undefined;
  } catch (e) {
    return fail(`Cannot create or inspect the folder ${dir} (${describeFsError(e)}).`, e);
  }
}

async function probeWrite(dir: string, alternative: string): Promise<StoreError | undefined> {
  const probe = await probeWritableDir(dir);
  if (probe.ok) return undefined;
  return new StoreError("io", dir, `Cannot create files in ${dir} (${describeFsError(probe.error)}).`, {
    hint: `Make it writable, or ${alternative}.`,
    cause: probe.error,
  });
}

async function checkSpace(dir: string, minFree: number, alternative: string): Promise<StoreError | undefined> {
  let free: number;
  try {
    const s = await statfs(dir);
    free = s.bavail * s.bsize;
  } catch {
    return undefined; // the filesystem cannot tell: the atomic write will report a full disk itself
  }
  if (free >= minFree) return undefined;
  return new StoreError("no-space", dir, `The disk holding ${dir} has ${free} bytes free; storing an agent account needs about ${minFree}.`, {
    hint: `Free some space, or ${alternative}.`,
  });
}

/**
 * Can `dir` take a new agent account? Creates the folder if needed (0700), then checks the folder
 * (private or writable, per `opts.private`), a write probe, each of credentials.json,
 * agent-claim.json and agent-claim-history.json (absent, or a regular file that is readable,
 * parseable as Go reads it, not encrypted or of a newer version, and that the signup's edit can change
 * losslessly), and free disk space where statfs can tell. Never throws for an expected problem.
 */
export async function preflightStoreDir(dir: string, opts: PreflightOptions): Promise<PreflightVerdict> {
  const alternative = opts.hint ?? DEFAULT_ALTERNATIVE;
  const dirProblem = await checkDir(dir, opts, alternative);
  if (dirProblem) return { dir, ok: false, problems: [dirProblem] };
  const problems: StoreError[] = [];
  const add = (p: StoreError | undefined) => {
    if (p) problems.push(p);
  };
  add(await probeWrite(dir, alternative));
  for (const check of fileChecks(opts.cloudUrl)) add(await checkFile(path.join(dir, check.name), check, alternative));
  add(await checkSpace(dir, opts.minFreeBytes ?? 16 * 1024, alternative));
  return { dir, ok: problems.length === 0, problems };
}
