// AI coding-agent detection: a data table plus one pure walk over it.
//
// This runs on the hot path of every command and decides whether a signup may happen, so it is
// sync, reads only the env object it is given (no filesystem, no process tree, no imports), and errs
// towards "human": a false positive creates an account for a person. Evidence for every rule is in
// ../../../shared/reference/agent-detection.md; DESIGN §3 step 1 makes weak markers never enough.
//
// Every variable read here must be listed in ./env-vars.ts (tests scrub that list; a test checks it).
//
// Deliberately NOT markers (configuration a human may export): COPILOT_MODEL, COPILOT_ALLOW_ALL,
// COPILOT_GITHUB_TOKEN (gitbutler test, jfrog), GOOSE_PROVIDER (cli/cli: "configured provider"),
// AIDER_API_KEY (jfrog), OPENCODE_BIN_PATH (ascorbic/am-i-vibing#94), OPENCODE_CLIENT (jfrog).

export type AgentTier = "strong" | "ide-agent" | "weak";

/** An extra condition a rule needs: `var` non-empty, and one of `values` when given. */
export interface EnvCondition {
  readonly var: string;
  readonly values?: readonly string[];
}

export interface AgentRule {
  /** Normalized agent (or, for weak rules, environment) name. */
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
  /** Completes "<VAR> is set (...)" in the human-readable reason. */
  readonly why: string;
  /** Evidence and caveats, for maintainers. */
  readonly notes?: string;
}

// Order matters: first strong match wins, then first ide-agent match; weak rules are only collected.
export const AGENT_RULES: readonly AgentRule[] = [
  // -- Strong markers one agent sets on behalf of another's identity: before CLAUDECODE. --
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
    why: "Claude Cowork sets it",
    notes: "Cowork also sets CLAUDECODE; V and P check it first.",
  },
  // -- Strong CLI-harness markers, in the reference's order. Any non-empty value counts. --
  {
    name: "claude-code",
    tier: "strong",
    vars: ["CLAUDECODE", "CLAUDE_CODE", "CLAUDE_CODE_CHILD_SESSION"],
    versionVar: "CLAUDE_CODE_VERSION",
    why: "Claude Code sets it in tool subprocesses",
    notes:
      "CLAUDECODE is documented (anthropics/claude-code#531); CLAUDECODE=0 still counts. " +
      "CLAUDE_CODE_CHILD_SESSION is jfrog's choice of marker.",
  },
  {
    name: "codex",
    tier: "strong",
    vars: ["CODEX_THREAD_ID", "CODEX_CI", "CODEX_SANDBOX", "CODEX_SANDBOX_NETWORK_DISABLED"],
    why: "OpenAI Codex sets it in the commands it runs",
    notes: "CODEX_SANDBOX holds the sandbox type (e.g. seatbelt), not 1 (briandconnelly/ami#38).",
  },
  {
    name: "gemini-cli",
    tier: "strong",
    vars: ["GEMINI_CLI"],
    why: "Gemini CLI sets it in shell commands",
    notes: "Runs commands in a PTY (gemini-cli#17184), so a TTY must not veto it.",
  },
  { name: "qwen-code", tier: "strong", vars: ["QWEN_CODE"], why: "Qwen Code sets it", notes: "A Gemini CLI fork." },
  {
    name: "github-copilot",
    tier: "strong",
    vars: ["COPILOT_CLI", "COPILOT_AGENT", "COPILOT_AGENT_SESSION_ID"],
    why: "GitHub Copilot's agent sets it in its terminals",
    notes:
      "COPILOT_AGENT: VS Code agent terminals (microsoft/vscode#316267); COPILOT_CLI: CLI and SDK " +
      "(dtctl#288); COPILOT_AGENT_SESSION_ID: CLI and cloud agent.",
  },
  {
    name: "opencode",
    tier: "strong",
    vars: ["OPENCODE", "OPENCODE_PID"],
    why: "OpenCode sets it",
    notes: "Only OPENCODE is certain (am-i-vibing#94); any value counts (V's ==='1' is an FN risk).",
  },
  { name: "augment-cli", tier: "strong", vars: ["AUGMENT_AGENT"], why: "Augment's agent sets it" },
  { name: "antigravity", tier: "strong", vars: ["ANTIGRAVITY_AGENT"], why: "Antigravity's agent sets it" },
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
    name: "replit",
    tier: "strong",
    vars: ["REPLIT_MODE"],
    values: ["assistant"],
    also: { var: "REPL_ID" },
    why: "Replit's assistant sets it inside a Repl",
    notes: "REPL_ID alone is every Replit shell, a human's too (see the weak rule).",
  },
  // -- IDE-embedded agent markers: after the CLI harnesses, which may run inside them. --
  {
    name: "cursor",
    tier: "ide-agent",
    vars: ["CURSOR_AGENT"],
    why: "Cursor sets it in its agent's shell",
    notes:
      "Inherited by CLI agents started from Cursor's agent shell, hence after the harnesses " +
      "(kunchenguid/firstmate#2677). V, P and cli/cli call it cursor-cli.",
  },
  {
    name: "cursor",
    tier: "ide-agent",
    vars: ["CURSOR_EXTENSION_HOST_ROLE"],
    values: ["agent-exec"],
    why: "Cursor runs its agent's commands from an extension host with this role",
    notes: "vercel/vercel#15879.",
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
  // -- Weak / ambient: reported, never enough alone (DESIGN §3 step 1). --
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
];

