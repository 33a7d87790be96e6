// credentials.json (docs/compatibility.md): the Go CLI's Credentials struct as a store-codec spec, and
// the account edits the product makes on it. Every read and write goes through codec.ts.
import {
  envelopeOrVersion,
  type StoreFileSpec,
  type StoreParse,
  type StoreRead,
  parseStoreBytes,
  readStoreFile,
  updateStoreFile,
} from "./codec.js";
import { GO_STYLE, concatPieces } from "./gojson.js";
import { type GoField, type GoType, freshValue } from "./schema.js";

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
  /** Keys unknown to us, as RawJson: kept byte for byte. */
  [key: string]: unknown;
}

export interface CredentialsFile {
  /** 1 in files of newer Go CLIs: `accounts` is then authoritative (docs/compatibility.md). */
  version?: number;
  current?: string;
  accessTokens?: Record<string, string>;
  accounts?: Record<string, StoredAccount>;
  /** Keys unknown to us (`credentialHelper`, ...), as RawJson: kept byte for byte. */
  [key: string]: unknown;
}

export type ReadResult =
  | { kind: "missing" }
  | { kind: "ok"; creds: CredentialsFile }
  | { kind: "corrupt"; error: string }
  | { kind: "encrypted" }
  | { kind: "newer-version"; version: string };

export type FileReadResult = ReadResult | { kind: "unreadable"; error: Error };

/** The newest `version` of credentials.json whose shape we know. */
const KNOWN_CREDENTIALS_VERSION = 1;

// ---------------------------------------------------------------------------------------------------
// the Go structs (field order = Go's output order)

const STRING: GoType = { kind: "string" };
const TOKEN: GoType = { kind: "string", token: true };

const TOKEN_INFORMATION: GoType = {
  kind: "struct",
  pointer: true,
  fields: [
    { name: "name", type: STRING, omitEmpty: false },
    { name: "organization", type: STRING, omitEmpty: true },
    { name: "team", type: STRING, omitEmpty: true },
    { name: "expiresAt", type: { kind: "time-ptr" }, omitEmpty: true },
  ],
};

const ACCOUNT: GoType = {
  kind: "struct",
  pointer: false,
  fields: [
    { name: "accessToken", type: TOKEN, omitEmpty: true },
    { name: "refreshToken", type: TOKEN, omitEmpty: true },
    { name: "username", type: STRING, omitEmpty: true },
    { name: "organizations", type: { kind: "strings" }, omitEmpty: true },
    { name: "lastValidatedAt", type: { kind: "time" }, omitEmpty: false },
    { name: "insecure", type: { kind: "bool" }, omitEmpty: true },
    { name: "tokenInformation", type: TOKEN_INFORMATION, omitEmpty: true },
  ],
};

const CREDENTIALS_FIELDS: GoField[] = [
  { name: "version", type: { kind: "int" }, omitEmpty: true },
  { name: "current", type: STRING, omitEmpty: true },
  { name: "accessTokens", type: { kind: "map", elem: TOKEN }, omitEmpty: true },
  { name: "accounts", type: { kind: "map", elem: ACCOUNT }, omitEmpty: true },
];
const CREDENTIALS: GoType = { kind: "struct", pointer: false, fields: CREDENTIALS_FIELDS };
const TOP_KEYS = new Set(CREDENTIALS_FIELDS.map((f) => f.name));

export const CREDENTIALS_SPEC: StoreFileSpec<CredentialsFile> = {
  title: "Pulumi credentials file",
  type: CREDENTIALS,
  classify: (doc) => envelopeOrVersion(doc, ["0", String(KNOWN_CREDENTIALS_VERSION)]),
  fromGo: (v) => v as CredentialsFile,
  empty: () => ({}),
  isEmpty: isEmptyCredentials,
  corruptHint: "Fix or delete it (deleting it logs out of every backend it lists)",
};

// ---------------------------------------------------------------------------------------------------
// pure

