// The client against hostile servers over loopback: redirects to another port (GET, and 307/308 on
// the signup POST), redirect loops, bodies over the cap (declared, chunked, a gzip bomb; RSS measured
// in a child process), a trickling body, HTML error pages, tokens echoed in error pages, and odd
// values in every signup, user and validate field. Each server is a raw node:http server, so the
// test controls every byte; a second server on another port records whatever reaches it.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CloudClient, ENDPOINTS, goPathEscape, type ClientOptions } from "../../src/cloud/client.js";
import { CloudError } from "../../src/cloud/errors.js";
import { MAX_REDIRECTS } from "../../src/cloud/transport.js";
import { LOOPBACK_GUARD, REPO_ROOT, scrubInPlace } from "../support/sandbox.js";
import { startProxy, type TestProxy } from "../support/proxy.js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

interface Recorder {
  url: string;
  server: Server;
  /** Requests seen: "METHOD path". */
  seen: string[];
  /** Authorization headers seen. */
  auth: string[];
  handler: Handler;
  close(): Promise<void>;
}

async function startRecorder(): Promise<Recorder> {
  const rec = { seen: [] as string[], auth: [] as string[], handler: ((_q, res) => res.end("{}")) as Handler } as Recorder;
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      rec.seen.push(`${req.method} ${req.url}`);
      if (req.headers.authorization) rec.auth.push(req.headers.authorization);
      rec.handler(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  rec.server = server;
  rec.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  rec.close = () =>
    new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  return rec;
}

let hostile: Recorder;
let elsewhere: Recorder;
beforeAll(async () => {
  hostile = await startRecorder();
  elsewhere = await startRecorder();
});
afterAll(async () => {
  await hostile.close();
  await elsewhere.close();
});
afterEach(() => {
  hostile.seen.length = 0;
  hostile.auth.length = 0;
  elsewhere.seen.length = 0;
  elsewhere.auth.length = 0;
  elsewhere.handler = (_q, res) => res.end("{}");
});

const NO_RETRY = { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 };
const client = (o: Partial<ClientOptions> = {}) => new CloudClient({ baseUrl: hostile.url, userAgent: "hostile-test/1", timeoutMs: 5000, retries: NO_RETRY, ...o });

function json(res: ServerResponse, status: number, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": String(bytes.length) });
  res.end(bytes);
}

const CHALLENGE = { challengeID: "c1", challengeData: "v1:abc:1" };
const SIGNUP_OK = { accessToken: "pul-agent-aaaaaaaaaaaa", claimToken: "claim-bbbbbbbb", accessTokenValidUntil: "2030-01-01T00:00:00Z", claimTokenValidUntil: "2030-02-01T00:00:00Z" };

async function rejection(p: Promise<unknown>): Promise<CloudError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(CloudError);
  return err as CloudError;
}

/** A response body of `total` bytes written with backpressure; resolves with the bytes written when the socket closes. */
function stream(res: ServerResponse, total: number, chunk: Buffer): Promise<number> {
  let written = 0;
  return new Promise((resolve) => {
    const pump = (): void => {
      while (written < total && !res.destroyed) {
        const piece = chunk.subarray(0, Math.min(chunk.length, total - written));
        written += piece.length;
        if (!res.write(piece)) return void res.once("drain", pump);
      }
      if (written >= total) res.end();
    };
    res.on("close", () => resolve(written));
    pump();
  });
}

