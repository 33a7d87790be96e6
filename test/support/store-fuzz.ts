// Seeded generator of odd store files for the store fuzz test: mutations of real Go-shaped files,
// random bytes, random documents with our keys (repeated keys, invalid UTF-8, big numbers, odd
// types), and nesting around Go's 10,000-level limit.
import { ENVELOPE, GO_AGENT, GO_CLAIM, GO_CLAIM_UNAVAILABLE, GO_HUMAN, GO_ODD, GO_V1, HISTORY, nested } from "./store-fixtures.js";

export type Rng = () => number;
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
export const int = (r: Rng, n: number) => Math.floor(r() * n);
export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[int(r, xs.length)]!;

const BASES = [GO_HUMAN, GO_AGENT, GO_V1, GO_ODD, GO_CLAIM, GO_CLAIM_UNAVAILABLE, HISTORY, ENVELOPE].flatMap((t) => [
  t,
  JSON.stringify(JSON.parse(t)),
  JSON.stringify(JSON.parse(t), null, 2).replace(/\n/g, "\r\n"),
]);
const INVALID_UTF8 = [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf], [0x80]];
const ODD_VALUES = [
  "123456789012345678901234567890",
  "-0.000000000000000000000000001e-999",
  "1e400",
  "null",
  "true",
  "[]",
  "{}",
  '"\\ud800"',
  '"<&>\\u2028"',
  `{"a": {"a": 1}, "a": 2}`,
  '"pul-SECRET with space"',
  '"2030-01-01 00:00:00Z"',
];
const KEYS = ["current", "accessTokens", "accounts", "version", "Accounts", "ACCESSTOKENS", "credentialHelper", "$pulumiSecureStore", "claimUrl", "validUntil", "claimUnavailableAt", "x-fuzz", "__proto__"];

function stringPositions(b: Buffer): number[] {
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) if (b[i] === 0x22) out.push(i);
  return out;
}

