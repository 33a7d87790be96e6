import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AGENT_RULES, detectAgent, normalizeAgentName, type AgentDetection } from "../../src/detect/agents.js";
import { DETECTION_ENV_VARS } from "../../src/detect/env-vars.js";
import { MODEL_ENV_VARS } from "../../src/detect/model.js";
import { REPO_ROOT } from "../support/sandbox.js";

type Env = Record<string, string | undefined>;

// ---- Realistic environment dumps (values shortened, shapes as observed) ----

const MAC_HUMAN: Env = {
  HOME: "/Users/ada",
  USER: "ada",
  LOGNAME: "ada",
  SHELL: "/bin/zsh",
  PATH: "/opt/homebrew/bin:/opt/homebrew/sbin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
  PWD: "/Users/ada/src/infra",
  OLDPWD: "/Users/ada",
  SHLVL: "1",
  LANG: "en_US.UTF-8",
  TERM: "xterm-256color",
  COLORTERM: "truecolor",
  TERM_PROGRAM: "Apple_Terminal",
  TERM_PROGRAM_VERSION: "455.1",
  TERM_SESSION_ID: "6F1B2E3A-6A7C-4B11-9C1E-2B6A0D9E4F10",
  TMPDIR: "/var/folders/7x/k3l2m9v55qz0000gn/T/",
  SSH_AUTH_SOCK: "/private/tmp/com.apple.launchd.AbCdEf/Listeners",
  XPC_FLAGS: "0x0",
  XPC_SERVICE_NAME: "0",
  __CF_USER_TEXT_ENCODING: "0x1F5:0x0:0x0",
  EDITOR: "vim",
  PAGER: "less",
  HOMEBREW_PREFIX: "/opt/homebrew",
  AWS_PROFILE: "dev",
  _: "/usr/bin/env",
};

const CURSOR_HUMAN_TERMINAL: Env = {
  ...MAC_HUMAN,
  TERM_PROGRAM: "vscode",
  TERM_PROGRAM_VERSION: "1.4.5",
  CURSOR_TRACE_ID: "3c0f1a2b9d8e4f7a8b6c5d4e3f2a1b0c",
  VSCODE_GIT_IPC_HANDLE: "/var/folders/7x/T/vscode-git-1a2b3c4d5e.sock",
  VSCODE_GIT_ASKPASS_NODE: "/Applications/Cursor.app/Contents/Frameworks/Cursor Helper (Plugin).app/Contents/MacOS/Cursor Helper (Plugin)",
  VSCODE_GIT_ASKPASS_MAIN: "/Applications/Cursor.app/Contents/Resources/app/extensions/git/dist/askpass-main.js",
  GIT_ASKPASS: "/Applications/Cursor.app/Contents/Resources/app/extensions/git/dist/askpass.sh",
  VSCODE_INJECTION: "1",
  VSCODE_PROFILE_INITIALIZED: "1",
  TERM_SESSION_ID: undefined,
};

const CURSOR_AGENT_SHELL: Env = {
  ...CURSOR_HUMAN_TERMINAL,
  CURSOR_AGENT: "1",
  PAGER: "head -n 10000 | cat",
  GIT_PAGER: "cat",
};

const CLAUDE_CODE_TOOL: Env = {
  ...MAC_HUMAN,
  CLAUDECODE: "1",
  CLAUDE_CODE_ENTRYPOINT: "cli",
  AI_AGENT: "claude-code_2-1-263_agent",
  CLAUDE_CODE_SSE_PORT: "53117",
  OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: "delta",
  GIT_EDITOR: "true",
  COREPACK_ENABLE_AUTO_PIN: "0",
  NoDefaultCurrentDirectoryInExePath: "1",
  SHLVL: "2",
};

const LINUX_BASE: Env = {
  HOME: "/home/dev",
  USER: "dev",
  SHELL: "/bin/bash",
  PATH: "/home/dev/.local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  PWD: "/home/dev/work/app",
  LANG: "C.UTF-8",
  TERM: "xterm-256color",
  HOSTNAME: "devbox",
  SHLVL: "1",
};

