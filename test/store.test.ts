// Credential store: Go-exact file shapes, edits that keep everything else, refusal to overwrite
// corrupt/encrypted/foreign files, modes. Real files in temp dirs.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdir, readFile, readdir, stat, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { makeSandbox, type Sandbox } from "./support/sandbox.js";
import {
  type CredentialsFile,
  StoreError,
  getAccount,
  isEmptyCredentials,
  parseCredentials,
  readCredentialsFile,
  serializeCredentials,
  updateCredentialsFile,
  withAccount,
  withoutAccount,
} from "../src/store/credentials.js";
import {
  type ClaimRecord,
  parseClaim,
  readClaimFile,
  removeClaimFile,
  serializeClaim,
  updateClaimFile,
  writeClaimFile,
} from "../src/store/claim.js";
import { GO_ZERO_TIME, goQuote, isZeroTime, marshalIndent, parseGoTime } from "../src/store/gojson.js";
import { claimFilePath } from "../src/store/paths.js";

// ---------------------------------------------------------------------------------------------------
// Fixtures: what the Go CLI writes (json.MarshalIndent, 4 spaces, sorted map keys, no trailing newline).

/** A human's default credentials: a DIY login, a validated cloud login, and a legacy token-only entry. */
const GO_HUMAN = `{
    "current": "https://api.pulumi.com",
    "accessTokens": {
        "file://~": "",
        "https://api.pulumi.com": "pul-human-0123456789abcdef",
        "https://api.staging.example.com": "pul-legacy-only"
    },
    "accounts": {
        "file://~": {
            "lastValidatedAt": "0001-01-01T00:00:00Z"
        },
        "https://api.pulumi.com": {
            "accessToken": "pul-human-0123456789abcdef",
            "username": "alice",
            "organizations": [
                "alice",
                "acme-corp"
            ],
            "lastValidatedAt": "2026-05-22T10:15:30.123456789-07:00",
            "tokenInformation": {
                "name": "laptop",
                "organization": "acme-corp",
                "team": "platform"
            }
        }
    }
}`;

/** The shared agent dir after a Go CLI signup (refresh token, insecure, token expiry). */
const GO_AGENT = `{
    "current": "https://api.pulumi.com",
    "accessTokens": {
        "https://api.pulumi.com": "pul-agent-token"
    },
    "accounts": {
        "https://api.pulumi.com": {
            "accessToken": "pul-agent-token",
            "refreshToken": "pul-refresh-token",
            "username": "agent-abc123",
            "organizations": [
                "agent-abc123"
            ],
            "lastValidatedAt": "2026-05-22T17:15:30.5Z",
            "insecure": true,
            "tokenInformation": {
                "name": "",
                "expiresAt": "2026-05-23T17:15:30Z"
            }
        }
    }
}`;

/** Not what Go writes: nulls, unknown keys, compact; re-serialized canonically (GO_ODD_CANONICAL). */
const GO_ODD = `{"current":null,"future":"keep-me","accessTokens":{"https://api.pulumi.com":"tok"},
"accounts":{"https://api.pulumi.com":{"futureField":{"a":[1,2],"b":{}},"accessToken":"tok","lastValidatedAt":null,
"organizations":[],"insecure":false,"tokenInformation":{"name":"n","expiresAt":null,"x":1}}}}`;

const GO_ODD_CANONICAL = `{
    "accessTokens": {
        "https://api.pulumi.com": "tok"
    },
    "accounts": {
        "https://api.pulumi.com": {
            "accessToken": "tok",
            "lastValidatedAt": "0001-01-01T00:00:00Z",
            "tokenInformation": {
                "name": "n",
                "x": 1
            },
            "futureField": {
                "a": [
                    1,
                    2
                ],
                "b": {}
            }
        }
    },
    "future": "keep-me"
}`;

/** agent-claim.json as Go writes it; Go escapes & < > in strings. */
const GO_CLAIM = `{
    "claimUrl": "https://app.pulumi.com/claim/ct-123?ref=agent\\u0026x=\\u003cy\\u003e",
    "claimToken": "ct-123",
    "validUntil": "2026-06-21T10:15:30.123456789-07:00",
    "cloudUrl": "https://api.pulumi.com"
}`;

