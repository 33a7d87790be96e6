// credentials.json in the Go CLI's exact shape (reference §3.2): parse, edit, serialize, update.
// Pure functions first; the fs adapter (readCredentialsFile / updateCredentialsFile) at the end.
import { lstat, unlink } from "node:fs/promises";
import { writeFileAtomic } from "./atomic.js";
import { StoreError, describeFsError, errnoCode } from "./errors.js";
import { GO_ZERO_TIME, Ordered, goSortedKeys, marshalIndent } from "./gojson.js";
import { describeUnreadable, readRaw, readSettled } from "./read.js";
import { ShapeError, optBool, optObject, optString, optTime, parseTopObject } from "./shape.js";

export { StoreError } from "./errors.js";

export interface TokenInformation {
  name: string;
  organization?: string;
  team?: string;
  /** RFC 3339; when the access token stops working. */
  expiresAt?: string;
  [key: string]: unknown;
}

export interface StoredAccount {
  accessToken?: string;
  refreshToken?: string;
  username?: string;
  organizations?: string[];
  /** RFC 3339, kept verbatim; absent = Go's zero time. */
  lastValidatedAt?: string;
  insecure?: boolean;
  tokenInformation?: TokenInformation;
  /** Keys unknown to us are kept and written back after the known ones. */
  [key: string]: unknown;
}

export interface CredentialsFile {
  current?: string;
  accessTokens?: Record<string, string>;
  accounts?: Record<string, StoredAccount>;
  /** Keys unknown to us are kept and written back after the known ones. */
  [key: string]: unknown;
}

export type ReadResult =
  | { kind: "missing" }
  | { kind: "ok"; creds: CredentialsFile }
  | { kind: "corrupt"; error: string }
  | { kind: "encrypted" };

export type FileReadResult = ReadResult | { kind: "unreadable"; error: Error };

/** The key that marks the Pulumi CLI's encrypted envelope (reference §6.5). */
export const SECURE_STORE_KEY = "$pulumiSecureStore";

const TOP_KEYS = new Set(["current", "accessTokens", "accounts"]);
const ACCOUNT_KEYS = new Set([
  "accessToken",
  "refreshToken",
  "username",
  "organizations",
  "lastValidatedAt",
  "insecure",
  "tokenInformation",
]);
const TOKEN_INFO_KEYS = new Set(["name", "organization", "team", "expiresAt"]);

// ---------------------------------------------------------------------------------------------------
// parsing

function keyRef(k: string): string {
  return `[${JSON.stringify(k)}]`;
}

/** Copy the keys of `src` that are not in `known`, keeping their order. */
function unknownEntries(src: Record<string, unknown>, known: Set<string>): [string, unknown][] {
  return Object.keys(src)
    .filter((k) => !known.has(k))
    .map((k) => [k, src[k]]);
}

/** Build an object from entries without ever invoking the __proto__ setter. */
function fromEntries<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  return Object.fromEntries(entries) as Record<string, T>;
}

function parseTokenInfo(v: unknown, where: string): TokenInformation | undefined {
  const o = optObject(v, where);
  if (!o) return undefined;
  const info: [string, unknown][] = [["name", optString(o.name, `${where}.name`) ?? ""]];
  const organization = optString(o.organization, `${where}.organization`);
  const team = optString(o.team, `${where}.team`);
  const expiresAt = optTime(o.expiresAt, `${where}.expiresAt`);
  if (organization !== undefined) info.push(["organization", organization]);
  if (team !== undefined) info.push(["team", team]);
  if (expiresAt !== undefined) info.push(["expiresAt", expiresAt]);
  return fromEntries([...info, ...unknownEntries(o, TOKEN_INFO_KEYS)]) as TokenInformation;
}