const CODEX_SEATBELT: Env = {
  ...MAC_HUMAN,
  CODEX_SANDBOX: "seatbelt",
  CODEX_SANDBOX_NETWORK_DISABLED: "1",
  CODEX_MANAGED_BY_NPM: "1",
  PAGER: "cat",
  GIT_PAGER: "cat",
  NO_COLOR: "1",
  TERM: "dumb",
};

const GEMINI_PTY: Env = { ...LINUX_BASE, GEMINI_CLI: "1", TERM: "xterm-256color", COLORTERM: "truecolor" };

const VSCODE_BASE: Env = {
  ...MAC_HUMAN,
  TERM_PROGRAM: "vscode",
  TERM_PROGRAM_VERSION: "1.106.0",
  VSCODE_GIT_IPC_HANDLE: "/var/folders/7x/T/vscode-git-9f8e7d6c5b.sock",
  GIT_ASKPASS: "/Applications/Visual Studio Code.app/Contents/Resources/app/extensions/git/dist/askpass.sh",
  VSCODE_INJECTION: "1",
  TERM_SESSION_ID: undefined,
};

const COPILOT_VSCODE_AGENT: Env = {
  ...VSCODE_BASE,
  COPILOT_AGENT: "1",
  AI_AGENT: "github_copilot_vscode_agent",
  GIT_PAGER: "cat",
  PAGER: "cat",
};

const HUMAN_WITH_AGENT_CONFIG: Env = {
  ...MAC_HUMAN,
  COPILOT_MODEL: "gpt-5",
  COPILOT_ALLOW_ALL: "true",
  COPILOT_GITHUB_TOKEN: "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxx",
  GOOSE_PROVIDER: "anthropic",
  AIDER_API_KEY: "sk-xxxx",
  OPENCODE_BIN_PATH: "/Users/ada/bin/opencode",
  OPENCODE_CLIENT: "cli",
};

const REPLIT_SHELL: Env = {
  HOME: "/home/runner",
  USER: "runner",
  PATH: "/nix/store/abc-nodejs-20/bin:/home/runner/workspace/node_modules/.bin:/usr/bin:/bin",
  PWD: "/home/runner/workspace",
  REPL_ID: "b7a1c2d3-4e5f-6071-8293-a4b5c6d7e8f9",
  REPL_OWNER: "ada",
  REPL_SLUG: "infra",
  REPL_HOME: "/home/runner/workspace",
  REPLIT_DEV_DOMAIN: "b7a1c2d3.picard.replit.dev",
  REPLIT_DB_URL: "https://kv.replit.com/v0/xyz",
  NIX_PATH: "nixpkgs=/nix/store/xyz",
  TERM: "xterm-256color",
};

const AMP: Env = {
  ...LINUX_BASE,
  CLAUDECODE: "1",
  AGENT: "amp",
  AMP_CURRENT_THREAD_ID: "T-0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
  PAGER: "cat",
};

const COWORK: Env = {
  ...MAC_HUMAN,
  CLAUDECODE: "1",
  CLAUDE_CODE_IS_COWORK: "1",
  CLAUDE_CODE_ENTRYPOINT: "claude-desktop",
};

const OPENCODE: Env = { ...LINUX_BASE, OPENCODE: "1", AGENT: "1", OPENCODE_PID: "48211" };

const KIRO_IDE_HUMAN: Env = { ...MAC_HUMAN, TERM_PROGRAM: "kiro", TERM_PROGRAM_VERSION: "0.4.0" };

// ---- Expected outcomes ----

interface Row {
  what: string;
  env: Env;
  tty?: boolean;
  want: Partial<AgentDetection> & Pick<AgentDetection, "isAgent" | "source" | "confidence">;
}

const HUMAN = { isAgent: false, name: undefined, source: "none", confidence: "none", marker: undefined } as const;
const WEAK = { isAgent: false, name: undefined, source: "weak", confidence: "weak", marker: undefined } as const;
const envAgent = (name: string, marker: string) =>
  ({ isAgent: true, name, source: "env", confidence: "strong", marker }) as const;
const declared = (name: string) =>
  ({ isAgent: true, name, source: "ai_agent", confidence: "strong", marker: "AI_AGENT" }) as const;