const GO_CLAIM_UNAVAILABLE = `{
    "claimUrl": "https://app.pulumi.com/claim/ct-9",
    "validUntil": "2026-06-21T17:15:30Z",
    "cloudUrl": "https://api.pulumi.com",
    "claimUnavailableAt": "2026-05-30T08:00:00.25+02:00"
}`;

const ENVELOPE = `{"$pulumiSecureStore": 1, "backend": "linux-secretservice", "algo": "aes-256-gcm", "nonce": "AAAA", "data": "BBBB"}`;

function ok(text: string): CredentialsFile {
  const r = parseCredentials(text);
  if (r.kind !== "ok") throw new Error(`expected ok, got ${JSON.stringify(r)}`);
  return r.creds;
}

async function expectStoreError(p: Promise<unknown>, code: string): Promise<StoreError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(StoreError);
    expect((e as StoreError).code).toBe(code);
    return e as StoreError;
  }
  throw new Error(`expected a StoreError ${code}`);
}

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox();
});
afterEach(async () => {
  await sb.cleanup();
});

// ---------------------------------------------------------------------------------------------------

describe("Go JSON encoding", () => {
  it("escapes strings like encoding/json (HTML-safe, \\b \\f, U+2028)", () => {
    expect(goQuote(`a"b\\c`)).toBe(`"a\\"b\\\\c"`);
    expect(goQuote("<a&b>")).toBe(`"\\u003ca\\u0026b\\u003e"`);
    expect(goQuote("\b\f\n\r\t\u0001\u001f")).toBe(`"\\b\\f\\n\\r\\t\\u0001\\u001f"`);
    expect(goQuote("\u2028\u2029")).toBe(`"\\u2028\\u2029"`);
    expect(goQuote("é😀/")).toBe(`"é😀/"`);
    expect(goQuote("\ud800x")).toBe(`"\ufffdx"`);
  });

  it("MarshalIndent layout: empty containers compact, nested 4-space indent", () => {
    expect(marshalIndent({})).toBe("{}");
    expect(marshalIndent({ a: [], b: {}, c: [1, "x", null, true] })).toBe(
      `{\n    "a": [],\n    "b": {},\n    "c": [\n        1,\n        "x",\n        null,\n        true\n    ]\n}`,
    );
  });

  it("times: zero, null and empty are zero; fractional offsets parse", () => {
    expect(isZeroTime(GO_ZERO_TIME)).toBe(true);
    expect(isZeroTime(null)).toBe(true);
    expect(isZeroTime("")).toBe(true);
    expect(parseGoTime("2026-05-22T10:15:30.123456789-07:00")?.toISOString()).toBe("2026-05-22T17:15:30.123Z");
    expect(parseGoTime(GO_ZERO_TIME)).toBeUndefined();
  });
});

describe("credentials.json shape", () => {
  it.each([
    ["human default file", GO_HUMAN],
    ["agent file", GO_AGENT],
  ])("round-trips a Go-written %s byte for byte", (_name, text) => {
    expect(serializeCredentials(ok(text))).toBe(text);
  });

  it("normalizes nulls, omits empty/false fields, keeps unknown keys after the known ones", () => {
    expect(serializeCredentials(ok(GO_ODD))).toBe(GO_ODD_CANONICAL);
    expect(serializeCredentials(ok(GO_ODD_CANONICAL))).toBe(GO_ODD_CANONICAL);
  });

  it("never writes an empty time: lastValidatedAt defaults to Go's zero time, empty expiresAt is omitted", () => {
    const text = serializeCredentials({
      accessTokens: { u: "t" },
      accounts: { u: { accessToken: "t", lastValidatedAt: "", tokenInformation: { name: "x", expiresAt: "" } } },
    });
    expect(text).not.toMatch(/""/);
    expect(text).toContain(`"lastValidatedAt": "0001-01-01T00:00:00Z"`);
    expect(text).not.toContain("expiresAt");
  });

  it("sorts map keys like Go and writes a new account in Go's exact layout", () => {
    const creds = withAccount({}, "https://b.example", { accessToken: "tb" }, { setCurrentIfNone: false });
    const both = withAccount(
      creds,
      "https://a.example",
      {
        accessToken: "ta",
        username: "agent-1",
        organizations: ["agent-1"],
        lastValidatedAt: "2026-05-22T17:15:30.000Z",
        tokenInformation: { name: "", expiresAt: "2026-05-23T17:15:30.000Z" },
      },
      { setCurrentIfNone: true },
    );
    expect(serializeCredentials(both)).toBe(`{
    "current": "https://a.example",
    "accessTokens": {
        "https://a.example": "ta",
        "https://b.example": "tb"
    },
    "accounts": {
        "https://a.example": {
            "accessToken": "ta",
            "username": "agent-1",
            "organizations": [
                "agent-1"
            ],
            "lastValidatedAt": "2026-05-22T17:15:30.000Z",
            "tokenInformation": {
                "name": "",
                "expiresAt": "2026-05-23T17:15:30.000Z"
            }
        },
        "https://b.example": {
            "accessToken": "tb",
            "lastValidatedAt": "0001-01-01T00:00:00Z"
        }
    }
}`);
  });

  it("a key named __proto__ is data, not a prototype", () => {
    const creds = ok(`{"accessTokens": {"__proto__": "t"}, "accounts": {"__proto__": {"accessToken": "t"}}}`);
    expect(getAccount(creds, "__proto__")).toEqual({ accessToken: "t" });
    expect(getAccount(creds, "toString")).toBeUndefined();
    expect(serializeCredentials(creds)).toContain(`"__proto__": "t"`);
  });
});

