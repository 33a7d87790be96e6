// Errors from talking to Pulumi Cloud. Kept free of heavy imports so the hot path can `instanceof` them.
import { AgentError } from "../core/errors.js";

export type CloudErrorKind =
  | "unauthorized" // 401: the token was refused
  | "rate-limited" // 429
  | "http" // any other 4xx/5xx
  | "network" // no answer: refused, reset, DNS, TLS, proxy
  | "timeout" // no complete answer in time (slow headers or a trickling body)
  | "malformed" // an answer that is not what the endpoint sends (bad JSON, missing or unusable field)
  | "too-large" // a body above the endpoint's cap (checked after decompression)
  | "redirect" // a redirect we refuse to follow (another origin, a POST, too many hops)
  | "refresh-refused"; // POST /api/oauth/token refused the refresh token (400 invalid_grant, 401)

export interface CloudErrorDetails {
  /** HTTP status of the answer, when there was one. */
  status?: number;
  /** `code` of a Go-shaped error body (`{"code": 404, "message": ...}`), when the body had one. */
  code?: number;
  /** The route as shown in messages (the claim token of a validate path is replaced by a placeholder). */
  route?: string;
  /** The request URL (without user info). */
  url?: string;
  retryAfter?: string;
  /** Origin a refused redirect pointed at. */
  location?: string;
  /** The OAuth `error` of a refused refresh (`invalid_grant`). */
  oauthError?: string;
}

/** What to do, per kind: the hint every CloudError carries. */
const HINTS: Record<CloudErrorKind, string> = {
  unauthorized: "The service refused the access token: `pulumi-agent account status` shows the account's state; `pulumi login` signs in again.",
  "rate-limited": "The service is rate limiting requests: wait a minute and try again.",
  http: "If this persists, check that PULUMI_BACKEND_URL / PULUMI_API point at the Pulumi Cloud API, or try again later.",
  network: "Check the network connection, PULUMI_BACKEND_URL / PULUMI_API and any HTTPS_PROXY / NO_PROXY setting, then try again.",
  timeout: "The service or the network is slow: try again (PULUMI_AGENT_HTTP_TIMEOUT_MS raises the limit).",
  malformed: "This is not an answer Pulumi Cloud sends: check that PULUMI_BACKEND_URL / PULUMI_API point at the Pulumi Cloud API and that no proxy rewrites its answers.",
  "too-large": "Pulumi Cloud never sends answers that big: check that PULUMI_BACKEND_URL / PULUMI_API point at the Pulumi Cloud API and that no proxy rewrites its answers.",
  redirect: "Set PULUMI_BACKEND_URL / PULUMI_API to the API's final address, and check the proxy settings (HTTPS_PROXY / NO_PROXY).",
  "refresh-refused": "The refresh token is no longer accepted (revoked, expired, or the account was claimed): `pulumi-agent account status` shows the account's state.",
};

export class CloudError extends AgentError {
  override name = "CloudError";
  constructor(
    readonly kind: CloudErrorKind,
    message: string,
    readonly details: CloudErrorDetails = {},
    hint: string = HINTS[kind],
  ) {
    super(message, { code: `cloud-${kind}`, hint });
  }
}