describe("redirects", () => {
  it.each([301, 302, 303, 307, 308])("a GET redirected (%i) to another port is not followed and sends nothing there", async (status) => {
    hostile.handler = (_q, res) => {
      res.writeHead(status, { Location: `${elsewhere.url}/api/user` });
      res.end("moved");
    };
    const err = await rejection(client().getUser("pul-user-token-123456"));
    expect(err.kind).toBe("redirect");
    expect(err.code).toBe("cloud-redirect");
    expect(err.message).toBe(`GET /api/user was redirected (HTTP ${status}) to ${elsewhere.url}/api/user, outside ${hostile.url}; pulumi-agent follows redirects only within the API's origin.`);
    expect(err.hint).toMatch(/PULUMI_BACKEND_URL/);
    expect(err.details.location).toBe(elsewhere.url);
    expect(elsewhere.seen).toEqual([]);
    expect(elsewhere.auth).toEqual([]);
  });

  it.each([307, 308, 302, 301])("the signup POST redirected (%i) to another port is never re-sent", async (status) => {
    hostile.handler = (_q, res) => {
      res.writeHead(status, { Location: `${elsewhere.url}/api/agents/signup` });
      res.end();
    };
    elsewhere.handler = (_q, res) => json(res, 200, SIGNUP_OK);
    const err = await rejection(client().signup({ challengeID: "c1", challengeResult: "1" }));
    expect(err.kind).toBe("redirect");
    expect(err.message).toMatch(/^POST \/api\/agents\/signup was redirected \(HTTP \d+\) to http:\/\/127\.0\.0\.1:\d+\/api\/agents\/signup; pulumi-agent never re-sends a POST\.$/);
    expect(elsewhere.seen).toEqual([]);
    expect(hostile.seen).toEqual(["POST /api/agents/signup"]);
  });

  it("a POST is not redirected within the origin either", async () => {
    hostile.handler = (req, res, body) => {
      if (req.url === "/api/agents/signup") {
        res.writeHead(307, { Location: "/again" });
        return void res.end();
      }
      json(res, 200, { ...SIGNUP_OK, echoed: body });
    };
    expect((await rejection(client().signup({ challengeID: "c1", challengeResult: "1" }))).kind).toBe("redirect");
    expect(hostile.seen).toEqual(["POST /api/agents/signup"]);
  });

  it("a GET follows same-origin redirects, a few hops at most", async () => {
    hostile.handler = (req, res) => {
      const hop = Number(/^\/hop(\d+)$/.exec(req.url ?? "")?.[1] ?? -1);
      if (req.url === "/api/agents/signup") return void (res.writeHead(302, { Location: "/hop1" }), res.end());
      if (hop >= 1 && hop < MAX_REDIRECTS) return void (res.writeHead(307, { Location: `${hostile.url}/hop${hop + 1}` }), res.end());
      json(res, 200, CHALLENGE);
    };
    expect(await client().getChallenge()).toEqual(CHALLENGE);
    expect(hostile.seen).toEqual(["GET /api/agents/signup", ...Array.from({ length: MAX_REDIRECTS }, (_v, i) => `GET /hop${i + 1}`)]);
  });

  it("a redirect loop stops after MAX_REDIRECTS hops with a clear error", async () => {
    hostile.handler = (_q, res) => {
      res.writeHead(302, { Location: "/api/agents/signup" });
      res.end();
    };
    const err = await rejection(client().getChallenge());
    expect(err.kind).toBe("redirect");
    expect(err.message).toBe(`GET /api/agents/signup was redirected (HTTP 302) more than ${MAX_REDIRECTS} times (last to ${hostile.url}/api/agents/signup).`);
    expect(hostile.seen).toHaveLength(MAX_REDIRECTS + 1);
  });

  it("a scheme change is another origin; an unparseable Location is refused", async () => {
    const port = new URL(hostile.url).port;
    hostile.handler = (_q, res) => {
      res.writeHead(301, { Location: `https://127.0.0.1:${port}/api/user` });
      res.end();
    };
    expect((await rejection(client().getUser("t"))).message).toContain(`to https://127.0.0.1:${port}/api/user, outside`);
    hostile.handler = (_q, res) => {
      res.writeHead(302, { Location: "http://[::bad" });
      res.end();
    };
    expect((await rejection(client().getUser("t"))).message).toBe("GET /api/user was redirected (HTTP 302) to an address that is not a URL.");
  });

  describe("through an HTTP proxy (undici's dispatcher)", () => {
    let proxy: TestProxy;
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), "hostile-proxy-"));
      proxy = await startProxy(dir);
    });
    afterAll(async () => {
      await proxy.close();
      await rm(dir, { recursive: true, force: true });
    });

    it("a 307 on the signup POST is not followed to another port", async () => {
      hostile.handler = (_q, res) => {
        res.writeHead(307, { Location: `${elsewhere.url}/api/agents/signup` });
        res.end();
      };
      elsewhere.handler = (_q, res) => json(res, 200, SIGNUP_OK);
      const err = await rejection(client({ env: { HTTP_PROXY: proxy.url } }).signup({ challengeID: "c1", challengeResult: "1" }));
      expect(err.kind).toBe("redirect");
      expect(elsewhere.seen).toEqual([]);
      expect(proxy.targets()).toContain(new URL(hostile.url).host);
      expect(proxy.targets()).not.toContain(new URL(elsewhere.url).host);
    });
  });
});

