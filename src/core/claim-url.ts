// The claim link of an agent account, built exactly as the Go CLI builds it (docs/compatibility.md#claim-url)
// so both tools show the same link for the same account: the console host is derived from the API host,
// the path is Go's path.Join("claim", token), escaped as Go's url.URL.String() escapes a path.

/** Go's path.Clean: lexical cleanup of a slash-separated path. */
export function goPathClean(p: string): string {
  if (p === "") return ".";
  const rooted = p.startsWith("/");
  const out: string[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
      continue;
    }
    out.push(part);
  }
  const joined = out.join("/");
  if (rooted) return `/${joined}`;
  return joined === "" ? "." : joined;
}

/** Go's path.Join: the non-empty elements joined by "/", then cleaned ("" when all are empty). */
export function goPathJoin(...elems: string[]): string {
  const parts = elems.filter((e) => e !== "");
  return parts.length === 0 ? "" : goPathClean(parts.join("/"));
}

/** Go's net/url escape(): characters matching `safe` stay, every other byte of their UTF-8 is %XX. */
export function goEscape(s: string, safe: RegExp): string {
  let out = "";
  for (const ch of s) {
    if (safe.test(ch)) {
      out += ch;
      continue;
    }
    for (const byte of new TextEncoder().encode(ch)) out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

// In a path Go leaves unreserved characters and `$ & + , / : ; = @` as they are and %-escapes every
// other byte of the UTF-8 encoding (so `! * ' ( )`, space, `?`, `%` and non-ASCII are escaped).
const PATH_SAFE = /[A-Za-z0-9\-_.~$&+,/:;=@]/;

/** Go's escape(s, encodePath), as used by url.URL.EscapedPath(). */
export function goEscapePath(p: string): string {
  return goEscape(p, PATH_SAFE);
}

/** scheme, userinfo@, host[:port], path, ?query, #fragment of a URL string, as typed (Go does not lower-case hosts). */
const URL_PARTS = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(?:([^@/?#]*)@)?([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/;

function consoleHost(apiHost: string, consoleDomain: string | undefined): string {
  if (consoleDomain) return consoleDomain;
  if (apiHost.startsWith("api.")) return `app.${apiHost.slice(4)}`;
  if (apiHost === "localhost:8080") return "localhost:3000";
  return "";
}

/**
 * `<console>/claim/<token>` for a cloud API URL, or "" when no console host is known (an unknown
 * self-hosted API host without PULUMI_CONSOLE_DOMAIN). Callers check `hasConsoleFor` BEFORE signing up,
 * so no account is ever created that could not be handed to a human (the Go CLI checks after).
 */
export function claimUrlFor(cloudUrl: string, claimToken: string, consoleDomain?: string): string {
  if (!claimToken.trim()) return "";
  const m = URL_PARTS.exec(cloudUrl);
  if (!m) return "";
  const [, scheme, userinfo, host, , query, fragment] = m;
  const console = consoleHost(host as string, consoleDomain || undefined);
  if (!console) return "";
  const joined = goPathJoin("claim", claimToken);
  const pathPart = joined.startsWith("/") ? joined : `/${joined}`;
  return `${(scheme as string).toLowerCase()}://${userinfo !== undefined ? `${userinfo}@` : ""}${console}${goEscapePath(pathPart)}${query ?? ""}${fragment ?? ""}`;
}

/** Whether any claim URL can be built for this cloud (checked before signing up). */
export function hasConsoleFor(cloudUrl: string, consoleDomain?: string): boolean {
  return claimUrlFor(cloudUrl, "probe", consoleDomain) !== "";
}
