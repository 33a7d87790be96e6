// Fuzz the store codec: thousands of generated files (mutations of real Go-shaped files, random bytes,
// deep nesting, invalid UTF-8, BOMs, duplicate keys, big numbers, odd types), each read, edited and
// written as credentials.json, agent-claim.json and agent-claim-history.json. Deterministic (seeded).
// Checked: nothing throws but a StoreError; every byte outside the edited entry stays (compared on the
// scanner's spans of the old and new file); the new file reads back as intended; removing an added
// account gives back the original bytes; the real file path gives the same bytes as the pure plan.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type Rng, generate, mulberry32, pick } from "../support/store-fuzz.js";
import { type StoreFileSpec, parseStoreBytes, planWrite, updateStoreFile, type WritePlan } from "../../src/store/codec.js";
import {
  CREDENTIALS_SPEC,
  type CredentialsFile,
  type StoredAccount,
  getAccount,
  isEmptyCredentials,
  updateCredentialsFile,
  withAccount,
  withoutAccount,
} from "../../src/store/credentials.js";
import { CLAIM_SPEC, type ClaimRecord, updateClaimFile } from "../../src/store/claim.js";
import { CLAIM_HISTORY_SPEC, type HistoryEntry } from "../../src/store/claim-history.js";
import { StoreError } from "../../src/store/errors.js";
import { RawJson } from "../../src/store/gojson.js";
import type { JsonDoc, JsonNode } from "../../src/store/json.js";

const CASES = 2400;
const SEED = 0x5eed_2026;

// ---------------------------------------------------------------------------------------------------
// checks

const fold = (k: string) => k.toLowerCase().replace(/ſ/g, "s").replace(/\u212a/g, "k");

function slice(doc: JsonDoc, start: number, end: number): string {
  return Buffer.from(doc.bytes.subarray(start, end)).toString("base64");
}

/** The bytes of each member of an object (key through value) that `keep` selects, in order. */
function members(doc: JsonDoc, node: JsonNode | undefined, keep: (key: string) => boolean): string[] {
  if (node?.type !== "object") return [];
  return node.members.filter((m) => keep(m.key)).map((m) => slice(doc, m.keyStart, m.value.end));
}

function topMaps(doc: JsonDoc, name: string): JsonNode[] {
  return doc.root.type === "object" ? doc.root.members.filter((m) => fold(m.key) === name).map((m) => m.value) : [];
}

interface Stats {
  files: number;
  byKind: Record<string, number>;
  parses: Record<string, Record<string, number>>;
  edits: number;
  plans: Record<string, number>;
  refusals: Record<string, number>;
  crashes: string[];
  bytesChangedOutside: string[];
  meaning: string[];
  inverseIdentical: number;
  inverseFailures: string[];
  fsChecked: number;
  fsMismatches: string[];
}

const stats: Stats = {
  files: 0,
  byKind: {},
  parses: { credentials: {}, claim: {}, history: {} },
  edits: 0,
  plans: {},
  refusals: {},
  crashes: [],
  bytesChangedOutside: [],
  meaning: [],
  inverseIdentical: 0,
  inverseFailures: [],
  fsChecked: 0,
  fsMismatches: [],
};
const bump = (o: Record<string, number>, k: string) => (o[k] = (o[k] ?? 0) + 1);

function attempt<T>(what: string, f: () => T): T | StoreError | undefined {
  try {
    return f();
  } catch (e) {
    if (e instanceof StoreError) return e;
    stats.crashes.push(`${what}: ${(e as Error)?.stack ?? String(e)}`.slice(0, 600));
    return undefined;
  }
}

/** Same bytes outside the root value, as the plan must leave them. */
function checkOutside(id: string, old: JsonDoc, next: JsonDoc): void {
  const before = slice(old, 0, old.root.start) + "|" + slice(old, old.root.end, old.bytes.length);
  const after = slice(next, 0, next.root.start) + "|" + slice(next, next.root.end, next.bytes.length);
  if (before !== after) stats.bytesChangedOutside.push(`${id}: bytes around the top-level value changed`);
}

