// AI coding-agent detection: data tables plus one pure walk over them.
//
// This runs on the hot path of every command and decides whether a signup may happen, so it is
// sync, reads only the env object it is given (no filesystem, no process tree, no imports), and errs
// towards "human": a false positive creates an account for a person, so weak markers are never
// enough on their own.
//
// Every variable this module reads is named in the data below (CONTROL_VARS, AGENT_RULES); ./env-vars.ts
// derives the scrub list from it, and a test proves that nothing else is read.

export type AgentTier = "strong" | "ide-agent" | "weak";

/** An extra condition a rule needs: `var` non-empty, and one of `values` when given. */
export interface EnvCondition {
  readonly var: string;
  readonly values?: readonly string[];
}

export interface AgentRule {
  /** Normalized agent (or, for weak rules, environment) name: what doctor and debug output show. */
  readonly name: string;
  readonly tier: AgentTier;
  /** The rule matches when any of these is non-empty (and, with `values`, has one of them). */
  readonly vars: readonly string[];
  /** Accepted values, lower-case; compared after trim + lower-case. Absent: any non-empty value. */
  readonly values?: readonly string[];
  /** A second variable that must match as well (e.g. TERM_PROGRAM=zed needs PAGER=cat). */
  readonly also?: EnvCondition;
  /** Variable carrying the agent's version, reported when this rule decides. */
  readonly versionVar?: string;
  /**
   * The `agentName` the Pulumi Go CLI (pulumi/pulumi agentdetect.go) sends for this agent in the
   * environments this rule matches. Absent: the Go CLI does not know the agent, and `name` is sent.
   */
  readonly wireName?: string;
  /** Completes "<VAR> is set (...)" in the human-readable reason. */
  readonly why: string;
  /** Evidence and caveats, for maintainers. */
  readonly notes?: string;
}

/** The variables that declare or refuse an agent outright, read before any rule. */
export const CONTROL_VARS = {
  disable: "PULUMI_AGENT_DISABLE",
  aiAgent: "AI_AGENT",
  agent: "AGENT",
} as const;

