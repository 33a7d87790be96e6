// Fault injection for the mock cloud: per-route rules that replace (or delay) the real answer, so
// client tests can see 429/5xx with Retry-After, malformed or truncated bodies, slow answers and
// dropped connections over a real socket.
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

/** Named routes of the mock; faults and stats are keyed by these. */
export const ROUTE_IDS = [
  "challenge", // GET /api/agents/signup (the path the Go CLI calls)
  "challenge-alt", // GET /api/agents/signup/challenge (the path the public REST reference names)
  "signup", // POST /api/agents/signup
  "user", // GET /api/user
  "validate", // GET /api/agents/signup/validate/{claimToken}
  "claim", // POST /api/agents/{orgName}/claim
  "claim-status", // GET /api/agents/{orgName}/claim/status
  "stack-create", // POST /api/stacks/{org}/{project}/{stack}
  "oauth-token", // POST /api/oauth/token (refresh mode only)
  "console", // GET /claim/{claimToken}
  "console-claim", // POST /claim/{claimToken}
  "not-found", // everything else
] as const;
export type RouteId = (typeof ROUTE_IDS)[number];

export interface FaultSpec {
  /** How many requests this rule applies to (default 1). Ignored when sticky. */
  times?: number;
  /** Apply to every matching request until removed. */
  sticky?: boolean;
  /** Wait this long (real time) before answering; alone, the real handler answers afterwards. */
  delayMs?: number;
  /** Answer with this status (default 200 for malformedJson/partialBody/json/body, 429 with retryAfter only). */
  status?: number;
  /** JSON body (default for an error status: the Go shape `{code, message}`). */
  json?: unknown;
  /** Raw body, sent verbatim (Content-Type from headers, else text/plain). */
  body?: string;
  headers?: Record<string, string>;
  /** Sets the `Retry-After` header. */
  retryAfter?: number | string;
  /** Send a JSON content type with a body that is not valid JSON. */
  malformedJson?: boolean;
  /** Declare the full Content-Length, send only half the body, then destroy the socket. */
  partialBody?: boolean;
  /** Close the connection without any response. */
  drop?: boolean;
  /**
   * Let the real handler answer (the account is really created), then replace its JSON body with what
   * this returns: odd values in fields of a real answer.
   */
  rewrite?: (body: Record<string, unknown>) => unknown;
}

export interface FaultHandle {
  readonly routes: readonly (RouteId | "*")[];
  readonly spec: Readonly<FaultSpec>;
  /** Uses left (Infinity when sticky). */
  readonly remaining: number;
  /** How many requests this rule has been applied to. */
  readonly applied: number;
  remove(): void;
}

interface Rule {
  routes: (RouteId | "*")[];
  spec: FaultSpec;
  remaining: number;
  applied: number;
}

export const MALFORMED_JSON_BODY = '{"code": 200, "message": "this body is not valid JSON';

export class FaultQueue {
  private rules: Rule[] = [];

  /** Queue a rule for one route, several routes, or "*" (any route). Rules apply first-in first-out. */
  add(route: RouteId | "*" | readonly (RouteId | "*")[], spec: FaultSpec): FaultHandle {
    const routes = typeof route === "string" ? [route] : [...route];
    for (const r of routes) {
      if (r !== "*" && !(ROUTE_IDS as readonly string[]).includes(r)) throw new Error(`unknown mock route: ${r}`);
    }
    const times = spec.sticky ? Infinity : (spec.times ?? 1);
    if (!(times >= 1)) throw new RangeError(`fault times must be >= 1, got ${spec.times}`);
    const rule: Rule = { routes, spec: { ...spec }, remaining: times, applied: 0 };
    this.rules.push(rule);
    const remove = (): void => {
      this.rules = this.rules.filter((r) => r !== rule);
    };
    return {
      routes,
      spec: rule.spec,
      get remaining() {
        return rule.remaining;
      },
      get applied() {
        return rule.applied;
      },
      remove,
    };
  }

  /** The first rule for this route, with one use consumed. */
  take(route: RouteId): FaultSpec | undefined {
    const rule = this.rules.find((r) => r.routes.includes(route) || r.routes.includes("*"));
    if (!rule) return undefined;
    rule.applied++;
    rule.remaining--;
    if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
    return rule.spec;
  }

  /** Rules still queued (for a route, or all). */
  pending(route?: RouteId): number {
    return this.rules.filter((r) => route === undefined || r.routes.includes(route) || r.routes.includes("*")).length;
  }

  clear(): void {
    this.rules = [];
  }
}

function respondsItself(spec: FaultSpec): boolean {
  return (
    spec.drop === true ||
    spec.partialBody === true ||
    spec.malformedJson === true ||
    spec.status !== undefined ||
    spec.json !== undefined ||
    spec.body !== undefined ||
    spec.retryAfter !== undefined
  );
}

/**
 * Apply a fault. Resolves true when the fault produced (or refused) the response itself, false when
 * the normal handler should answer (delay-only rules). `signal` aborts a pending delay on close().
 */
export async function applyFault(
  req: IncomingMessage,
  res: ServerResponse,
  spec: FaultSpec,
  signal: AbortSignal,
): Promise<boolean> {
  if (spec.delayMs !== undefined && spec.delayMs > 0) {
    try {
      await sleep(spec.delayMs, undefined, { signal });
    } catch {
      req.socket.destroy();
      return true;
    }
  }
  if (!respondsItself(spec)) return false;

  if (spec.drop) {
    req.socket.destroy();
    return true;
  }

  const status = spec.status ?? (spec.retryAfter !== undefined && !spec.malformedJson && !spec.partialBody ? 429 : 200);
  const headers: Record<string, string> = { ...spec.headers };
  if (spec.retryAfter !== undefined) headers["Retry-After"] = String(spec.retryAfter);

  let body: string;
  if (spec.malformedJson) {
    body = spec.body ?? MALFORMED_JSON_BODY;
    headers["Content-Type"] ??= "application/json";
  } else if (spec.body !== undefined) {
    body = spec.body;
    headers["Content-Type"] ??= "text/plain; charset=utf-8";
  } else {
    const json = spec.json ?? { code: status, message: status >= 400 ? `injected fault: HTTP ${status}` : "injected fault" };
    body = JSON.stringify(json);
    headers["Content-Type"] ??= "application/json";
  }

  const bytes = Buffer.from(body, "utf8");
  if (spec.partialBody) {
    // Promise the whole body, deliver half, then cut the connection: the client sees a truncated
    // message rather than a clean end of stream.
    const sent = bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2)));
    res.writeHead(status, { ...headers, "Content-Length": String(bytes.length + 64) });
    res.write(sent, () => {
      // Give the kernel a moment to flush the partial write before the reset.
      setImmediate(() => req.socket.destroy());
    });
    return true;
  }
  res.writeHead(status, { ...headers, "Content-Length": String(bytes.length) });
  res.end(bytes);
  return true;
}