describe("parseCredentials", () => {
  it("empty and whitespace-only text is a missing file", () => {
    expect(parseCredentials("")).toEqual({ kind: "missing" });
    expect(parseCredentials(" \n\t ")).toEqual({ kind: "missing" });
  });

  it("detects the encrypted envelope", () => {
    expect(parseCredentials(ENVELOPE)).toEqual({ kind: "encrypted" });
  });

  it.each([
    ["truncated JSON", `{"accessTokens": {"u": "pul-SECRET-abc`],
    ["bare token", `pul-SECRET-abc`],
    ["trailing garbage", `{"accessTokens": {"u": "pul-SECRET-abc"}} x`],
    ["top-level array", `["pul-SECRET-abc"]`],
    ["token of the wrong type", `{"accessTokens": {"u": 5}, "x": "pul-SECRET-abc"}`],
    ["organizations not a list", `{"accounts": {"u": {"organizations": "pul-SECRET-abc"}}}`],
    ["bad time", `{"accounts": {"u": {"lastValidatedAt": "pul-SECRET-abc"}}}`],
    ["bad insecure", `{"accounts": {"u": {"insecure": "yes"}}}`],
  ])("%s is corrupt, and the reason does not echo the content", (_name, text) => {
    const r = parseCredentials(text);
    expect(r.kind).toBe("corrupt");
    expect(JSON.stringify(r)).not.toContain("SECRET");
  });

  it("names where a wrong type is", () => {
    const r = parseCredentials(`{"accounts": {"https://api.pulumi.com": {"organizations": ["a", 3]}}}`);
    expect(r).toEqual({ kind: "corrupt", error: `accounts["https://api.pulumi.com"].organizations[1] must be a string` });
  });

  it("top-level null is empty credentials (as in Go)", () => {
    expect(parseCredentials("null")).toEqual({ kind: "ok", creds: {} });
  });
});

