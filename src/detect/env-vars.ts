// Every environment variable that can influence agent detection or credential resolution.
// Tests scrub all of them from the environments they give child processes (a test run inside an
// agent must not see that agent), so any variable the detector reads MUST be listed here.
// (The detection table itself lives in ./agents.ts and is checked against this list by a test.)
export const DETECTION_ENV_VARS: readonly string[] = [
  // overrides
  "AI_AGENT",
  "AGENT",
  "PULUMI_AGENT_DISABLE",
  // model hints
  "PULUMI_AGENT_MODEL",
  "AI_AGENT_MODEL",
  "ANTHROPIC_MODEL",
  "CLAUDE_CONFIG_DIR",
  "CODEX_HOME",
  // strong markers and IDE agent markers
  "CLAUDECODE",
  "CLAUDE_CODE",
  "CLAUDE_CODE_IS_COWORK",
  "CLAUDE_CODE_ENTRYPOINT",
  "CLAUDE_CODE_SESSION_ID",
  "CLAUDE_CODE_CHILD_SESSION",
  "CLAUDE_CODE_VERSION",
  "AMP_CURRENT_THREAD_ID",
  "CODEX_SANDBOX",
  "CODEX_CI",
  "CODEX_THREAD_ID",
  "CODEX_SANDBOX_NETWORK_DISABLED",
  "CODEX_MANAGED_BY_NPM",
  "GEMINI_CLI",
  "QWEN_CODE",
  "COPILOT_CLI",
  "COPILOT_AGENT",
  "COPILOT_AGENT_SESSION_ID",
  "OPENCODE",
  "OPENCODE_CALLER",
  "OPENCODE_CLIENT",
  "OPENCODE_PID",
  "AUGMENT_AGENT",
  "ANTIGRAVITY_AGENT",
  "CRUSH",
  "PI_CODING_AGENT",
  "JUNIE_DATA",
  "JUNIE_SHIM_PATH",
  "KIRO_SESSION_ID",
  "GOOSE_TERMINAL",
  "OZ_RUN_ID",
  "CLINE_ACTIVE",
  "ROO_ACTIVE",
  "ROO_CLI_RUNTIME",
  "KILOCODE_FEATURE",
  "TRAE_AI_SHELL_ID",
  "TABNINE_CLI",
  "IFLOW_CLI",
  "WINDSURF_CASCADE_TERMINAL",
  "CURSOR_AGENT",
  "CURSOR_EXTENSION_HOST_ROLE",
  // weak / ambient signals (reported, never enough alone)
  "CURSOR_TRACE_ID",
  "REPL_ID",
  "REPLIT_MODE",
  "TERM_PROGRAM",
  "PAGER",
  "CODEIUM_EDITOR_APP_ROOT",
  // configuration variables (deliberately NOT markers; scrubbed so tests can prove that)
  "COPILOT_MODEL",
  "COPILOT_ALLOW_ALL",
  "COPILOT_GITHUB_TOKEN",
  "GOOSE_PROVIDER",
  "AIDER_API_KEY",
  "OPENCODE_BIN_PATH",
];

/** An agent marker or any PULUMI_* variable: what a clean slate (tests, demo, bench) must not inherit. */
export function isAgentOrPulumiVar(key: string): boolean {
  return DETECTION_ENV_VARS.includes(key) || key.startsWith("PULUMI_");
}

/** A copy of `env` without agent markers or Pulumi variables. */
export function withoutAgentOrPulumiVars(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !isAgentOrPulumiVar(k)));
}
