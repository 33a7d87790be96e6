// Simple, portable engine: node:crypto on one reused Buffer whose decimal digits are incremented in place
// (no string formatting or allocation per nonce apart from the digest node:crypto returns).
import * as crypto from "node:crypto";
import { leadingZeroBits } from "./challenge.js";
import type { Engine } from "./engine.js";

type Digest = (data: Uint8Array) => Uint8Array;

// crypto.hash (Node >= 20.12 / 21.7) skips the Hash object; feature-test it rather than trusting the version.
const oneShot: Digest =
  typeof (crypto as { hash?: unknown }).hash === "function"
    ? (data) => crypto.hash("sha256", data, "buffer")
    : (data) => crypto.createHash("sha256").update(data).digest();

/** True when `digest` has at least `difficulty` leading zero bits (first word checked without a loop). */
export function digestMeets(digest: Uint8Array, difficulty: number): boolean {
  const w = ((digest[0]! << 24) | (digest[1]! << 16) | (digest[2]! << 8) | digest[3]!) >>> 0;
  if (difficulty <= 32) return difficulty === 32 ? w === 0 : w >>> (32 - difficulty) === 0;
  return w === 0 && leadingZeroBits(digest) >= difficulty;
}

export function createCryptoEngine(challengeData: string, difficulty: number): Engine {
  const prefix = Buffer.from(`${challengeData}:`, "utf8");
  const p = prefix.length;
  const buf = Buffer.alloc(p + 24);
  prefix.copy(buf);

  return {
    kind: "crypto",
    search(start: number, end: number): number {
      if (start >= end) return -1;
      let len = buf.write(String(start), p, "latin1");
      let view = buf.subarray(0, p + len);
      for (let n = start; n < end; n++) {
        if (digestMeets(oneShot(view), difficulty)) return n;
        // Increment the decimal digits in place; on all-nines grow by one digit ("999" -> "1000").
        let i = p + len - 1;
        while (i >= p && buf[i] === 0x39) buf[i--] = 0x30;
        if (i >= p) {
          buf[i]!++;
        } else {
          buf[p] = 0x31;
          buf.fill(0x30, p + 1, p + len + 1);
          len++;
          view = buf.subarray(0, p + len);
        }
      }
      return -1;
    },
  };
}