function parseAccount(v: unknown, where: string): StoredAccount {
  const o = optObject(v, where) ?? {};
  const out: [string, unknown][] = [];
  const put = (k: string, x: unknown) => {
    if (x !== undefined) out.push([k, x]);
  };
  put("accessToken", optString(o.accessToken, `${where}.accessToken`));
  put("refreshToken", optString(o.refreshToken, `${where}.refreshToken`));
  put("username", optString(o.username, `${where}.username`));
  if (o.organizations !== null && o.organizations !== undefined) {
    if (!Array.isArray(o.organizations)) throw new ShapeError(`${where}.organizations must be a list of strings`);
    put(
      "organizations",
      o.organizations.map((x, i) => optString(x, `${where}.organizations[${i}]`) ?? ""),
    );
  }
  put("lastValidatedAt", optTime(o.lastValidatedAt, `${where}.lastValidatedAt`));
  put("insecure", optBool(o.insecure, `${where}.insecure`));
  put("tokenInformation", parseTokenInfo(o.tokenInformation, `${where}.tokenInformation`));
  return fromEntries([...out, ...unknownEntries(o, ACCOUNT_KEYS)]) as StoredAccount;
}

/** Parse the text of a credentials.json. Empty or whitespace-only text counts as no file (like Go). */
export function parseCredentials(text: string): ReadResult {
  const top = parseTopObject(text);
  if (top.kind !== "object") return top;
  const raw = top.value;
  if (Object.hasOwn(raw, SECURE_STORE_KEY)) return { kind: "encrypted" };
  try {
    const out: [string, unknown][] = [];
    const current = optString(raw.current, "current");
    if (current !== undefined) out.push(["current", current]);
    const tokens = optObject(raw.accessTokens, "accessTokens");
    if (tokens) {
      out.push([
        "accessTokens",
        fromEntries(
          Object.keys(tokens).map((k) => [k, optString(tokens[k], `accessTokens${keyRef(k)}`) ?? ""] as const),
        ),
      ]);
    }
    const accounts = optObject(raw.accounts, "accounts");
    if (accounts) {
      out.push([
        "accounts",
        fromEntries(Object.keys(accounts).map((k) => [k, parseAccount(accounts[k], `accounts${keyRef(k)}`)] as const)),
      ]);
    }
    return { kind: "ok", creds: fromEntries([...out, ...unknownEntries(raw, TOP_KEYS)]) as CredentialsFile };
  } catch (e) {
    if (e instanceof ShapeError) return { kind: "corrupt", error: e.message };
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------
// serializing

function accountValue(a: StoredAccount): Ordered {
  const e: [string, unknown][] = [];
  if (a.accessToken) e.push(["accessToken", a.accessToken]);
  if (a.refreshToken) e.push(["refreshToken", a.refreshToken]);
  if (a.username) e.push(["username", a.username]);
  if (a.organizations && a.organizations.length > 0) e.push(["organizations", a.organizations]);
  e.push(["lastValidatedAt", a.lastValidatedAt || GO_ZERO_TIME]);
  if (a.insecure === true) e.push(["insecure", true]);
  const ti = a.tokenInformation;
  if (ti) {
    const t: [string, unknown][] = [["name", ti.name ?? ""]];
    if (ti.organization) t.push(["organization", ti.organization]);
    if (ti.team) t.push(["team", ti.team]);
    if (ti.expiresAt) t.push(["expiresAt", ti.expiresAt]);
    e.push(["tokenInformation", new Ordered([...t, ...unknownEntries(ti, TOKEN_INFO_KEYS)])]);
  }
  return new Ordered([...e, ...unknownEntries(a, ACCOUNT_KEYS)]);
}

/**
 * Go's json.MarshalIndent output for these credentials: 4-space indent, no trailing newline, keys
 * current, accessTokens, accounts (maps sorted like Go), then any unknown top-level keys.
 */
export function serializeCredentials(creds: CredentialsFile): string {
  const top: [string, unknown][] = [];
  if (creds.current) top.push(["current", creds.current]);
  const tokens = creds.accessTokens;
  if (tokens && Object.keys(tokens).length > 0) {
    top.push(["accessTokens", new Ordered(goSortedKeys(tokens).map((k) => [k, tokens[k] ?? ""]))]);
  }
  const accounts = creds.accounts;
  if (accounts && Object.keys(accounts).length > 0) {
    top.push(["accounts", new Ordered(goSortedKeys(accounts).map((k) => [k, accountValue(accounts[k] ?? {})]))]);
  }
  return marshalIndent(new Ordered([...top, ...unknownEntries(creds, TOP_KEYS)]));
}

// ---------------------------------------------------------------------------------------------------
// editing (pure)

/** The account stored for `url`: `accounts[url]` wins, else a legacy `accessTokens[url]` entry. */
export function getAccount(creds: CredentialsFile, url: string): StoredAccount | undefined {
  if (creds.accounts && Object.hasOwn(creds.accounts, url)) return creds.accounts[url];
  if (creds.accessTokens && Object.hasOwn(creds.accessTokens, url)) {
    return { accessToken: creds.accessTokens[url] };
  }
  return undefined;
}

/**
 * A copy of `creds` with `account` stored for `url` in both maps (like Go's StoreAccount). Every other
 * account and key is untouched; `current` is set only when asked and the file has none, so a human's
 * selected login is never switched.
 */
export function withAccount(
  creds: CredentialsFile,
  url: string,
  account: StoredAccount,
  opts: { setCurrentIfNone: boolean },
): CredentialsFile {
  const next: CredentialsFile = {
    ...creds,
    accessTokens: { ...creds.accessTokens, [url]: account.accessToken ?? "" },
    accounts: { ...creds.accounts, [url]: account },
  };
  if (opts.setCurrentIfNone && !creds.current) next.current = url;
  return next;
}

/** A copy of `creds` without `url` in either map; `current` is cleared if it was `url` (like Go). */
export function withoutAccount(creds: CredentialsFile, url: string): CredentialsFile {
  const next: CredentialsFile = { ...creds };
  if (creds.accessTokens) {
    next.accessTokens = fromEntries(Object.entries(creds.accessTokens).filter(([k]) => k !== url));
  }
  if (creds.accounts) {
    next.accounts = fromEntries(Object.entries(creds.accounts).filter(([k]) => k !== url));
  }
  if (creds.current === url) delete next.current;
  return next;
}

/**
 * Nothing worth keeping: Go deletes the file when `accessTokens` ends up empty; we also keep it when it
 * still holds accounts or keys we do not know (so we never drop data that is not ours).
 */
export function isEmptyCredentials(creds: CredentialsFile): boolean {
  const n = (o: object | undefined) => (o ? Object.keys(o).length : 0);
  return n(creds.accessTokens) === 0 && n(creds.accounts) === 0 && unknownEntries(creds, TOP_KEYS).length === 0;
}

// ---------------------------------------------------------------------------------------------------
// files

const isSettled = (text: string) => {
  const k = parseCredentials(text).kind;
  return k === "ok" || k === "encrypted";
};

/** Read and parse a credentials file. Follows symlinks (like Go); a directory etc. is "unreadable". */
export async function readCredentialsFile(path: string): Promise<FileReadResult> {
  const raw = await readSettled(path, isSettled);
  if (raw.kind !== "text") return raw;
  return parseCredentials(raw.text);
}

const DEFAULT_HINT = "point PULUMI_CREDENTIALS_PATH at another folder";

/** The StoreError for a credentials file we must not touch, with what to do about it. */
export function credentialsReadError(
  path: string,
  result: { kind: "corrupt"; error: string } | { kind: "encrypted" } | { kind: "unreadable"; error: Error },
  hint: string = DEFAULT_HINT,
): StoreError {
  switch (result.kind) {
    case "corrupt":
      return new StoreError(
        "corrupt",
        path,
        `${path} is not a valid Pulumi credentials file (${result.error}). It was left untouched. ` +
          `Fix or delete it (deleting it logs out of every backend it lists), or ${hint}.`,
      );
    case "encrypted":
      return new StoreError(
        "encrypted",
        path,
        `${path} is encrypted by the Pulumi CLI's secure store ($pulumiSecureStore); pulumi-agent cannot read it ` +
          `and left it untouched. Log in with the Pulumi CLI, or set PULUMI_ACCESS_TOKEN.`,
      );
    case "unreadable":
      return new StoreError(
        "unreadable",
        path,
        `Cannot read ${path} (${describeUnreadable(result.error)}). It was left untouched. ` +
          `Check the path and its permissions, or ${hint}.`,
        { cause: result.error },
      );
  }
}

export interface UpdateOptions {
  /** Ends error messages: what the user can do instead (default: point PULUMI_CREDENTIALS_PATH elsewhere). */
  hint?: string;
  /** Attempts when another writer changes the file under us (default 5). */
  maxAttempts?: number;
}

export interface UpdateResult {
  creds: CredentialsFile;
  action: "written" | "deleted" | "unchanged";
}

/**
 * Load-modify-write `path`: re-read it, apply `update` (may run more than once if another process
 * changes the file meanwhile), then replace it atomically (0600), or delete it when nothing is left.
 * A corrupt, encrypted or unreadable file is never overwritten: StoreError instead. Not a lock: hold
 * withExclusiveLock around read → signup → store.
 */
export async function updateCredentialsFile(
  path: string,
  update: (creds: CredentialsFile) => CredentialsFile | Promise<CredentialsFile>,
  opts: UpdateOptions = {},
): Promise<UpdateResult> {
  const hint = opts.hint ?? DEFAULT_HINT;
  const attempts = opts.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const raw = await readSettled(path, isSettled);
    if (raw.kind === "unreadable") throw credentialsReadError(path, raw, hint);
    const parsed: ReadResult = raw.kind === "missing" ? raw : parseCredentials(raw.text);
    if (parsed.kind === "corrupt" || parsed.kind === "encrypted") throw credentialsReadError(path, parsed, hint);
    const before = parsed.kind === "ok" ? parsed.creds : {};
    const next = await update(before);
    const exists = raw.kind === "text";

    if (isEmptyCredentials(next)) {
      if (!exists) return { creds: next, action: "unchanged" };
    } else if (exists && parsed.kind === "ok" && serializeCredentials(next) === serializeCredentials(before)) {
      return { creds: next, action: "unchanged" };
    }

    // Optimistic concurrency: if someone (e.g. a Go pulumi) rewrote the file while `update` ran, redo.
    const again = await readRaw(path);
    const same = again.kind === raw.kind && (again.kind !== "text" || (raw.kind === "text" && again.text === raw.text));
    if (!same && attempt < attempts) continue;
    if (!same) {
      throw new StoreError(
        "io",
        path,
        `${path} kept changing while pulumi-agent tried to update it (another process is writing it); ` +
          `nothing was written. Try again.`,
      );
    }

    try {
      if (isEmptyCredentials(next)) {
        const st = await lstat(path);
        if (st.isSymbolicLink()) {
          throw new StoreError(
            "unsafe-dir",
            path,
            `${path} is a symbolic link; pulumi-agent does not delete linked credential files. It was left untouched.`,
          );
        }
        await unlink(path).catch((e: unknown) => {
          if (errnoCode(e) !== "ENOENT") throw e;
        });
        return { creds: next, action: "deleted" };
      }
      await writeFileAtomic(path, serializeCredentials(next), { mode: 0o600 });
      return { creds: next, action: "written" };
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError(
        "io",
        path,
        `Cannot write ${path} (${describeFsError(e)}); the previous file, if any, is unchanged. ` +
          `Make sure its folder exists and is writable, or ${hint}.`,
        { cause: e },
      );
    }
  }
}