const MUTATIONS: Array<(b: Buffer, r: Rng) => Buffer> = [
  (b, r) => {
    const c = Buffer.from(b);
    if (c.length) c[int(r, c.length)] = int(r, 256);
    return c;
  },
  (b, r) => {
    const at = int(r, b.length + 1);
    return Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: 1 + int(r, 4) }, () => int(r, 256))), b.subarray(at)]);
  },
  (b, r) => {
    const at = int(r, b.length + 1);
    return Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + int(r, 8)))]);
  },
  (b, r) => b.subarray(0, int(r, b.length + 1)),
  (b, r) => {
    // invalid UTF-8 just inside a string
    const qs = stringPositions(b);
    if (!qs.length) return b;
    const at = pick(r, qs) + 1;
    return Buffer.concat([b.subarray(0, at), Buffer.from(pick(r, INVALID_UTF8)), b.subarray(at)]);
  },
  (b) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b]),
  (b, r) => {
    // duplicate a member line (a repeated key)
    const lines = b.toString("latin1").split("\n");
    const candidates = lines.map((l, i) => [l, i] as const).filter(([l]) => l.includes(":"));
    if (!candidates.length) return b;
    const [line, i] = pick(r, candidates);
    const dup = line.trimEnd().endsWith(",") ? line : `${line},`;
    lines.splice(i, 0, dup);
    return Buffer.from(lines.join("\n"), "latin1");
  },
  (b, r) => {
    // an unknown (or known) key with an odd value at the top
    const at = b.indexOf(0x7b);
    if (at < 0) return b;
    const value = r() < 0.2 ? nested(9_990 + int(r, 20)) : pick(r, ODD_VALUES);
    return Buffer.concat([b.subarray(0, at + 1), Buffer.from(`"${pick(r, KEYS)}": ${value}, `), b.subarray(at + 1)]);
  },
  (b, r) => {
    // a string value replaced by another type
    const text = b.toString("latin1");
    const m = [...text.matchAll(/: "[^"\\]*"/g)];
    if (!m.length) return b;
    const hit = pick(r, m);
    return Buffer.from(text.slice(0, hit.index) + ": " + pick(r, ODD_VALUES) + text.slice(hit.index! + hit[0].length), "latin1");
  },
  (b) => Buffer.from(b.toString("latin1").replace(/\r?\n\s*/g, ""), "latin1"),
  (b, r) => Buffer.from(b.toString("latin1").replace(/"(accounts|accessTokens|current|claimUrl)"/, (_m, k: string) => `"${r() < 0.5 ? k.toUpperCase() : k[0]!.toUpperCase() + k.slice(1)}"`), "latin1"),
  (b, r) => {
    const at = b.indexOf(0x7b);
    return at < 0 ? b : Buffer.concat([b.subarray(0, at + 1), Buffer.from(`"version": ${pick(r, ["0", "1", "2", '"1"', "null", "1.0"])},`), b.subarray(at + 1)]);
  },
  (b, r) => {
    // a known value wrapped deep (Go's limit is 10,000)
    const text = b.toString("latin1");
    const m = [...text.matchAll(/"(accessToken|organizations|tokenInformation|claimToken)": /g)];
    if (!m.length) return b;
    const hit = pick(r, m);
    const at = hit.index! + hit[0].length;
    const d = pick(r, [3, 9_995, 10_000, 10_010]);
    return Buffer.from(text.slice(0, at) + "[".repeat(d) + "0" + "]".repeat(d) + "," + `"x${int(r, 99)}": ` + text.slice(at), "latin1");
  },
  (b) => Buffer.from(b.toString("latin1").replace(/"accessTokens": \{/, `"accessTokens": null, "accessTokens": {`), "latin1"),
];

function randomBytes(r: Rng): Buffer {
  const alphabet = Buffer.from(`{}[]":,0123456789-.eE+truefalsnul \n\t\\`);
  return Buffer.from(Array.from({ length: int(r, 200) }, () => (r() < 0.85 ? alphabet[int(r, alphabet.length)]! : int(r, 256))));
}

/** A random document with our keys, odd types, repeated keys, invalid UTF-8, big numbers. */
function randomDocument(r: Rng): Buffer {
  const parts: Buffer[] = [];
  const ws = () => pick(r, ["", " ", "\n    ", "\r\n", "\t"]);
  const str = (s: string) => {
    parts.push(Buffer.from(`"${s}`));
    if (r() < 0.1) parts.push(Buffer.from(pick(r, INVALID_UTF8)));
    parts.push(Buffer.from(`"`));
  };
  const value = (depth: number, kind?: "account" | "map" | "token"): void => {
    const x = r();
    if (kind === "token" && x < 0.8) return str(`pul-${int(r, 1e6)}`);
    if ((kind === "account" || kind === "map") && x < 0.85) {
      parts.push(Buffer.from("{"));
      const n = int(r, 4);
      for (let i = 0; i < n; i++) {
        if (i) parts.push(Buffer.from(","));
        parts.push(Buffer.from(ws()));
        if (kind === "map") {
          str(pick(r, ["https://api.pulumi.com", "file://~", "https://x.example", "https://api.pulumi.com"]));
          parts.push(Buffer.from(":" + ws()));
          value(depth + 1, r() < 0.5 ? "account" : "token");
        } else {
          const k = pick(r, ["accessToken", "refreshToken", "username", "organizations", "lastValidatedAt", "insecure", "tokenInformation", "future", "AccessToken"]);
          str(k);
          parts.push(Buffer.from(":" + ws()));
          if (k === "lastValidatedAt") str(pick(r, ["2026-05-22T17:15:30Z", "0001-01-01T00:00:00Z", "2030-01-01 00:00:00Z", "2026-05-22T7:15:30,5+01:00"]));
          else if (k === "organizations") parts.push(Buffer.from(pick(r, ['["a", "b"]', "[]", "null", '["a", 1]'])));
          else if (k === "insecure") parts.push(Buffer.from(pick(r, ["true", "false", "null", '"yes"'])));
          else if (k === "tokenInformation") parts.push(Buffer.from(pick(r, ['{"name": ""}', '{"name": "n", "expiresAt": "2026-05-25T00:00:00Z"}', "null", '{"name": 5}'])));
          else value(depth + 1, r() < 0.7 ? "token" : undefined);
        }
      }
      parts.push(Buffer.from(ws() + "}"));
      return;
    }
    if (depth > 3 || x < 0.3) return void parts.push(Buffer.from(pick(r, ODD_VALUES)));
    if (x < 0.5) return str(`s${int(r, 100)}`);
    parts.push(Buffer.from("["));
    const n = int(r, 3);
    for (let i = 0; i < n; i++) {
      if (i) parts.push(Buffer.from(", "));
      value(depth + 1);
    }
    parts.push(Buffer.from("]"));
  };
  parts.push(Buffer.from("{"));
  const n = 1 + int(r, 6);
  for (let i = 0; i < n; i++) {
    if (i) parts.push(Buffer.from(","));
    parts.push(Buffer.from(ws()));
    const k = pick(r, KEYS);
    str(k);
    parts.push(Buffer.from(":" + ws()));
    value(0, /accounts/i.test(k) || /accesstokens/i.test(k) ? "map" : k === "current" ? "token" : undefined);
  }
  parts.push(Buffer.from(ws() + "}"));
  return Buffer.concat(parts);
}

/** The i-th generated file: its family and bytes. */
export function generate(r: Rng, i: number): { kind: string; bytes: Buffer } {
  const x = i % 10;
  if (x < 6) {
    let b: Buffer = Buffer.from(pick(r, BASES));
    const n = 1 + int(r, 2);
    for (let k = 0; k < n; k++) b = pick(r, MUTATIONS)(b, r);
    return { kind: "mutated Go file", bytes: b };
  }
  if (x < 8) return { kind: "random document", bytes: randomDocument(r) };
  if (x < 9) return { kind: "random bytes", bytes: randomBytes(r) };
  const d = pick(r, [9_999, 10_000, 10_001, 12_000]);
  const where = pick(r, [
    (v: string) => `{"accounts": {"https://api.pulumi.com": {"accessToken": "t", "future": ${v}}}, "deep": ${v}}`,
    (v: string) => `{"accounts": {"https://api.pulumi.com": {"organizations": ${v}}}}`,
    (v: string) => `[${v}, {"claimUrl": "u", "validUntil": "v", "cloudUrl": "c", "archivedAt": "a"}]`,
    (v: string) => v,
  ]);
  return { kind: "deep nesting", bytes: Buffer.from(where(nested(d - 2, "{}"))) };
}
