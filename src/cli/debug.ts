// PULUMI_AGENT_DEBUG=1 diagnostics on stderr. Every token we handle is registered as a secret (like
// the Go CLI's log redaction) and replaced before anything of ours is printed; token-shaped strings
// are redacted too, for the ones we never saw.

const secrets = new Set<string>();

/** Register a value that must never be printed (access/refresh tokens). */
export function addSecret(value: string | undefined): void {
  if (value && value.length >= 8) secrets.add(value);
}

const TOKEN_PATTERNS = [
  /\bpul-[A-Za-z0-9_-]{6,}/g,
  /("?(?:accessToken|refreshToken|access_token|refresh_token)"?\s*[:=]\s*"?)[^"\s,}]+/gi,
  /(Authorization:\s*token\s+)\S+/gi,
];

export function redact(text: string): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join("[redacted]");
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