describe("account edits", () => {
  it("getAccount: accounts wins, a legacy accessTokens entry alone yields {accessToken}", () => {
    const creds = ok(GO_HUMAN);
    expect(getAccount(creds, "https://api.pulumi.com")?.username).toBe("alice");
    expect(getAccount(creds, "https://api.staging.example.com")).toEqual({ accessToken: "pul-legacy-only" });
    expect(getAccount(creds, "https://nope.example")).toBeUndefined();
  });

  it("withAccount adds an account, keeps every other account and the human's current login", () => {
    const human = ok(GO_HUMAN);
    const next = withAccount(
      human,
      "https://api.agent.example",
      { accessToken: "pul-agent", username: "agent-x", lastValidatedAt: "2026-05-22T17:00:00Z" },
      { setCurrentIfNone: true },
    );
    expect(next.current).toBe("https://api.pulumi.com");
    expect(next.accessTokens?.["https://api.agent.example"]).toBe("pul-agent");
    expect(getAccount(next, "https://api.agent.example")?.username).toBe("agent-x");
    // Everything that was there serializes exactly as before: remove the new account and compare.
    expect(serializeCredentials(withoutAccount(next, "https://api.agent.example"))).toBe(GO_HUMAN);
    // the input object is not modified
    expect(serializeCredentials(human)).toBe(GO_HUMAN);
  });

  it("withAccount sets current only when the file has none, and only when asked", () => {
    expect(withAccount({}, "u", { accessToken: "t" }, { setCurrentIfNone: true }).current).toBe("u");
    expect(withAccount({}, "u", { accessToken: "t" }, { setCurrentIfNone: false }).current).toBeUndefined();
  });

  it("withAccount replaces the account for that URL in both maps (a tokenless account writes \"\")", () => {
    const next = withAccount(ok(GO_AGENT), "https://api.pulumi.com", { username: "x" }, { setCurrentIfNone: false });
    expect(next.accessTokens?.["https://api.pulumi.com"]).toBe("");
    expect(next.accounts?.["https://api.pulumi.com"]).toEqual({ username: "x" });
  });

  it("withoutAccount drops both entries and clears current if it pointed there", () => {
    const next = withoutAccount(ok(GO_AGENT), "https://api.pulumi.com");
    expect(next.current).toBeUndefined();
    expect(isEmptyCredentials(next)).toBe(true);
    const human = withoutAccount(ok(GO_HUMAN), "file://~");
    expect(human.current).toBe("https://api.pulumi.com");
    expect(isEmptyCredentials(human)).toBe(false);
  });

  it("isEmptyCredentials keeps files that still hold accounts or unknown keys", () => {
    expect(isEmptyCredentials({})).toBe(true);
    expect(isEmptyCredentials({ current: "u" })).toBe(true);
    expect(isEmptyCredentials({ accessTokens: {}, accounts: {} })).toBe(true);
    expect(isEmptyCredentials({ accounts: { u: {} } })).toBe(false);
    expect(isEmptyCredentials({ future: 1 })).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------

describe("readCredentialsFile / updateCredentialsFile", () => {
  const URL = "https://api.pulumi.com";
  const agent = { accessToken: "pul-new", username: "agent-new", lastValidatedAt: "2026-05-22T17:00:00Z" };
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = sb.pulumiHome;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    file = path.join(dir, "credentials.json");
  });

  it("a missing file is missing; an update creates it 0600 in Go's shape", async () => {
    expect(await readCredentialsFile(file)).toEqual({ kind: "missing" });
    const r = await updateCredentialsFile(file, (c) => withAccount(c, URL, agent, { setCurrentIfNone: true }));
    expect(r.action).toBe("written");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const text = await readFile(file, "utf8");
    expect(text).toBe(serializeCredentials(r.creds));
    expect(text.endsWith("}")).toBe(true);
    expect(await readCredentialsFile(file)).toEqual({ kind: "ok", creds: r.creds });
  });

  it("a 0-byte file (a Go writer mid-write) counts as missing and is replaced", async () => {
    await writeFile(file, "");
    expect(await readCredentialsFile(file)).toEqual({ kind: "missing" });
    const r = await updateCredentialsFile(file, (c) => withAccount(c, URL, agent, { setCurrentIfNone: true }));
    expect(r.action).toBe("written");
    expect(ok(await readFile(file, "utf8")).current).toBe(URL);
  });

  it("an update keeps the human's file byte for byte apart from the new account", async () => {
    await writeFile(file, GO_HUMAN, { mode: 0o644 });
    await updateCredentialsFile(file, (c) => withAccount(c, "https://api.agent.example", agent, { setCurrentIfNone: true }));
    const after = ok(await readFile(file, "utf8"));
    expect(after.current).toBe(URL);
    expect(serializeCredentials(withoutAccount(after, "https://api.agent.example"))).toBe(GO_HUMAN);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it("an update that changes nothing does not rewrite the file", async () => {
    await writeFile(file, GO_AGENT);
    const before = await stat(file);
    const r = await updateCredentialsFile(file, (c) => ({ ...c }));
    expect(r.action).toBe("unchanged");
    expect((await stat(file)).ino).toBe(before.ino);
  });

  it("removing the last account deletes the file (like Go)", async () => {
    await writeFile(file, GO_AGENT);
    const r = await updateCredentialsFile(file, (c) => withoutAccount(c, URL));
    expect(r.action).toBe("deleted");
    expect(await readCredentialsFile(file)).toEqual({ kind: "missing" });
  });

  it.each([
    ["invalid JSON", `{"accessTokens": {"u": "pul-SECRET`, "corrupt", /not a valid Pulumi credentials file.*left untouched.*PULUMI_CREDENTIALS_PATH/s],
    ["a wrong type", `{"accessTokens": {"u": ["pul-SECRET"]}}`, "corrupt", /accessTokens\["u"\] must be a string/],
    ["the encrypted envelope", ENVELOPE, "encrypted", /secure store \(\$pulumiSecureStore\).*PULUMI_ACCESS_TOKEN/s],
  ])("a file with %s is left byte-identical, with a clear StoreError", async (_name, content, code, message) => {
    await writeFile(file, content, { mode: 0o600 });
    let called = false;
    const err = await expectStoreError(
      updateCredentialsFile(file, (c) => {
        called = true;
        return withAccount(c, URL, agent, { setCurrentIfNone: true });
      }),
      code,
    );
    expect(called).toBe(false);
    expect(err.path).toBe(file);
    expect(err.message).toContain(file);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain("SECRET");
    expect(await readFile(file, "utf8")).toBe(content);
    expect(await readdir(dir)).toEqual(["credentials.json"]);
  });

  it("a directory at the path is unreadable and left alone", async () => {
    await mkdir(file);
    await writeFile(path.join(file, "keep"), "x");
    expect((await readCredentialsFile(file)).kind).toBe("unreadable");
    const err = await expectStoreError(
      updateCredentialsFile(file, (c) => withAccount(c, URL, agent, { setCurrentIfNone: true })),
      "unreadable",
    );
    expect(err.message).toContain("it is a directory");
    expect(await readFile(path.join(file, "keep"), "utf8")).toBe("x");
    expect(await readdir(dir)).toEqual(["credentials.json"]);
  });

  it("reads through a symlink but refuses to replace it", async () => {
    const real = path.join(sb.root, "dotfiles-credentials.json");
    await writeFile(real, GO_AGENT);
    await symlink(real, file);
    expect((await readCredentialsFile(file)).kind).toBe("ok");
    const err = await expectStoreError(
      updateCredentialsFile(file, (c) => withAccount(c, "https://x.example", agent, { setCurrentIfNone: false })),
      "unsafe-dir",
    );
    expect(err.message).toContain("symbolic link");
    expect(await readFile(real, "utf8")).toBe(GO_AGENT);
    expect(await readdir(dir)).toEqual(["credentials.json"]);
  });

  it("a file caught in the middle of a Go in-place write is read once the write finishes", async () => {
    await writeFile(file, GO_AGENT.slice(0, 100));
    const reading = readCredentialsFile(file);
    await new Promise((r) => setTimeout(r, 5));
    await writeFile(file, GO_AGENT);
    const r = await reading;
    expect(r.kind).toBe("ok");
  });

  it("if another process rewrites the file during an update, the update is redone on its content", async () => {
    await writeFile(file, GO_HUMAN);
    let calls = 0;
    const r = await updateCredentialsFile(file, async (c) => {
      calls++;
      if (calls === 1) {
        // e.g. a human's `pulumi login` to another backend lands while we compute our change
        const theirs = withAccount(c, "https://api.other.example", { accessToken: "o" }, { setCurrentIfNone: false });
        await writeFile(file, serializeCredentials(theirs));
      }
      return withAccount(c, "https://api.agent.example", agent, { setCurrentIfNone: true });
    });
    expect(calls).toBe(2);
    expect(r.action).toBe("written");
    const after = ok(await readFile(file, "utf8"));
    expect(getAccount(after, "https://api.other.example")?.accessToken).toBe("o");
    expect(getAccount(after, "https://api.agent.example")?.username).toBe("agent-new");
    expect(after.current).toBe(URL);
  });

  it.runIf(process.platform === "linux")("a FIFO at the path is unreadable (and does not hang us)", async () => {
    const { spawnSync } = await import("node:child_process");
    if (spawnSync("mkfifo", [file]).status !== 0) return;
    const r = await readCredentialsFile(file);
    expect(r.kind).toBe("unreadable");
    await expectStoreError(updateCredentialsFile(file, (c) => c), "unreadable");
  });

  it("a missing folder is an io StoreError naming the path, and leaves nothing behind", async () => {
    const nowhere = path.join(sb.root, "nope", "credentials.json");
    const err = await expectStoreError(
      updateCredentialsFile(nowhere, (c) => withAccount(c, URL, agent, { setCurrentIfNone: true })),
      "io",
    );
    expect(err.message).toContain(nowhere);
    expect(err.message).not.toContain("pul-new");
  });
});

// ---------------------------------------------------------------------------------------------------

describe("agent-claim.json", () => {
  it.each([
    ["with a claim token (HTML-escaped URL, fractional offset)", GO_CLAIM],
    ["marked unavailable, without a token", GO_CLAIM_UNAVAILABLE],
  ])("round-trips a Go-written claim %s byte for byte", (_name, text) => {
    const r = parseClaim(text);
    expect(r.kind).toBe("ok");
    if (r.kind !== "ok") return;
    expect(serializeClaim(r.claim)).toBe(text);
  });

  it("parses the URL unescaped", () => {
    const r = parseClaim(GO_CLAIM);
    expect(r.kind === "ok" && r.claim.claimUrl).toBe("https://app.pulumi.com/claim/ct-123?ref=agent&x=<y>");
  });

  it("fills Go's defaults, keeps unknown keys, never writes an empty time", () => {
    const r = parseClaim(`{"cloudUrl": "https://api.pulumi.com", "validUntil": null, "extra": [true]}`);
    expect(r.kind).toBe("ok");
    if (r.kind !== "ok") return;
    expect(serializeClaim(r.claim)).toBe(`{
    "claimUrl": "",
    "validUntil": "0001-01-01T00:00:00Z",
    "cloudUrl": "https://api.pulumi.com",
    "extra": [
        true
    ]
}`);
  });

  it("empty is missing; invalid JSON and wrong types are corrupt", () => {
    expect(parseClaim("")).toEqual({ kind: "missing" });
    expect(parseClaim("{").kind).toBe("corrupt");
    expect(parseClaim(`{"claimUrl": 1}`).kind).toBe("corrupt");
    expect(parseClaim(`{"validUntil": "soon"}`).kind).toBe("corrupt");
  });

  it("write (0600, atomic), read, update, remove", async () => {
    const dir = sb.sharedDir;
    await mkdir(dir, { mode: 0o700 });
    const file = claimFilePath(dir);
    expect(await readClaimFile(file)).toEqual({ kind: "missing" });
    const claim: ClaimRecord = {
      claimUrl: "https://app.pulumi.com/claim/t",
      claimToken: "t",
      validUntil: "2026-06-21T17:15:30.000Z",
      cloudUrl: "https://api.pulumi.com",
    };
    await writeClaimFile(file, claim);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, "utf8")).toBe(serializeClaim(claim));
    expect(await readClaimFile(file)).toEqual({ kind: "ok", claim });

    await updateClaimFile(file, (c) => c && { ...c, claimUnavailableAt: "2026-05-30T08:00:00.000Z" });
    const r = await readClaimFile(file);
    expect(r.kind === "ok" && r.claim.claimUnavailableAt).toBe("2026-05-30T08:00:00.000Z");

    await updateClaimFile(file, () => undefined);
    expect(await readClaimFile(file)).toEqual({ kind: "missing" });
    await removeClaimFile(file); // already gone: fine
    expect(await readdir(dir)).toEqual([]);
  });

  it("updateClaimFile never overwrites a corrupt claim", async () => {
    const dir = sb.sharedDir;
    await mkdir(dir, { mode: 0o700 });
    const file = claimFilePath(dir);
    await writeFile(file, `{"claimUrl": "https://app.pulumi.com/claim/x"`);
    const err = await expectStoreError(
      updateClaimFile(file, () => ({ claimUrl: "u", validUntil: GO_ZERO_TIME, cloudUrl: "c" })),
      "corrupt",
    );
    expect(err.message).toContain(file);
    expect(await readFile(file, "utf8")).toBe(`{"claimUrl": "https://app.pulumi.com/claim/x"`);
  });
});
