// What each pulumi command means to pulumi-agent, as data: does it need Pulumi Cloud, which backend it
// targets, and what we do before and after it. `readCommand` finds the command word in an argv the way
// cobra does (global flags may come before or after it) and looks it up. Pure: argv in, meaning out.

/**
 * - needs: talks to the backend and fails without a login: under an agent, an account is ensured first.
 * - uses:  may talk to the backend, but is never worth creating an account for: existing credentials
 *          are passed on (and reminded about), nothing is created.
 * - never: works locally: passed straight through, no credentials read.
 */
export type CloudUse = "needs" | "uses" | "never";

/** What we do around the command, beyond passing the credentials on. */
export type Hook =
  /** before: one reminder line while the claim is pending; after: the claim block on success, a diagnosis on failure. */
  | "remind"
  /** as remind, plus a notice that Neo needs a claimed account. */
  | "neo"
  /** before: print and archive the claim link of every agent account being logged out, then forget them. */
  | "logout"
  | "none";

/** Which backend the command acts on. */
export type Target = "resolved" | "login" | "logout";

export interface CommandRow {
  readonly word: string;
  readonly aliases?: readonly string[];
  readonly cloud: CloudUse;
  readonly target?: Target;
  readonly hook?: Hook;
  /** Subcommands that differ from the row (first word after the command). */
  readonly sub?: Readonly<Record<string, CloudUse>>;
  /** Flags of this command that make it local (`new --generate-only`). */
  readonly localFlags?: readonly string[];
  /** Flags of this command that mean the user brings their own identity: never sign up. */
  readonly ownIdentityFlags?: readonly string[];
  /** Flags of this command that take a separate value (so the value is not read as a word). */
  readonly valueFlags?: readonly string[];
  readonly why: string;
}

// Sources: pulumi's generated CLI spec (the Automation API's per-command option types) and its --help.
export const COMMAND_TABLE: readonly CommandRow[] = [
  { word: "about", cloud: "uses", why: "prints the backend and user when logged in; never needs a new account" },
  { word: "ai", cloud: "uses", why: "Pulumi AI in a browser; works without a login" },
  { word: "cancel", cloud: "needs", why: "cancels the stack's running update on the backend" },
  { word: "cloud", cloud: "needs", why: "`pulumi cloud api` calls the Pulumi Cloud REST API" },
  { word: "config", cloud: "needs", why: "reads and writes the stack's configuration, which lives on the backend" },
  { word: "console", cloud: "needs", why: "opens the stack's page on the backend's console" },
  { word: "convert", cloud: "never", why: "converts programs locally" },
  { word: "convert-trace", cloud: "never", why: "converts a local trace file" },
  { word: "deployment", cloud: "needs", why: "Pulumi Deployments run on Pulumi Cloud" },
  { word: "destroy", aliases: ["down", "dn"], cloud: "needs", why: "changes the stack's state on the backend" },
  { word: "env", cloud: "needs", why: "Pulumi ESC environments live on Pulumi Cloud" },
  { word: "gen-completion", aliases: ["completion"], cloud: "never", why: "prints a shell completion script" },
  { word: "gen-markdown", cloud: "never", why: "writes pulumi's own documentation" },
  { word: "generate-cli-spec", cloud: "never", why: "prints pulumi's command specification" },
  { word: "help", cloud: "never", why: "prints help" },
  { word: "import", cloud: "needs", why: "changes the stack's state on the backend" },
  { word: "install", cloud: "never", why: "installs plugins and dependencies locally" },
  {
    word: "login",
    cloud: "needs",
    target: "login",
    valueFlags: ["--cloud-url", "-c", "--default-org", "--oidc-expiration", "--oidc-org", "--oidc-team", "--oidc-token", "--oidc-user"],
    ownIdentityFlags: ["--oidc-token"],
    why: "under an agent, plain `login` logs in with the agent account, created first if none exists (as the Go CLI >= 3.243 does)",
  },
  {
    word: "logout",
    cloud: "uses",
    target: "logout",
    hook: "logout",
    valueFlags: ["--cloud-url", "-c"],
    why: "forgets a login; an agent account being forgotten has its claim link printed and archived first",
  },
  { word: "logs", cloud: "needs", why: "reads the stack's logs through the backend" },
  { word: "neo", cloud: "needs", hook: "neo", why: "Pulumi Neo runs on Pulumi Cloud (and needs a claimed account)" },
  {
    word: "new",
    cloud: "needs",
    localFlags: ["--generate-only", "-g", "--list-templates"],
    valueFlags: ["--ai", "--config", "-c", "--description", "-d", "--dir", "--language", "--name", "-n", "--runtime-options", "--secrets-provider", "--stack", "-s"],
    why: "creates a stack on the backend (`--generate-only` and `--list-templates` create none)",
  },
  { word: "org", cloud: "needs", why: "reads and sets the backend's organizations" },
  {
    word: "package",
    cloud: "never",
    sub: { publish: "needs", delete: "needs" },
    why: "works on package schemas and SDKs locally; `publish` and `delete` talk to the Pulumi registry",
  },
  { word: "plugin", aliases: ["plugins"], cloud: "never", why: "manages local plugins" },
  {
    word: "policy",
    cloud: "needs",
    sub: { new: "never", "validate-config": "never" },
    why: "policy packs are published and enabled on Pulumi Cloud; `new` and `validate-config` work locally",
  },
  { word: "preview", aliases: ["pre"], cloud: "needs", why: "reads the stack's state from the backend" },
  { word: "project", cloud: "needs", why: "lists the backend's projects" },
  { word: "refresh", cloud: "needs", why: "changes the stack's state on the backend" },
  { word: "replay-events", cloud: "never", why: "replays a local event log" },
  { word: "schema", cloud: "never", why: "checks a schema file locally" },
  { word: "stack", cloud: "needs", why: "stacks live on the backend" },
  { word: "state", cloud: "needs", why: "edits the stack's state on the backend" },
  { word: "template", cloud: "needs", why: "publishes templates to the Pulumi registry" },
  { word: "up", aliases: ["update"], cloud: "needs", why: "changes the stack's state on the backend" },
  { word: "version", cloud: "never", why: "prints pulumi's version" },
  { word: "view-trace", cloud: "never", why: "shows a local trace file" },
  { word: "watch", cloud: "needs", why: "updates the stack on the backend continuously" },
  { word: "whoami", cloud: "needs", why: "asks the backend who is logged in" },
];

