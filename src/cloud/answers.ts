// The service's answers read field by field (pure). Only what the caller cannot do without is
// required (the signup's two tokens, a refresh's access token); every other field is optional and
// judged on its own: a bad one is dropped and listed in `dropped` (field name and problem, never the
// value), so one odd value can never cost an account the server already created.
import { readServerTime } from "./time.js";

export interface DroppedField {
  /** JSON path of the field, e.g. "accessTokenValidUntil", "userInfo.organizations[1].githubLogin". */
  field: string;
  /** What is wrong with it ("is not a valid RFC 3339 time"); never contains the value. */
  problem: string;
}

export interface TokenInfo {
  name: string;
  organization?: string;
  team?: string;
}

/** The usable part of a user description (GET /api/user, the signup's userInfo). */
export interface UserInfo {
  /** githubLogin; absent when the answer had no usable one. */
  login?: string;
  /** Logins of the user's organizations (unusable entries dropped). */
  organizations: string[];
  tokenInfo?: TokenInfo;
  isAgent?: boolean;
}

export interface UserAnswer extends UserInfo {
  dropped: DroppedField[];
}

/** POST /api/agents/signup, as far as it is usable. */
export interface SignupAnswer {
  accessToken: string;
  claimToken: string;
  /** RFC 3339 (toISOString), absent when missing or unusable. */
  accessTokenValidUntil?: string;
  claimTokenValidUntil?: string;
  refreshToken?: string;
  /** userInfo, when it was an object. */
  user?: UserInfo;
  dropped: DroppedField[];
}

/** POST /api/oauth/token */
export interface RefreshAnswer {
  accessToken: string;
  /** now + expires_in, as RFC 3339; absent when expires_in is missing, <= 0 or unusable. */
  expiresAt?: string;
  /** The rotated refresh token; absent when the service returned none (keep the old one). */
  refreshToken?: string;
  dropped: DroppedField[];
}

export type Reading<T> =
  | { ok: true; value: T }
  /** `claimToken`: a usable claim token of an answer refused for another reason (the account exists). */
  | { ok: false; field: string; problem: string; claimToken?: string };

/** Longest token we accept: far above any Pulumi token or JWT, far below a header size limit. */
export const MAX_TOKEN_CHARS = 8192;
const MAX_NAME_CHARS = 256;

/** Printable ASCII without spaces: what an HTTP header, credentials.json and every pulumi can carry. */
export function tokenProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return "is not a string";
  if (value === "") return "is empty";
  if (value.length > MAX_TOKEN_CHARS) return `is longer than ${MAX_TOKEN_CHARS} characters`;
  if (!/^[\x21-\x7e]+$/.test(value)) return "is not printable ASCII without spaces";
  return undefined;
}

// Control characters, line separators, bidi overrides and isolates: never in a name we print.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function textProblem(value: unknown, allowEmpty: boolean): string | undefined {
  if (typeof value !== "string") return "is not a string";
  if (!allowEmpty && value.trim() === "") return "is empty";
  if (value.length > MAX_NAME_CHARS) return `is longer than ${MAX_NAME_CHARS} characters`;
  if (UNPRINTABLE.test(value)) return "contains control characters";
  return undefined;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads the fields of one JSON object, collecting the dropped ones. null counts as absent (as in Go). */
class Fields {
  constructor(
    private readonly obj: Json,
    private readonly prefix: string,
    readonly dropped: DroppedField[],
  ) {}

  private value(key: string): unknown {
    return Object.hasOwn(this.obj, key) ? this.obj[key] : undefined;
  }

  private judge<T>(key: string, problem: string | undefined, value: T): T | undefined {
    if (problem === undefined) return value;
    this.dropped.push({ field: this.prefix + key, problem });
    return undefined;
  }

  /** Report a field that should be there and is not (when it is there but bad, reading it reported it). */
  noteMissing(key: string): void {
    const v = this.value(key);
    if (v === undefined || v === null) this.dropped.push({ field: this.prefix + key, problem: "is missing" });
  }

