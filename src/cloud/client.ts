// Pulumi Cloud REST client for the agent endpoints. Cold path only: imported lazily when a signup,
// refresh, claim or diagnosis needs the network. The signup, /api/user, validate and refresh answers
// are read field by field (answers.ts), like the challenge; claim answers are checked whole (zod). The
// network discipline (redirects, size caps, one timeout per attempt) is transport.ts's.
import type { z } from "zod";
// Types only: zod (and the schemas) load only for the calls that check a whole answer (claim, claim status,
// a claim's details), never on the signup path.
import type { AgentClaimResponse, ClaimRequest, ClaimStatusResponse, SignupRequest } from "./protocol.js";
import {
  readChallengeAnswer,
  readRefreshAnswer,
  readSignupAnswer,
  readUserAnswer,
  type ChallengeAnswer,
  type Reading,
  type RefreshAnswer,
  type SignupAnswer,
  type UserAnswer,
} from "./answers.js";
import { goEscape } from "../core/claim-url.js";
import { positiveNumberFromEnv } from "../core/env.js";
import { CloudError } from "./errors.js";
import { excerpt } from "./excerpt.js";
import { abortError, exchange, shownAddress, type Answer } from "./transport.js";

export type { ChallengeAnswer, DroppedField, RefreshAnswer, SignupAnswer, UserAnswer, UserInfo, TokenInfo } from "./answers.js";
export { droppedLines } from "./answers.js";

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface ClientOptions {
  baseUrl: string;
  userAgent: string;
  /** Timeout of one attempt, redirects and body included (default: PULUMI_AGENT_HTTP_TIMEOUT_MS, else 15 s). */
  timeoutMs?: number;
  /**
   * GET retry policy (default: 4 attempts, 1 s doubling, max 30 s, like the Go CLI; the first delay is
   * PULUMI_AGENT_RETRY_BASE_MS when set). POSTs never retry.
   */
  retries?: RetryPolicy;
  /** Cancels everything in flight (Ctrl-C). */
  signal?: AbortSignal;
  /** Called before a retry sleep (for debug output). */
  onRetry?: (info: { route: string; attempt: number; delayMs: number; reason: string }) => void;
  /** Where the proxy settings and the PULUMI_AGENT_* defaults above are read (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Clock of a refresh's expiresAt (default Date.now). */
  now?: () => number;
}

const DEFAULT_RETRIES: RetryPolicy = { attempts: 4, baseDelayMs: 1000, maxDelayMs: 30_000 };
const DEFAULT_TIMEOUT_MS = 15_000;

const NO_RETRY: RetryPolicy = { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 };
const ACCEPT = "application/vnd.pulumi+9";
const KiB = 1024;
const MiB = 1024 * KiB;

interface Endpoint {
  method: "GET" | "POST";
  /** For messages. */
  what: string;
  /** Cap of a successful body, after decompression. */
  maxBytes: number;
  /** The answer carries tokens: never quote it in a message. */
  secretBody?: boolean;
}

/** Every endpoint the client calls, with its body cap (each far above what the service sends). */
export const ENDPOINTS = {
  challenge: { method: "GET", what: "signup challenge", maxBytes: 64 * KiB },
  signup: { method: "POST", what: "signup", maxBytes: 1 * MiB, secretBody: true },
  user: { method: "GET", what: "user", maxBytes: 1 * MiB },
  validate: { method: "GET", what: "claim validation", maxBytes: 1 * MiB },
  refresh: { method: "POST", what: "token refresh", maxBytes: 64 * KiB, secretBody: true },
  claim: { method: "POST", what: "claim", maxBytes: 4 * MiB },
  claimStatus: { method: "GET", what: "claim status", maxBytes: 1 * MiB },
} as const satisfies Record<string, Endpoint>;

/** One attempt, short timeout: for checks that run after something already failed, and for doctor. */
export function probeClient(baseUrl: string, userAgent: string, timeoutMs = 5000): CloudClient {
  return new CloudClient({ baseUrl, userAgent, timeoutMs, retries: NO_RETRY });
}

/**
 * GET /api/agents/signup/validate/{claimToken}, read as the Go CLI reads it: any 2xx is claimable
 * whatever its body (details only when they parse); a 404 whose Go error code is 404 (a non-JSON 404
 * body counts as code 404) is not claimable; everything else is an error ("unknown" to the caller).
 * See docs/compatibility.md#claim-validation.
 */
export type ClaimValidation = { claimable: true; details?: AgentClaimResponse } | { claimable: false };

const SEGMENT_SAFE = /[A-Za-z0-9\-_.~$&+:=@]/;

