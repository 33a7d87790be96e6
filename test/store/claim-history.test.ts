// agent-claim-history.json: archived claim links, edited through the store codec like the Go files.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { makeSandbox, type Sandbox } from "../support/sandbox.js";
import { HISTORY, expectStoreError } from "../support/store-fixtures.js";
import { CLAIM_HISTORY_FILE, archiveClaim, readClaimHistory } from "../../src/store/claim-history.js";

const NOW = Date.parse("2026-05-22T18:00:00Z");
const claim = (id: string, validUntil = "2099-01-01T00:00:00Z") => ({
  claimUrl: `https://app.pulumi.com/claim/${id}`,
  validUntil,
  cloudUrl: "https://api.pulumi.com",
});

let sb: Sandbox;
let dir: string;
let file: string;
beforeEach(async () => {
  sb = await makeSandbox();
  dir = sb.sharedDir;
  await mkdir(dir, { mode: 0o700 });
  file = path.join(dir, CLAIM_HISTORY_FILE);
});
afterEach(async () => {
  await sb.cleanup();
});

describe("claim history", () => {
  it("archives claims in a new file and lists them", async () => {
    expect(await readClaimHistory(dir)).toEqual([]);
    await archiveClaim(dir, claim("a"), NOW);
    await archiveClaim(dir, claim("b", "2026-05-22T17:00:00Z"), NOW);
    const list = await readClaimHistory(dir);
    expect(list.map((c) => c.claimUrl)).toEqual([claim("a").claimUrl, claim("b").claimUrl]);
    expect(list[0]!.archivedAt).toBe(new Date(NOW).toISOString());
    expect(await readFile(file, "utf8")).toMatch(/^\[\n {4}\{\n {8}"claimUrl": "https:\/\/app\.pulumi\.com\/claim\/a",/);
  });

  it("appends to an existing history keeping its bytes; drops expired entries and earlier copies of the same link", async () => {
    await writeFile(file, HISTORY);
    await archiveClaim(dir, claim("c"), NOW);
    const text = await readFile(file, "utf8");
    expect(text.startsWith(HISTORY.slice(0, -2))).toBe(true);
    expect((await readClaimHistory(dir)).map((c) => c.claimUrl)).toEqual([claim("old-1").claimUrl, claim("c").claimUrl]);

    await archiveClaim(dir, claim("old-1"), NOW); // the same link again: one entry, the newest
    expect((await readClaimHistory(dir)).map((c) => c.claimUrl)).toEqual([claim("c").claimUrl, claim("old-1").claimUrl]);
    await archiveClaim(dir, claim("d"), Date.parse("2100-01-01T00:00:00Z")); // everything else expired by then
    expect((await readClaimHistory(dir)).map((c) => c.claimUrl)).toEqual([claim("d").claimUrl]);
  });

  it("entries it does not understand are kept byte for byte and never pruned", async () => {
    const odd = `[{"claimUrl": 5, "note": "kept"}, "a string", {"big": 123456789012345678901234567890}]`;
    await writeFile(file, odd);
    expect(await readClaimHistory(dir)).toEqual([]);
    await archiveClaim(dir, claim("e"), NOW);
    const text = await readFile(file, "utf8");
    expect(text.startsWith(`[{"claimUrl": 5, "note": "kept"}, "a string", {"big": 123456789012345678901234567890}, {`)).toBe(true);
    expect((await readClaimHistory(dir)).map((c) => c.claimUrl)).toEqual([claim("e").claimUrl]);
  });

  it.each([
    ["not a list", `{"claimUrl": "https://app.pulumi.com/claim/x"}`],
    ["truncated", `[{"claimUrl": "https://app.pulumi.com/claim/x"`],
  ])("a history that is %s reads as empty but is never overwritten", async (_name, content) => {
    await writeFile(file, content);
    expect(await readClaimHistory(dir)).toEqual([]);
    const err = await expectStoreError(archiveClaim(dir, claim("f"), NOW), "corrupt");
    expect(err.message).toContain(file);
    expect(await readFile(file, "utf8")).toBe(content);
    expect(await readdir(dir)).toEqual([CLAIM_HISTORY_FILE]);
  });
});
