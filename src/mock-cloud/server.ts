// A mock Pulumi Cloud on loopback: a real node:http server implementing the agent-account endpoints
// (signup, /api/user, claim validation and transfer, token refresh) plus a tiny console claim page,
// with a controllable clock, request stats and fault injection. Used by the tests and as the demo's
// embedded default.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { z } from "zod";
import { ClaimRequest, SignupRequest, type ClaimEntity } from "../cloud/protocol.js";
import { MockClock } from "./clock.js";
import {
  CONSOLE_CSP,
  renderBlockedPage,
  renderClaimedPage,
  renderClaimPage,
  renderErrorPage,
  renderUnavailablePage,
} from "./console-page.js";
import { applyFault, FaultQueue, type RouteId } from "./faults.js";
import { MockState, type AgentAccount, type HumanAccount, type Outcome, type RefreshModeOptions } from "./state.js";
import { MockStats } from "./stats.js";

export { MockClock, HOUR_MS, DAY_MS } from "./clock.js";
export { FaultQueue, ROUTE_IDS, type FaultSpec, type FaultHandle, type RouteId } from "./faults.js";
export {
  MockState,
  ACTIVE_PERIOD_MS,
  CLAIM_WINDOW_MS,
  CHALLENGE_TTL_MS,
  DEFAULT_DIFFICULTY,
  REFRESH_MODE_ACCESS_TTL_MS,
  UNAUTHORIZED_MESSAGE,
  READ_ONLY_MESSAGE,
  type AgentAccount,
  type AgentPhase,
  type HumanAccount,
  type Account,
  type TokenRecord,
  type RefreshRecord,
  type RefreshModeOptions,
  type Org,
  type ClaimRecord,
  type Challenge,
} from "./state.js";
export { MockStats, type RecordedRequest, type HeadersSeen } from "./stats.js";

export interface MockCloudOptions {
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Leading zero bits of issued challenges (default 8). */
  difficulty?: number;
  /** Base URL of the console (claim page); default: this server's URL (it serves both). */
  consoleUrl?: string;
  /** A human the console page offers as a one-click "Claim as <login>". */
  demoHuman?: { login: string; token: string; orgs?: string[] };
  /** Challenge lifetime on the mock clock (default 5 min). */
  challengeTtlMs?: number;
  /** Entity kinds a claim reports as failures (default ["insights-account"]). */
  nonTransferableKinds?: readonly string[];
  /** Share a clock (default: a fresh one at real time). */
  clock?: MockClock;
  /**
   * Refresh mode: signup also returns a refreshToken, access tokens are JWT-shaped (with the
   * account id as `sub`) and expire after accessTtlMs (default one hour), and POST /api/oauth/token
   * rotates them. Off by default (one 72 h access token, no /api/oauth/token route).
   */
  refreshTokens?: RefreshModeOptions;
}

export interface MockCloud {
  /** API base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Console base URL (no trailing slash). */
  readonly consoleUrl: string;
  /** host[:port] of the console, the value for PULUMI_CONSOLE_DOMAIN. */
  readonly consoleDomain: string;
  readonly clock: MockClock;
  readonly state: MockState;
  readonly stats: MockStats;
  readonly faults: FaultQueue;
  setDifficulty(n: number): void;
  /** Serve this fixed challengeData (e.g. "v1:bench:20"); undefined restores random data. */
  setChallengeData(data: string | undefined): void;
  addHumanUser(login: string, token: string, orgs?: string[]): HumanAccount;
  addEntity(org: string, entity: ClaimEntity): void;
  /** An agent account as if signed up, without HTTP or proof of work (not counted in stats.signups). */
  createAgent(meta?: Parameters<MockState["createAgentAccount"]>[0]): AgentAccount;
  /** `<consoleUrl>/claim/<token>`, what the CLI computes with PULUMI_CONSOLE_DOMAIN=consoleDomain. */
  claimUrl(claimToken: string): string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

interface Route {
  id: RouteId;
  method: string;
  /** Path segments; ":name" captures one segment. */
  pattern: string[];
}

const ROUTES: Route[] = [
  { id: "challenge", method: "GET", pattern: ["api", "agents", "signup"] },
  { id: "challenge-alt", method: "GET", pattern: ["api", "agents", "signup", "challenge"] },
  { id: "signup", method: "POST", pattern: ["api", "agents", "signup"] },
  { id: "user", method: "GET", pattern: ["api", "user"] },
  { id: "validate", method: "GET", pattern: ["api", "agents", "signup", "validate", ":claimToken"] },
  { id: "claim", method: "POST", pattern: ["api", "agents", ":org", "claim"] },
  { id: "claim-status", method: "GET", pattern: ["api", "agents", ":org", "claim", "status"] },
  { id: "stack-create", method: "POST", pattern: ["api", "stacks", ":org", ":project", ":stack"] },
  { id: "oauth-token", method: "POST", pattern: ["api", "oauth", "token"] },
  { id: "console", method: "GET", pattern: ["claim", ":claimToken"] },
  { id: "console-claim", method: "POST", pattern: ["claim", ":claimToken"] },
];

type Params = Record<string, string>;

/** Match a request; undecodable segments (bad %-escapes) match nothing. */
function matchRoute(routes: readonly Route[], method: string, pathname: string): { route: Route; params: Params } | undefined {
  const raw = pathname.split("/").slice(1);
  let segments: string[];
  try {
    segments = raw.map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
  for (const route of routes) {
    if (route.method !== method || route.pattern.length !== segments.length) continue;
    const params: Params = {};
    const matched = route.pattern.every((p, i) => {
      const seg = segments[i] as string;
      if (p.startsWith(":")) {
        params[p.slice(1)] = seg;
        return seg.length > 0;
      }
      return p === seg;
    });
    if (matched) return { route, params };
  }
  return undefined;
}

/** Per-response body rewrites of `rewrite` faults. */
const rewrites = new WeakMap<ServerResponse, (body: Record<string, unknown>) => unknown>();

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const rewrite = rewrites.get(res);
  const sent = rewrite && status < 300 ? rewrite(JSON.parse(JSON.stringify(body)) as Record<string, unknown>) : body;
  const bytes = Buffer.from(JSON.stringify(sent), "utf8");
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": String(bytes.length) });
  res.end(bytes);
}

/** Errors in the Go service's shape: `{"code": <status>, "message": ...}`. */
function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { code: status, message });
}