/** Go's url.PathEscape (one path segment): unreserved characters and `$&+:=@` stay, every other byte is %XX-escaped. */
export function goPathEscape(s: string): string {
  return goEscape(s, SEGMENT_SAFE);
}

/**
 * A 4xx/5xx body decoded as Go's json.Unmarshal into `{code int; message string}` would: undefined
 * when Go's decoding fails (then the Go client takes the HTTP status as the code and the raw body as
 * the message); `null` and missing fields decode to zero values (docs/compatibility.md#error-bodies).
 */
export function goErrorBody(text: string): { code: number; message: string } | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (json === null) return { code: 0, message: "" };
  if (typeof json !== "object" || Array.isArray(json)) return undefined;
  const obj = json as Record<string, unknown>;
  // Go matches field names case-insensitively, an exact match first.
  const field = (name: string): unknown => {
    if (Object.hasOwn(obj, name)) return obj[name];
    let found: unknown;
    for (const k of Object.keys(obj)) if (k.toLowerCase() === name) found = obj[k];
    return found;
  };
  const code = field("code");
  const message = field("message");
  if (code !== undefined && code !== null && !(typeof code === "number" && Number.isSafeInteger(code))) return undefined;
  if (message !== undefined && message !== null && typeof message !== "string") return undefined;
  return { code: (code as number | null | undefined) ?? 0, message: (message as string | null | undefined) ?? "" };
}

interface Call {
  /** Path after the base URL (may contain an escaped token). */
  path: string;
  /** The path as messages show it. */
  route: string;
  body?: string;
  contentType?: string;
  token?: string;
  /** Tokens this call carries, kept out of messages. */
  secrets?: readonly (string | undefined)[];
  /** Non-2xx statuses returned to the caller instead of thrown. */
  pass?: readonly number[];
}

