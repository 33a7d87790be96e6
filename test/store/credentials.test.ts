// credentials.json: Go-exact reading, edits that keep every byte outside the edited account, refusal to
// overwrite what we cannot read, validation of what we store. Real files in temp dirs.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdir, readFile, readdir, stat, symlink, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { makeSandbox, type Sandbox } from "../support/sandbox.js";
import {
  ENVELOPE,
  GO_AGENT,
  GO_HUMAN,
  GO_ODD,
  GO_ODD_CANONICAL,
  GO_V1,
  expectStoreError,
  fullText,
  nested,
} from "../support/store-fixtures.js";
import {
  type CredentialsFile,
  type StoredAccount,
  getAccount,
  isEmptyCredentials,
  isStorableToken,
  parseCredentials,
  readCredentialsFile,
  serializeCredentials,
  updateCredentialsFile,
  withAccount,
  withoutAccount,
} from "../../src/store/credentials.js";
import { RawJson } from "../../src/store/gojson.js";

const URL = "https://api.pulumi.com";
const AGENT_URL = "https://api.agent.example";
const agent: StoredAccount = {
  accessToken: "pul-new",
  username: "agent-new",
  lastValidatedAt: "2026-05-22T17:00:00Z",
  tokenInformation: { name: "", expiresAt: "2026-05-25T17:00:00.000Z" },
};

function ok(text: string | Uint8Array): CredentialsFile {
  const r = parseCredentials(text);
  if (r.kind !== "ok") throw new Error(`expected ok, got ${JSON.stringify(r)}`);
  return r.creds;
}

let sb: Sandbox;
let dir: string;
let file: string;
beforeEach(async () => {
  sb = await makeSandbox();
  dir = sb.pulumiHome;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  file = path.join(dir, "credentials.json");
});
afterEach(async () => {
  await sb.cleanup();
});

/** Add the agent account to `content` through the real file path; return the new bytes. */
async function addAgent(content: string | Buffer, account: StoredAccount = agent, setCurrentIfNone = true): Promise<Buffer> {
  await writeFile(file, content);
  await updateCredentialsFile(file, (c) => withAccount(c, AGENT_URL, account, { setCurrentIfNone }));
  return readFile(file);
}

/** Remove the agent account again; for a lossless edit the file is then byte-identical to the original. */
async function removeAgent(): Promise<Buffer> {
  await updateCredentialsFile(file, (c) => withoutAccount(c, AGENT_URL));
  return readFile(file);
}

// ---------------------------------------------------------------------------------------------------

describe("credentials.json shape", () => {
  it.each([
    ["human default file", GO_HUMAN],
    ["agent file", GO_AGENT],
  ])("round-trips a Go-written %s byte for byte", (_name, text) => {
    expect(serializeCredentials(ok(text))).toBe(text);
  });

  it("a new file: normalizes nulls, omits empty/false fields, keeps unknown keys after the known ones", () => {
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
    const creds = ok(`{"accessTokens": {"__proto__": "t"}, "accounts": {"__proto__": {"accessToken": "t", "__proto__": 1}}}`);
    expect(getAccount(creds, "__proto__")?.accessToken).toBe("t");
    expect(Object.getPrototypeOf(creds.accounts!["__proto__"])).toBe(Object.prototype);
    expect(getAccount(creds, "toString")).toBeUndefined();
    expect(serializeCredentials(creds)).toContain(`"__proto__": "t"`);
  });
});