/** Pulumi's global flags that take a separate value (`--cwd dir`, `-C dir`, `-v 3`, ...); the others are booleans. */
export const GLOBAL_VALUE_FLAGS: readonly string[] = [
  "--cwd",
  "-C",
  "--color",
  "--verbose",
  "-v",
  "--tracing",
  "--tracing-header",
  "--profiling",
  "--memprofilerate",
  "--otel-traces",
];

const BY_WORD: ReadonlyMap<string, CommandRow> = new Map(
  COMMAND_TABLE.flatMap((row) => [row.word, ...(row.aliases ?? [])].map((w) => [w, row] as const)),
);

/** The backend the command line names itself, if any. */
export type ExplicitTarget =
  | { kind: "none" }
  | { kind: "url"; url: string; via: "argument" | "--cloud-url" | "--local" }
  | { kind: "all" };

export interface CommandMeaning {
  /** The command word as typed (undefined: a bare `pulumi`). */
  word: string | undefined;
  /** The table row, when the word is known. */
  row: CommandRow | undefined;
  /** The first word after the command (a subcommand), if any. */
  sub: string | undefined;
  cloud: CloudUse;
  hook: Hook;
  /** Why `cloud` is what it is (debug output, `account doctor`). */
  reason: string;
  /** `--cwd`/`-C` (the last one wins, like cobra). */
  cwd: string | undefined;
  /** What `login`/`logout` name explicitly; `none` for every other command. */
  target: ExplicitTarget;
  /** `--help`/`-h` or `--version` anywhere before `--`. */
  helpOrVersion: boolean;
}

export const LOCAL_LOGIN_URL = "file://~";

interface Scan {
  words: string[];
  flags: Array<{ name: string; value: string | undefined }>;
  cwd: string | undefined;
  helpOrVersion: boolean;
}

/** `--name=value`, `--name value`, `-Xvalue`, `-X value`: the value of a flag that takes one. */
function splitFlag(arg: string): { name: string; inline: string | undefined } {
  const eq = arg.indexOf("=");
  if (arg.startsWith("--")) return eq > 0 ? { name: arg.slice(0, eq), inline: arg.slice(eq + 1) } : { name: arg, inline: undefined };
  // Short flags: -C=dir, -Cdir, -C
  const name = arg.slice(0, 2);
  if (arg.length === 2) return { name, inline: undefined };
  return { name, inline: arg[2] === "=" ? arg.slice(3) : arg.slice(2) };
}