function credentialsCase(id: string, bytes: Buffer, r: Rng, i: number, dir: string, fsRound: boolean): Promise<void> | void {
  const spec = CREDENTIALS_SPEC;
  const parsed = attempt(`${id} parse`, () => parseStoreBytes(spec, bytes));
  if (!parsed || parsed instanceof StoreError) return;
  bump(stats.parses.credentials!, parsed.kind);
  if (parsed.kind !== "ok" && parsed.kind !== "missing") return fsRound ? fsRefusal(id, spec, bytes, dir, parsed.kind) : undefined;
  const model: CredentialsFile = parsed.kind === "ok" ? parsed.model : {};
  const urls = [...new Set([...Object.keys(model.accounts ?? {}), ...Object.keys(model.accessTokens ?? {})])];
  const op = urls.length === 0 ? pick(r, ["add", "add", "add", "bad"]) : pick(r, ["add", "add", "replace", "replace", "remove", "bad"]);
  const url = op === "add" || op === "bad" ? `https://api.fuzz-${i}.example` : pick(r, urls);
  const account: StoredAccount =
    op === "replace"
      ? { ...getAccount(model, url), accessToken: `pul-refreshed-${i}`, tokenInformation: { ...(getAccount(model, url)?.tokenInformation ?? { name: "" }), expiresAt: "2026-06-01T00:00:00Z" } }
      : {
          accessToken: op === "bad" ? `pul bad ${i}` : `pul-fuzz-${i}`,
          ...(r() < 0.5 ? { refreshToken: `pul-refresh-${i}` } : {}),
          username: `agent-${i}`,
          organizations: [`agent-${i}`],
          lastValidatedAt: "2026-05-22T17:00:00.000Z",
          tokenInformation: { name: "", expiresAt: "2026-05-25T17:00:00.000Z" },
        };
  const setCurrent = r() < 0.5;
  const next = op === "remove" ? withoutAccount(model, url) : withAccount(model, url, account, { setCurrentIfNone: setCurrent });
  stats.edits++;
  const plan = attempt(`${id} plan ${op}`, () => planWrite(spec, "/fuzz/credentials.json", parsed, next));
  if (!plan) return;
  if (plan instanceof StoreError) {
    bump(stats.refusals, `credentials ${plan.code}`);
    if (op === "bad" && plan.code !== "invalid-value" && plan.code !== "not-rewritable") stats.meaning.push(`${id}: bad token refused as ${plan.code}`);
    return fsRound ? fsRefusal(id, spec, bytes, dir, plan.code, () => next) : undefined;
  }
  bump(stats.plans, `credentials ${op} ${plan.action}`);
  if (op === "bad") stats.meaning.push(`${id}: a token with spaces was written`);
  if (plan.action !== "write") return fsRound ? fsCompare(id, spec, bytes, dir, plan, () => next) : undefined;

  const back = parseStoreBytes(spec, plan.bytes);
  if (back.kind !== "ok") return void stats.meaning.push(`${id}: written file reads as ${back.kind}`);
  const stored = getAccount(back.model, url);
  if (op === "remove" ? stored !== undefined : stored?.accessToken !== account.accessToken) {
    stats.meaning.push(`${id}: ${op} of ${url} reads back as ${JSON.stringify(stored)}`);
  }
  if (parsed.kind === "ok" && parsed.doc.root.type === "object" && parsed.doc.root.members.length > 0) {
    const old = parsed.doc;
    const neu = back.doc;
    checkOutside(id, old, neu);
    const currentChanged = model.current !== next.current;
    const keepTop = (k: string) => !["accesstokens", "accounts"].includes(fold(k)) && (!currentChanged || fold(k) !== "current");
    if (members(old, old.root, keepTop).join() !== members(neu, neu.root, keepTop).join()) stats.bytesChangedOutside.push(`${id}: a top-level member changed`);
    for (const map of ["accesstokens", "accounts"]) {
      const o = topMaps(old, map).flatMap((n) => members(old, n, (k) => k !== url));
      const n = topMaps(neu, map).flatMap((x) => members(neu, x, (k) => k !== url));
      if (o.join() !== n.join()) stats.bytesChangedOutside.push(`${id}: another entry of ${map} changed (${op})`);
    }
    // Removing what we added gives back every byte. Not comparable: a file with nothing to keep (it is
    // then deleted, like Go), empty or null maps (dropped when emptied again), a `"current": null` we
    // filled (removed, not put back to null).
    const emptyMaps = ["accesstokens", "accounts"].some((m) => topMaps(old, m).some((n) => n.type !== "object" || n.members.length === 0));
    const filledCurrent = currentChanged && members(old, old.root, (k) => fold(k) === "current").length > 0;
    if (op === "add" && !emptyMaps && !filledCurrent && !isEmptyCredentials(model)) {
      const undo = attempt(`${id} undo`, () => planWrite(spec, "/fuzz/credentials.json", back, withoutAccount(back.model, url)));
      if (undo && !(undo instanceof StoreError) && undo.action === "write" && undo.bytes.equals(bytes)) stats.inverseIdentical++;
      else stats.inverseFailures.push(`${id}: ${undo instanceof StoreError ? undo.code : undo?.action}`);
    }
  }
  if (fsRound) return fsCompare(id, spec, bytes, dir, plan, () => next);
}

