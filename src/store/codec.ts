// The one path every store file takes: read bytes → parse as Go does → refuse what we must not touch →
// let the caller change the decoded model → splice the change into the original bytes → check it →
// write atomically (or delete). The single place that enforces "never overwrite what we cannot read":
// a corrupt, encrypted, newer-version, unreadable or non-regular file is reported, never written; a
// file an edit cannot change losslessly is reported too, so the caller can store elsewhere.
// Synchronous on purpose: node:fs/promises (and the modules it loads) stays off every run that only reads.
import path from "node:path";
import { StoreError, describeFsError } from "./errors.js";
import { GO_STYLE, concatPieces } from "./gojson.js";
import { type JsonDoc, JsonSyntaxError, parseJson, sourceText } from "./json.js";
import { readRaw, readSettled, sameRead, type RawRead } from "./read.js";
import {
  DecodeError,
  type GoField,
  type GoType,
  InvalidValue,
  NotLossless,
  canonical,
  decodeValue,
  detectStyle,
  fieldFor,
  freshValue,
  modelEqual,
  patchDocument,
} from "./schema.js";

/** What is special about one of the three files. */
export interface StoreFileSpec<M> {
  /** "Pulumi credentials file": how messages name it. */
  title: string;
  /** The Go struct the file holds. */
  type: GoType;
  /** A file we must leave to pulumi, detected before decoding (the encrypted envelope, a newer version). */
  classify?: (doc: JsonDoc) => Opaque | undefined;
  /** Decoded Go value → model. */
  fromGo: (value: unknown) => M;
  /** The model of an absent (or 0-byte) file. */
  empty: () => M;
  /** Delete the file instead of writing this model. */
  isEmpty: (model: M) => boolean;
  /** What to do about a corrupt file (before the caller's alternative). */
  corruptHint: string;
}

export type Opaque = { kind: "encrypted" } | { kind: "newer-version"; version: string };

export type StoreParse<M> =
  | { kind: "missing" }
  | { kind: "ok"; model: M; doc: JsonDoc }
  | { kind: "corrupt"; error: string }
  | Opaque;

export type StoreRead<M> = StoreParse<M> | { kind: "unreadable"; error: Error };

/** The key that marks the Pulumi CLI's encrypted envelope (pulumi/pulumi#24212). */
const SECURE_STORE_KEY = "$pulumiSecureStore";
const MARKERS: GoField[] = [
  { name: SECURE_STORE_KEY, type: { kind: "string" }, omitEmpty: false },
  { name: "version", type: { kind: "int" }, omitEmpty: true },
];

/**
 * The encrypted envelope (its marker key at the top level), or a `version` (the last non-null one, keys
 * matched as Go matches them) other than `known`: pulumi's to read, never ours to write.
 */
export function envelopeOrVersion(doc: JsonDoc, known: readonly string[]): Opaque | undefined {
  if (doc.root.type !== "object") return undefined;
  let version: string | undefined;
  for (const m of doc.root.members) {
    const f = fieldFor(MARKERS, m.key);
    if (f?.name === SECURE_STORE_KEY) return { kind: "encrypted" };
    if (f?.name === "version" && m.value.type !== "null") {
      version = m.value.type === "number" ? sourceText(doc, m.value).slice(0, 24) : `<a ${m.value.type}>`;
    }
  }
  return version === undefined || known.includes(version) ? undefined : { kind: "newer-version", version };
}

/** Parse a file's bytes as Go reads them; 0 bytes is an absent file, whitespace only is a syntax error. */
export function parseStoreBytes<M>(spec: StoreFileSpec<M>, bytes: Uint8Array): StoreParse<M> {
  if (bytes.length === 0) return { kind: "missing" };
  let doc: JsonDoc;
  try {
    doc = parseJson(bytes);
  } catch (e) {
    if (e instanceof JsonSyntaxError) return { kind: "corrupt", error: e.message };
    throw e;
  }
  const opaque = spec.classify?.(doc);
  if (opaque) return opaque;
  try {
    const initial = spec.type.kind === "struct" ? {} : undefined;
    return { kind: "ok", model: spec.fromGo(decodeValue(doc, doc.root, spec.type, initial, "")), doc };
  } catch (e) {
    if (e instanceof DecodeError) return { kind: "corrupt", error: e.message };
    throw e;
  }
}

/**
 * Read the file, tolerating a Go writer caught mid-write (see readSettled), and parse it: each read's
 * bytes are parsed once.
 */