function sendOutcome<T>(res: ServerResponse, outcome: Outcome<T>): void {
  if (outcome.ok) sendJson(res, 200, outcome.value);
  else sendError(res, outcome.status, outcome.message);
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  const bytes = Buffer.from(html, "utf8");
  res.writeHead(status, {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Length": String(bytes.length),
    "Content-Security-Policy": CONSOLE_CSP,
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
  });
  res.end(bytes);
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Parse a JSON body against a protocol schema; a 400 Go-shape error otherwise. */
function parseJsonBody<S extends z.ZodType>(schema: S, body: string): Outcome<z.infer<S>> {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (err) {
    return { ok: false, status: 400, message: `invalid JSON body: ${(err as Error).message}` };
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ");
    return { ok: false, status: 400, message: `invalid request body: ${issues}` };
  }
  return { ok: true, value: parsed.data };
}

export async function startMockCloud(options: MockCloudOptions = {}): Promise<MockCloud> {
  const host = options.host ?? "127.0.0.1";
  const clock = options.clock ?? new MockClock();
  const state = new MockState(clock, {
    ...(options.difficulty !== undefined ? { difficulty: options.difficulty } : {}),
    ...(options.challengeTtlMs !== undefined ? { challengeTtlMs: options.challengeTtlMs } : {}),
    ...(options.nonTransferableKinds !== undefined ? { nonTransferableKinds: options.nonTransferableKinds } : {}),
    ...(options.refreshTokens ? { refreshTokens: options.refreshTokens } : {}),
  });
  // Without refresh mode there is no token endpoint, as before it existed.
  const routes = state.refreshMode ? ROUTES : ROUTES.filter((r) => r.id !== "oauth-token");
  const stats = new MockStats();
  const faults = new FaultQueue();
  const demoHuman = options.demoHuman;
  if (demoHuman) state.addHumanUser(demoHuman.login, demoHuman.token, demoHuman.orgs ?? [demoHuman.login]);
  // Aborts pending fault delays so close() never waits on them.
  const closing = new AbortController();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://mock.invalid");
    const match = matchRoute(routes, method, url.pathname);
    const routeId: RouteId = match?.route.id ?? "not-found";

    let body = "";
    let tooLarge = false;
    try {
      body = await readBody(req);
    } catch (err) {
      if (!(err instanceof BodyTooLarge)) throw err;
      tooLarge = true;
    }
    const fault = faults.take(routeId);
    stats.record({
      method,
      path: req.url ?? "/",
      route: routeId,
      headers: { ...req.headers },
      body,
      at: clock.now(),
      faulted: fault !== undefined,
    });
    if (fault && (await applyFault(req, res, fault, closing.signal))) return;
    if (fault?.rewrite) rewrites.set(res, fault.rewrite);
    if (tooLarge) return sendError(res, 413, `request body exceeds ${MAX_BODY_BYTES} bytes`);
    if (!match) return sendError(res, 404, `no route for ${method} ${url.pathname}`);

    const params = match.params;
    const auth = req.headers["authorization"];
    switch (match.route.id) {
      case "challenge":
      case "challenge-alt":
        return sendJson(res, 200, state.issueChallenge());
      case "signup": {
        const parsed = parseJsonBody(SignupRequest, body);
        if (!parsed.ok) return sendOutcome(res, parsed);
        const ua = req.headers["user-agent"];
        const outcome = state.signup(parsed.value, ua !== undefined ? { userAgent: ua } : {});
        if (outcome.ok) stats.signups++;
        return sendOutcome(res, outcome);
      }
      case "user": {
        const who = state.authenticate(auth);
        if (!who.ok) return sendOutcome(res, who);
        return sendJson(res, 200, state.userResponse(who.value.account, who.value.token));
      }
      case "validate":
        return sendOutcome(res, state.validateClaim(params["claimToken"] as string));
      case "claim": {
        const parsed = parseJsonBody(ClaimRequest, body);
        if (!parsed.ok) return sendOutcome(res, parsed);
        const dryRun = ["true", "1"].includes(url.searchParams.get("dryRun") ?? "");
        return sendOutcome(res, state.claim(auth, params["org"] as string, parsed.value, dryRun));
      }
      case "claim-status":
        return sendOutcome(res, state.claimStatus(auth, params["org"] as string));
      case "stack-create":
        return sendOutcome(
          res,
          state.createStack(auth, params["org"] as string, params["project"] as string, params["stack"] as string),
        );
      case "oauth-token": {
        const type = String(req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
        const outcome =
          type === "application/x-www-form-urlencoded"
            ? state.refresh(new URLSearchParams(body))
            : ({ ok: false, status: 400, error: "invalid_request", description: "the body must be form-encoded" } as const);
        if (!outcome.ok) return sendJson(res, outcome.status, { error: outcome.error, error_description: outcome.description });
        stats.refreshes++;
        return sendJson(res, 200, outcome.value);
      }
      case "console":
        return consolePage(res, params["claimToken"] as string);
      case "console-claim":
        return consoleClaim(res, params["claimToken"] as string, body);
      case "not-found":
        return sendError(res, 404, `no route for ${method} ${url.pathname}`);
    }
  }

  function consolePage(res: ServerResponse, claimToken: string): void {
    const claim = state.validateClaim(claimToken);
    if (!claim.ok) return sendHtml(res, claim.status === 404 && unknownClaim(claimToken) ? 404 : 410, renderUnavailablePage(claim.message));
    const agent = state.agentByClaimToken(claimToken);
    sendHtml(
      res,
      200,
      renderClaimPage({
        claimToken,
        claim: claim.value,
        phase: agent ? state.phase(agent) : "active",
        now: clock.now(),
        ...(demoHuman ? { demoHuman: { login: demoHuman.login } } : {}),
      }),
    );
  }

  function unknownClaim(claimToken: string): boolean {
    return state.agentByClaimToken(claimToken) === undefined;
  }

  /** The console's form post: claim into the human's org (commit, no dry run). */
  function consoleClaim(res: ServerResponse, claimToken: string, body: string): void {
    const form = new URLSearchParams(body);
    const token = form.get("demo") && demoHuman ? demoHuman.token : (form.get("token") ?? "").trim();
    const authorization = `token ${token}`;
    const who = state.authenticate(authorization);
    if (!who.ok) return sendHtml(res, who.status, renderErrorPage(who.status, `That token was not accepted: ${who.message}`));
    const account = who.value.account;
    const defaultOrg = account.kind === "human" ? (account.orgs[0] ?? account.login) : account.login;
    const org = (form.get("org") ?? "").trim() || defaultOrg;
    const outcome = state.claim(authorization, org, { claimToken }, false);
    if (!outcome.ok) {
      const status = outcome.status === 404 && !unknownClaim(claimToken) ? 410 : outcome.status;
      return sendHtml(res, status, status === 410 ? renderUnavailablePage(outcome.message) : renderErrorPage(status, outcome.message));
    }
    if (!outcome.value.transferToken) return sendHtml(res, 409, renderBlockedPage(outcome.value, org));
    sendHtml(res, 200, renderClaimedPage(outcome.value, org, account.login));
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // A bug in the mock must be loud in tests, not a hung request.
      if (!res.headersSent) sendError(res, 500, `mock cloud internal error: ${(err as Error).message}`);
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const consoleUrl = (options.consoleUrl ?? url).replace(/\/+$/, "");
  const consoleDomain = new URL(consoleUrl).host;

  let closed: Promise<void> | undefined;
  return {
    url,
    host,
    port,
    consoleUrl,
    consoleDomain,
    clock,
    state,
    stats,
    faults,
    setDifficulty: (n) => state.setDifficulty(n),
    setChallengeData: (data) => state.setChallengeData(data),
    addHumanUser: (login, token, orgs) => state.addHumanUser(login, token, orgs),
    addEntity: (org, entity) => state.addEntity(org, entity),
    createAgent: (meta) => state.createAgentAccount(meta),
    claimUrl: (claimToken) => `${consoleUrl}/claim/${encodeURIComponent(claimToken)}`,
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