// Order matters: first strong match wins, then first ide-agent match; weak rules are only collected.
export const AGENT_RULES: readonly AgentRule[] = [
  // -- Strong markers of an agent that runs inside another's environment: before CLAUDECODE. --
  {
    name: "amp",
    tier: "strong",
    vars: ["AMP_CURRENT_THREAD_ID"],
    why: "Amp sets it in tool subprocesses",
    notes: "Amp also sets CLAUDECODE=1, so it must precede claude-code (cli/cli comments).",
  },
  {
    name: "cowork",
    tier: "strong",
    vars: ["CLAUDE_CODE_IS_COWORK"],
    wireName: "cowork",
    why: "Claude Cowork sets it",
    notes: "Cowork also sets CLAUDECODE; V and P check it first.",
  },
  {
    name: "grok",
    tier: "strong",
    vars: ["GROK_PLUGIN_ROOT", "GROK_PLUGIN_DATA"],
    why: "Grok Build sets it for the hooks and skills of its plugins",
    notes:
      "Peers: vercel/detect-agent (agents.json and the env list of its determine-agent test), and " +
      "agents.json's downstream copies. First-party: the Grok Build user guide (09-plugins, 10-hooks) " +
      "says plugin hooks get GROK_PLUGIN_ROOT/GROK_PLUGIN_DATA plus CLAUDE_PLUGIN_* aliases. Before " +
      "claude-code because Grok can run inside it (inheriting CLAUDECODE). Only plugin contexts are " +
      "documented, so a plain shell-tool command may carry no marker (a false negative, never a false positive).",
  },
  // -- Strong CLI-harness markers, roughly in order of use. Any non-empty value counts. --
  {
    name: "claude-code",
    tier: "strong",
    vars: ["CLAUDECODE", "CLAUDE_CODE", "CLAUDE_CODE_CHILD_SESSION"],
    versionVar: "CLAUDE_CODE_VERSION",
    wireName: "claude",
    why: "Claude Code sets it in tool subprocesses",
    notes:
      "CLAUDECODE is documented (anthropics/claude-code#531); CLAUDECODE=0 still counts. " +
      "CLAUDE_CODE_CHILD_SESSION is jfrog's choice of marker.",
  },
  {
    name: "codex",
    tier: "strong",
    vars: ["CODEX_THREAD_ID", "CODEX_CI", "CODEX_SANDBOX", "CODEX_SANDBOX_NETWORK_DISABLED"],
    wireName: "codex",
    why: "OpenAI Codex sets it in the commands it runs",
    notes: "CODEX_SANDBOX holds the sandbox type (e.g. seatbelt), not 1 (briandconnelly/ami#38).",
  },
  {
    name: "gemini-cli",
    tier: "strong",
    vars: ["GEMINI_CLI"],
    wireName: "gemini",
    why: "Gemini CLI sets it in shell commands",
    notes: "Runs commands in a PTY (gemini-cli#17184), so a TTY must not veto it.",
  },
  { name: "qwen-code", tier: "strong", vars: ["QWEN_CODE"], why: "Qwen Code sets it", notes: "A Gemini CLI fork." },
  {
    name: "github-copilot",
    tier: "strong",
    vars: ["COPILOT_CLI", "COPILOT_AGENT", "COPILOT_AGENT_SESSION_ID"],
    wireName: "github-copilot",
    why: "GitHub Copilot's agent sets it in its terminals",
    notes:
      "COPILOT_AGENT: VS Code agent terminals (microsoft/vscode#316267); COPILOT_CLI: CLI and SDK " +
      "(dtctl#288); COPILOT_AGENT_SESSION_ID: CLI and cloud agent. The Go CLI keys on configuration " +
      "variables instead (see NOT_MARKERS) but calls the agent github-copilot too.",
  },
  {
    name: "opencode",
    tier: "strong",
    vars: ["OPENCODE", "OPENCODE_PID"],
    wireName: "opencode",
    why: "OpenCode sets it",
    notes: "Only OPENCODE is certain (am-i-vibing#94); any value counts (V's ==='1' is an FN risk).",
  },
  { name: "augment-cli", tier: "strong", vars: ["AUGMENT_AGENT"], wireName: "augment-cli", why: "Augment's agent sets it" },
  { name: "antigravity", tier: "strong", vars: ["ANTIGRAVITY_AGENT"], wireName: "antigravity", why: "Antigravity's agent sets it" },
  { name: "crush", tier: "strong", vars: ["CRUSH"], why: "Crush sets it" },
  { name: "pi", tier: "strong", vars: ["PI_CODING_AGENT"], why: "the pi coding agent sets it (earendil-works/pi#2868)" },
  { name: "junie", tier: "strong", vars: ["JUNIE_DATA", "JUNIE_SHIM_PATH"], why: "JetBrains Junie sets it" },
  {
    name: "kiro",
    tier: "strong",
    vars: ["KIRO_SESSION_ID"],
    why: "the Kiro CLI sets it in every mode (dtctl#282)",
  },
  {
    name: "goose",
    tier: "strong",
    vars: ["GOOSE_TERMINAL"],
    wireName: "goose",
    why: "Goose sets it in its terminal",
    notes: "GOOSE_PROVIDER is configuration, not a marker.",
  },
  { name: "warp", tier: "strong", vars: ["OZ_RUN_ID"], why: "Warp's Oz agent sets it (am-i-vibing#90)" },
  {
    name: "cline",
    tier: "strong",
    vars: ["CLINE_ACTIVE"],
    why: "Cline sets it in its VS Code terminals (cline/cline#5367)",
  },
  { name: "roo-code", tier: "strong", vars: ["ROO_ACTIVE", "ROO_CLI_RUNTIME"], why: "Roo Code sets it" },
  {
    name: "kilo-code",
    tier: "strong",
    vars: ["KILOCODE_FEATURE"],
    values: ["cli", "vscode-extension"],
    why: "Kilo Code sets it for the commands it runs",
    notes:
      "Only Kilo's own values: OpenClaw documents KILOCODE_FEATURE as a user setting for its " +
      "X-KILOCODE-FEATURE header, so other values may be a human's configuration.",
  },
  { name: "trae", tier: "strong", vars: ["TRAE_AI_SHELL_ID"], why: "Trae's agent shell sets it" },
  { name: "tabnine", tier: "strong", vars: ["TABNINE_CLI"], why: "the Tabnine CLI sets it" },
  { name: "iflow-cli", tier: "strong", vars: ["IFLOW_CLI"], why: "the iFlow CLI sets it" },
  {
    name: "kimi",
    tier: "strong",
    vars: ["KIMI_PLUGIN_ROOT"],
    why: "Kimi Code sets it for the hooks of its plugins",
    notes:
      "Peers: vercel/detect-agent (agents.json, first entry, and its test's env list) and agents.json's " +
      "downstream copies. First-party: Kimi Code's plugin docs (customization/plugins) document it as " +
      "injected into hook commands only, so a plain shell-tool command may carry no marker (FN, not FP).",
  },
  {
    name: "openclaw",
    tier: "strong",
    vars: ["OPENCLAW_SHELL"],
    values: ["exec"],
    why: "OpenClaw's exec tool sets it in the commands the agent runs",
    notes:
      "vercel/detect-agent agents.json (any value); OpenClaw's exec-tool docs: OPENCLAW_SHELL=exec in " +
      "every command environment it spawns, PTY and sandbox included. Only exec: its TUI gives the " +
      "commands a human types after `!` OPENCLAW_SHELL=tui-local (see the weak rule).",
  },
  {
    name: "jules",
    tier: "strong",
    vars: ["HOME"],
    values: ["/home/jules"],
    also: { var: "USER", values: ["swebot"] },
    why: "Google Jules runs its tasks as the user swebot in /home/jules",
    notes: "ascorbic/am-i-vibing providers.ts (both values required). Either one alone is an ordinary account.",
  },
  {
    name: "replit",
    tier: "strong",
    vars: ["REPLIT_MODE"],
    values: ["assistant"],
    also: { var: "REPL_ID" },
    wireName: "replit",
    why: "Replit's assistant sets it inside a Repl",
    notes: "REPL_ID alone is every Replit shell, a human's too (see the weak rule); the Go CLI sends replit for it.",
  },
  // -- IDE-embedded agent markers: after the CLI harnesses, which may run inside them. --
  // The Go CLI checks CURSOR_TRACE_ID (cursor) before CURSOR_AGENT (cursor-cli): inside the IDE it
  // sends cursor, from the standalone cursor-agent CLI cursor-cli. Two rules say the same.
  {
    name: "cursor",
    tier: "ide-agent",
    vars: ["CURSOR_AGENT"],
    also: { var: "CURSOR_TRACE_ID" },
    wireName: "cursor",
    why: "Cursor sets it in its IDE agent's shell",
    notes:
      "Inherited by CLI agents started from Cursor's agent shell, hence after the harnesses " +
      "(kunchenguid/firstmate#2677).",
  },
  {
    name: "cursor",
    tier: "ide-agent",
    vars: ["CURSOR_AGENT"],
    wireName: "cursor-cli",
    why: "Cursor's agent sets it in its shell",
    notes: "The cursor-agent CLI and Cursor sandboxes, outside the IDE (V, P and cli/cli call it cursor-cli).",
  },
  {
    name: "cursor",
    tier: "ide-agent",
    vars: ["CURSOR_EXTENSION_HOST_ROLE"],
    values: ["agent-exec"],
    wireName: "cursor",
    why: "Cursor runs its agent's commands from an extension host with this role",
    notes:
      "vercel/vercel#15879. The Go CLI does not read it; beside CURSOR_TRACE_ID (the IDE) it sends cursor, " +
      "without it nothing, so cursor (our name) either way.",
  },
  {
    name: "cursor",
    tier: "ide-agent",
    vars: ["CURSOR_TRACE_ID"],
    also: { var: "PAGER", values: ["head -n 10000 | cat"] },
    wireName: "cursor",
    why: "Cursor's agent shell forces this pager",
    notes:
      "ascorbic/am-i-vibing providers.ts (cursor-agent). The pager value is the agent's, like the Zed " +
      "rule's PAGER=cat; CURSOR_TRACE_ID alone is a human's Cursor terminal too (see the weak rule).",
  },
  {
    name: "zed",
    tier: "ide-agent",
    vars: ["TERM_PROGRAM"],
    values: ["zed"],
    also: { var: "PAGER", values: ["cat"] },
    why: "Zed's agent terminal forces the pager off",
    notes: "Without the pager it is a human's Zed terminal (am-i-vibing).",
  },
  {
    name: "windsurf",
    tier: "ide-agent",
    vars: ["WINDSURF_CASCADE_TERMINAL"],
    why: "Windsurf's Cascade agent sets it in its terminal (jfrog)",
  },
  // -- Weak / ambient: reported, never enough alone, with or without a TTY. --
  {
    name: "cursor",
    tier: "weak",
    vars: ["CURSOR_TRACE_ID"],
    why: "every Cursor integrated terminal has it, a human's too",
    notes: "FP: vercel-labs/skills#1233, web-infra-dev/rstest#994, crewAI#6779.",
  },
  {
    name: "replit",
    tier: "weak",
    vars: ["REPL_ID"],
    why: "every Replit shell has it, a human's too",
    notes: "cli/cli calls it low-confidence; posthog-js#3891.",
  },
  {
    name: "kiro",
    tier: "weak",
    vars: ["TERM_PROGRAM"],
    values: ["kiro"],
    why: "the Kiro IDE's human terminals have it too",
    notes: "FP: unjs/std-env#185 (fixed by #196), vitest#10053.",
  },
  { name: "vscode", tier: "weak", vars: ["TERM_PROGRAM"], values: ["vscode"], why: "VS Code-based terminals have it" },
  {
    name: "warp",
    tier: "weak",
    vars: ["TERM_PROGRAM"],
    values: ["warpterminal"],
    why: "every Warp window has it",
    notes: "FP: ascorbic/am-i-vibing#89.",
  },
  { name: "zed", tier: "weak", vars: ["TERM_PROGRAM"], values: ["zed"], why: "every Zed terminal has it" },
  {
    name: "windsurf",
    tier: "weak",
    vars: ["CODEIUM_EDITOR_APP_ROOT"],
    why: "it is Windsurf's install path, present for humans too (jfrog)",
  },
  {
    name: "claude-code",
    tier: "weak",
    vars: ["CLAUDE_CODE_ENTRYPOINT", "CLAUDE_CODE_SESSION_ID"],
    why: "Claude Code's IDE extensions may set it in human terminals (jfrog; unverified)",
  },
  {
    name: "codex",
    tier: "weak",
    vars: ["CODEX_MANAGED_BY_NPM"],
    why: "it says how Codex was installed, not that Codex runs this command",
  },
  {
    name: "opencode",
    tier: "weak",
    vars: ["OPENCODE_CALLER"],
    why: "only the Pulumi Go CLI reads it; no first-party evidence",
  },
  {
    name: "openclaw",
    tier: "weak",
    vars: ["OPENCLAW_SHELL"],
    why: "OpenClaw sets it in every shell it starts, the commands a human types in its TUI too",
    notes: "OpenClaw's TUI docs: `!` commands run with OPENCLAW_SHELL=tui-local.",
  },
];