const ROWS: Row[] = [
  { what: "human in macOS Terminal", env: MAC_HUMAN, tty: true, want: { ...HUMAN, weakSignals: [] } },
  {
    what: "human in Cursor's integrated terminal",
    env: CURSOR_HUMAN_TERMINAL,
    tty: true,
    want: { ...WEAK, weakSignals: ["CURSOR_TRACE_ID", "TERM_PROGRAM=vscode"] },
  },
  {
    what: "human in Cursor's terminal, stdout piped: weak still never counts",
    env: CURSOR_HUMAN_TERMINAL,
    tty: false,
    want: WEAK,
  },
  {
    what: "Claude Code tool subprocess (self-declared AI_AGENT)",
    env: CLAUDE_CODE_TOOL,
    want: {
      ...declared("claude-code"),
      rawName: "claude-code_2-1-263_agent",
      version: "2.1.263",
      weakSignals: ["CLAUDE_CODE_ENTRYPOINT"],
    },
  },
  {
    what: "older Claude Code without AI_AGENT",
    env: { ...CLAUDE_CODE_TOOL, AI_AGENT: undefined, CLAUDE_CODE_VERSION: "1.0.80" },
    want: { ...envAgent("claude-code", "CLAUDECODE"), version: "1.0.80" },
  },
  {
    what: "Claude Code started by a human in Cursor's terminal",
    env: { ...CURSOR_HUMAN_TERMINAL, CLAUDECODE: "1", CLAUDE_CODE_ENTRYPOINT: "cli" },
    want: envAgent("claude-code", "CLAUDECODE"),
  },
  {
    what: "Codex with CODEX_SANDBOX=seatbelt (not 1)",
    env: CODEX_SEATBELT,
    want: { ...envAgent("codex", "CODEX_SANDBOX"), weakSignals: ["CODEX_MANAGED_BY_NPM"] },
  },
  {
    what: "Codex inside Cursor's agent shell (inherited CURSOR_AGENT)",
    env: { ...CURSOR_AGENT_SHELL, CODEX_THREAD_ID: "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", CODEX_CI: "1" },
    want: { ...envAgent("codex", "CODEX_THREAD_ID"), weakSignals: ["CURSOR_TRACE_ID", "TERM_PROGRAM=vscode"] },
  },
  { what: "Cursor's own agent shell", env: CURSOR_AGENT_SHELL, want: envAgent("cursor", "CURSOR_AGENT") },
  {
    what: "Cursor agent-exec extension host",
    env: { ...CURSOR_HUMAN_TERMINAL, CURSOR_EXTENSION_HOST_ROLE: "agent-exec" },
    want: envAgent("cursor", "CURSOR_EXTENSION_HOST_ROLE"),
  },
  {
    what: "Cursor extension host in another role",
    env: { ...CURSOR_HUMAN_TERMINAL, CURSOR_EXTENSION_HOST_ROLE: "extension-host" },
    want: WEAK,
  },
  { what: "Gemini CLI running commands in a PTY", env: GEMINI_PTY, tty: true, want: envAgent("gemini-cli", "GEMINI_CLI") },
  {
    what: "Copilot VS Code agent terminal (self-declared)",
    env: COPILOT_VSCODE_AGENT,
    want: { ...declared("github-copilot"), surface: "vscode", weakSignals: ["TERM_PROGRAM=vscode"] },
  },
  {
    what: "Copilot VS Code agent terminal without AI_AGENT",
    env: { ...COPILOT_VSCODE_AGENT, AI_AGENT: undefined },
    want: envAgent("github-copilot", "COPILOT_AGENT"),
  },
  { what: "human who exported Copilot/Goose/Aider/OpenCode configuration", env: HUMAN_WITH_AGENT_CONFIG, want: HUMAN },
  { what: "human in a Replit shell", env: REPLIT_SHELL, want: { ...WEAK, weakSignals: ["REPL_ID"] } },
  {
    what: "Replit assistant",
    env: { ...REPLIT_SHELL, REPLIT_MODE: "assistant" },
    want: { ...envAgent("replit", "REPLIT_MODE"), weakSignals: ["REPL_ID"] },
  },
  { what: "REPLIT_MODE=assistant outside a Repl", env: { ...LINUX_BASE, REPLIT_MODE: "assistant" }, want: HUMAN },
  { what: "Amp (sets CLAUDECODE=1 and AGENT=amp)", env: AMP, want: { isAgent: true, name: "amp", source: "agent_var", confidence: "strong", marker: "AGENT", rawName: "amp" } },
  {
    what: "Amp without AGENT (thread id only, plus CLAUDECODE)",
    env: { ...AMP, AGENT: undefined },
    want: envAgent("amp", "AMP_CURRENT_THREAD_ID"),
  },
  { what: "Claude Cowork (also sets CLAUDECODE)", env: COWORK, want: envAgent("cowork", "CLAUDE_CODE_IS_COWORK") },
  { what: "OpenCode (sets AGENT=1 too)", env: OPENCODE, want: envAgent("opencode", "OPENCODE") },
  {
    what: "AGENT=1 with no other marker",
    env: { ...LINUX_BASE, AGENT: "1" },
    want: { isAgent: true, name: "agent", source: "agent_var", confidence: "strong", marker: "AGENT" },
  },
  {
    what: "AGENT=goose",
    env: { ...LINUX_BASE, AGENT: "goose", GOOSE_TERMINAL: "1", GOOSE_PROVIDER: "openai" },
    want: { isAgent: true, name: "goose", source: "agent_var", confidence: "strong", marker: "AGENT" },
  },
  {
    what: "Kilo Code CLI",
    env: { ...LINUX_BASE, KILO: "1", KILOCODE_FEATURE: "cli", KILO_PID: "4242" },
    want: envAgent("kilo-code", "KILOCODE_FEATURE"),
  },
  {
    what: "KILOCODE_FEATURE as an OpenClaw header setting",
    env: { ...MAC_HUMAN, KILOCODE_FEATURE: "openclaw" },
    want: HUMAN,
  },
  { what: "AGENT used as configuration (agent-detective)", env: { ...MAC_HUMAN, AGENT: "cursor" }, want: HUMAN },
  { what: "AGENT=0", env: { ...MAC_HUMAN, AGENT: "0" }, want: HUMAN },
  {
    what: "human in the Kiro IDE, stdout piped",
    env: KIRO_IDE_HUMAN,
    tty: false,
    want: { ...WEAK, weakSignals: ["TERM_PROGRAM=kiro"] },
  },
  {
    what: "Kiro CLI inside the Kiro IDE",
    env: { ...KIRO_IDE_HUMAN, KIRO_SESSION_ID: "a1b2c3" },
    want: envAgent("kiro", "KIRO_SESSION_ID"),
  },
  { what: "Zed agent terminal", env: { ...MAC_HUMAN, TERM_PROGRAM: "zed", PAGER: "cat" }, want: envAgent("zed", "TERM_PROGRAM") },
  {
    what: "human in a Zed terminal",
    env: { ...MAC_HUMAN, TERM_PROGRAM: "zed" },
    want: { ...WEAK, weakSignals: ["TERM_PROGRAM=zed"] },
  },
  {
    what: "human in a Warp window",
    env: { ...MAC_HUMAN, TERM_PROGRAM: "WarpTerminal" },
    want: { ...WEAK, weakSignals: ["TERM_PROGRAM=warpterminal"] },
  },
  {
    what: "Windsurf Cascade terminal",
    env: { ...VSCODE_BASE, CODEIUM_EDITOR_APP_ROOT: "/Applications/Windsurf.app", WINDSURF_CASCADE_TERMINAL: "1" },
    want: envAgent("windsurf", "WINDSURF_CASCADE_TERMINAL"),
  },
  {
    what: "human in Windsurf",
    env: { ...VSCODE_BASE, CODEIUM_EDITOR_APP_ROOT: "/Applications/Windsurf.app" },
    want: { ...WEAK, weakSignals: ["TERM_PROGRAM=vscode", "CODEIUM_EDITOR_APP_ROOT"] },
  },
  {
    what: "PULUMI_AGENT_DISABLE=1 beats CLAUDECODE",
    env: { ...CLAUDE_CODE_TOOL, PULUMI_AGENT_DISABLE: "1" },
    want: { isAgent: false, name: undefined, source: "disabled", confidence: "none", marker: "PULUMI_AGENT_DISABLE" },
  },
  {
    what: "PULUMI_AGENT_DISABLE=yes beats an explicit AI_AGENT",
    env: { ...LINUX_BASE, AI_AGENT: "codex", PULUMI_AGENT_DISABLE: "yes" },
    want: { isAgent: false, source: "disabled", confidence: "none" },
  },
  ...["0", "false", "No", " off ", ""].map(
    (v): Row => ({
      what: `PULUMI_AGENT_DISABLE=${JSON.stringify(v)} does not disable`,
      env: { ...LINUX_BASE, CLAUDECODE: "1", PULUMI_AGENT_DISABLE: v },
      want: envAgent("claude-code", "CLAUDECODE"),
    }),
  ),
  ...["none", "0", "false", "NO", "off"].map(
    (v): Row => ({
      what: `AI_AGENT=${v} opts out despite CLAUDECODE`,
      env: { ...CLAUDE_CODE_TOOL, AI_AGENT: v },
      want: { isAgent: false, name: undefined, source: "ai_agent", confidence: "none", marker: "AI_AGENT" },
    }),
  ),
  { what: "CLAUDECODE=0 still counts", env: { ...LINUX_BASE, CLAUDECODE: "0" }, want: envAgent("claude-code", "CLAUDECODE") },
  {
    what: "whitespace AI_AGENT is unset",
    env: { ...LINUX_BASE, AI_AGENT: "  \t ", CLAUDECODE: "1" },
    want: envAgent("claude-code", "CLAUDECODE"),
  },
  { what: "whitespace AI_AGENT alone", env: { ...LINUX_BASE, AI_AGENT: "   " }, want: HUMAN },
  { what: "empty marker is unset", env: { ...LINUX_BASE, GEMINI_CLI: "", CLAUDECODE: "" }, want: HUMAN },
  {
    what: "AI_AGENT with junk characters",
    env: { ...LINUX_BASE, AI_AGENT: "My Agent!! v2" },
    want: { ...declared("my-agent-v2"), rawName: "My Agent!! v2" },
  },
  { what: "AI_AGENT in Cyrillic", env: { ...LINUX_BASE, AI_AGENT: "агент" }, want: { ...declared("unknown"), rawName: "агент" } },
  {
    what: "AI_AGENT with terminal escapes",
    env: { ...LINUX_BASE, AI_AGENT: "\u001b]0;pwned\u0007evil\u202e" },
    want: { ...declared("0-pwned-evil"), rawName: "?]0;pwned?evil?" },
  },
  {
    what: "over-long AI_AGENT",
    env: { ...LINUX_BASE, AI_AGENT: "x".repeat(300) },
    want: { ...declared("x".repeat(64)), rawName: "x".repeat(128) },
  },
  {
    what: "AI_AGENT=devin@1",
    env: { ...LINUX_BASE, AI_AGENT: "devin@1" },
    want: { ...declared("devin"), version: "1", rawName: "devin@1" },
  },
  { what: "AI_AGENT=1 alone", env: { ...LINUX_BASE, AI_AGENT: "1" }, want: { ...declared("agent"), rawName: "1" } },
  {
    what: "AI_AGENT=true with CLAUDECODE: the marker names the agent",
    env: { ...LINUX_BASE, AI_AGENT: "true", CLAUDECODE: "1" },
    want: envAgent("claude-code", "CLAUDECODE"),
  },
  ...["constructor", "__proto__", "toString", "hasOwnProperty"].map(
    (v): Row => ({
      what: `AI_AGENT=${v} is a plain name, not an Object.prototype lookup`,
      env: { ...LINUX_BASE, AI_AGENT: v },
      want: declared(v.toLowerCase().replace(/_/g, "-").replace(/^-+|-+$/g, "")),
    }),
  ),
  { what: "AGENT=constructor is not on the allowlist", env: { ...LINUX_BASE, AGENT: "constructor" }, want: HUMAN },
];