function claimCase(id: string, bytes: Buffer, r: Rng, i: number, dir: string, fsRound: boolean): Promise<void> | void {
  const spec = CLAIM_SPEC;
  const parsed = attempt(`${id} parse`, () => parseStoreBytes(spec, bytes));
  if (!parsed || parsed instanceof StoreError) return;
  bump(stats.parses.claim!, parsed.kind);
  if (parsed.kind !== "ok" && parsed.kind !== "missing") return fsRound ? fsRefusal(id, spec, bytes, dir, parsed.kind) : undefined;
  const model = parsed.kind === "ok" ? parsed.model : undefined;
  const fresh: ClaimRecord = { claimUrl: `https://app.pulumi.com/claim/f${i}`, claimToken: `f${i}`, validUntil: "2026-06-21T17:15:30.000Z", cloudUrl: "https://api.pulumi.com" };
  const op = model ? pick(r, ["mark", "replace", "remove"]) : "replace";
  const next = op === "mark" ? { ...model!, claimUnavailableAt: "2026-05-30T08:00:00.000Z" } : op === "replace" ? fresh : undefined;
  stats.edits++;
  const plan = attempt(`${id} claim ${op}`, () => planWrite(spec, "/fuzz/agent-claim.json", parsed, next));
  if (!plan) return;
  if (plan instanceof StoreError) {
    bump(stats.refusals, `claim ${plan.code}`);
    return fsRound ? fsRefusal(id, spec, bytes, dir, plan.code, () => next) : undefined;
  }
  bump(stats.plans, `claim ${op} ${plan.action}`);
  if (plan.action === "write") {
    const back = parseStoreBytes(spec, plan.bytes);
    if (back.kind !== "ok" || back.model?.claimUrl !== next!.claimUrl || back.model?.claimUnavailableAt !== next!.claimUnavailableAt) {
      stats.meaning.push(`${id}: claim ${op} reads back as ${back.kind}`);
    } else if (op === "mark" && parsed.kind === "ok" && parsed.doc.root.type === "object") {
      checkOutside(id, parsed.doc, back.doc);
      const keep = (k: string) => fold(k) !== "claimunavailableat";
      if (members(parsed.doc, parsed.doc.root, keep).join() !== members(back.doc, back.doc.root, keep).join()) {
        stats.bytesChangedOutside.push(`${id}: a claim member other than claimUnavailableAt changed`);
      }
    }
  }
  if (fsRound) return fsCompare(id, spec, bytes, dir, plan, () => next);
}

function historyCase(id: string, bytes: Buffer, _r: Rng, i: number, dir: string, fsRound: boolean): Promise<void> | void {
  const spec = CLAIM_HISTORY_SPEC;
  const parsed = attempt(`${id} parse`, () => parseStoreBytes(spec, bytes));
  if (!parsed || parsed instanceof StoreError) return;
  bump(stats.parses.history!, parsed.kind);
  if (parsed.kind !== "ok" && parsed.kind !== "missing") return fsRound ? fsRefusal(id, spec, bytes, dir, parsed.kind) : undefined;
  const list: HistoryEntry[] = parsed.kind === "ok" ? parsed.model : [];
  const now = Date.parse("2026-05-22T18:00:00Z");
  const kept = list.filter((e) => e instanceof RawJson || typeof e.claimUrl !== "string" || e.claimUrl === "" || typeof e.validUntil !== "string" || Date.parse(e.validUntil) > now);
  const next = [...kept, { claimUrl: `https://app.pulumi.com/claim/h${i}`, validUntil: "2026-06-21T17:15:30.000Z", cloudUrl: "https://api.pulumi.com", archivedAt: new Date(now).toISOString() }];
  stats.edits++;
  const plan = attempt(`${id} archive`, () => planWrite(spec, "/fuzz/agent-claim-history.json", parsed, next));
  if (!plan) return;
  if (plan instanceof StoreError) {
    bump(stats.refusals, `history ${plan.code}`);
    return fsRound ? fsRefusal(id, spec, bytes, dir, plan.code, () => next) : undefined;
  }
  bump(stats.plans, `history archive ${plan.action}`);
  if (plan.action === "write") {
    const back = parseStoreBytes(spec, plan.bytes);
    if (back.kind !== "ok" || back.model.length !== next.length) stats.meaning.push(`${id}: history reads back as ${back.kind}`);
    else if (parsed.kind === "ok" && parsed.doc.root.type === "array" && back.doc.root.type === "array") {
      checkOutside(id, parsed.doc, back.doc);
      const keptOld = parsed.doc.root.items.filter((_, k) => kept.includes(list[k]!)).map((n) => slice(parsed.doc, n.start, n.end));
      const keptNew = back.doc.root.items.slice(0, -1).map((n) => slice(back.doc, n.start, n.end));
      if (keptOld.join() !== keptNew.join()) stats.bytesChangedOutside.push(`${id}: a kept history entry changed`);
    }
  }
  if (fsRound) return fsCompare(id, spec, bytes, dir, plan, () => next);
}

