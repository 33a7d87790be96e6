// A short, printable, one-line excerpt of text a server sent (an HTML error page, a long message),
// for error messages: no markup, no control characters, no token we sent, at most a few words.
import { JWT_SHAPE, PULUMI_TOKEN_SHAPE } from "../core/secrets.js";

// Pulumi access tokens and JWTs we did not register (a page echoing an Authorization header).
const TOKEN_SHAPES = [PULUMI_TOKEN_SHAPE, JWT_SHAPE];

export const EXCERPT_CHARS = 80;
const MIN_SECRET_CHARS = 6;

// C0/C1 controls, DEL, line/paragraph separators, bidi overrides and isolates, BOM: never printed.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * `text` reduced to one short line. An HTML page is reduced to its <title> (or its text without
 * tags); every value in `secrets` and anything shaped like a token becomes "[redacted]".
 */
export function excerpt(text: string, secrets: readonly (string | undefined)[] = [], max = EXCERPT_CHARS): string {
  let s = text.slice(0, 64 * 1024); // enough for any title; bounds the regex work
  if (/^\s*</.test(s)) {
    const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(s)?.[1];
    s = title ?? s.replace(/<(script|style)[\s\S]*?<\/\1\s*>/gi, " ").replace(/<[^>]*>?/g, " ");
    s = s.replace(/&(lt|gt|amp|quot|#39|nbsp);/g, (_m, e: string) => ({ lt: "<", gt: ">", amp: "&", quot: '"', "#39": "'", nbsp: " " })[e] ?? " ");
  }
  // A very short "secret" would shred the text; real tokens are long.
  for (const secret of secrets) if (secret && secret.length >= MIN_SECRET_CHARS) s = s.split(secret).join("[redacted]");
  for (const re of TOKEN_SHAPES) s = s.replace(re, "[redacted]");
  s = s.replace(UNPRINTABLE, " ").replace(/\s+/g, " ").trim();
  const chars = [...s]; // whole code points: never cut a surrogate pair
  return chars.length > max ? `${chars.slice(0, max - 1).join("").trimEnd()}…` : s;
}