function toResult(p: StoreParse<CredentialsFile>): ReadResult;
function toResult(p: StoreRead<CredentialsFile>): FileReadResult;
function toResult(p: StoreRead<CredentialsFile>): FileReadResult {
  return p.kind === "ok" ? { kind: "ok", creds: p.model } : p;
}

/** Parse the bytes (or text) of a credentials.json as Go reads them; 0 bytes is no file. */
export function parseCredentials(content: string | Uint8Array): ReadResult {
  return toResult(parseStoreBytes(CREDENTIALS_SPEC, typeof content === "string" ? Buffer.from(content, "utf8") : content));
}

/**
 * Go's json.MarshalIndent of these credentials, as a new file: 4-space indent, no trailing newline,
 * keys version, current, accessTokens, accounts (maps sorted like Go), then unknown keys. Throws on a
 * value a reader would reject (see updateCredentialsFile). Existing files are spliced, not re-serialized.
 */
export function serializeCredentials(creds: CredentialsFile): string {
  return concatPieces(freshValue(creds, CREDENTIALS, "", GO_STYLE, "")).toString("utf8");
}

/** Printable ASCII without spaces: what every pulumi can send in an Authorization header. */
export function isStorableToken(token: string): boolean {
  return /^[\x21-\x7e]+$/.test(token);
}

/**
 * The account stored for `url`: `accounts[url]` wins, else a legacy `accessTokens[url]` entry
 * (`version` 0 files only; from version 1 on, `accounts` is authoritative).
 */
export function getAccount(creds: CredentialsFile, url: string): StoredAccount | undefined {
  if (creds.accounts && Object.hasOwn(creds.accounts, url)) return creds.accounts[url];
  if ((creds.version ?? 0) < 1 && creds.accessTokens && Object.hasOwn(creds.accessTokens, url)) {
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
  if (creds.accessTokens) next.accessTokens = Object.fromEntries(Object.entries(creds.accessTokens).filter(([k]) => k !== url));
  if (creds.accounts) next.accounts = Object.fromEntries(Object.entries(creds.accounts).filter(([k]) => k !== url));
  if (creds.current === url) delete next.current;
  return next;
}

/**
 * Nothing worth keeping: Go deletes the file when `accessTokens` ends up empty; we also keep it when it
 * still holds accounts or keys we do not know (so we never drop data that is not ours).
 */
export function isEmptyCredentials(creds: CredentialsFile): boolean {
  const n = (o: object | undefined) => (o ? Object.keys(o).length : 0);
  const unknown = Object.keys(creds).filter((k) => !TOP_KEYS.has(k) && creds[k] !== undefined);
  return n(creds.accessTokens) === 0 && n(creds.accounts) === 0 && unknown.length === 0;
}

// ---------------------------------------------------------------------------------------------------
// files

/** Read and parse a credentials file. Follows symlinks (like Go); a directory etc. is "unreadable". */
export async function readCredentialsFile(path: string): Promise<FileReadResult> {
  return toResult(await readStoreFile(CREDENTIALS_SPEC, path));
}

export interface UpdateResult {
  creds: CredentialsFile;
  action: "written" | "deleted" | "unchanged";
}

/**
 * Load-modify-write `path` through the store codec: `update` gets the decoded file and returns the new
 * content; only the entries it changed are rewritten (every other byte is kept), and the file is
 * deleted when nothing is left. Refuses with a StoreError, writing nothing: a corrupt, encrypted,
 * newer-version or unreadable file ("corrupt" ... codes), a symlink or special file ("unsafe-file"), a
 * change that cannot be made losslessly ("not-rewritable"), a token that is not printable ASCII or a
 * time Go cannot parse ("invalid-value"). Not a lock: hold withExclusiveLock around read → signup → store.
 */
export async function updateCredentialsFile(
  path: string,
  update: (creds: CredentialsFile) => CredentialsFile | Promise<CredentialsFile>,
): Promise<UpdateResult> {
  const r = await updateStoreFile(CREDENTIALS_SPEC, path, update);
  return { creds: r.model, action: r.action };
}