/**
 * Configuration a human may export, deliberately NOT markers although peers use them. Never read by
 * detectAgent; scrubbed from test environments all the same, so that tests can prove they decide nothing.
 */
export const NOT_MARKERS: readonly { readonly var: string; readonly why: string }[] = [
  { var: "COPILOT_MODEL", why: "a Copilot setting (gitbutler's test, jfrog); V and P use it" },
  { var: "COPILOT_ALLOW_ALL", why: "a Copilot setting (gitbutler's test, jfrog); V and P use it" },
  { var: "COPILOT_GITHUB_TOKEN", why: "a Copilot credential (gitbutler's test, jfrog); V and P use it" },
  { var: "GOOSE_PROVIDER", why: 'a configured provider, not a running Goose (cli/cli); S and P use it' },
  { var: "AIDER_API_KEY", why: "an API key (jfrog); A uses it" },
  { var: "OPENCODE_BIN_PATH", why: "a user override (ascorbic/am-i-vibing#94)" },
  { var: "OPENCODE_CLIENT", why: "configuration (jfrog); V and P use it" },
];

export interface AgentDetection {
  /** True only for an AI_AGENT/AGENT declaration or a strong/ide-agent marker. */
  isAgent: boolean;
  /** Normalized agent name, for doctor and debug output; set only when isAgent. [a-z0-9._-]{1,64}. */
  name?: string;
  /**
   * What to send as `agentName` at signup and as the User-Agent's `agent=`; set only when isAgent.
   * The Go CLI's name where it knows the agent (claude, gemini, cursor-cli, ...), else `name`; for a
   * named AI_AGENT, its value as the Go CLI sends it (trimmed, lower-cased, github-copilot-cli →
   * github-copilot). Always [a-z0-9._@+-]{1,64}: safe in a JSON string and a User-Agent comment.
   */
  wireName?: string;
  /** The AI_AGENT or AGENT value as found (trimmed; control characters replaced; ≤128 chars). */
  rawName?: string;
  version?: string;
  surface?: string;
  source: "disabled" | "ai_agent" | "agent_var" | "env" | "weak" | "none";
  confidence: "strong" | "weak" | "none";
  /** The variable that decided. */
  marker?: string;
  /** One human-readable sentence, for `account doctor`. */
  reason: string;
  /** Weak/ambient markers present, e.g. ["CURSOR_TRACE_ID", "TERM_PROGRAM=vscode"], whatever decided. */
  weakSignals: string[];
}

