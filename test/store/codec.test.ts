// The one read → validate → modify → write path, for all three files: what it refuses, and that a
// refusal writes nothing. Real files, FIFOs and symlinks.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { lstat, mkdir, readFile, readdir, readlink, symlink, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { makeSandbox, type Sandbox } from "../support/sandbox.js";
import { ENVELOPE, GO_AGENT, GO_CLAIM, HISTORY, expectStoreError } from "../support/store-fixtures.js";
import { type StoreFileSpec, parseStoreBytes, readStoreFile, updateStoreFile } from "../../src/store/codec.js";
import { CREDENTIALS_SPEC, type CredentialsFile, withAccount } from "../../src/store/credentials.js";
import { CLAIM_SPEC } from "../../src/store/claim.js";
import { CLAIM_HISTORY_SPEC } from "../../src/store/claim-history.js";
import type { StoreErrorCode } from "../../src/store/errors.js";

const SPECS: Array<[string, StoreFileSpec<unknown>, string, (m: unknown) => unknown]> = [
  ["credentials.json", CREDENTIALS_SPEC as StoreFileSpec<unknown>, GO_AGENT, (m) => withAccount(m as CredentialsFile, "https://other.example", { accessToken: "t" }, { setCurrentIfNone: false })],
  ["agent-claim.json", CLAIM_SPEC as StoreFileSpec<unknown>, GO_CLAIM, (m) => ({ ...(m as object), claimUnavailableAt: "2026-05-30T08:00:00Z" })],
  ["agent-claim-history.json", CLAIM_HISTORY_SPEC as StoreFileSpec<unknown>, HISTORY, (m) => [...(m as unknown[]), { claimUrl: "u", validUntil: "v", cloudUrl: "c", archivedAt: "a" }]],
];

let sb: Sandbox;
let dir: string;
beforeEach(async () => {
  sb = await makeSandbox();
  dir = sb.sharedDir;
  await mkdir(dir, { mode: 0o700 });
});
afterEach(async () => {
  await sb.cleanup();
});

describe.each(SPECS)("%s through the store codec", (name, spec, good, edit) => {
  const file = () => path.join(dir, name);

  it("a good file is edited, a missing one is created", async () => {
    await writeFile(file(), good);
    expect((await updateStoreFile(spec, file(), edit)).action).toBe("written");
    expect((await readStoreFile(spec, file())).kind).toBe("ok");
    await updateStoreFile(spec, path.join(dir, "new.json"), edit);
    expect(parseStoreBytes(spec, await readFile(path.join(dir, "new.json"))).kind).toBe("ok");
  });

  const refused: Array<[string, string | Buffer, StoreErrorCode]> = [
    ["truncated JSON", good.slice(0, good.length - 3), "corrupt"],
    ["whitespace only", "  \n", "corrupt"],
    ["a BOM", `\ufeff${good}`, "corrupt"],
    ["11,000 levels of nesting", `[${"[".repeat(11_000)}${"]".repeat(11_000)}]`, "corrupt"],
    ["random bytes", Buffer.from([0x00, 0xff, 0x7b, 0x22]), "corrupt"],
  ];
  if (spec !== (CLAIM_HISTORY_SPEC as StoreFileSpec<unknown>)) {
    refused.push(["the encrypted envelope", ENVELOPE, "encrypted"], ["a version we do not know", `{"version": 99}`, "newer-version"]);
  }
  it.each(refused)("a file with %s is never written, and the edit never runs", async (_what, content, code) => {
    await writeFile(file(), content);
    let called = false;
    await expectStoreError(
      updateStoreFile(spec, file(), (m) => {
        called = true;
        return edit(m);
      }),
      code,
    );
    expect(called).toBe(false);
    expect(await readFile(file())).toEqual(Buffer.from(content));
    expect(await readdir(dir)).toEqual([name]);
  });

  it("a directory or a FIFO at the path is unreadable; a symlink is read but never replaced", async () => {
    await mkdir(file());
    await expectStoreError(updateStoreFile(spec, file(), edit), "unreadable");
    await expect(lstat(file())).resolves.toMatchObject({});
    spawnSync("rmdir", [file()]);
    if (process.platform === "linux") {
      expect(spawnSync("mkfifo", [file()]).status).toBe(0);
      await expectStoreError(updateStoreFile(spec, file(), edit), "unreadable");
      spawnSync("rm", [file()]);
    }
    const target = path.join(sb.root, "target.json");
    await writeFile(target, good);
    await symlink(target, file());
    expect((await readStoreFile(spec, file())).kind).toBe("ok");
    await expectStoreError(updateStoreFile(spec, file(), edit), "unsafe-file");
    expect(await readFile(target, "utf8")).toBe(good);
    expect(await readlink(file())).toBe(target);
  });

  it("cleans temp files a killed writer left (older than a minute), whichever file they belong to", async () => {
    const stale = path.join(dir, ".credentials.json.tmp-99999-aaaaaaaaaaaa");
    await writeFile(stale, "partial");
    const past = new Date(Date.now() - 5 * 60_000);
    await utimes(stale, past, past);
    await writeFile(file(), good);
    await updateStoreFile(spec, file(), edit);
    expect(await readdir(dir)).toEqual([name]);
  });
});

describe("optimistic concurrency", () => {
  it("gives up with a clear error when another writer keeps changing the file; nothing of ours is written", async () => {
    const file = path.join(dir, "credentials.json");
    await writeFile(file, GO_AGENT);
    let n = 0;
    const err = await expectStoreError(
      updateStoreFile(CREDENTIALS_SPEC, file, async (c) => {
        await writeFile(file, GO_AGENT.replace("pul-agent-token", `pul-agent-token-${++n}`));
        return { ...c, current: "https://mine.example" };
      }, { maxAttempts: 3 }),
      "io",
    );
    expect(n).toBe(3);
    expect(err.message).toMatch(/kept changing/);
    expect(await readFile(file, "utf8")).not.toContain("mine.example");
  });
});
