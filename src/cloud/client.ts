// Pulumi Cloud REST client for the agent endpoints (reference §1). Cold path only: imported lazily
// when a signup, claim or diagnosis needs the network. zod validates every response. Requests use
// Node's built-in fetch, or, when a proxy is configured (HTTP(S)_PROXY / NO_PROXY), npm undici's
// proxy-aware dispatcher: loading undici costs ~50 ms, so only then.
import type { z } from "zod";
import {
  AgentClaimResponse,
  ChallengeResponse,
  ClaimStatusResponse,
  ErrorBody,
  SignupResponse,
  UserResponse,
  type ClaimRequest,
  type SignupRequest,
} from "./protocol.js";
import { CloudError } from "./errors.js";

export interface ClientOptions {
  baseUrl: string;
  userAgent: string;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** GET retry policy (reference §1.4: 4 attempts, 1 s doubling, max 30 s). */
  retries?: { attempts: number; baseDelayMs: number; maxDelayMs: number };
  /** Cancels everything in flight (Ctrl-C). */
  signal?: AbortSignal;
  /** Called before a retry sleep (for debug output). */
  onRetry?: (info: { route: string; attempt: number; delayMs: number; reason: string }) => void;
}

const DEFAULT_RETRIES = { attempts: 4, baseDelayMs: 1000, maxDelayMs: 30_000 };
const ACCEPT = "application/vnd.pulumi+9";

type Fetch = (url: string, init: RequestInit) => Promise<Response>;
const PROXY_VARS = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"];
let proxiedFetch: Promise<Fetch> | undefined;

/** Built-in fetch, unless a proxy is configured: then undici's fetch with EnvHttpProxyAgent. */
function fetcher(env: NodeJS.ProcessEnv = process.env): Promise<Fetch> {
  if (!PROXY_VARS.some((v) => env[v])) return Promise.resolve(globalThis.fetch);
  proxiedFetch ??= import("undici").then(({ EnvHttpProxyAgent, fetch }) => {
    const dispatcher = new EnvHttpProxyAgent();
    return ((url: string, init: RequestInit) => fetch(url, { ...(init as object), dispatcher })) as unknown as Fetch;
  });
  return proxiedFetch;
}

/** One attempt, short timeout: for checks that run after something already failed, and for doctor. */
export function probeClient(baseUrl: string, userAgent: string, timeoutMs = 5000): CloudClient {
  return new CloudClient({ baseUrl, userAgent, timeoutMs, retries: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 } });
}

export type ClaimValidation = { claimable: true; details: AgentClaimResponse } | { claimable: false };

export class CloudClient {
  private readonly base: string;
  constructor(private readonly opts: ClientOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, "");
  }

  /** GET /api/agents/signup, falling back to the documented /challenge path on 404/405. */
  async getChallenge(): Promise<ChallengeResponse> {
    try {
      return await this.request("GET", "/api/agents/signup", { schema: ChallengeResponse, what: "signup challenge" });
    } catch (err) {
      if (err instanceof CloudError && (err.details.status === 404 || err.details.status === 405)) {
        return this.request("GET", "/api/agents/signup/challenge", { schema: ChallengeResponse, what: "signup challenge" });
      }
      throw err;
    }
  }

  /** POST /api/agents/signup. Never retried: a retry needs a fresh challenge. */
  signup(body: SignupRequest): Promise<SignupResponse> {
    return this.request("POST", "/api/agents/signup", { body, schema: SignupResponse, what: "signup" });
  }

  getUser(token: string): Promise<UserResponse> {
    return this.request("GET", "/api/user", { token, schema: UserResponse, what: "user" });
  }

  /** Claimable (200), not claimable (404 with a Go error body); anything else throws. */
  async validateClaim(claimToken: string): Promise<ClaimValidation> {
    if (!claimToken.trim()) return { claimable: false };
    try {
      const details = await this.request("GET", `/api/agents/signup/validate/${encodeURIComponent(claimToken)}`, {
        schema: AgentClaimResponse,
        what: "claim validation",
      });
      return { claimable: true, details };
    } catch (err) {
      if (err instanceof CloudError && err.details.status === 404 && err.details.code === 404) return { claimable: false };
      throw err;
    }
  }

  claim(orgName: string, body: ClaimRequest, humanToken: string, dryRun: boolean): Promise<AgentClaimResponse> {
    const q = dryRun ? "?dryRun=true" : "";
    return this.request("POST", `/api/agents/${encodeURIComponent(orgName)}/claim${q}`, {
      body,
      token: humanToken,
      schema: AgentClaimResponse,
      what: "claim",
    });
  }

  claimStatus(orgName: string, token: string): Promise<ClaimStatusResponse> {
    return this.request("GET", `/api/agents/${encodeURIComponent(orgName)}/claim/status`, {
      token,
      schema: ClaimStatusResponse,
      what: "claim status",
    });
  }

  private async request<S extends z.ZodType>(
    method: "GET" | "POST",
    route: string,
    o: { body?: unknown; token?: string; schema: S; what: string },
  ): Promise<z.infer<S>> {
    const retries = method === "GET" ? (this.opts.retries ?? DEFAULT_RETRIES) : { ...DEFAULT_RETRIES, attempts: 1 };
    let attempt = 0;
    for (;;) {
      attempt++;
      try {
        const text = await this.once(method, route, o.body, o.token);
        return parseBody(o.schema, text, o.what, route);
      } catch (err) {
        const delay = retryDelay(err, attempt, retries);
        if (delay === undefined || this.opts.signal?.aborted) throw err;
        this.opts.onRetry?.({ route, attempt, delayMs: delay, reason: (err as Error).message });
        await sleep(delay, this.opts.signal);
      }
    }
  }

  private async once(method: string, route: string, body: unknown, token: string | undefined): Promise<string> {
    const url = `${this.base}${route}`;
    const timeoutMs = this.opts.timeoutMs ?? 15_000;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = this.opts.signal ? AbortSignal.any([this.opts.signal, timeout]) : timeout;
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      Accept: ACCEPT,
      "User-Agent": this.opts.userAgent,
    };
    if (token) headers.Authorization = `token ${token}`;
    let res: Response;
    let text: string;
    const doFetch = await fetcher();
    try {
      res = await doFetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
      text = await res.text();
    } catch (err) {
      if (this.opts.signal?.aborted) throw abortError();
      if (timeout.aborted) {
        throw new CloudError("timeout", `${method} ${route} timed out after ${timeoutMs} ms (${this.base})`, { route, url });
      }
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new CloudError("network", `could not reach ${this.base} (${method} ${route}): ${why}`, { route, url });
    }
    if (res.ok) return text;
    throw httpError(res.status, res.headers.get("retry-after"), text, route, url);
  }
}