function scan(argv: readonly string[], valueFlags: ReadonlySet<string>): Scan {
  const out: Scan = { words: [], flags: [], cwd: undefined, helpOrVersion: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") break;
    if (arg === "-" || !arg.startsWith("-")) {
      out.words.push(arg);
      continue;
    }
    if (arg === "--help" || arg === "-h" || arg === "--version") out.helpOrVersion = true;
    const { name, inline } = splitFlag(arg);
    let value = inline;
    if (valueFlags.has(name) && value === undefined && i + 1 < argv.length) value = argv[++i];
    if (!valueFlags.has(name) && !name.startsWith("--") && inline !== undefined) {
      // -ab: a cluster of boolean short flags; only -h matters to us.
      if (inline.includes("h")) out.helpOrVersion = true;
      value = undefined;
    }
    if (name === "--cwd" || name === "-C") out.cwd = value;
    out.flags.push({ name, value });
  }
  return out;
}

const GLOBAL_SET = new Set(GLOBAL_VALUE_FLAGS);

/** Read a pulumi command line: which command, what it means for credentials, which backend it names. */
export function readCommand(argv: readonly string[]): CommandMeaning {
  // First pass with the global value flags only, to find the command word; then again with the
  // command's own value flags, so `login --default-org acme` does not read `acme` as a URL.
  const first = scan(argv, GLOBAL_SET);
  const word = first.words[0];
  const row = word === undefined ? undefined : BY_WORD.get(word);
  const s = row?.valueFlags ? scan(argv, new Set([...GLOBAL_VALUE_FLAGS, ...row.valueFlags])) : first;
  const sub = s.words[1];
  const base = { word, row, sub, cwd: s.cwd, helpOrVersion: s.helpOrVersion, target: { kind: "none" } as ExplicitTarget };
  /** The first of these flags on the command line, if any. */
  const flagOf = (names: readonly string[] | undefined) => (names ? s.flags.find((f) => names.includes(f.name))?.name : undefined);

  if (s.helpOrVersion) return { ...base, cloud: "never", hook: "none", reason: "help or version requested" };
  if (word === undefined) return { ...base, cloud: "never", hook: "none", reason: "no command (pulumi prints its help)" };
  if (!row) {
    // A typo must never create an account; existing credentials are still passed on.
    return { ...base, cloud: "uses", hook: "remind", reason: `\`${word}\` is not a pulumi command pulumi-agent knows, so it creates no account for it` };
  }
  const hook = row.hook ?? (row.cloud === "never" ? "none" : "remind");
  const target = row.target === "login" || row.target === "logout" ? explicitTarget(row.target, s) : base.target;
  const withTarget = { ...base, target, hook };
  const localFlag = flagOf(row.localFlags);
  if (localFlag) return { ...withTarget, cloud: "never", hook: "none", reason: `\`pulumi ${word}\` with ${localFlag} works locally` };
  const identityFlag = flagOf(row.ownIdentityFlags);
  if (identityFlag) return { ...withTarget, cloud: "uses", reason: `\`pulumi ${word}\` with ${identityFlag} brings its own identity` };
  const subUse = sub !== undefined && row.sub ? row.sub[sub] : undefined;
  if (subUse !== undefined) {
    return { ...withTarget, cloud: subUse, hook: subUse === "never" ? "none" : hook, reason: `\`pulumi ${word} ${sub}\`: ${row.why}` };
  }
  return { ...withTarget, cloud: row.cloud, reason: `\`pulumi ${word}\`: ${row.why}` };
}

/** `login <url>`, `login --cloud-url <url>`, `login --local`; `logout` alike, plus `logout --all`. */
function explicitTarget(kind: "login" | "logout", s: Scan): ExplicitTarget {
  let target: ExplicitTarget = { kind: "none" };
  for (const f of s.flags) {
    if (f.name === "--local" || f.name === "-l") target = { kind: "url", url: LOCAL_LOGIN_URL, via: "--local" };
    if ((f.name === "--cloud-url" || f.name === "-c") && f.value) target = { kind: "url", url: f.value, via: "--cloud-url" };
    if (kind === "logout" && f.name === "--all") return { kind: "all" };
  }
  const positional = s.words[1];
  if (target.kind === "none" && positional !== undefined) target = { kind: "url", url: positional, via: "argument" };
  return target;
}

/**
 * The command our own lookups (account commands, the library) stand for: what `pulumi whoami` would use,
 * optionally in another project dir or for an explicit cloud URL.
 */
export function lookupCommand(o: { cwd?: string | undefined; cloudUrl?: string | undefined } = {}): CommandMeaning {
  const meaning = readCommand(["whoami", ...(o.cwd ? ["--cwd", o.cwd] : [])]);
  return o.cloudUrl ? { ...meaning, target: { kind: "url", url: o.cloudUrl, via: "--cloud-url" } } : meaning;
}