describe("size caps", () => {
  it("a declared 256 MiB body is refused before reading it", async () => {
    let written: Promise<number> | undefined;
    hostile.handler = (_q, res) => {
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": String(256 * 1024 * 1024) });
      written = stream(res, 256 * 1024 * 1024, Buffer.alloc(64 * 1024, 0x20));
    };
    const err = await rejection(client().getUser("t"));
    expect(err.kind).toBe("too-large");
    expect(err.message).toBe("the user response from /api/user declares 268435456 bytes, more than the 1 MiB pulumi-agent reads.");
    expect(await written).toBeLessThan(64 * 1024 * 1024);
  });

  it("a chunked body without a length is abandoned at the cap", async () => {
    let written: Promise<number> | undefined;
    hostile.handler = (_q, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      written = stream(res, 256 * 1024 * 1024, Buffer.alloc(64 * 1024, 0x20));
    };
    const err = await rejection(client().signup({ challengeID: "c1", challengeResult: "1" }));
    expect(err.kind).toBe("too-large");
    expect(err.message).toBe("the signup response from /api/agents/signup is larger than 1 MiB, the most pulumi-agent reads.");
    expect(await written).toBeLessThan(64 * 1024 * 1024);
  });

  it("every endpoint has a cap of at most 4 MiB", () => {
    for (const ep of Object.values(ENDPOINTS)) expect(ep.maxBytes).toBeLessThanOrEqual(4 * 1024 * 1024);
  });

  // 256 gzip members of 16 MiB of spaces each: 4 GiB once decompressed, ~4 MiB on the wire (more
  // than loopback socket buffers hold, so a client that stops reading leaves most of it unsent).
  const member = gzipSync(Buffer.alloc(16 * 1024 * 1024, 0x20), { level: 9 });
  const bomb = Buffer.concat(Array.from({ length: 256 }, () => member));

  it("a gzip bomb stops at the cap, counted after decompression", async () => {
    let written: Promise<number> | undefined;
    hostile.handler = (_q, res) => {
      res.writeHead(200, { "Content-Type": "application/json", "Content-Encoding": "gzip" });
      written = stream(res, bomb.length, bomb.subarray(0, 16 * 1024));
    };
    const err = await rejection(client().getChallenge());
    expect(err.kind).toBe("too-large");
    expect(err.message).toBe("the signup challenge response from /api/agents/signup is larger than 64 KiB, the most pulumi-agent reads.");
    expect(await written).toBeLessThan(bomb.length);
  });

  it("RSS stays within a few MiB of the cap (gzip bomb and a 256 MiB chunked body, in a child process)", async () => {
    // The dev build of src/cloud (scripts/build.mjs: .build/dev keeps the module layout; dist/ is bundled).
    const dist = path.join(REPO_ROOT, ".build", "dev", "cloud", "client.js");
    if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`npm run build\` first`);
    const srcDir = path.join(REPO_ROOT, "src", "cloud");
    const newest = Math.max(...readdirSync(srcDir).map((f) => statSync(path.join(srcDir, f)).mtimeMs));
    if (statSync(dist).mtimeMs < newest) throw new Error(`${dist} is older than src/cloud: run \`npm run build\` first`);

    hostile.handler = (req, res) => {
      if (req.url === "/api/agents/signup" && req.method === "GET") return json(res, 200, CHALLENGE); // warm-up
      if (req.url === "/api/user") {
        res.writeHead(200, { "Content-Type": "application/json", "Content-Encoding": "gzip" });
        return void stream(res, bomb.length, bomb.subarray(0, 16 * 1024));
      }
      res.writeHead(200, { "Content-Type": "application/json" });
      void stream(res, 256 * 1024 * 1024, Buffer.alloc(64 * 1024, 0x20));
    };
    const script = `
      const { CloudClient } = await import(${JSON.stringify(pathToFileURL(dist).href)});
      const c = new CloudClient({ baseUrl: ${JSON.stringify(hostile.url)}, userAgent: "rss", retries: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 } });
      await c.getChallenge();
      global.gc?.();
      const before = process.resourceUsage().maxRSS;
      const kinds = [];
      for (const call of [() => c.getUser("t"), () => c.signup({ challengeID: "c1", challengeResult: "1" })]) {
        kinds.push(await call().then(() => "ok", (e) => e.kind));
      }
      const after = process.resourceUsage().maxRSS;
      process.stdout.write(JSON.stringify({ kinds, growthKiB: after - before }));
    `;
    const child = spawn(process.execPath, ["--require", LOOPBACK_GUARD, "--expose-gc", "--input-type=module", "-e", script], {
      env: scrubInPlace({ ...process.env }),
    });
    let out = "";
    let errOut = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (errOut += c));
    const code = await new Promise<number | null>((r) => child.on("exit", r));
    expect(code, errOut).toBe(0);
    const report = JSON.parse(out) as { kinds: string[]; growthKiB: number };
    expect(report.kinds).toEqual(["too-large", "too-large"]);
    // The cap is 1 MiB; the rest is fetch's and zlib's buffers and garbage not yet collected (2-26 MiB
    // measured, whatever the body's size), against 256 MiB and 4 GiB for a client that reads it all.
    expect(report.growthKiB).toBeLessThan(48 * 1024);
  });
});