export class CloudClient {
  private readonly base: string;
  constructor(private readonly opts: ClientOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, "");
  }

  private get env(): Readonly<Record<string, string | undefined>> {
    return this.opts.env ?? process.env;
  }

  /** GET /api/agents/signup, falling back to the documented /challenge path on 404/405. */
  async getChallenge(): Promise<ChallengeAnswer> {
    const at = async (path: string) => this.read(ENDPOINTS.challenge, path, await this.call(ENDPOINTS.challenge, { path, route: path }), readChallengeAnswer);
    try {
      return await at("/api/agents/signup");
    } catch (err) {
      if (err instanceof CloudError && (err.details.status === 404 || err.details.status === 405) && err.kind === "http") {
        return at("/api/agents/signup/challenge");
      }
      throw err;
    }
  }

  /**
   * POST /api/agents/signup. Never retried (a retry needs a fresh challenge) and never redirected.
   * After a 2xx carrying both tokens it does not throw: every other field is optional (see `dropped`).
   */
  async signup(body: SignupRequest): Promise<SignupAnswer> {
    const route = "/api/agents/signup";
    const answer = await this.call(ENDPOINTS.signup, { path: route, route, body: JSON.stringify(body) });
    return this.read(ENDPOINTS.signup, route, answer, readSignupAnswer);
  }

  /** GET /api/user with `Authorization: token <token>`: whatever is usable (no login → `login` absent). */
  async getUser(token: string): Promise<UserAnswer> {
    const route = "/api/user";
    const answer = await this.call(ENDPOINTS.user, { path: route, route, token, secrets: [token] });
    return this.read(ENDPOINTS.user, route, answer, readUserAnswer);
  }

  /**
   * See ClaimValidation. A blank claim token is not claimable, without a request. `details` reads the
   * answer's agent and inventory too (account status); a diagnosis needs only the verdict.
   */
  async validateClaim(claimToken: string, opts: { details?: boolean } = {}): Promise<ClaimValidation> {
    if (!claimToken.trim()) return { claimable: false };
    const route = "/api/agents/signup/validate/{claimToken}";
    const answer = await this.call(ENDPOINTS.validate, {
      path: `/api/agents/signup/validate/${goPathEscape(claimToken)}`,
      route,
      secrets: [claimToken, goPathEscape(claimToken)],
      pass: [404],
    });
    if (answer.status === 404) {
      const decoded = goErrorBody(answer.text);
      if ((decoded ? decoded.code : 404) === 404) return { claimable: false };
      throw httpError(404, answer, route, [claimToken], this.shownBase());
    }
    let json: unknown;
    try {
      json = JSON.parse(answer.text);
    } catch {
      return { claimable: true };
    }
    if (!opts.details) return { claimable: true };
    const { AgentClaimResponse } = await import("./protocol.js");
    const details = AgentClaimResponse.safeParse(json);
    return details.success ? { claimable: true, details: details.data } : { claimable: true };
  }

  /**
   * POST /api/oauth/token, form-encoded `grant_type=refresh_token&refresh_token=<rt>`
   * (docs/compatibility.md#token-refresh). Never retried (it rotates tokens). A refusal (400
   * invalid_grant, 401) is a CloudError of kind "refresh-refused".
   */
  async refresh(refreshToken: string): Promise<RefreshAnswer> {
    const route = "/api/oauth/token";
    const secrets = [refreshToken];
    const answer = await this.call(ENDPOINTS.refresh, {
      path: route,
      route,
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken }).toString(),
      contentType: "application/x-www-form-urlencoded",
      secrets,
      pass: [400, 401],
    });
    if (answer.status === 400 || answer.status === 401) {
      const oauth = oauthError(answer.text);
      if (answer.status === 401 || oauth === "invalid_grant") {
        const why = oauth ? ` ${excerpt(oauth, secrets, 40)}` : "";
        throw new CloudError("refresh-refused", `${this.shownBase()} refused the refresh token (HTTP ${answer.status}${why}).`, {
          status: answer.status,
          route,
          ...(oauth ? { oauthError: excerpt(oauth, secrets, 40) } : {}),
        });
      }
      throw httpError(answer.status, answer, route, secrets, this.shownBase());
    }
    const now = (this.opts.now ?? Date.now)();
    return this.read(ENDPOINTS.refresh, route, answer, (json) => readRefreshAnswer(json, now));
  }

  /** POST /api/agents/{orgName}/claim[?dryRun=true], as the human who takes ownership. */
  claim(orgName: string, body: ClaimRequest, humanToken: string, dryRun: boolean): Promise<AgentClaimResponse> {
    const route = `/api/agents/${encodeURIComponent(orgName)}/claim${dryRun ? "?dryRun=true" : ""}`;
    return this.strict(ENDPOINTS.claim, async () => (await import("./protocol.js")).AgentClaimResponse, {
      path: route,
      route,
      body: JSON.stringify(body),
      token: humanToken,
      secrets: [humanToken, body.claimToken],
    });
  }

  claimStatus(orgName: string, token: string): Promise<ClaimStatusResponse> {
    const route = `/api/agents/${encodeURIComponent(orgName)}/claim/status`;
    return this.strict(ENDPOINTS.claimStatus, async () => (await import("./protocol.js")).ClaimStatusResponse, { path: route, route, token, secrets: [token] });
  }

  // ---- plumbing ----------------------------------------------------------------------------------

  private shownBase(): string {
    try {
      return shownAddress(new URL(this.base));
    } catch {
      return JSON.stringify(excerpt(this.base));
    }
  }

  /** A call whose 2xx body must match a zod schema as a whole. */
  private async strict<S extends z.ZodType>(ep: Endpoint, loadSchema: () => Promise<S>, c: Call): Promise<z.infer<S>> {
    const answer = await this.call(ep, c);
    const schema = await loadSchema();
    return this.read(ep, c.route, answer, (json) => {
      const result = schema.safeParse(json);
      if (result.success) return { ok: true, value: result.data as z.infer<S> };
      const issue = result.error.issues[0];
      const field = issue?.path.join(".") || "(body)";
      const missing = issue?.code === "invalid_type" && issue.message.endsWith("received undefined");
      return { ok: false, field, problem: missing ? "is missing" : (issue?.message ?? "is unusable") };
    });
  }

  /** Parse a 2xx body as JSON and read it; an unusable answer is a "malformed" CloudError. */
  private read<T>(ep: Endpoint, route: string, answer: Answer, reader: (json: unknown) => Reading<T>): T {
    const malformed = (detail: string) =>
      new CloudError("malformed", `the ${ep.what} response from ${route} ${detail}`, { status: answer.status, route });
    let json: unknown;
    try {
      json = JSON.parse(answer.text);
    } catch {
      const shown = ep.secretBody ? "" : excerpt(answer.text);
      throw malformed(answer.text.trim() === "" ? "is empty" : `is not valid JSON${shown ? `: ${JSON.stringify(shown)}` : ""}`);
    }
    const r = reader(json);
    if (r.ok) return r.value;
    const err = malformed(r.problem === "is missing" ? `did not include ${r.field}` : `has an unusable ${r.field} (${r.problem})`);
    // Not enumerable: kept out of JSON output and debug dumps; the signup uses it to keep the claim link.
    if (r.claimToken) Object.defineProperty(err, "claimToken", { value: r.claimToken, enumerable: false });
    throw err;
  }

  /** One call with the GET retry policy; resolves with a 2xx (or a `pass` status) answer. */
  private async call(ep: Endpoint, c: Call): Promise<Answer> {
    const retries = ep.method !== "GET" ? NO_RETRY : (this.opts.retries ?? { ...DEFAULT_RETRIES, baseDelayMs: positiveNumberFromEnv(this.env, "PULUMI_AGENT_RETRY_BASE_MS", DEFAULT_RETRIES.baseDelayMs) });
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(ep, c);
      } catch (err) {
        const delay = retryDelay(err, attempt, retries);
        if (delay === undefined || this.opts.signal?.aborted) throw err;
        this.opts.onRetry?.({ route: c.route, attempt, delayMs: delay, reason: (err as Error).message });
        await sleep(delay, this.opts.signal);
      }
    }
  }

  private async once(ep: Endpoint, c: Call): Promise<Answer> {
    const base = this.shownBase();
    let url: string;
    try {
      url = new URL(`${this.base}${c.path}`).href;
    } catch {
      throw new CloudError("network", `the Pulumi Cloud address ${base} is not a valid URL.`, { route: c.route });
    }
    const headers: Record<string, string> = {
      "Content-Type": c.contentType ?? "application/json",
      Accept: ACCEPT,
      "User-Agent": this.opts.userAgent,
    };
    if (c.token) headers.Authorization = `token ${c.token}`;
    const secrets = c.secrets ?? [];
    const answer = await exchange({
      method: ep.method,
      url,
      headers,
      ...(c.body !== undefined ? { body: c.body } : {}),
      maxBytes: ep.maxBytes,
      timeoutMs: this.opts.timeoutMs ?? positiveNumberFromEnv(this.env, "PULUMI_AGENT_HTTP_TIMEOUT_MS", DEFAULT_TIMEOUT_MS),
      ...(this.opts.signal ? { signal: this.opts.signal } : {}),
      route: c.route,
      what: ep.what,
      base,
      secrets,
      ...(this.opts.env ? { env: this.opts.env } : {}),
    });
    if ((answer.status >= 200 && answer.status < 300) || c.pass?.includes(answer.status)) return answer;
    throw httpError(answer.status, answer, c.route, secrets, base);
  }
}