describe("parseCredentials: what Go's decoder reads", () => {
  it("0 bytes is a missing file; whitespace only is a syntax error, as in Go", () => {
    expect(parseCredentials("")).toEqual({ kind: "missing" });
    expect(parseCredentials(" \n\t ")).toMatchObject({ kind: "corrupt", error: expect.stringMatching(/only whitespace/) });
  });

  it("detects the encrypted envelope (its marker matched as Go matches keys)", () => {
    expect(parseCredentials(ENVELOPE)).toEqual({ kind: "encrypted" });
    expect(parseCredentials(`{"$PULUMISECURESTORE": 1}`)).toEqual({ kind: "encrypted" });
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
    ["a byte order mark (Go: invalid character)", `\ufeff{"accessTokens": {"u": "pul-SECRET-abc"}}`],
    ["a time with a space (Go cannot parse it)", `{"accounts": {"u": {"tokenInformation": {"name": "pul-SECRET", "expiresAt": "2030-01-01 00:00:00Z"}}}}`],
    ["an escaped time (Go does not unescape times)", `{"accounts": {"u": {"lastValidatedAt": "2030-01-01T00:00:00\\u005a", "x": "pul-SECRET"}}}`],
    ["an empty time (Go's decoder fails on it)", `{"accounts": {"u": {"lastValidatedAt": "", "x": "pul-SECRET"}}}`],
    ["a raw control character in a string", `{"accessTokens": {"u": "pul-SECRET\n"}}`],
  ])("%s is corrupt, and the reason does not echo the content", (_name, text) => {
    const r = parseCredentials(text);
    expect(r.kind).toBe("corrupt");
    expect(JSON.stringify(r)).not.toContain("SECRET");
  });

  it("names where a wrong type is, and where a syntax error is", () => {
    const r = parseCredentials(`{"accounts": {"https://api.pulumi.com": {"organizations": ["a", 3]}}}`);
    expect(r).toEqual({ kind: "corrupt", error: `accounts["https://api.pulumi.com"].organizations[1] must be a string` });
    expect(parseCredentials(`{\n  "current": x\n}`)).toEqual({ kind: "corrupt", error: "invalid JSON at line 2, column 14: unexpected character" });
  });

  it("top-level null is empty credentials (as in Go)", () => {
    expect(parseCredentials("null")).toEqual({ kind: "ok", creds: {} });
  });

  it("duplicate keys: the last wins, null leaves a string as it was, repeated maps merge (Go's Unmarshal)", () => {
    const creds = ok(`{"current": "a", "current": null,
      "accounts": {"u": {"accessToken": "first"}, "u": {"accessToken": "last", "accessToken": "really-last"}},
      "accessTokens": {"x": "1"}, "accessTokens": {"y": "2"}}`);
    expect(creds.current).toBe("a");
    expect(getAccount(creds, "u")?.accessToken).toBe("really-last");
    expect(creds.accessTokens).toEqual({ x: "1", y: "2" });
    // A null map clears what came before it.
    expect(ok(`{"accessTokens": {"x": "1"}, "accessTokens": null, "accessTokens": {"y": "2"}}`).accessTokens).toEqual({ y: "2" });
  });

  it("struct keys match case-insensitively, as Go matches them (ſ and K fold too); map keys exactly", () => {
    const creds = ok(`{"CURRENT": "https://x", "AccessTokens": {"https://X": "t"}, "accounts": {"https://x": {"AcceſsToken": "t2", "USERNAME": "bob"}}}`);
    expect(creds.current).toBe("https://x");
    expect(creds.accessTokens).toEqual({ "https://X": "t" });
    expect(getAccount(creds, "https://x")).toMatchObject({ accessToken: "t2", username: "bob" });
  });

  it("invalid UTF-8 decodes to U+FFFD per byte, a lone surrogate escape to U+FFFD, like Go", () => {
    const bytes = Buffer.concat([Buffer.from(`{"accounts": {"u": {"username": "a`), Buffer.from([0xff, 0xe2, 0x82]), Buffer.from(`b\\ud800c\\ud83d\\ude00"}}}`)]);
    expect(getAccount(ok(bytes), "u")?.username).toBe("a\ufffd\ufffd\ufffdb\ufffdc😀");
  });

  it("nesting: 10,000 levels (Go's limit) read, 10,001 are corrupt, never a RangeError", () => {
    const deep = ok(`{"future": ${nested(10_000 - 1)}}`);
    expect(deep.future).toBeInstanceOf(RawJson);
    expect(parseCredentials(`{"future": ${nested(10_000)}}`)).toMatchObject({
      kind: "corrupt",
      error: expect.stringMatching(/nesting deeper than 10000 levels/),
    });
    expect(parseCredentials(nested(200_000)).kind).toBe("corrupt");
  });

  it("a version newer than we know is left to pulumi, like the envelope", () => {
    expect(parseCredentials(`{"version": 2, "accounts": {}}`)).toEqual({ kind: "newer-version", version: "2" });
    expect(parseCredentials(`{"Version": "1"}`)).toEqual({ kind: "newer-version", version: "<a string>" });
    expect(parseCredentials(`{"version": 1.0}`)).toEqual({ kind: "newer-version", version: "1.0" });
    expect(parseCredentials(`{"version": null}`).kind).toBe("ok");
    expect(ok(`{"version": 0}`).version).toBe(0);
  });

  it("version 1 (newer Go CLIs): accounts are authoritative, a legacy accessTokens entry alone is no account", () => {
    const v1 = ok(GO_V1);
    expect(v1.version).toBe(1);
    expect(getAccount(v1, URL)?.username).toBe("alice");
    expect(getAccount(ok(`{"version": 1, "accessTokens": {"u": "t"}}`), "u")).toBeUndefined();
    expect(getAccount(ok(`{"accessTokens": {"u": "t"}}`), "u")).toEqual({ accessToken: "t" });
  });
});