describe("slow and broken bodies", () => {
  it("a trickling body hits the timeout instead of holding the run", async () => {
    const timers: NodeJS.Timeout[] = [];
    hostile.handler = (_q, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write("{");
      const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write(" ")), 50);
      timers.push(t);
    };
    try {
      const err = await rejection(client({ timeoutMs: 400 }).getUser("t"));
      expect(err.kind).toBe("timeout");
      expect(err.message).toBe(`GET /api/user timed out after 400 ms (${hostile.url})`);
    } finally {
      for (const t of timers) clearInterval(t);
    }
  });

  it("a body that is not the gzip it claims is a clear network error", async () => {
    hostile.handler = (_q, res) => {
      res.writeHead(200, { "Content-Type": "application/json", "Content-Encoding": "gzip" });
      res.end("this is not gzip at all");
    };
    const err = await rejection(client().getChallenge());
    expect(err.kind).toBe("network");
    expect(err.message).toMatch(/^could not reach http:\/\/127\.0\.0\.1:\d+ \(GET \/api\/agents\/signup\): /);
    expect(err.message.length).toBeLessThan(200);
  });
});

describe("short messages", () => {
  const page = `<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body>${"<p>The upstream server is unavailable. ".repeat(2000)}</p></body></html>`;

  it("an HTML error page becomes [status] <title>", async () => {
    hostile.handler = (_q, res) => {
      res.writeHead(502, { "Content-Type": "text/html" });
      res.end(page);
    };
    const err = await rejection(client().getChallenge());
    expect(err.kind).toBe("http");
    expect(err.message).toBe("[502] 502 Bad Gateway");
    expect(err.hint).toMatch(/try again later/);
  });

  it("an HTML 200 where JSON belongs: one short line", async () => {
    hostile.handler = (_q, res) => {
      res.writeHead(200, { "Content-Type": "text/html" });
      res.end(page.replace("502 Bad Gateway", "Captive portal: please log in"));
    };
    const err = await rejection(client().getUser("t"));
    expect(err.message).toBe('the user response from /api/user is not valid JSON: "Captive portal: please log in"');
  });

  it("a long JSON error message and one with control characters are cut to one line", async () => {
    hostile.handler = (_q, res) => json(res, 400, { code: 400, message: `bad\n\u001b[2J${"x".repeat(5000)}` });
    const err = await rejection(client().getUser("t"));
    expect(err.message).not.toContain("\n");
    expect(err.message).not.toContain("\u001b");
    expect(err.message.length).toBeLessThanOrEqual(100);
    expect(err.message.startsWith("[400] bad [2Jxxx")).toBe(true);
  });

  it("tokens echoed in an error page never reach the message", async () => {
    const token = "user-token-that-is-not-pul-shaped";
    hostile.handler = (req, res) => {
      res.writeHead(500, { "Content-Type": "text/plain" });
      res.end(`failed for ${req.headers.authorization} on ${req.url}`);
    };
    const err = await rejection(client().getUser(token));
    expect(err.message).toBe("[500] failed for token [redacted] on /api/user");
    const claimToken = "claim!token+with=odd/chars";
    const v = await rejection(client().validateClaim(claimToken));
    expect(v.message).not.toContain("claim!token");
    expect(v.message).not.toContain(encodeURIComponent(claimToken));
    expect(v.message).not.toContain(goPathEscape(claimToken));
    expect(v.message).toContain("/api/agents/signup/validate/[redacted]");
    expect(v.details.route).toBe("/api/agents/signup/validate/{claimToken}");
    expect(JSON.stringify(v.details)).not.toContain("token+with");
    hostile.handler = (req, res) => {
      res.writeHead(302, { Location: req.url ?? "/" });
      res.end();
    };
    const loop = await rejection(client().validateClaim(claimToken));
    expect(loop.kind).toBe("redirect");
    expect(loop.message).toBe(`GET /api/agents/signup/validate/{claimToken} was redirected (HTTP 302) more than ${MAX_REDIRECTS} times (last to ${hostile.url}/api/agents/signup/validate/[redacted]).`);
    const refreshToken = "refresh-token-value-1234";
    hostile.handler = (_q, res, body) => {
      res.writeHead(500, { "Content-Type": "text/plain" });
      res.end(`cannot refresh ${decodeURIComponent(body)}`);
    };
    const r = await rejection(client().refresh(refreshToken));
    expect(r.message).not.toContain(refreshToken);
  });

  it("a signup answer that is not JSON is never quoted (it may hold tokens)", async () => {
    hostile.handler = (_q, res) => {
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.end("accessToken=secret-access-token claimToken=secret-claim");
    };
    const err = await rejection(client().signup({ challengeID: "c1", challengeResult: "1" }));
    expect(err.message).toBe("the signup response from /api/agents/signup is not valid JSON");
  });
});