async function readParsed<M>(spec: StoreFileSpec<M>, file: string): Promise<{ raw: RawRead; parsed: StoreRead<M> }> {
  let last: { bytes: Buffer; parsed: StoreParse<M> } | undefined;
  const parse = (bytes: Buffer) => {
    if (last?.bytes !== bytes) last = { bytes, parsed: parseStoreBytes(spec, bytes) };
    return last.parsed;
  };
  const raw = await readSettled(file, (bytes) => ["ok", "encrypted", "newer-version"].includes(parse(bytes).kind));
  return { raw, parsed: raw.kind === "bytes" ? parse(raw.bytes) : raw };
}

/** Read and parse a store file (follows symlinks, like Go). */
export async function readStoreFile<M>(spec: StoreFileSpec<M>, file: string): Promise<StoreRead<M>> {
  return (await readParsed(spec, file)).parsed;
}

// ---------------------------------------------------------------------------------------------------
// errors

/** What to do instead, ending most hints: where else the account can go. */
export const DEFAULT_ALTERNATIVE = "point PULUMI_CREDENTIALS_PATH at another folder";

export type Refusal = { kind: "corrupt"; error: string } | Opaque | { kind: "unreadable"; error: Error };

/** The StoreError for a file we must not touch. */
export function refusalError(spec: StoreFileSpec<unknown>, file: string, r: Refusal, alternative = DEFAULT_ALTERNATIVE): StoreError {
  switch (r.kind) {
    case "corrupt":
      return new StoreError("corrupt", file, `${file} is not a valid ${spec.title} (${r.error}). It was left untouched.`, {
        hint: `${spec.corruptHint}, or ${alternative}.`,
      });
    case "encrypted":
      return new StoreError(
        "encrypted",
        file,
        `${file} is encrypted by the Pulumi CLI's secure store ($pulumiSecureStore); pulumi-agent cannot read it and left it untouched.`,
        { hint: "Log in with the Pulumi CLI, or set PULUMI_ACCESS_TOKEN." },
      );
    case "newer-version":
      return new StoreError(
        "newer-version",
        file,
        `${file} has "version": ${r.version}, a shape newer than pulumi-agent knows; it was left untouched for pulumi to read.`,
        { hint: "Update pulumi-agent, or log in with the Pulumi CLI, or set PULUMI_ACCESS_TOKEN." },
      );
    case "unreadable":
      return new StoreError("unreadable", file, `Cannot read ${file} (${describeFsError(r.error)}). It was left untouched.`, {
        hint: `Check the path and its permissions, or ${alternative}.`,
        cause: r.error,
      });
  }
}

function editError(file: string, e: unknown, alternative: string): StoreError {
  if (e instanceof NotLossless) {
    return new StoreError(
      "not-rewritable",
      file,
      `${file} cannot be updated without changing parts of it pulumi-agent did not mean to change (${e.message}); it was left untouched.`,
      { hint: `Remove the repeated keys by hand, or ${alternative}.` },
    );
  }
  if (e instanceof InvalidValue) {
    return new StoreError("invalid-value", file, `Refusing to store a value in ${file}: ${e.message}. Nothing was written.`, {
      hint: "A reader would reject it. If the value came from Pulumi Cloud, try again later or update pulumi-agent.",
    });
  }
  throw e;
}

// ---------------------------------------------------------------------------------------------------
// planning an edit (pure)

export type WritePlan = { action: "unchanged" } | { action: "delete" } | { action: "write"; bytes: Buffer };

/**
 * What to do to the file so that it holds `next`: splice the change into `current` (its bytes and
 * parse), write fresh in Go's shape when there is no file, delete when nothing is left. Throws
 * StoreError "not-rewritable" (the change cannot keep the rest of the file byte for byte) or
 * "invalid-value" (a value a reader would reject). The result is parsed back and must mean `next`.
 */
