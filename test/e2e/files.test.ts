// End to end: credentials files written by newer Go CLIs keep every byte we do not own, a newer file
// version is left to pulumi, and odd files are read without crash or change.
import { describe, expect, it } from "vitest";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { FAKE_PULUMI } from "../support/sandbox.js";
import { useAgentContext } from "../support/context.js";
import { readRecords, runBin } from "../support/run.js";

const ctx = useAgentContext({ mock: { difficulty: 8 }, env: () => ({ CLAUDECODE: "1", PULUMI_AGENT_PULUMI_BIN: FAKE_PULUMI }) });
const credsPath = () => path.join(ctx.sb.pulumiHome, "credentials.json");
const signups = () => ctx.mock.state.agents().length;

const HUMAN_CLOUD = "https://api.corp.example";

/**
 * A credentials.json as a newer Go CLI writes it: `version` first, a credential helper, a human login, and
 * unknown fields whose numbers JavaScript could not round-trip (written as text, so the bytes are exact).
 */
function versionOneFile(): string {
  return `{
    "version": 1,
    "credentialHelper": {
        "path": "/usr/local/bin/pulumi-credential-helper",
        "args": [
            "--profile",
            "work"
        ]
    },
    "current": "${HUMAN_CLOUD}",
    "accessTokens": {
        "${HUMAN_CLOUD}": "pul-human-0123456789"
    },
    "accounts": {
        "${HUMAN_CLOUD}": {
            "accessToken": "pul-human-0123456789",
            "username": "alice",
            "organizations": [
                "corp"
            ],
            "lastValidatedAt": "2026-11-30T10:15:30.123456789-07:00",
            "tokenInformation": {
                "name": "laptop",
                "expiresAt": "2027-01-01T00:00:00Z"
            },
            "futureField": {
                "nested": [
                    1,
                    2.50,
                    12345678901234567890
                ]
            }
        }
    },
    "futureTopLevel": "kept"
}`;
}

describe("forward-compatible credentials files", () => {
  it("a version 1 file with a credential helper and a human login keeps every byte outside the agent account", async () => {
    mkdirSync(ctx.sb.pulumiHome, { recursive: true });
    const original = versionOneFile();
    writeFileSync(credsPath(), original);

    // An agent run for another cloud: the agent account goes into the same file.
    const r = await runBin(["up", "--yes"], ctx.sb.env);
    expect(r.code, r.stderr).toBe(0);
    const agent = ctx.mock.state.agents().at(-1)!;
    const after = readFileSync(credsPath(), "utf8");
    expect(after.startsWith('{\n    "version": 1,\n    "credentialHelper": {')).toBe(true);
    const doc = JSON.parse(after);
    expect(doc.current).toBe(HUMAN_CLOUD); // a human's current login is never switched
    expect(doc.accounts[ctx.mock.url].accessToken).toBe(agent.accessToken);
    expect(doc.accessTokens[ctx.mock.url]).toBe(agent.accessToken);
    expect(after).toContain('"futureField": {\n                "nested": [\n                    1,\n                    2.50,\n                    12345678901234567890');
    expect(after).toContain('"lastValidatedAt": "2026-11-30T10:15:30.123456789-07:00"');

    // Forgetting the agent account gives back the very bytes we started from.
    const forget = await runBin(["account", "forget", "--yes"], ctx.sb.env);
    expect(forget.code, forget.stderr).toBe(0);
    expect(readFileSync(credsPath(), "utf8")).toBe(original);
  });

  it("a file of a newer version than we know is never written: pulumi is left to read it", async () => {
    mkdirSync(ctx.sb.pulumiHome, { recursive: true });
    const newer = JSON.stringify({ version: 2, accounts: { "https://api.other.example": { accessToken: "pul-x" } }, shape: "from the future" }, null, 4);
    writeFileSync(credsPath(), newer);
    const before = signups();
    const r = await runBin(["up"], ctx.sb.env);
    expect(r.code).toBe(0); // pulumi ran
    expect(readRecords(ctx.record)).toHaveLength(1);
    expect(signups()).toBe(before);
    expect(readFileSync(credsPath(), "utf8")).toBe(newer);
    const status = JSON.parse((await runBin(["account", "status", "--json", "--offline"], ctx.sb.env)).stdout);
    expect(status.problem).toMatch(/file version 2, newer than pulumi-agent knows/);
  });

  it("a whitespace-only credentials.json is a parse error as in Go, never written over", async () => {
    mkdirSync(ctx.sb.pulumiHome, { recursive: true });
    writeFileSync(credsPath(), "  \n\t\n");
    const r = await runBin(["up"], ctx.sb.env);
    expect(r.code).toBe(1);
    expect(readFileSync(credsPath(), "utf8")).toBe("  \n\t\n");
    expect(r.stderr).toContain(credsPath());
  });

  it.each([
    ["a BOM", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("{}")])],
    ["invalid UTF-8 in another login's token", Buffer.concat([Buffer.from('{"accessTokens": {"https://api.x.example": "pul-'), Buffer.from([0xff, 0xfe]), Buffer.from('"}}')])],
    ["an unknown key nested 5,000 deep", Buffer.from(`{"deep": ${"[".repeat(5000)}${"]".repeat(5000)}}`)],
  ])("%s: no crash, and the bytes we do not own are never changed", async (_name, bytes) => {
    mkdirSync(ctx.sb.pulumiHome, { recursive: true });
    writeFileSync(credsPath(), bytes);
    const r = await runBin(["up"], ctx.sb.env);
    expect(r.stderr).not.toMatch(/RangeError|Unexpected error|at .*\.js:\d+/);
    const now = readFileSync(credsPath());
    if (r.code === 0) {
      // The file was readable and editable: it now holds the agent account, and forgetting it restores every byte.
      expect((await runBin(["account", "forget", "--yes"], ctx.sb.env)).code).toBe(0);
      expect(Buffer.compare(readFileSync(credsPath()), bytes)).toBe(0);
    } else {
      expect(Buffer.compare(now, bytes)).toBe(0);
    }
  });
});