describe("detectAgent on realistic environments", () => {
  it.each(ROWS)("$what", ({ env, tty, want }) => {
    const got = detectAgent(env, tty === undefined ? {} : { stdoutIsTTY: tty });
    // toMatchObject treats `key: undefined` as "present"; absent is what the contract means.
    const present = Object.fromEntries(Object.entries(want).filter(([, v]) => v !== undefined));
    expect(got).toMatchObject(present);
    for (const [k, v] of Object.entries(want)) if (v === undefined) expect(got[k as keyof AgentDetection], k).toBeUndefined();
    // Properties the contract promises for every result.
    expect(got.reason).toMatch(/^\S.*\S$/);
    expect(got.reason).not.toMatch(/[\p{Cc}]/u);
    if (got.isAgent) expect(got.name).toMatch(/^[a-z0-9][a-z0-9._-]{0,63}$/);
    else expect(got.name).toBeUndefined();
    if (got.version !== undefined) expect(got.version).toMatch(/^[0-9a-z][0-9a-z.+_-]{0,63}$/);
  });

  it("gives reasons that name the deciding marker and why", () => {
    expect(detectAgent({ CLAUDECODE: "1" }).reason).toBe(
      "CLAUDECODE is set (Claude Code sets it in tool subprocesses)",
    );
    expect(detectAgent({ CURSOR_TRACE_ID: "abc" }, { stdoutIsTTY: false }).reason).toContain(
      "CURSOR_TRACE_ID (every Cursor integrated terminal has it, a human's too)",
    );
    expect(detectAgent(CLAUDE_CODE_TOOL).reason).toContain("claude-code (version 2.1.263)");
  });
});