export function planWrite<M>(
  spec: StoreFileSpec<M>,
  file: string,
  current: StoreParse<M> & { kind: "missing" | "ok" },
  next: M,
  alternative = DEFAULT_ALTERNATIVE,
): WritePlan {
  if (spec.isEmpty(next)) return current.kind === "ok" ? { action: "delete" } : { action: "unchanged" };
  let bytes: Buffer;
  try {
    if (current.kind === "ok") {
      const pieces = patchDocument(current.doc, spec.type, detectStyle(current.doc, GO_STYLE), current.model, next);
      if (!pieces) return { action: "unchanged" };
      bytes = concatPieces(pieces);
      if (bytes.equals(current.doc.bytes)) return { action: "unchanged" };
    } else {
      bytes = concatPieces(freshValue(next, spec.type, "", GO_STYLE, ""));
    }
  } catch (e) {
    throw editError(file, e, alternative);
  }
  // Belt and braces: what we would write must read back, as Go reads it, as exactly `next`.
  const back = parseStoreBytes(spec, bytes);
  if (back.kind !== "ok" || !modelEqual(canonical(back.model, spec.type), canonical(next, spec.type))) {
    throw editError(file, new NotLossless("the edited file would not read back as intended"), alternative);
  }
  return { action: "write", bytes };
}

// ---------------------------------------------------------------------------------------------------
// the fs adapter

export interface UpdateOptions {
  /** Attempts when another writer changes the file under us (default 5). */
  maxAttempts?: number;
}

export interface StoreUpdate<M> {
  model: M;
  action: "written" | "deleted" | "unchanged";
}

function writeError(file: string, e: unknown): StoreError {
  if (e instanceof StoreError) return e;
  return new StoreError("io", file, `Cannot write ${file} (${describeFsError(e)}); the previous file, if any, is unchanged.`, {
    hint: `Make sure its folder exists and is writable, or ${DEFAULT_ALTERNATIVE}.`,
    cause: e,
  });
}

export interface UpdatePlan<M> {
  /** The read the plan was made from (to tell whether the file changed before acting on it). */
  raw: RawRead;
  /** What `update` returned. */
  next: M;
  plan: WritePlan;
}

/**
 * The dry run of an update: read the file (see readParsed), refuse one we must not touch (StoreError,
 * `update` not called), apply `update` to its model and plan the write (planWrite's refusals). Writes
 * nothing. updateStoreFile acts on the plan; the signup preflight only wants to know it can be made.
 */
export async function planUpdate<M>(
  spec: StoreFileSpec<M>,
  file: string,
  update: (model: M) => M | Promise<M>,
  alternative = DEFAULT_ALTERNATIVE,
): Promise<UpdatePlan<M>> {
  const { raw, parsed } = await readParsed(spec, file);
  if (parsed.kind !== "ok" && parsed.kind !== "missing") throw refusalError(spec as StoreFileSpec<unknown>, file, parsed, alternative);
  const next = await update(parsed.kind === "ok" ? parsed.model : spec.empty());
  return { raw, next, plan: planWrite(spec, file, parsed, next, alternative) };
}

/**
 * Load-modify-write `file`: re-read it, apply `update` to its model (may run more than once if another
 * process changes the file meanwhile), then replace it atomically (0600) or delete it when nothing is
 * left. Refuses (StoreError, nothing written, `update` not called) a file we cannot read; refuses a
 * change we cannot make losslessly or a value a reader would reject. Temp files a killed writer left
 * in the folder are cleaned first. Not a lock: hold withExclusiveLock around read → signup → store.
 */
export async function updateStoreFile<M>(
  spec: StoreFileSpec<M>,
  file: string,
  update: (model: M) => M | Promise<M>,
  opts: UpdateOptions = {},
): Promise<StoreUpdate<M>> {
  const attempts = opts.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const { raw, next, plan } = await planUpdate(spec, file, update);
    if (plan.action === "unchanged") return { model: next, action: "unchanged" };

    // Optimistic concurrency: if someone (e.g. a Go pulumi) rewrote the file while `update` ran, redo.
    const again = await readRaw(file);
    if (!sameRead(again, raw)) {
      if (attempt < attempts) continue;
      throw new StoreError("io", file, `${file} kept changing while pulumi-agent tried to update it (another process is writing it); nothing was written.`, {
        hint: "Try again.",
      });
    }
    try {
      // Loaded only to write: the hot path reads (and node:crypto, for temp names, costs start-up time).
      const { cleanStaleTemps, removeFile, writeFileAtomic } = await import("./atomic.js");
      await cleanStaleTemps(path.dirname(file));
      if (plan.action === "delete") {
        await removeFile(file);
        return { model: next, action: "deleted" };
      }
      await writeFileAtomic(file, plan.bytes, { mode: 0o600 });
      return { model: next, action: "written" };
    } catch (e) {
      throw writeError(file, e);
    }
  }
}