export interface DetectOptions {
  /** Informational only: a TTY never vetoes a strong marker (Gemini CLI runs commands in a PTY). */
  stdoutIsTTY?: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

const FALSY = new Set(["", "0", "false", "no", "off"]);
const AI_AGENT_OPT_OUT = new Set(["0", "false", "none", "no", "off"]);
const GENERIC_YES = new Set(["1", "true", "yes", "on"]);

// Values of AGENT taken as a name: only agents known to set it themselves (Amp, Goose block/goose#7017,
// Crush; OpenCode sets AGENT=1). AGENT is a generic name other tools use as configuration
// (agent-detective uses AGENT=cursor), so anything else is ignored, as gitbutler does. The Go CLI does
// not read AGENT; where it knows these agents (goose, opencode) its names are the same.
const AGENT_VAR_NAMES: ReadonlyMap<string, string> = new Map([
  ["amp", "amp"],
  ["goose", "goose"],
  ["crush", "crush"],
  ["opencode", "opencode"],
]);

// AI_AGENT aliases, applied after lower-casing and mapping "_" to "-". A Map, so that values such as
// "constructor" never reach Object.prototype.
const ALIASES: ReadonlyMap<string, string> = new Map([
  ["claude", "claude-code"],
  ["claudecode", "claude-code"],
  ["claude-cli", "claude-code"],
  ["claude-cowork", "cowork"],
  ["claude-code-cowork", "cowork"],
  ["cursor-agent", "cursor-cli"],
  ["auggie", "augment-cli"],
  ["augment", "augment-cli"],
  ["gemini", "gemini-cli"],
  ["gemini-agent", "gemini-cli"],
  ["copilot", "github-copilot"],
  ["copilot-cli", "github-copilot"],
  ["github-copilot-cli", "github-copilot"],
  ["vscode-copilot-agent", "github-copilot"],
  ["codex-cli", "codex"],
  ["openai-codex", "codex"],
  ["qwen", "qwen-code"],
  ["ampcode", "amp"],
  ["amp-code", "amp"],
  ["pi-coding-agent", "pi"],
  ["roo", "roo-code"],
  ["kilo", "kilo-code"],
  ["kilocode", "kilo-code"],
  ["iflow", "iflow-cli"],
  ["zed-agent", "zed"],
  ["replit-assistant", "replit"],
]);

// The Go CLI sends a named AI_AGENT as is (trimmed, lower-cased) but for this one alias (agentdetect.go).
const GO_AI_AGENT_ALIASES: ReadonlyMap<string, string> = new Map([["github-copilot-cli", "github-copilot"]]);

/** `name` of a declaration ("1", "true") that says "an agent" without naming it. */
const UNNAMED_AGENT = "agent";

const VERSION_OK = /^[0-9a-z][0-9a-z.+_-]{0,63}$/;

/** Non-empty: an empty variable counts as unset everywhere. */
function isSet(v: string | null | undefined): v is string {
  return v !== undefined && v !== null && v !== "";
}

/** Printable form of an untrusted value: control/format characters replaced, at most 128 characters. */
function displayable(raw: string): string {
  // Slice first: an env value can be megabytes long, and this runs on every command.
  return Array.from(raw.slice(0, 256).replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, "?"))
    .slice(0, 128)
    .join("");
}