  /** A token; "" counts as absent (the service's `omitempty`). */
  token(key: string): string | undefined {
    const v = this.value(key);
    if (v === undefined || v === null || v === "") return undefined;
    return this.judge(key, tokenProblem(v), v as string);
  }

  time(key: string): string | undefined {
    const v = this.value(key);
    if (v === undefined || v === null) return undefined;
    const r = readServerTime(v);
    return this.judge(key, r.ok ? undefined : r.problem, r.ok ? r.iso : undefined);
  }

  /** A login or org name: non-empty, printable. */
  name(key: string): string | undefined {
    const v = this.value(key);
    if (v === undefined || v === null) return undefined;
    return this.judge(key, textProblem(v, false), v as string);
  }

  /** Any printable string, "" included. */
  text(key: string): string | undefined {
    const v = this.value(key);
    if (v === undefined || v === null) return undefined;
    return this.judge(key, textProblem(v, true), v as string);
  }

  bool(key: string): boolean | undefined {
    const v = this.value(key);
    if (v === undefined || v === null) return undefined;
    return this.judge(key, typeof v === "boolean" ? undefined : "is not true or false", v as boolean);
  }

  number(key: string): number | undefined {
    const v = this.value(key);
    if (v === undefined || v === null) return undefined;
    return this.judge(key, typeof v === "number" && Number.isFinite(v) ? undefined : "is not a number", v as number);
  }

  object(key: string): Fields | undefined {
    const v = this.value(key);
    if (v === undefined || v === null) return undefined;
    if (!isObject(v)) return this.judge(key, "is not an object", undefined);
    return new Fields(v, `${this.prefix}${key}.`, this.dropped);
  }

  list(key: string): unknown[] | undefined {
    const v = this.value(key);
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) return this.judge(key, "is not a list", undefined);
    return v;
  }

  /** Element i of a list read with list(key), as an object. */
  element(key: string, i: number, v: unknown): Fields | undefined {
    if (isObject(v)) return new Fields(v, `${this.prefix}${key}[${i}].`, this.dropped);
    this.dropped.push({ field: `${this.prefix}${key}[${i}]`, problem: "is not an object" });
    return undefined;
  }

  require(key: string, value: string | undefined): Reading<string> {
    if (value !== undefined) return { ok: true, value };
    const v = this.value(key);
    const problem = v === undefined || v === null || v === "" ? "is missing" : (tokenProblem(v) ?? "is unusable");
    return { ok: false, field: this.prefix + key, problem };
  }
}

function readUserFields(f: Fields): UserInfo {
  const login = f.name("githubLogin");
  if (login === undefined) f.noteMissing("githubLogin");
  const organizations: string[] = [];
  (f.list("organizations") ?? []).forEach((entry, i) => {
    const org = f.element("organizations", i, entry)?.name("githubLogin");
    if (org !== undefined && !organizations.includes(org)) organizations.push(org);
  });
  const ti = f.object("tokenInfo");
  let tokenInfo: TokenInfo | undefined;
  if (ti) {
    const organization = ti.name("organization");
    const team = ti.name("team");
    tokenInfo = { name: ti.text("name") ?? "", ...(organization !== undefined ? { organization } : {}), ...(team !== undefined ? { team } : {}) };
  }
  const isAgent = f.bool("isAgent");
  return {
    ...(login !== undefined ? { login } : {}),
    organizations,
    ...(tokenInfo ? { tokenInfo } : {}),
    ...(isAgent !== undefined ? { isAgent } : {}),
  };
}

function bodyObject(json: unknown): Json | undefined {
  return isObject(json) ? json : undefined;
}

const NOT_AN_OBJECT = { ok: false, field: "(body)", problem: "is not a JSON object" } as const;

export interface ChallengeAnswer {
  challengeID: string;
  challengeData: string;
}