describe("AI_AGENT normalization", () => {
  it.each([
    ["claude", { name: "claude-code" }],
    ["claude-code", { name: "claude-code" }],
    ["claude-code_2-1-263_agent", { name: "claude-code", version: "2.1.263" }],
    ["claude-code_2-1-0-beta-1_agent", { name: "claude-code", version: "2.1.0-beta-1" }],
    ["claude-code@2.1.4", { name: "claude-code", version: "2.1.4" }],
    ["github_copilot_vscode_agent", { name: "github-copilot", surface: "vscode" }],
    ["github_copilot_cloud_agent", { name: "github-copilot", surface: "cloud" }],
    ["github-copilot-cli", { name: "github-copilot" }],
    ["copilot", { name: "github-copilot" }],
    ["cursor", { name: "cursor" }],
    ["cursor-agent", { name: "cursor-cli" }],
    ["cursor_cli", { name: "cursor-cli" }],
    ["auggie", { name: "augment-cli" }],
    ["augment", { name: "augment-cli" }],
    ["gemini", { name: "gemini-cli" }],
    ["custom-agent@2.0", { name: "custom-agent", version: "2.0" }],
    ["v0", { name: "v0" }],
    ["open_hands", { name: "open-hands" }],
    ["crush@", { name: "crush" }],
    ["devin@not a version!", { name: "devin" }],
    ["@1", { name: "unknown", version: "1" }],
    ["../../etc/passwd", { name: "etc-passwd" }],
    ["-.-", { name: "unknown" }],
  ])("%s", (input, want) => {
    const got = normalizeAgentName(input.toLowerCase());
    expect(got).toEqual(want);
    expect(got.name).toMatch(/^[a-z0-9][a-z0-9._-]{0,63}$/);
  });

  it("stays bounded on a megabyte-long value", () => {
    const got = detectAgent({ AI_AGENT: `  ${"A".repeat(1_000_000)}!` });
    expect(got).toMatchObject({ isAgent: true, name: "a".repeat(64), rawName: "A".repeat(128) });
    expect(got.reason.length).toBeLessThan(300);
  });

  it("lower-cases and trims before parsing", () => {
    expect(detectAgent({ AI_AGENT: "  Claude-Code_2-1-263_Agent \n" })).toMatchObject({
      name: "claude-code",
      version: "2.1.263",
      rawName: "Claude-Code_2-1-263_Agent",
    });
  });
});