/** Bound a name to [a-z0-9._-]{1,64}: runs of other characters become "-"; nothing left → "unknown". */
function boundName(name: string): string {
  const cleaned = name
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[-._]+/, "")
    .slice(0, 64)
    .replace(/[-._]+$/, "");
  return cleaned === "" ? "unknown" : cleaned;
}

/**
 * A lower-cased value bounded to [a-z0-9._@+-]{1,64}: other characters are dropped at either end and
 * become "-" inside; undefined when nothing is left. Otherwise the value is kept as the Go CLI sends it.
 */
function boundWireName(value: string): string | undefined {
  const cleaned = value
    .slice(0, 256)
    .replace(/^[^a-z0-9._@+-]+|[^a-z0-9._@+-]+$/g, "")
    .replace(/[^a-z0-9._@+-]+/g, "-")
    .slice(0, 64);
  return cleaned === "" ? undefined : cleaned;
}

function boundVersion(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const t = v.trim().toLowerCase();
  return VERSION_OK.test(t) ? t : undefined;
}

interface ParsedName {
  name: string;
  version?: string;
  surface?: string;
}

/** Normalize a self-declared agent name (AI_AGENT value, already trimmed and lower-cased). */
export function normalizeAgentName(value: string): ParsedName {
  const at = value.indexOf("@");
  let base = at >= 0 ? value.slice(0, at) : value;
  let version = at >= 0 ? boundVersion(value.slice(at + 1)) : undefined;
  let surface: string | undefined;

  // Copilot declares itself as github_copilot_vscode_agent / github_copilot_cloud_agent (std-env 4.3).
  const copilot = /^github[_-]copilot[_-]([a-z0-9]{1,32})[_-]agent$/.exec(base);
  // Claude Code declares itself as claude-code_2-1-263_agent (public env dumps).
  const versioned = /^([a-z][a-z0-9-]*)_([0-9][a-z0-9-]*)_agent$/.exec(base);
  if (copilot) {
    base = "github-copilot";
    surface = copilot[1];
  } else if (versioned) {
    base = versioned[1] as string;
    version ??= boundVersion((versioned[2] as string).replace(/(\d)-(?=\d)/g, "$1."));
  }

  base = base.replace(/_/g, "-");
  const name = boundName(ALIASES.get(base) ?? base);
  const out: ParsedName = { name };
  if (version !== undefined) out.version = version;
  if (surface !== undefined) out.surface = surface;
  return out;
}

