// PULUMI_AGENT_DEBUG=1 diagnostics on stderr. Tokens are redacted before anything is printed.

const TOKEN_PATTERNS = [/\bpul-[A-Za-z0-9_-]{6,}/g, /("?(?:accessToken|refreshToken|claimToken|access_token|refresh_token)"?\s*[:=]\s*"?)[^"\s,}]+/gi, /(Authorization:\s*token\s+)\S+/gi];

export function redact(text: string): string {
  let out = text;
  for (const re of TOKEN_PATTERNS) {
    out = out.replace(re, (m, prefix?: string) => (typeof prefix === "string" && prefix !== m ? `${prefix}[redacted]` : "[redacted]"));
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
