// Proof-of-work primitives shared by the solvers, the client and the mock cloud.
// Protocol (docs/compatibility.md#proof-of-work): challengeData = "v1:<id>:<difficulty>"; find the smallest decimal nonce n
// such that SHA-256(challengeData + ":" + n) has at least `difficulty` leading zero bits.
import { createHash } from "node:crypto";

/** The protocol's own upper bound (Go CLI rejects anything outside 1..256). */
export const PROTOCOL_MAX_DIFFICULTY = 256;

export type ParsedChallenge =
  | { ok: true; id: string; difficulty: number }
  | { ok: false; error: "invalid challenge data" | "invalid challenge difficulty" };

/** Parse `v1:<id>:<difficulty>` exactly like the Go CLI (strconv.Atoi: optional sign, leading zeros). */
export function parseChallengeData(data: string): ParsedChallenge {
  const parts = data.split(":");
  if (parts.length !== 3 || parts[0] !== "v1") return { ok: false, error: "invalid challenge data" };
  const raw = parts[2] as string;
  if (!/^[+-]?[0-9]+$/.test(raw)) return { ok: false, error: "invalid challenge difficulty" };
  const difficulty = Number.parseInt(raw, 10);
  if (!Number.isSafeInteger(difficulty) || difficulty < 1 || difficulty > PROTOCOL_MAX_DIFFICULTY) {
    return { ok: false, error: "invalid challenge difficulty" };
  }
  return { ok: true, id: parts[1] as string, difficulty };
}

/** Leading zero bits of a digest: 8 per zero byte, then the clz of the first non-zero byte. */
export function leadingZeroBits(digest: Uint8Array): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

export function hashNonce(challengeData: string, nonce: string): Buffer {
  return createHash("sha256").update(`${challengeData}:${nonce}`, "utf8").digest();
}

export function nonceMeetsDifficulty(challengeData: string, nonce: string, difficulty: number): boolean {
  return leadingZeroBits(hashNonce(challengeData, nonce)) >= difficulty;
}

/**
 * The obviously-correct sequential search (the reference every fast engine is tested against).
 * Returns the first valid nonce in [start, end), or undefined.
 */
export function solveReference(challengeData: string, difficulty: number, start = 0, end = Number.MAX_SAFE_INTEGER): string | undefined {
  for (let n = start; n < end; n++) {
    const nonce = String(n);
    if (nonceMeetsDifficulty(challengeData, nonce, difficulty)) return nonce;
  }
  return undefined;
}