describe("account edits", () => {
  it("getAccount: accounts wins, a legacy accessTokens entry alone yields {accessToken}", () => {
    const creds = ok(GO_HUMAN);
    expect(getAccount(creds, URL)?.username).toBe("alice");
    expect(getAccount(creds, "https://api.staging.example.com")).toEqual({ accessToken: "pul-legacy-only" });
    expect(getAccount(creds, "https://nope.example")).toBeUndefined();
  });

  it("withAccount adds an account, keeps every other account and the human's current login", () => {
    const human = ok(GO_HUMAN);
    const next = withAccount(human, AGENT_URL, { accessToken: "pul-agent", username: "agent-x", lastValidatedAt: "2026-05-22T17:00:00Z" }, { setCurrentIfNone: true });
    expect(next.current).toBe(URL);
    expect(next.accessTokens?.[AGENT_URL]).toBe("pul-agent");
    expect(getAccount(next, AGENT_URL)?.username).toBe("agent-x");
    // Everything that was there serializes exactly as before: remove the new account and compare.
    expect(serializeCredentials(withoutAccount(next, AGENT_URL))).toBe(GO_HUMAN);
    // the input object is not modified
    expect(serializeCredentials(human)).toBe(GO_HUMAN);
  });

  it("withAccount sets current only when the file has none, and only when asked", () => {
    expect(withAccount({}, "u", { accessToken: "t" }, { setCurrentIfNone: true }).current).toBe("u");
    expect(withAccount({}, "u", { accessToken: "t" }, { setCurrentIfNone: false }).current).toBeUndefined();
  });

  it("withAccount replaces the account for that URL in both maps (a tokenless account writes \"\")", () => {
    const next = withAccount(ok(GO_AGENT), URL, { username: "x" }, { setCurrentIfNone: false });
    expect(next.accessTokens?.[URL]).toBe("");
    expect(next.accounts?.[URL]).toEqual({ username: "x" });
  });

  it("withoutAccount drops both entries and clears current if it pointed there", () => {
    const next = withoutAccount(ok(GO_AGENT), URL);
    expect(next.current).toBeUndefined();
    expect(isEmptyCredentials(next)).toBe(true);
    const human = withoutAccount(ok(GO_HUMAN), "file://~");
    expect(human.current).toBe(URL);
    expect(isEmptyCredentials(human)).toBe(false);
  });

  it("isEmptyCredentials keeps files that still hold accounts or unknown keys", () => {
    expect(isEmptyCredentials({})).toBe(true);
    expect(isEmptyCredentials({ current: "u", version: 1 })).toBe(true);
    expect(isEmptyCredentials({ accessTokens: {}, accounts: {} })).toBe(true);
    expect(isEmptyCredentials({ accounts: { u: {} } })).toBe(false);
    expect(isEmptyCredentials({ future: 1 })).toBe(false);
  });

  it("isStorableToken: printable ASCII without spaces", () => {
    expect(isStorableToken("pul-0123abc_~!")).toBe(true);
    for (const bad of ["", "pul x", "pul\r\nx", "pul\tx", "pulé", "pul\u0000"]) expect(isStorableToken(bad)).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------

describe("readCredentialsFile / updateCredentialsFile", () => {
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
    expect(ok(await readFile(file)).current).toBe(URL);
  });

  it("an update keeps the human's file byte for byte apart from the new account, in Go's shape", async () => {
    await writeFile(file, GO_HUMAN, { mode: 0o644 });
    const after = await addAgent(GO_HUMAN);
    expect(ok(after).current).toBe(URL);
    expect(after.toString()).toBe(serializeCredentials(ok(after))); // still exactly what Go would write
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await removeAgent()).toString()).toBe(GO_HUMAN);
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
    ["whitespace only", ` \n `, "corrupt", /only whitespace/],
    ["a byte order mark", `\ufeff${GO_AGENT}`, "corrupt", /byte order mark/],
    ["the encrypted envelope", ENVELOPE, "encrypted", /secure store \(\$pulumiSecureStore\).*PULUMI_ACCESS_TOKEN/s],
    ["a newer version", `{"version": 2, "accounts": {"u": {"accessToken": "pul-SECRET"}}}`, "newer-version", /"version": 2.*left untouched for pulumi/s],
  ] as const)("a file with %s is left byte-identical, with a clear StoreError", async (_name, content, code, message) => {
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
    expect(err.hint).toBeTruthy();
    expect(fullText(err)).toMatch(message);
    expect(fullText(err)).not.toContain("SECRET");
    expect(await readFile(file, "utf8")).toBe(content);
    expect(await readdir(dir)).toEqual(["credentials.json"]);
  });

  it("a directory at the path is unreadable and left alone", async () => {
    await mkdir(file);
    await writeFile(path.join(file, "keep"), "x");
    expect((await readCredentialsFile(file)).kind).toBe("unreadable");
    const err = await expectStoreError(updateCredentialsFile(file, (c) => withAccount(c, URL, agent, { setCurrentIfNone: true })), "unreadable");
    expect(err.message).toContain("it is a directory");
    expect(await readFile(path.join(file, "keep"), "utf8")).toBe("x");
    expect(await readdir(dir)).toEqual(["credentials.json"]);
  });

  it("reads through a symlink but refuses to replace it", async () => {
    const real = path.join(sb.root, "dotfiles-credentials.json");
    await writeFile(real, GO_AGENT);
    await symlink(real, file);
    expect((await readCredentialsFile(file)).kind).toBe("ok");
    const err = await expectStoreError(updateCredentialsFile(file, (c) => withAccount(c, "https://x.example", agent, { setCurrentIfNone: false })), "unsafe-file");
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
      return withAccount(c, AGENT_URL, agent, { setCurrentIfNone: true });
    });
    expect(calls).toBe(2);
    expect(r.action).toBe("written");
    const after = ok(await readFile(file));
    expect(getAccount(after, "https://api.other.example")?.accessToken).toBe("o");
    expect(getAccount(after, AGENT_URL)?.username).toBe("agent-new");
    expect(after.current).toBe(URL);
  });

  it.runIf(process.platform === "linux")("a FIFO at the path is unreadable (and does not hang us)", async () => {
    const { spawnSync } = await import("node:child_process");
    expect(spawnSync("mkfifo", [file]).status).toBe(0);
    const r = await readCredentialsFile(file);
    expect(r.kind).toBe("unreadable");
    await expectStoreError(updateCredentialsFile(file, (c) => c), "unreadable");
  });

  it("a missing folder is an io StoreError naming the path, and leaves nothing behind", async () => {
    const nowhere = path.join(sb.root, "nope", "credentials.json");
    const err = await expectStoreError(updateCredentialsFile(nowhere, (c) => withAccount(c, URL, agent, { setCurrentIfNone: true })), "io");
    expect(err.message).toContain(nowhere);
    expect(fullText(err)).not.toContain("pul-new");
  });

  it("temp files a killed writer left are removed by the next write; a live writer's fresh one is kept", async () => {
    const stale = path.join(dir, ".credentials.json.tmp-4242-abcdef012345");
    const fresh = path.join(dir, ".agent-claim.json.tmp-4243-0123456789ab");
    await writeFile(stale, "partial");
    await writeFile(fresh, "in progress");
    const past = new Date(Date.now() - 10 * 60_000);
    await utimes(stale, past, past);
    await updateCredentialsFile(file, (c) => withAccount(c, URL, agent, { setCurrentIfNone: true }));
    expect((await readdir(dir)).sort()).toEqual([".agent-claim.json.tmp-4243-0123456789ab", "credentials.json"]);
  });
});

