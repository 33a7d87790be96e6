// Claim URL derivation (reference §5): the console host is derived from the API host.

/**
 * `<console>/claim/<token>` for a cloud API URL, or "" when no console host is known (an unknown
 * self-hosted API host without PULUMI_CONSOLE_DOMAIN). Unlike the Go CLI, the token is path-escaped,
 * and callers check this BEFORE signing up so no orphan account is created (reference §9.2).
 */
export function claimUrlFor(cloudUrl: string, claimToken: string, consoleDomain?: string): string {
  if (!claimToken.trim()) return "";
  let url: URL;
  try {
    url = new URL(cloudUrl);
  } catch {
    return "";
  }
  const host = consoleHost(cloudUrl, url, consoleDomain);
  if (!host) return "";
  // Keep query and fragment like Go; replace the path.
  const out = new URL(`${url.protocol}//${host}`);
  out.pathname = `/claim/${encodeURIComponent(claimToken)}`;
  out.search = url.search;
  out.hash = url.hash;
  if (url.username || url.password) {
    out.username = url.username;
    out.password = url.password;
  }
  return out.toString();
}

function consoleHost(raw: string, url: URL, consoleDomain: string | undefined): string {
  if (consoleDomain) return consoleDomain;
  // URL lower-cases hosts; the Go CLI's check is case-sensitive on the raw string.
  const rawHost = rawHostOf(raw) ?? url.host;
  if (rawHost.startsWith("api.")) return `app.${rawHost.slice(4)}`;
  if (rawHost === "localhost:8080") return "localhost:3000";
  return "";
}

function rawHostOf(href: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?([^/?#]*)/i.exec(href);
  return m?.[1];
}

/** Whether any claim URL can be built for this cloud (checked before signing up). */
export function hasConsoleFor(cloudUrl: string, consoleDomain?: string): boolean {
  return claimUrlFor(cloudUrl, "probe", consoleDomain) !== "";
}