/** `raw` is one of `values` (lower-case), compared after trim + lower-case; the exact value is the fast path. */
function oneOf(values: readonly string[], raw: string): boolean {
  return values.includes(raw) || values.includes(raw.trim().toLowerCase());
}

// Every variable the rules read, each once: a rule refers to its variables by index, and one call reads
// each at most once (a read of the real environment is a native call; TERM_PROGRAM alone serves six rules).
const RULE_VARS: readonly string[] = [...new Set(AGENT_RULES.flatMap((r) => (r.also ? [...r.vars, r.also.var] : r.vars)))];
const indexOf = (v: string): number => RULE_VARS.indexOf(v);
const COMPILED: readonly { rule: AgentRule; vars: readonly number[]; also: number }[] = AGENT_RULES.map((rule) => ({
  rule,
  vars: rule.vars.map(indexOf),
  also: rule.also ? indexOf(rule.also.var) : -1,
}));

/** The values of RULE_VARS read so far in one call: undefined = not read yet, null = unset. */
type Seen = (string | null | undefined)[];

function readOnce(env: Env, seen: Seen, i: number): string | null {
  let v = seen[i];
  if (v === undefined) {
    v = env[RULE_VARS[i] as string] ?? null;
    seen[i] = v;
  }
  return v;
}