describe("lossless edits: every byte outside the edited account stays", () => {
  it("invalid UTF-8, big numbers, duplicate keys and deep nesting in other entries survive an add and a remove", async () => {
    const original = Buffer.concat([
      Buffer.from(`{\n    "current": "${URL}",\n    "future": {"big": 123456789012345678901234567890.5e-7, "deep": ${nested(5_000)}},\n    "accessTokens": {\n        "${URL}": "pul-human"\n    },\n    "accounts": {\n        "${URL}": {\n            "accessToken": "pul-human",\n            "username": "al`),
      Buffer.from([0xc3, 0x28, 0xff]), // invalid UTF-8: read as U+FFFD, never written back
      Buffer.from(`ice",\n            "username": "alice-dup",\n            "lastValidatedAt": "2026-05-22T10:15:30Z"\n        }\n    }\n}`),
    ]);
    const added = await addAgent(original);
    expect(getAccount(ok(added), AGENT_URL)?.accessToken).toBe("pul-new");
    expect(added.includes(Buffer.from([0xc3, 0x28, 0xff]))).toBe(true);
    expect(added.includes(Buffer.from("123456789012345678901234567890.5e-7"))).toBe(true);
    expect(await removeAgent()).toEqual(original);
  });

  const small: StoredAccount = { accessToken: "pul-new", lastValidatedAt: "2026-05-22T17:00:00Z" };
  const A = `"${AGENT_URL}"`;
  const H = `"${URL}"`;
  it.each([
    [
      "2-space indent (JSON.stringify)",
      JSON.stringify({ current: URL, accessTokens: { [URL]: "pul-h" }, accounts: { [URL]: { accessToken: "pul-h" } } }, null, 2),
      `{\n  "current": ${H},\n  "accessTokens": {\n    ${A}: "pul-new",\n    ${H}: "pul-h"\n  },\n  "accounts": {\n    ${A}: {\n      "accessToken": "pul-new",\n      "lastValidatedAt": "2026-05-22T17:00:00Z"\n    },\n    ${H}: {\n      "accessToken": "pul-h"\n    }\n  }\n}`,
    ],
    [
      "CRLF line ends and a trailing newline",
      `{\r\n  "accessTokens": {\r\n    ${H}: "pul-h"\r\n  }\r\n}\r\n`,
      `{\r\n  "accessTokens": {\r\n    ${A}: "pul-new",\r\n    ${H}: "pul-h"\r\n  },\r\n  "accounts": {\r\n    ${A}: {\r\n      "accessToken": "pul-new",\r\n      "lastValidatedAt": "2026-05-22T17:00:00Z"\r\n    }\r\n  }\r\n}\r\n`,
    ],
    [
      "one line",
      `{"accessTokens":{${H}:"pul-h"},"accounts":{${H}:{"accessToken":"pul-h"}}}`,
      `{"accessTokens":{${A}:"pul-new",${H}:"pul-h"},"accounts":{${A}:{"accessToken":"pul-new","lastValidatedAt":"2026-05-22T17:00:00Z"},${H}:{"accessToken":"pul-h"}}}`,
    ],
    [
      "one line with spaces",
      `{ "accessTokens": { ${H}: "pul-h" } }`,
      `{ "accessTokens": { ${A}: "pul-new", ${H}: "pul-h" }, "accounts": {${A}: {"accessToken": "pul-new", "lastValidatedAt": "2026-05-22T17:00:00Z"}} }`,
    ],
    [
      "tabs",
      `{\n\t"accessTokens": {\n\t\t${H}: "pul-h"\n\t}\n}`,
      `{\n\t"accessTokens": {\n\t\t${A}: "pul-new",\n\t\t${H}: "pul-h"\n\t},\n\t"accounts": {\n\t\t${A}: {\n\t\t\t"accessToken": "pul-new",\n\t\t\t"lastValidatedAt": "2026-05-22T17:00:00Z"\n\t\t}\n\t}\n}`,
    ],
  ])("a file with %s keeps its layout, and removing the account again gives back every byte", async (_name, original, expected) => {
    expect((await addAgent(original, small, false)).toString()).toBe(expected);
    expect((await removeAgent()).toString()).toBe(original);
  });

  it.each([
    ["an empty object (no layout to follow: Go's)", `{}`, `{\n    "accessTokens": {\n        ${A}: "pul-new"\n    },\n    "accounts": {\n        ${A}: {\n            "accessToken": "pul-new",\n            "lastValidatedAt": "2026-05-22T17:00:00Z"\n        }\n    }\n}`],
    ["empty maps", `{"accessTokens": {}, "accounts": {}}`, `{"accessTokens": {${A}: "pul-new"}, "accounts": {${A}: {"accessToken": "pul-new", "lastValidatedAt": "2026-05-22T17:00:00Z"}}}`],
    ["null maps", `{"accessTokens": null, "accounts": null}`, `{"accessTokens": {${A}: "pul-new"}, "accounts": {${A}: {"accessToken": "pul-new", "lastValidatedAt": "2026-05-22T17:00:00Z"}}}`],
  ])("a file with %s gets the account; removing it leaves nothing, so the file goes (like Go)", async (_name, original, expected) => {
    await writeFile(file, original);
    await updateCredentialsFile(file, (c) => withAccount(c, AGENT_URL, small, { setCurrentIfNone: false }));
    expect(await readFile(file, "utf8")).toBe(expected);
    expect((await updateCredentialsFile(file, (c) => withoutAccount(c, AGENT_URL))).action).toBe("deleted");
    expect(await readdir(dir)).toEqual([]);
  });

  it("a version 1 file with a credential helper and a human login keeps every byte outside the agent account", async () => {
    const added = (await addAgent(GO_V1)).toString();
    expect(added.startsWith(`{\n    "version": 1,\n    "credentialHelper": {`)).toBe(true);
    expect(added).toContain(`"n": 12345678901234567890123`);
    const v1 = ok(added);
    expect(v1.accessTokens?.[AGENT_URL]).toBe("pul-new"); // accessTokens kept consistent with accounts
    expect(getAccount(v1, AGENT_URL)?.username).toBe("agent-new");
    expect((await removeAgent()).toString()).toBe(GO_V1);
  });

  it("replacing one account (a token refresh) rewrites only its changed members, keeping its unknown keys", async () => {
    await writeFile(file, GO_V1);
    await updateCredentialsFile(file, (c) => {
      const a = getAccount(c, URL)!;
      return withAccount(c, URL, { ...a, accessToken: "pul-refreshed", tokenInformation: { name: "", expiresAt: "2026-06-01T00:00:00Z" } }, { setCurrentIfNone: false });
    });
    const after = (await readFile(file)).toString();
    const expected = GO_V1.replace(/pul-human-v1/g, "pul-refreshed").replace(
      `            "futureAccountField"`,
      `            "tokenInformation": {\n                "name": "",\n                "expiresAt": "2026-06-01T00:00:00Z"\n            },\n            "futureAccountField"`,
    );
    expect(after).toBe(expected);
  });

  it("duplicate keys: an account under a repeated URL is edited at its last copy and removed everywhere", async () => {
    const original = `{"accessTokens": {"u": "a", "u": "b", "w": "c"}, "accounts": {"u": {"accessToken": "a"}, "u": {"accessToken": "b"}}}`;
    await writeFile(file, original);
    await updateCredentialsFile(file, (c) => withAccount(c, "u", { accessToken: "z" }, { setCurrentIfNone: false }));
    expect((await readFile(file, "utf8"))).toBe(
      `{"accessTokens": {"u": "a", "u": "z", "w": "c"}, "accounts": {"u": {"accessToken": "a"}, "u": {"accessToken": "z"}}}`,
    );
    await updateCredentialsFile(file, (c) => withoutAccount(c, "u"));
    expect(await readFile(file, "utf8")).toBe(`{"accessTokens": {"w": "c"}}`);
  });

  it("a map Go merges from repeated keys cannot be edited losslessly: not rewritten, reported", async () => {
    const original = `{"accounts": {"h": {"accessToken": "pul-h1"}}, "accounts": {"h2": {"accessToken": "pul-h2"}}}`;
    await writeFile(file, original);
    expect(getAccount(ok(original), "h")?.accessToken).toBe("pul-h1");
    const err = await expectStoreError(updateCredentialsFile(file, (c) => withAccount(c, AGENT_URL, agent, { setCurrentIfNone: false })), "not-rewritable");
    expect(err.message).toMatch(/accounts appears more than once/);
    expect(fullText(err)).toMatch(/PULUMI_CREDENTIALS_PATH/);
    expect(await readFile(file, "utf8")).toBe(original);
  });

  it("case-insensitive keys are edited where they are", async () => {
    const original = `{"AccessTokens": {"h": "pul-h"}, "Accounts": {"h": {"AccessToken": "pul-h"}}}`;
    await writeFile(file, original);
    await updateCredentialsFile(file, (c) => withAccount(c, "h", { ...getAccount(c, "h"), accessToken: "pul-new" }, { setCurrentIfNone: false }));
    expect(await readFile(file, "utf8")).toBe(`{"AccessTokens": {"h": "pul-new"}, "Accounts": {"h": {"AccessToken": "pul-new"}}}`);
  });
});