/** The real file path refuses the same file, with the same code, and leaves it byte-identical. */
async function fsRefusal<M>(id: string, spec: StoreFileSpec<M>, bytes: Buffer, dir: string, code: string, edit?: (m: M) => M): Promise<void> {
  const file = path.join(dir, `f-${id.replace(/\W/g, "_")}.json`);
  await writeFile(file, bytes);
  stats.fsChecked++;
  try {
    await updateStoreFile(spec, file, edit ?? ((m) => m));
    stats.fsMismatches.push(`${id}: the file path accepted what the plan refused (${code})`);
  } catch (e) {
    if (!(e instanceof StoreError)) stats.crashes.push(`${id} fs: ${String(e)}`);
    else if (e.code !== code) stats.fsMismatches.push(`${id}: fs refused as ${e.code}, plan as ${code}`);
  }
  if (!(await readFile(file)).equals(bytes)) stats.fsMismatches.push(`${id}: a refused file changed on disk`);
  await rm(file, { force: true });
}

/** The real file path writes exactly the planned bytes. */
async function fsCompare<M>(id: string, spec: StoreFileSpec<M>, bytes: Buffer, dir: string, plan: WritePlan, edit: (m: M) => M): Promise<void> {
  const file = path.join(dir, `f-${id.replace(/\W/g, "_")}.json`);
  await writeFile(file, bytes);
  stats.fsChecked++;
  try {
    // Through the public functions where there are ones.
    if (spec === (CREDENTIALS_SPEC as unknown)) await updateCredentialsFile(file, edit as unknown as (c: CredentialsFile) => CredentialsFile);
    else if (spec === (CLAIM_SPEC as unknown)) await updateClaimFile(file, edit as unknown as (c: ClaimRecord | undefined) => ClaimRecord | undefined);
    else await updateStoreFile(spec, file, edit);
    const onDisk = await readFile(file).catch(() => undefined);
    const expected = plan.action === "write" ? plan.bytes : plan.action === "delete" ? undefined : bytes;
    if (!(onDisk === undefined ? expected === undefined : expected !== undefined && onDisk.equals(expected))) stats.fsMismatches.push(`${id}: fs wrote other bytes than the plan (${plan.action})`);
  } catch (e) {
    if (e instanceof StoreError) stats.fsMismatches.push(`${id}: fs refused (${e.code}) what the plan accepted`);
    else stats.crashes.push(`${id} fs: ${String(e)}`);
  }
  await rm(file, { force: true });
}

// ---------------------------------------------------------------------------------------------------

describe("store fuzz", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "pa-store-fuzz-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(`${CASES} generated files through all three store files: no crash, no byte changed outside the edit`, async () => {
    const r = mulberry32(SEED);
    for (let i = 0; i < CASES; i++) {
      const { kind, bytes } = generate(r, i);
      stats.files++;
      bump(stats.byKind, kind);
      const fsRound = i % 20 === 0; // the file path too (slower: fsync, and the re-read of unsettled files)
      await credentialsCase(`#${i} credentials`, bytes, r, i, dir, fsRound);
      await claimCase(`#${i} claim`, bytes, r, i, dir, fsRound);
      await historyCase(`#${i} history`, bytes, r, i, dir, fsRound);
    }
    const summary = {
      files: stats.files,
      byKind: stats.byKind,
      parses: stats.parses,
      edits: stats.edits,
      plans: stats.plans,
      refusals: stats.refusals,
      crashes: stats.crashes.length,
      bytesChangedOutside: stats.bytesChangedOutside.length,
      meaningErrors: stats.meaning.length,
      undoGivesBackOriginal: `${stats.inverseIdentical}/${stats.inverseIdentical + stats.inverseFailures.length}`,
      fsRoundTrips: stats.fsChecked,
      fsMismatches: stats.fsMismatches.length,
    };
    console.log(`store fuzz (seed ${SEED}):\n${JSON.stringify(summary, null, 2)}`);
    expect(stats.crashes).toEqual([]);
    expect(stats.bytesChangedOutside).toEqual([]);
    expect(stats.meaning).toEqual([]);
    expect(stats.inverseFailures).toEqual([]);
    expect(stats.fsMismatches).toEqual([]);
    // The generator must reach every path, or the test proves little.
    expect(stats.files).toBeGreaterThanOrEqual(2000);
    expect(stats.parses.credentials!.ok).toBeGreaterThan(400);
    expect(stats.parses.credentials!.corrupt).toBeGreaterThan(400);
    expect(stats.parses.claim!.ok).toBeGreaterThan(300);
    expect(stats.parses.history!.ok).toBeGreaterThan(100);
    expect(stats.inverseIdentical).toBeGreaterThan(200);
    expect(Object.keys(stats.refusals)).toEqual(expect.arrayContaining(["credentials invalid-value", "credentials not-rewritable"]));
  }, 300_000);
});