/** A non-2xx answer as an error: `[code] message` like the Go client, the message cut to one short line. */
function httpError(status: number, answer: Answer, route: string, secrets: readonly (string | undefined)[], base: string): CloudError {
  const decoded = goErrorBody(answer.text);
  const jsonCode = decoded && decoded.code !== 0 ? decoded.code : undefined;
  const message = excerpt(decoded ? decoded.message : answer.text, secrets) || oauthError(answer.text) || `HTTP ${status}`;
  const shown = `[${jsonCode ?? status}] ${message}`;
  const retryAfter = answer.headers.get("retry-after");
  const details = {
    status,
    ...(jsonCode !== undefined ? { code: jsonCode } : {}),
    route,
    ...(retryAfter ? { retryAfter: excerpt(retryAfter, [], 40) } : {}),
  };
  if (status === 401) return new CloudError("unauthorized", shown, details);
  if (status === 429) return new CloudError("rate-limited", `Pulumi Cloud rate limit exceeded (${route}): ${shown}`, details);
  const hint =
    status >= 500
      ? `${base} had a problem answering: try again later.`
      : undefined; // the kind's hint: check the address
  return hint ? new CloudError("http", shown, details, hint) : new CloudError("http", shown, details);
}

/** The `error` of an OAuth 2 error body, when it is one. */
function oauthError(text: string): string | undefined {
  try {
    const json = JSON.parse(text) as unknown;
    const e = (json as { error?: unknown } | null)?.error;
    return typeof e === "string" && /^[\x20-\x7e]{1,64}$/.test(e) ? e : undefined;
  } catch {
    return undefined;
  }
}

/** Milliseconds to wait before the next attempt, or undefined when the error is final. */
function retryDelay(err: unknown, attempt: number, r: RetryPolicy): number | undefined {
  if (attempt >= r.attempts || !(err instanceof CloudError)) return undefined;
  const backoff = Math.min(r.baseDelayMs * 2 ** (attempt - 1), r.maxDelayMs);
  if (err.kind === "network" || err.kind === "timeout") return backoff;
  const status = err.details.status ?? 0;
  if (err.kind === "rate-limited") {
    const ra = retryAfterMs(err.details.retryAfter);
    if (ra !== undefined && ra > r.maxDelayMs) return undefined; // asked to wait longer than we will
    return ra ?? backoff;
  }
  if (err.kind === "http" && status >= 500) return backoff;
  return undefined;
}

function retryAfterMs(value: string | undefined): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const when = Date.parse(value);
  return Number.isNaN(when) ? undefined : Math.max(0, when - Date.now());
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(abortError());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
