// agent-claim.json: the Go CLI's shape, edits that keep the rest of the file, and a claim link that is
// never overwritten while the file cannot be read. Real files in temp dirs.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdir, readFile, readdir, stat, writeFile } from "node:fs/promises";
import { makeSandbox, type Sandbox } from "../support/sandbox.js";
import { ENVELOPE, GO_CLAIM, GO_CLAIM_UNAVAILABLE, expectStoreError } from "../support/store-fixtures.js";
import {
  type ClaimRecord,
  parseClaim,
  readClaimFile,
  serializeClaim,
  updateClaimFile,
  writeClaimFile,
} from "../../src/store/claim.js";
import { GO_ZERO_TIME } from "../../src/store/gojson.js";
import { claimFilePath } from "../../src/store/paths.js";

let sb: Sandbox;
let file: string;
beforeEach(async () => {
  sb = await makeSandbox();
  await mkdir(sb.sharedDir, { mode: 0o700 });
  file = claimFilePath(sb.sharedDir);
});
afterEach(async () => {
  await sb.cleanup();
});

const claim: ClaimRecord = {
  claimUrl: "https://app.pulumi.com/claim/t",
  claimToken: "t",
  validUntil: "2026-06-21T17:15:30.000Z",
  cloudUrl: "https://api.pulumi.com",
};

describe("agent-claim.json shape", () => {
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

  it("0 bytes is no claim; whitespace only, invalid JSON and wrong types are corrupt (as Go reads them)", () => {
    expect(parseClaim("")).toEqual({ kind: "missing" });
    expect(parseClaim(" \n").kind).toBe("corrupt");
    expect(parseClaim("{").kind).toBe("corrupt");
    expect(parseClaim(`{"claimUrl": 1}`).kind).toBe("corrupt");
    expect(parseClaim(`{"validUntil": "soon"}`).kind).toBe("corrupt");
    expect(parseClaim(`\ufeff${GO_CLAIM}`).kind).toBe("corrupt");
  });

  it("an envelope or any version (Go's claim has none) is a shape we leave alone", () => {
    expect(parseClaim(ENVELOPE)).toEqual({ kind: "encrypted" });
    expect(parseClaim(`{"version": 1, "claimUrl": "u"}`)).toEqual({ kind: "newer-version", version: "1" });
  });
});

describe("agent-claim.json files", () => {
  it("write (0600, atomic), read, update, remove", async () => {
    expect(await readClaimFile(file)).toEqual({ kind: "missing" });
    await writeClaimFile(file, claim);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, "utf8")).toBe(serializeClaim(claim));
    expect(await readClaimFile(file)).toEqual({ kind: "ok", claim });

    await updateClaimFile(file, (c) => c && { ...c, claimUnavailableAt: "2026-05-30T08:00:00.000Z" });
    const r = await readClaimFile(file);
    expect(r.kind === "ok" && r.claim.claimUnavailableAt).toBe("2026-05-30T08:00:00.000Z");

    await updateClaimFile(file, () => undefined);
    expect(await readClaimFile(file)).toEqual({ kind: "missing" });
    expect(await readdir(sb.sharedDir)).toEqual([]);
  });

  it("marking a Go-written claim unavailable adds one member and keeps every other byte", async () => {
    const original = GO_CLAIM.replace(`"cloudUrl": "https://api.pulumi.com"`, `"cloudUrl": "https://api.pulumi.com",\n    "future": {"big": 1e400}`);
    await writeFile(file, original);
    await updateClaimFile(file, (c) => c && { ...c, claimUnavailableAt: "2026-05-30T08:00:00.000Z" });
    expect(await readFile(file, "utf8")).toBe(
      original.replace(`"cloudUrl": "https://api.pulumi.com",`, `"cloudUrl": "https://api.pulumi.com",\n    "claimUnavailableAt": "2026-05-30T08:00:00.000Z",`),
    );
  });

  it.each([
    ["invalid JSON", `{"claimUrl": "https://app.pulumi.com/claim/x"`, "corrupt"],
    ["whitespace only", "\n\n", "corrupt"],
    ["a version we do not know", `{"version": 2, "claimUrl": "https://app.pulumi.com/claim/x"}`, "newer-version"],
  ] as const)("neither updateClaimFile nor writeClaimFile overwrites a claim file with %s", async (_name, content, code) => {
    await writeFile(file, content);
    const err = await expectStoreError(updateClaimFile(file, () => ({ claimUrl: "u", validUntil: GO_ZERO_TIME, cloudUrl: "c" })), code);
    expect(err.message).toContain(file);
    await expectStoreError(writeClaimFile(file, claim), code);
    expect(await readFile(file, "utf8")).toBe(content);
  });

  it("refuses a claim token a reader would reject, or a validity Go cannot parse; nothing is written", async () => {
    await expectStoreError(writeClaimFile(file, { ...claim, claimToken: "t\r\n" }), "invalid-value");
    await expectStoreError(writeClaimFile(file, { ...claim, validUntil: "2030-01-01 00:00:00Z" }), "invalid-value");
    expect(await readdir(sb.sharedDir)).toEqual([]);
  });

  it("a directory at the path is never written over", async () => {
    await mkdir(file);
    expect((await readClaimFile(file)).kind).toBe("unreadable");
    await expectStoreError(writeClaimFile(file, claim), "unreadable");
    expect((await stat(file)).isDirectory()).toBe(true);
  });
});
