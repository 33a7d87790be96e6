// PULUMI_AGENT_DEBUG=1 diagnostics on stderr. Every token we handle is registered as a secret (like the
// Go CLI's log redaction) and replaced before anything of ours is printed; token-shaped strings are
// redacted too, for the ones we never saw.
import { PULUMI_TOKEN_SHAPE } from "../core/secrets.js";

// On the global object: the hot entry and the lazily loaded parts of the CLI are separate bundles, and a
// token registered by one must be redacted by the other.
const secrets: Set<string> = ((globalThis as Record<symbol, Set<string> | undefined>)[Symbol.for("pulumi-agent.secrets")] ??= new Set<string>());

/** Register a value that must never be printed (access and refresh tokens; a claim token is part of the claim link, which is shown on purpose). */
export function addSecret(value: string | undefined): void {
  if (value) secrets.add(value);
}

const TOKEN_PATTERNS = [
  PULUMI_TOKEN_SHAPE,
  // A token as a JSON value or a form field; a bare "refreshToken: ..." is prose (a field name in a message).
  /("(?:accessToken|refreshToken|claimToken|access_token|refresh_token)"\s*:\s*")[^"]*/gi,
  /((?:access_token|refresh_token)=)[^&\s"]+/gi,
  /(Authorization:\s*token\s+)\S+/gi,
];

/** Characters a token is made of: a short secret is only replaced where it stands alone. */
const TOKEN_CHAR = "A-Za-z0-9_\\-.~+/=";

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function redact(text: string): string {
  let out = text;
  for (const s of secrets) {
    // A long secret is replaced wherever it appears; a short one (< 8 characters) only as a whole word,
    // so that a 3-letter token does not garble every word containing those letters.
    out = s.length >= 8 ? out.split(s).join("[redacted]") : out.replace(new RegExp(`(?<![${TOKEN_CHAR}])${escapeRegExp(s)}(?![${TOKEN_CHAR}])`, "g"), "[redacted]");
  }
  for (const re of TOKEN_PATTERNS) {
    out = out.replace(re, (m, prefix?: unknown) => (typeof prefix === "string" && prefix !== m ? `${prefix}[redacted]` : "[redacted]"));
  }
  return out;
}

export function debugEnabled(env: Readonly<Record<string, string | undefined>>): boolean {
  const v = env.PULUMI_AGENT_DEBUG;
  return Boolean(v) && v !== "0" && v !== "false";
}

export function debug(env: Readonly<Record<string, string | undefined>>, message: string): void {
  if (debugEnabled(env)) process.stderr.write(`pulumi-agent[debug]: ${redact(message)}\n`);
}
