// One HTTP exchange with the service, with the network discipline every call shares: redirects are
// never followed off the API's origin, nor for a POST (a 307/308 would re-send the proof of work
// elsewhere), and at most a few hops; every body is read incrementally and abandoned at a byte cap
// counted after decompression (a gzip bomb stops at the cap); one timeout covers every hop and the
// whole body, so a trickling server cannot hold a run. Requests use Node's built-in fetch, or, when a
// proxy is configured (HTTP(S)_PROXY / NO_PROXY), npm undici's proxy-aware dispatcher: loading
// undici costs ~50 ms, so only then.
import { CloudError } from "./errors.js";
import { excerpt } from "./excerpt.js";

type Env = Readonly<Record<string, string | undefined>>;
type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** Same-origin GET redirects followed before giving up. */
export const MAX_REDIRECTS = 3;
/** Bytes of an error answer (4xx/5xx) kept: enough for any error body; the rest is not read. */
export const ERROR_BODY_BYTES = 64 * 1024;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface Exchange {
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Cap of a 2xx body, in bytes after decompression. */
  maxBytes: number;
  timeoutMs: number;
  /** Cancels everything (Ctrl-C): rejects with an AbortError. */
  signal?: AbortSignal;
  /** For messages: the route as shown (no claim token in it), what the answer is, the base shown. */
  route: string;
  what: string;
  base: string;
  /** Values that must never appear in a message (the tokens this request carries, also as escaped in the path). */
  secrets: readonly (string | undefined)[];
  /** Where proxy settings are read (default process.env). */
  env?: Env;
}

export interface Answer {
  status: number;
  headers: Headers;
  /** The body as text (an error body is cut at ERROR_BODY_BYTES). */
  text: string;
}

const proxied = new Map<string, Promise<Fetch>>();

/** Built-in fetch, unless a proxy is configured: then undici's fetch with an EnvHttpProxyAgent. */
function fetcher(env: Env): Promise<Fetch> {
  // undici's own precedence: the lower-case variable first.
  const httpProxy = env.http_proxy ?? env.HTTP_PROXY ?? "";
  const httpsProxy = env.https_proxy ?? env.HTTPS_PROXY ?? "";
  if (!httpProxy && !httpsProxy) return Promise.resolve(globalThis.fetch);
  const noProxy = env.no_proxy ?? env.NO_PROXY ?? "";
  const key = JSON.stringify([httpProxy, httpsProxy, noProxy]);
  let f = proxied.get(key);
  if (!f) {
    f = import("undici").then(({ EnvHttpProxyAgent, fetch }) => {
      const dispatcher = new EnvHttpProxyAgent({ httpProxy, httpsProxy: httpsProxy || httpProxy, noProxy });
      return ((url: string, init: RequestInit) => fetch(url, { ...(init as object), dispatcher })) as unknown as Fetch;
    });
    proxied.set(key, f);
  }
  return f;
}

export function abortError(): Error {
  const e = new Error("cancelled");
  e.name = "AbortError";
  return e;
}

/** The part of an address shown in messages: origin and path, no user info, no query. */
export function shownAddress(url: URL, secrets: readonly (string | undefined)[] = []): string {
  return excerpt(`${url.origin}${url.pathname === "/" ? "" : url.pathname}`, secrets);
}

export async function exchange(x: Exchange): Promise<Answer> {
  const timeout = AbortSignal.timeout(x.timeoutMs);
  const signal = x.signal ? AbortSignal.any([x.signal, timeout]) : timeout;
  const doFetch = await fetcher(x.env ?? process.env);
  let url = new URL(x.url);
  const origin = url.origin;
  // The route, not the path: a validate path carries the claim token.
  const details = { route: x.route, url: `${x.base}${x.route}` };
  try {
    for (let hop = 0; ; hop++) {
      const res = await doFetch(url.href, { method: x.method, headers: x.headers, body: x.body, signal, redirect: "manual" });
      const location = res.headers.get("location");
      if (!REDIRECT_STATUSES.has(res.status) || location === null) {
        return { status: res.status, headers: res.headers, text: await readBody(res, x) };
      }
      await res.body?.cancel().catch(() => undefined);
      let target: URL;
      try {
        target = new URL(location, url);
      } catch {
        throw redirectError(x, res.status, "to an address that is not a URL", details);
      }
      const to = shownAddress(target, x.secrets);
      if (x.method !== "GET") {
        throw redirectError(x, res.status, `to ${to}; pulumi-agent never re-sends a ${x.method}`, { ...details, location: target.origin });
      }
      if (target.origin !== origin) {
        throw redirectError(x, res.status, `to ${to}, outside ${x.base}; pulumi-agent follows redirects only within the API's origin`, { ...details, location: target.origin });
      }
      if (hop >= MAX_REDIRECTS) {
        throw redirectError(x, res.status, `more than ${MAX_REDIRECTS} times (last to ${to})`, { ...details, location: target.origin });
      }
      url = target;
    }
  } catch (err) {
    if (err instanceof CloudError) throw err;
    if (x.signal?.aborted) throw abortError();
    if (timeout.aborted) {
      throw new CloudError("timeout", `${x.method} ${x.route} timed out after ${x.timeoutMs} ms (${x.base})`, details);
    }
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = excerpt(cause?.code ?? cause?.message ?? (err as Error).message, x.secrets);
    throw new CloudError("network", `could not reach ${x.base} (${x.method} ${x.route}): ${why}`, details);
  }
}

function redirectError(x: Exchange, status: number, rest: string, details: { route: string; url: string; location?: string }): CloudError {
  return new CloudError("redirect", `${x.method} ${x.route} was redirected (HTTP ${status}) ${rest}.`, { ...details, status });
}

/**
 * The body, read chunk by chunk up to the cap. A 2xx body over the cap (declared or read) is an
 * error and the connection is dropped; an error body is just cut (only its first words are shown).
 */
async function readBody(res: Response, x: Exchange): Promise<string> {
  const ok = res.status >= 200 && res.status < 300;
  const max = ok ? x.maxBytes : ERROR_BODY_BYTES;
  const tooLarge = (how: string) =>
    new CloudError("too-large", `the ${x.what} response from ${x.route} ${how}.`, { status: res.status, route: x.route });
  const declared = res.headers.get("content-length");
  if (ok && declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > max) {
    await res.body?.cancel().catch(() => undefined);
    throw tooLarge(`declares ${declared.trim()} bytes, more than the ${byteSize(max)} pulumi-agent reads`);
  }
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = max - size;
    if (value.byteLength > room) {
      await reader.cancel().catch(() => undefined);
      if (ok) throw tooLarge(`is larger than ${byteSize(max)}, the most pulumi-agent reads`);
      chunks.push(value.subarray(0, room));
      break;
    }
    chunks.push(value);
    size += value.byteLength;
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

function byteSize(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