function httpError(status: number, retryAfter: string | null, text: string, route: string, url: string): CloudError {
  // `code` is set only from a Go-shaped error body: a proxy's HTML 404 is not the service saying
  // "no such claim" (stricter than the Go CLI, which takes the HTTP status for non-JSON bodies).
  let code: number | undefined;
  let message = text.trim().slice(0, 500) || `HTTP ${status}`;
  try {
    const parsed = ErrorBody.safeParse(JSON.parse(text));
    if (parsed.success) {
      code = parsed.data.code;
      message = parsed.data.message;
    }
  } catch {
    // not JSON: keep the raw (truncated) body, like the Go client
  }
  const shown = `[${code ?? status}] ${message}`;
  const details = { status, ...(code !== undefined ? { code } : {}), route, url, ...(retryAfter ? { retryAfter } : {}) };
  if (status === 401) return new CloudError("unauthorized", shown, details);
  if (status === 429) return new CloudError("rate-limited", `Pulumi Cloud rate limit exceeded (${route}): ${shown}`, details);
  return new CloudError("http", shown, details);
}

function parseBody<S extends z.ZodType>(schema: S, text: string, what: string, route: string): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const preview = text.length > 80 ? `${text.slice(0, 80)}…` : text;
    throw new CloudError("malformed", `the ${what} response from ${route} is not valid JSON: ${JSON.stringify(preview)}`, { route });
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join(".") || "(body)";
  const missing = issue?.code === "invalid_type" && issue.message.includes("undefined");
  const detail = missing ? `did not include ${field}` : `has an invalid ${field}: ${issue?.message ?? "unknown problem"}`;
  throw new CloudError("malformed", `the ${what} response from ${route} ${detail}`, { route });
}

/** Milliseconds to wait before the next attempt, or undefined when the error is final. */
function retryDelay(err: unknown, attempt: number, r: { attempts: number; baseDelayMs: number; maxDelayMs: number }): number | undefined {
  if (attempt >= r.attempts || !(err instanceof CloudError)) return undefined;
  const backoff = Math.min(r.baseDelayMs * 2 ** (attempt - 1), r.maxDelayMs);
  if (err.kind === "network" || err.kind === "timeout") return backoff;
  const status = err.details.status ?? 0;
  if (status === 429) {
    const ra = retryAfterMs(err.details.retryAfter);
    if (ra !== undefined && ra > r.maxDelayMs) return undefined; // asked to wait longer than we will
    return ra ?? backoff;
  }
  if (status >= 500) return backoff;
  return undefined;
}

function retryAfterMs(value: string | undefined): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const when = Date.parse(value);
  return Number.isNaN(when) ? undefined : Math.max(0, when - Date.now());
}

function abortError(): Error {
  const e = new Error("cancelled");
  e.name = "AbortError";
  return e;
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