describe("what is stored is validated", () => {
  it.each([
    ["a token with CR/LF", { ...agent, accessToken: "pul-x\r\nX-Evil: 1" }, /contains characters other than printable ASCII/],
    ["a token with a space", { ...agent, accessToken: "pul x" }, /accessToken/],
    ["a non-ASCII refresh token", { ...agent, refreshToken: "pul-é" }, /refreshToken/],
    ["a time Go cannot parse", { ...agent, tokenInformation: { name: "", expiresAt: "2030-01-01 00:00:00Z" } }, /expiresAt is not an RFC 3339 time/],
    ["a time past year 9999", { ...agent, lastValidatedAt: new Date(8.64e15).toISOString() }, /lastValidatedAt/],
  ])("%s is refused with a StoreError and nothing is written", async (_name, account, message) => {
    await writeFile(file, GO_HUMAN);
    const err = await expectStoreError(updateCredentialsFile(file, (c) => withAccount(c, AGENT_URL, account as StoredAccount, { setCurrentIfNone: true })), "invalid-value");
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain("pul-x");
    expect(await readFile(file, "utf8")).toBe(GO_HUMAN);
    expect(await readdir(dir)).toEqual(["credentials.json"]);
  });

  it("another login's odd token, which we do not touch, does not block storing ours", async () => {
    const odd = `{"accessTokens": {"h": "pul h\\u00e9"}, "accounts": {"h": {"accessToken": "pul h\\u00e9"}}}`;
    await writeFile(file, odd);
    await updateCredentialsFile(file, (c) => withAccount(c, AGENT_URL, agent, { setCurrentIfNone: false }));
    expect(await readFile(file, "utf8")).toBe(
      `{"accessTokens": {"h": "pul h\\u00e9", "https://api.agent.example": "pul-new"}, "accounts": {"h": {"accessToken": "pul h\\u00e9"}, ` +
        `"https://api.agent.example": {"accessToken": "pul-new", "username": "agent-new", "lastValidatedAt": "2026-05-22T17:00:00Z", ` +
        `"tokenInformation": {"name": "", "expiresAt": "2026-05-25T17:00:00.000Z"}}}}`,
    );
  });
});