export interface AgentDetection {
  /** True only for an AI_AGENT/AGENT declaration or a strong/ide-agent marker. */
  isAgent: boolean;
  /** Normalized agent name; set only when isAgent. Safe to print and send: [a-z0-9._-]{1,64}. */
  name?: string;
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
// (agent-detective uses AGENT=cursor), so anything else is ignored, as gitbutler does.
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

const VERSION_OK = /^[0-9a-z][0-9a-z.+_-]{0,63}$/;

function isSet(v: string | undefined): v is string {
  return v !== undefined && v !== "";
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

function ruleMatch(env: Env, rule: AgentRule): { marker: string; shown: string } | undefined {
  for (const v of rule.vars) {
    const value = env[v];
    if (!isSet(value)) continue;
    if (rule.values && !rule.values.includes(value.trim().toLowerCase())) continue;
    if (rule.also) {
      const other = env[rule.also.var];
      if (!isSet(other)) continue;
      if (rule.also.values && !rule.also.values.includes(other.trim().toLowerCase())) continue;
    }
    // Values are printed only when they come from our own allowlist (IDs and paths are not shown).
    const shown = rule.values ? `${v}=${value.trim().toLowerCase()}` : v;
    return { marker: v, shown };
  }
  return undefined;
}

/** "<VAR> is set" / "<VAR>=<value> and <OTHER>=<value> are set", for the reason sentence. */
function describeMatch(rule: AgentRule, shown: string): string {
  if (!rule.also) return `${shown} is set`;
  const { var: other, values } = rule.also;
  return `${shown} and ${values ? `${other}=${values.join("|")}` : other} are set`;
}

/** The first strong (else IDE agent) rule that matches, and every weak rule that does. */
function walkRules(env: Env): { decided?: { rule: AgentRule; marker: string; shown: string }; weak: string[]; why: string[] } {
  let decided: { rule: AgentRule; marker: string; shown: string } | undefined;
  const weak: string[] = [];
  const why: string[] = [];
  for (const rule of AGENT_RULES) {
    if (rule.tier !== "weak" && decided !== undefined) continue;
    const m = ruleMatch(env, rule);
    if (!m) continue;
    if (rule.tier !== "weak") {
      decided = { rule, ...m };
    } else {
      weak.push(m.shown);
      why.push(`${m.shown} (${rule.why})`);
    }
  }
  return decided ? { decided, weak, why } : { weak, why };
}

/**
 * Decide whether an AI coding agent runs this process, from `env` alone.
 * Precedence: PULUMI_AGENT_DISABLE → AI_AGENT → AGENT=<allowlisted name> → strong markers → IDE agent
 * markers → AI_AGENT/AGENT=1 (unnamed) → weak markers (reported only, never an agent).
 */
export function detectAgent(env: Env, opts: DetectOptions = {}): AgentDetection {
  const { decided, weak: weakSignals, why: weakWhy } = walkRules(env);

  // 1. Our own opt-out beats everything, AI_AGENT included.
  const disable = env.PULUMI_AGENT_DISABLE?.trim().toLowerCase() ?? "";
  if (!FALSY.has(disable)) {
    return {
      isAgent: false,
      source: "disabled",
      confidence: "none",
      marker: "PULUMI_AGENT_DISABLE",
      reason: "PULUMI_AGENT_DISABLE is set, so agent detection is off and pulumi runs as is",
      weakSignals,
    };
  }

  // 2. AI_AGENT: an explicit declaration either way. Whitespace-only counts as unset.
  const ai = env.AI_AGENT?.trim() ?? "";
  const aiValue = ai.toLowerCase();
  if (AI_AGENT_OPT_OUT.has(aiValue)) {
    return {
      isAgent: false,
      rawName: displayable(ai),
      source: "ai_agent",
      confidence: "none",
      marker: "AI_AGENT",
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
      rawName,
      source: "ai_agent",
      confidence: "strong",
      marker: "AI_AGENT",
      reason: `AI_AGENT is set to "${rawName}", declaring the agent ${parsed.name}${detail && ` (${detail})`}`,
      weakSignals,
    };
  }

  // 3. AGENT with a name it is known to carry (Amp sets it next to CLAUDECODE=1, so this comes first).
  const agent = env.AGENT?.trim() ?? "";
  const agentValue = agent.toLowerCase();
  const agentVarName = AGENT_VAR_NAMES.get(agentValue);
  if (agentVarName !== undefined) {
    return {
      isAgent: true,
      name: agentVarName,
      rawName: displayable(agent),
      source: "agent_var",
      confidence: "strong",
      marker: "AGENT",
      reason: `AGENT=${agentValue} is set (${agentVarName} sets it in the commands it runs)`,
      weakSignals,
    };
  }

  // 4-6. The first strong, else the first IDE agent, marker in table order.
  if (decided) {
    const { rule, marker, shown } = decided;
    const version = rule.versionVar ? boundVersion(env[rule.versionVar]) : undefined;
    const result: AgentDetection = {
      isAgent: true,
      name: rule.name,
      source: "env",
      confidence: "strong",
      marker,
      reason: `${describeMatch(rule, shown)} (${rule.why})`,
      weakSignals,
    };
    if (version !== undefined) result.version = version;
    return result;
  }

  // AI_AGENT=1 or AGENT=1 (OpenCode sets the latter) that no marker names.
  if (ai !== "" || GENERIC_YES.has(agentValue)) {
    const [marker, raw, value] = ai !== "" ? (["AI_AGENT", ai, aiValue] as const) : (["AGENT", agent, agentValue] as const);
    return {
      isAgent: true,
      name: "agent",
      rawName: displayable(raw),
      source: marker === "AI_AGENT" ? "ai_agent" : "agent_var",
      confidence: "strong",
      marker,
      reason: `${marker}=${value} declares an agent that no other marker names`,
      weakSignals,
    };
  }

  // 7. Weak markers alone never make an agent (DESIGN overrides the reference's no-TTY option).
  if (weakSignals.length > 0) {
    const tty = opts.stdoutIsTTY === false ? ", even with stdout not a terminal" : "";
    return {
      isAgent: false,
      source: "weak",
      confidence: "weak",
      reason: `Only ambient signals, which alone never mean an agent${tty}: ${weakWhy.join("; ")}`,
      weakSignals,
    };
  }

  return { isAgent: false, source: "none", confidence: "none", reason: "No agent markers found", weakSignals };
}