describe("odd values in every field", () => {
  const ODD: unknown[] = [null, "", " ", 0, -1, 1e308, true, [], {}, "\u0000", "x\r\ny", "é", "0001-01-01T00:00:00Z", "2030-01-01 00:00:00Z"];
  const SIGNUP_FIELDS = ["accessTokenValidUntil", "claimTokenValidUntil", "refreshToken", "userInfo"];
  const USER_FIELDS = ["githubLogin", "organizations", "tokenInfo", "isAgent", "name", "email", "id"];

  it("signup: any value of an optional field leaves a usable answer with both tokens", async () => {
    let current: Record<string, unknown> = {};
    hostile.handler = (_q, res) => json(res, 200, current);
    const fields = [...SIGNUP_FIELDS, ...USER_FIELDS.map((f) => `userInfo.${f}`), "userInfo.organizations.0", "userInfo.organizations.0.githubLogin", "userInfo.tokenInfo.name"];
    let cases = 0;
    for (const field of fields) {
      for (const value of ODD) {
        current = structuredClone(SIGNUP_OK) as Record<string, unknown>;
        const keys = field.split(".");
        let at: Record<string, unknown> = current;
        for (const k of keys.slice(0, -1)) {
          at[k] ??= /^\d+$/.test(keys[keys.indexOf(k) + 1] ?? "") ? [] : {};
          at = at[k] as Record<string, unknown>;
        }
        at[keys.at(-1) as string] = value;
        const answer = await client().signup({ challengeID: "c1", challengeResult: "1" });
        expect(answer.accessToken, `${field}=${JSON.stringify(value)}`).toBe(SIGNUP_OK.accessToken);
        expect(answer.claimToken).toBe(SIGNUP_OK.claimToken);
        // Dropped fields are named with a fixed problem text, never with the value.
        for (const d of answer.dropped) {
          expect(d.field).toMatch(/^[A-Za-z]+(\.[A-Za-z]+|\[\d+\])*(\.[A-Za-z]+)?$/);
          expect(d.problem).toMatch(/^(is|contains)( [A-Za-z0-9]+)+$/);
        }
        if (answer.accessTokenValidUntil !== undefined) expect(answer.accessTokenValidUntil).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        if (answer.claimTokenValidUntil !== undefined) expect(answer.claimTokenValidUntil).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        if (answer.refreshToken !== undefined) expect(answer.refreshToken).toMatch(/^[\x21-\x7e]+$/);
        cases++;
      }
    }
    expect(cases).toBe(fields.length * ODD.length);
  });

  it("/api/user: any value of any field is an answer (the login absent when unusable)", async () => {
    let current: Record<string, unknown> = {};
    hostile.handler = (_q, res) => json(res, 200, current);
    for (const field of USER_FIELDS) {
      for (const value of ODD) {
        current = { githubLogin: "alice", organizations: [{ githubLogin: "acme" }], tokenInfo: { name: "t" }, [field]: value };
        const user = await client().getUser("t");
        expect(Array.isArray(user.organizations)).toBe(true);
        if (user.login !== undefined) expect([...user.login].every((ch) => ch >= " ")).toBe(true);
        if (field !== "githubLogin") expect(user.login).toBe("alice");
      }
    }
  });

  it("validate: any 200 body is claimable; details only when they parse", async () => {
    let current: unknown;
    hostile.handler = (_q, res) => json(res, 200, current);
    const good = {
      agent: { login: "agent-1", orgName: "agent-1", createdAt: "2030-01-01 00:00:00Z" },
      inventory: [],
      conflicts: [],
      failures: [],
      claimExpiresAt: "2030-01-31T00:00:00Z",
    };
    current = good;
    const v = await client().validateClaim("tok", { details: true });
    expect(v).toEqual({ claimable: true, details: { ...good, agent: { ...good.agent, createdAt: "2030-01-01T00:00:00.000Z" }, claimExpiresAt: "2030-01-31T00:00:00.000Z" } });
    for (const key of Object.keys(good)) {
      for (const value of ODD) {
        current = { ...good, [key]: value };
        const r = await client().validateClaim("tok", { details: true });
        expect(r.claimable).toBe(true);
      }
    }
  });
});