describe("the rule table", () => {
  const tableVars = new Set<string>(["PULUMI_AGENT_DISABLE", "AI_AGENT", "AGENT"]);
  for (const rule of AGENT_RULES) {
    for (const v of rule.vars) tableVars.add(v);
    if (rule.also) tableVars.add(rule.also.var);
    if (rule.versionVar) tableVars.add(rule.versionVar);
  }

  it("every variable it references is in DETECTION_ENV_VARS (tests scrub that list)", () => {
    const missing = [...tableVars].filter((v) => !DETECTION_ENV_VARS.includes(v));
    expect(missing).toEqual([]);
  });

  it("every variable detectModel reads (home aside) is in DETECTION_ENV_VARS", () => {
    expect(MODEL_ENV_VARS.filter((v) => !DETECTION_ENV_VARS.includes(v))).toEqual([]);
  });

  it("detectAgent reads only listed variables and never enumerates the env", () => {
    const read = new Set<string>();
    const fixtures = [...ROWS.map((r) => r.env), {}];
    for (const env of fixtures) {
      const spy = new Proxy(env, {
        get(target, key) {
          if (typeof key === "string") read.add(key);
          return Reflect.get(target, key);
        },
        has(target, key) {
          if (typeof key === "string") read.add(key);
          return Reflect.has(target, key);
        },
        ownKeys() {
          throw new Error("detectAgent must not enumerate the environment");
        },
      });
      detectAgent(spy);
    }
    expect([...read].filter((v) => !DETECTION_ENV_VARS.includes(v))).toEqual([]);
    expect(read.size).toBeGreaterThan(40);
  });

  it("configuration variables are never markers", () => {
    const config = ["COPILOT_MODEL", "COPILOT_ALLOW_ALL", "COPILOT_GITHUB_TOKEN", "GOOSE_PROVIDER", "AIDER_API_KEY", "OPENCODE_BIN_PATH", "OPENCODE_CLIENT"];
    for (const v of config) {
      expect(tableVars.has(v), v).toBe(false);
      expect(detectAgent({ [v]: "1" })).toMatchObject({ isAgent: false, source: "none" });
    }
  });

  it("each strong and ide-agent rule alone detects its agent, any non-empty value", () => {
    for (const rule of AGENT_RULES.filter((r) => r.tier !== "weak")) {
      for (const v of rule.vars) {
        const env: Env = { [v]: rule.values?.[0] ?? "some-value" };
        if (rule.also) env[rule.also.var] = rule.also.values?.[0] ?? "x";
        expect(detectAgent(env), `${rule.name} via ${v}`).toMatchObject({
          isAgent: true,
          name: rule.name,
          source: "env",
          confidence: "strong",
          marker: v,
        });
        if (rule.also) expect(detectAgent({ [v]: env[v] }).isAgent, `${v} without ${rule.also.var}`).toBe(false);
      }
    }
  });

  it("each weak rule alone is reported but is not an agent, TTY or not", () => {
    for (const rule of AGENT_RULES.filter((r) => r.tier === "weak")) {
      for (const v of rule.vars) {
        for (const tty of [true, false]) {
          const got = detectAgent({ [v]: rule.values?.[0] ?? "some-value" }, { stdoutIsTTY: tty });
          expect(got, `${rule.name} via ${v}`).toMatchObject({ isAgent: false, source: "weak", confidence: "weak" });
          expect(got.weakSignals).toHaveLength(1);
          expect(got.weakSignals[0]).toContain(v);
        }
      }
    }
  });

  it("harnesses precede IDE agent markers, which precede weak ones", () => {
    const rank = { strong: 0, "ide-agent": 1, weak: 2 } as const;
    const ranks = AGENT_RULES.map((r) => rank[r.tier]);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    const names = AGENT_RULES.map((r) => r.name);
    expect(names.indexOf("amp")).toBeLessThan(names.indexOf("claude-code"));
    expect(names.indexOf("cowork")).toBeLessThan(names.indexOf("claude-code"));
  });

  it("has no filesystem or process access: the module imports nothing and touches no globals", () => {
    // Not timed: detection must be a pure function of the env object it is given.
    const src = readFileSync(path.join(REPO_ROOT, "src", "detect", "agents.ts"), "utf8");
    expect(src).not.toMatch(/^\s*import\s/m);
    expect(src).not.toMatch(/\brequire\(|\bimport\(|\bprocess\.|\bglobalThis\b/);
    const frozen = Object.freeze({ ...CLAUDE_CODE_TOOL });
    expect(detectAgent(frozen)).toMatchObject({ isAgent: true, name: "claude-code" });
  });
});