/** GET /api/agents/signup: both strings are required and non-empty (the Go CLI refuses either missing). */
export function readChallengeAnswer(json: unknown): Reading<ChallengeAnswer> {
  const obj = bodyObject(json);
  if (!obj) return NOT_AN_OBJECT;
  const out: Partial<ChallengeAnswer> = {};
  for (const key of ["challengeID", "challengeData"] as const) {
    const v = obj[key];
    if (v === undefined || v === null || v === "") return { ok: false, field: key, problem: "is missing" };
    if (typeof v !== "string") return { ok: false, field: key, problem: "is not a string" };
    out[key] = v;
  }
  return { ok: true, value: out as ChallengeAnswer };
}

/** GET /api/user: whatever is usable; never fails on a JSON object. */
export function readUserAnswer(json: unknown): Reading<UserAnswer> {
  const obj = bodyObject(json);
  if (!obj) return NOT_AN_OBJECT;
  const dropped: DroppedField[] = [];
  return { ok: true, value: { ...readUserFields(new Fields(obj, "", dropped)), dropped } };
}

/** POST /api/agents/signup: needs accessToken and claimToken; everything else is optional. */
export function readSignupAnswer(json: unknown): Reading<SignupAnswer> {
  const obj = bodyObject(json);
  if (!obj) return NOT_AN_OBJECT;
  const dropped: DroppedField[] = [];
  const f = new Fields(obj, "", dropped);
  const claimToken = f.require("claimToken", f.token("claimToken"));
  const accessToken = f.require("accessToken", f.token("accessToken"));
  // The server created the account either way: a usable claim token must still reach the human.
  if (!accessToken.ok) return claimToken.ok ? { ...accessToken, claimToken: claimToken.value } : accessToken;
  if (!claimToken.ok) return claimToken;
  const accessTokenValidUntil = f.time("accessTokenValidUntil");
  const claimTokenValidUntil = f.time("claimTokenValidUntil");
  const refreshToken = f.token("refreshToken");
  const userFields = f.object("userInfo");
  const user = userFields ? readUserFields(userFields) : undefined;
  return {
    ok: true,
    value: {
      accessToken: accessToken.value,
      claimToken: claimToken.value,
      ...(accessTokenValidUntil !== undefined ? { accessTokenValidUntil } : {}),
      ...(claimTokenValidUntil !== undefined ? { claimTokenValidUntil } : {}),
      ...(refreshToken !== undefined ? { refreshToken } : {}),
      ...(user ? { user } : {}),
      // The server sent them, we dropped them: the problems are ours to report, not to fail on.
      dropped,
    },
  };
}

/** POST /api/oauth/token (OAuth 2 token response): needs access_token. */
export function readRefreshAnswer(json: unknown, nowMs: number): Reading<RefreshAnswer> {
  const obj = bodyObject(json);
  if (!obj) return NOT_AN_OBJECT;
  const dropped: DroppedField[] = [];
  const f = new Fields(obj, "", dropped);
  const accessToken = f.require("access_token", f.token("access_token"));
  if (!accessToken.ok) return accessToken;
  const expiresIn = f.number("expires_in");
  let expiresAt: string | undefined;
  if (expiresIn !== undefined && expiresIn > 0) {
    const at = new Date(nowMs + Math.floor(expiresIn) * 1000);
    if (Number.isNaN(at.getTime()) || at.getUTCFullYear() > 9999) dropped.push({ field: "expires_in", problem: "is out of range" });
    else expiresAt = at.toISOString();
  }
  const refreshToken = f.token("refresh_token");
  return {
    ok: true,
    value: {
      accessToken: accessToken.value,
      ...(expiresAt !== undefined ? { expiresAt } : {}),
      ...(refreshToken !== undefined ? { refreshToken } : {}),
      dropped,
    },
  };
}

/** One debug line per dropped field, e.g. "signup answer: ignored claimTokenValidUntil (is not a valid RFC 3339 time)". */
export function droppedLines(what: string, dropped: readonly DroppedField[]): string[] {
  return dropped.map((d) => `${what}: ignored ${d.field} (${d.problem})`);
}
