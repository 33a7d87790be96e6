#!/usr/bin/env node
// `node dist/mock-cloud/cli.js [--port N] [--difficulty N] [--host H] [--demo-human LOGIN:TOKEN]
// [--refresh-tokens [--access-ttl SECONDS]]`:
// run the mock Pulumi Cloud in the foreground for demos and manual testing. Prints one line with its
// URL on stdout; stops cleanly on SIGINT/SIGTERM.
import { parseArgs } from "node:util";
import { startMockCloud, type MockCloudOptions } from "./server.js";

const USAGE = `usage: mock-cloud [--port N] [--host H] [--difficulty N] [--demo-human LOGIN:TOKEN]
                  [--refresh-tokens [--access-ttl SECONDS]]

Runs a mock Pulumi Cloud (agent signup, /api/user, claim endpoints and a claim console page).

  --port N                 port to listen on (default 0: any free port)
  --host H                 address to bind (default 127.0.0.1)
  --difficulty N           proof-of-work difficulty in leading zero bits, 1..256 (default 8)
  --demo-human LOGIN:TOKEN a human user the claim page offers as "Claim as LOGIN"
  --refresh-tokens         signup also returns a refresh token; access tokens are short-lived
                           and POST /api/oauth/token rotates them
  --access-ttl SECONDS     lifetime of access tokens with --refresh-tokens (default 3600)
  -h, --help               show this help

Point a client at it with PULUMI_API=<url> (or PULUMI_BACKEND_URL) and
PULUMI_CONSOLE_DOMAIN=<host:port> so claim links resolve to this server.
`;

function fail(message: string): never {
  process.stderr.write(`mock-cloud: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function parseIntArg(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value)) fail(`--${name} must be an integer, got '${value}'`);
  const n = Number(value);
  if (n < min || n > max) fail(`--${name} must be in ${min}..${max}, got ${n}`);
  return n;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        port: { type: "string" },
        host: { type: "string" },
        difficulty: { type: "string" },
        "demo-human": { type: "string" },
        "refresh-tokens": { type: "boolean" },
        "access-ttl": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const options: MockCloudOptions = {};
  const port = parseIntArg("port", values.port, 0, 65535);
  if (port !== undefined) options.port = port;
  const difficulty = parseIntArg("difficulty", values.difficulty, 1, 256);
  if (difficulty !== undefined) options.difficulty = difficulty;
  if (values.host !== undefined) options.host = values.host;
  const demo = values["demo-human"];
  if (demo !== undefined) {
    const i = demo.indexOf(":");
    if (i <= 0 || i === demo.length - 1) fail(`--demo-human must be LOGIN:TOKEN`);
    options.demoHuman = { login: demo.slice(0, i), token: demo.slice(i + 1) };
  }

  const accessTtl = parseIntArg("access-ttl", values["access-ttl"], 1, 365 * 24 * 3600);
  if (accessTtl !== undefined && !values["refresh-tokens"]) fail("--access-ttl needs --refresh-tokens");
  if (values["refresh-tokens"]) options.refreshTokens = accessTtl !== undefined ? { accessTtlMs: accessTtl * 1000 } : {};

  const mock = await startMockCloud(options);
  process.stdout.write(`mock Pulumi Cloud listening on ${mock.url}\n`);
  const stop = (): void => {
    void mock.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`mock-cloud: ${(err as Error).message}\n`);
  process.exit(1);
});