/** The index of the variable through which `rule` matches, or -1. Allocates nothing. */
function matchingVar(env: Env, seen: Seen, { rule, vars, also }: (typeof COMPILED)[number]): number {
  for (const i of vars) {
    const value = readOnce(env, seen, i);
    if (!isSet(value)) continue;
    if (rule.values && !oneOf(rule.values, value)) continue;
    if (also >= 0) {
      const other = readOnce(env, seen, also);
      if (!isSet(other)) continue;
      if (rule.also?.values && !oneOf(rule.also.values, other)) continue;
    }
    return i;
  }
  return -1;
}

/** The matched variable as shown: values only when they come from our own allowlist (IDs and paths are not). */
function shownMatch(env: Env, rule: AgentRule, v: string): string {
  return rule.values ? `${v}=${(env[v] as string).trim().toLowerCase()}` : v;
}

/** "<VAR> is set" / "<VAR>=<value> and <OTHER>=<value> are set", for the reason sentence. */
function describeMatch(rule: AgentRule, shown: string): string {
  if (!rule.also) return `${shown} is set`;
  const { var: other, values } = rule.also;
  return `${shown} and ${values ? `${other}=${values.join("|")}` : other} are set`;
}

interface Walk {
  /** The first strong, else the first IDE agent, rule that matches, and the variable it matched on. */
  decided?: AgentRule;
  marker?: string;
  /** Every weak rule that matches, with its variable; allocated on the first match only. */
  weak?: { rule: AgentRule; v: string }[];
}

function walkRules(env: Env): Walk {
  const walk: Walk = {};
  const seen: Seen = new Array(RULE_VARS.length);
  for (const compiled of COMPILED) {
    const { rule } = compiled;
    // The table lists strong, then IDE agent, then weak rules: the first non-weak match decides.
    if (rule.tier !== "weak" && walk.decided !== undefined) continue;
    const i = matchingVar(env, seen, compiled);
    if (i < 0) continue;
    const v = RULE_VARS[i] as string;
    if (rule.tier === "weak") {
      (walk.weak ??= []).push({ rule, v });
    } else {
      walk.decided = rule;
      walk.marker = v;
    }
  }
  return walk;
}

/**
 * Decide whether an AI coding agent runs this process, from `env` alone.
 * Precedence: PULUMI_AGENT_DISABLE → AI_AGENT → AGENT=<allowlisted name> → strong markers → IDE agent
 * markers → AI_AGENT/AGENT=1 (unnamed) → weak markers (reported only, never an agent).
 */
export function detectAgent(env: Env, opts: DetectOptions = {}): AgentDetection {
  const walk = walkRules(env);
  const weakSignals = walk.weak ? walk.weak.map(({ rule, v }) => shownMatch(env, rule, v)) : [];

  // 1. Our own opt-out beats everything, AI_AGENT included.
  const disable = env[CONTROL_VARS.disable]?.trim().toLowerCase() ?? "";
  if (!FALSY.has(disable)) {
    return {
      isAgent: false,
      source: "disabled",
      confidence: "none",
      marker: CONTROL_VARS.disable,
      reason: "PULUMI_AGENT_DISABLE is set, so agent detection is off and pulumi runs as is",
      weakSignals,
    };
  }

  // 2. AI_AGENT: an explicit declaration either way. Whitespace-only counts as unset.
  const ai = env[CONTROL_VARS.aiAgent]?.trim() ?? "";
  const aiValue = ai.toLowerCase();
  if (AI_AGENT_OPT_OUT.has(aiValue)) {
    return {
      isAgent: false,
      rawName: displayable(ai),
      source: "ai_agent",
      confidence: "none",
      marker: CONTROL_VARS.aiAgent,
      reason: `AI_AGENT=${aiValue} declares that no agent is running, whatever else is set`,
      weakSignals,
    };
  }
  // AI_AGENT=1 says "an agent" without a name: a named marker below may supply it.
  if (ai !== "" && !GENERIC_YES.has(aiValue)) {
    const parsed = normalizeAgentName(aiValue);
    const rawName = displayable(ai);
    const detail = [parsed.version && `version ${parsed.version}`, parsed.surface && `surface ${parsed.surface}`]
      .filter(Boolean)
      .join(", ");
    return {
      isAgent: true,
      ...parsed,
      wireName: boundWireName(GO_AI_AGENT_ALIASES.get(aiValue) ?? aiValue) ?? parsed.name,
      rawName,
      source: "ai_agent",
      confidence: "strong",
      marker: CONTROL_VARS.aiAgent,
      reason: `AI_AGENT is set to "${rawName}", declaring the agent ${parsed.name}${detail && ` (${detail})`}`,
      weakSignals,
    };
  }

  // 3. AGENT with a name it is known to carry (Amp sets it next to CLAUDECODE=1, so this comes first).
  const agent = env[CONTROL_VARS.agent]?.trim() ?? "";
  const agentValue = agent.toLowerCase();
  const agentVarName = AGENT_VAR_NAMES.get(agentValue);
  if (agentVarName !== undefined) {
    return {
      isAgent: true,
      name: agentVarName,
      wireName: agentVarName,
      rawName: displayable(agent),
      source: "agent_var",
      confidence: "strong",
      marker: CONTROL_VARS.agent,
      reason: `AGENT=${agentValue} is set (${agentVarName} sets it in the commands it runs)`,
      weakSignals,
    };
  }

  // 4-6. The first strong, else the first IDE agent, marker in table order.
  const { decided: rule, marker } = walk;
  if (rule !== undefined && marker !== undefined) {
    const version = rule.versionVar ? boundVersion(env[rule.versionVar]) : undefined;
    const result: AgentDetection = {
      isAgent: true,
      name: rule.name,
      wireName: rule.wireName ?? rule.name,
      source: "env",
      confidence: "strong",
      marker,
      reason: `${describeMatch(rule, shownMatch(env, rule, marker))} (${rule.why})`,
      weakSignals,
    };
    if (version !== undefined) result.version = version;
    return result;
  }

  // AI_AGENT=1 or AGENT=1 (OpenCode sets the latter) that no marker names. (The Go CLI would send the
  // "1" itself; a name that says nothing is no better than ours.)
  if (ai !== "" || GENERIC_YES.has(agentValue)) {
    const [declVar, raw, value] = ai !== "" ? ([CONTROL_VARS.aiAgent, ai, aiValue] as const) : ([CONTROL_VARS.agent, agent, agentValue] as const);
    return {
      isAgent: true,
      name: UNNAMED_AGENT,
      wireName: UNNAMED_AGENT,
      rawName: displayable(raw),
      source: declVar === CONTROL_VARS.aiAgent ? "ai_agent" : "agent_var",
      confidence: "strong",
      marker: declVar,
      reason: `${declVar}=${value} declares an agent that no other marker names`,
      weakSignals,
    };
  }

  // 7. Weak markers alone never make an agent, not even with stdout piped (S's no-TTY rule is not ours).
  if (walk.weak) {
    const tty = opts.stdoutIsTTY === false ? ", even with stdout not a terminal" : "";
    const why = walk.weak.map(({ rule }, i) => `${weakSignals[i]} (${rule.why})`).join("; ");
    return {
      isAgent: false,
      source: "weak",
      confidence: "weak",
      reason: `Only ambient signals, which alone never mean an agent${tty}: ${why}`,
      weakSignals,
    };
  }

  return { isAgent: false, source: "none", confidence: "none", reason: "No agent markers found", weakSignals };
}

/** The agent as doctor and debug output name it: ours, and the name sent where that differs. */
export function agentLabel(d: AgentDetection): string | undefined {
  if (!d.isAgent || d.name === undefined) return undefined;
  return d.wireName !== undefined && d.wireName !== d.name ? `${d.name} (sent to Pulumi Cloud as ${d.wireName})` : d.name;
}

/** What the plan needs of a detection: is it an agent, its name, and whether the user opted out. */
export function agentFact(d: AgentDetection): { isAgent: boolean; name: string | undefined; optedOut: boolean } {
  return { isAgent: d.isAgent, name: d.name, optedOut: d.source === "disabled" };
}
