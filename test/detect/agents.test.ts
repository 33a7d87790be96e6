import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  AGENT_RULES,
  CONTROL_VARS,
  NOT_MARKERS,
  agentLabel,
  detectAgent,
  normalizeAgentName,
  type AgentDetection,
} from "../../src/detect/agents.js";
import { REPO_ROOT } from "../support/sandbox.js";
import { CASES, ENVIRONMENTS, type Env } from "./cases.js";

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const WIRE_NAME = /^[a-z0-9._@+-]{1,64}$/;

/** Properties the contract promises for every result. */
function expectWellFormed(got: AgentDetection): void {
  expect(got.reason).toMatch(/^\S.*\S$/);
  expect(got.reason).not.toMatch(/[\p{Cc}]/u);
  if (got.isAgent) {
    expect(got.name).toMatch(NAME);
    expect(got.wireName).toMatch(WIRE_NAME);
  } else {
    expect(got.name).toBeUndefined();
    expect(got.wireName).toBeUndefined();
  }
  if (got.version !== undefined) expect(got.version).toMatch(/^[0-9a-z][0-9a-z.+_-]{0,63}$/);
}

describe("detectAgent on the cases of cases.json", () => {
  it.each(CASES)("$name", ({ env, tty, expect: want }) => {
    const got = detectAgent(env, tty === undefined ? {} : { stdoutIsTTY: tty });
    // null in the data means "absent" (toMatchObject would treat an undefined key as present).
    const present = Object.fromEntries(Object.entries(want).filter(([, v]) => v !== null));
    expect(got).toMatchObject(present);
    for (const [k, v] of Object.entries(want)) if (v === null) expect(got[k as keyof AgentDetection], k).toBeUndefined();
    expectWellFormed(got);
  });

  it("every agent case says what goes on the wire, and every agent of the table has a case", () => {
    for (const c of CASES) if (c.expect.isAgent === true) expect(c.expect, c.name).toHaveProperty("wireName");
    const covered = new Set(CASES.filter((c) => c.expect.isAgent === true).map((c) => c.expect.name));
    const missing = [...new Set(AGENT_RULES.filter((r) => r.tier !== "weak").map((r) => r.name))].filter((n) => !covered.has(n));
    expect(missing).toEqual([]);
  });

  it("gives reasons that name the deciding marker and why", () => {
    expect(detectAgent({ CLAUDECODE: "1" }).reason).toBe("CLAUDECODE is set (Claude Code sets it in tool subprocesses)");
    expect(detectAgent({ CURSOR_TRACE_ID: "abc" }, { stdoutIsTTY: false }).reason).toContain(
      "CURSOR_TRACE_ID (every Cursor integrated terminal has it, a human's too)",
    );
    expect(detectAgent(ENVIRONMENTS["claude-code-tool"] as Env).reason).toContain("claude-code (version 2.1.263)");
    expect(detectAgent(ENVIRONMENTS["jules-vm"] as Env).reason).toBe(
      "HOME=/home/jules and USER=swebot are set (Google Jules runs its tasks as the user swebot in /home/jules)",
    );
    expect(detectAgent({ CURSOR_TRACE_ID: "abc", PAGER: "head -n 10000 | cat" }).reason).toBe(
      "CURSOR_TRACE_ID and PAGER=head -n 10000 | cat are set (Cursor's agent shell forces this pager)",
    );
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
    expect(got.name).toMatch(NAME);
  });

  it("bounds an over-long AI_AGENT", () => {
    const got = detectAgent({ AI_AGENT: "x".repeat(300) });
    expect(got).toMatchObject({ isAgent: true, name: "x".repeat(64), wireName: "x".repeat(64), rawName: "x".repeat(128) });
    expectWellFormed(got);
  });

  it("stays bounded on a megabyte-long value", () => {
    const got = detectAgent({ AI_AGENT: `  ${"A".repeat(1_000_000)}!` });
    expect(got).toMatchObject({ isAgent: true, name: "a".repeat(64), wireName: "a".repeat(64), rawName: "A".repeat(128) });
    expect(got.reason.length).toBeLessThan(300);
  });

  it("lower-cases and trims before parsing", () => {
    expect(detectAgent({ AI_AGENT: "  Claude-Code_2-1-263_Agent \n" })).toMatchObject({
      name: "claude-code",
      wireName: "claude-code_2-1-263_agent",
      version: "2.1.263",
      rawName: "Claude-Code_2-1-263_Agent",
    });
  });
});

// The Go CLI's detection table (pulumi/pulumi sdk/go/common/util/agentdetect/agentdetect.go), restated
// here as test data so that the wire names are checked against it, not against themselves.
const GO_TABLE: readonly (readonly [goName: string, vars: readonly string[]])[] = [
  ["cursor", ["CURSOR_TRACE_ID"]],
  ["cursor-cli", ["CURSOR_AGENT"]],
  ["gemini", ["GEMINI_CLI"]],
  ["codex", ["CODEX_SANDBOX", "CODEX_CI", "CODEX_THREAD_ID"]],
  ["antigravity", ["ANTIGRAVITY_AGENT"]],
  ["augment-cli", ["AUGMENT_AGENT"]],
  ["opencode", ["OPENCODE", "OPENCODE_CALLER", "OPENCODE_CLIENT"]],
  ["cowork", ["CLAUDE_CODE_IS_COWORK"]],
  ["claude", ["CLAUDECODE", "CLAUDE_CODE"]],
  ["replit", ["REPL_ID"]],
  ["github-copilot", ["COPILOT_MODEL", "COPILOT_ALLOW_ALL", "COPILOT_GITHUB_TOKEN"]],
  ["goose", ["GOOSE_PROVIDER"]],
];
/** Which of our agents each Go name is. */
const GO_TO_OURS: Readonly<Record<string, string>> = {
  cursor: "cursor",
  "cursor-cli": "cursor",
  gemini: "gemini-cli",
  codex: "codex",
  antigravity: "antigravity",
  "augment-cli": "augment-cli",
  opencode: "opencode",
  cowork: "cowork",
  claude: "claude-code",
  replit: "replit",
  "github-copilot": "github-copilot",
  goose: "goose",
};

/** agentdetect.Detect: AI_AGENT (trimmed, lower-cased, one alias), else the first table entry set. */
function goDetect(env: Env): string {
  const ai = (env.AI_AGENT ?? "").trim().toLowerCase();
  if (ai !== "") return ai === "github-copilot-cli" ? "github-copilot" : ai;
  for (const [name, vars] of GO_TABLE) if (vars.some((v) => (env[v] ?? "") !== "")) return name;
  return "";
}

describe("names on the wire", () => {
  it.each([
    // [Go CLI's name, env, our name, whether the Go CLI itself detects it there]
    ["claude", { CLAUDECODE: "1" }, "claude-code", true],
    ["claude", { CLAUDE_CODE: "1" }, "claude-code", true],
    ["cowork", { CLAUDECODE: "1", CLAUDE_CODE_IS_COWORK: "1" }, "cowork", true],
    ["gemini", { GEMINI_CLI: "1" }, "gemini-cli", true],
    ["codex", { CODEX_SANDBOX: "seatbelt" }, "codex", true],
    ["codex", { CODEX_CI: "1" }, "codex", true],
    ["codex", { CODEX_THREAD_ID: "t-1" }, "codex", true],
    ["codex", { CODEX_SANDBOX_NETWORK_DISABLED: "1" }, "codex", false],
    ["cursor", { CURSOR_TRACE_ID: "abc", CURSOR_AGENT: "1" }, "cursor", true],
    ["cursor", { CURSOR_TRACE_ID: "abc", PAGER: "head -n 10000 | cat" }, "cursor", true],
    ["cursor", { CURSOR_TRACE_ID: "abc", CURSOR_EXTENSION_HOST_ROLE: "agent-exec" }, "cursor", true],
    ["cursor-cli", { CURSOR_AGENT: "1" }, "cursor", true],
    ["antigravity", { ANTIGRAVITY_AGENT: "1" }, "antigravity", true],
    ["augment-cli", { AUGMENT_AGENT: "1" }, "augment-cli", true],
    ["opencode", { OPENCODE: "1" }, "opencode", true],
    ["opencode", { AGENT: "opencode" }, "opencode", false],
    ["replit", { REPL_ID: "r-1", REPLIT_MODE: "assistant" }, "replit", true],
    ["github-copilot", { COPILOT_CLI: "1" }, "github-copilot", false],
    ["github-copilot", { COPILOT_AGENT: "1", COPILOT_MODEL: "gpt-5" }, "github-copilot", true],
    ["goose", { GOOSE_TERMINAL: "1", GOOSE_PROVIDER: "openai" }, "goose", true],
    ["goose", { AGENT: "goose" }, "goose", false],
  ] as const)("the Go CLI's %s for %j (our %s)", (goName, env, ours, goSees) => {
    expect(detectAgent(env)).toMatchObject({ isAgent: true, name: ours, wireName: goName });
    expect(goDetect(env)).toBe(goSees ? goName : "");
  });

  it.each([
    // [AI_AGENT, our name, wire name]: the Go CLI sends the value trimmed and lower-cased.
    ["claude", "claude-code", "claude"],
    [" Claude-Code ", "claude-code", "claude-code"],
    ["claude-code_2-1-263_agent", "claude-code", "claude-code_2-1-263_agent"],
    ["github-copilot-cli", "github-copilot", "github-copilot"],
    ["GitHub-Copilot-CLI", "github-copilot", "github-copilot"],
    ["github_copilot_vscode_agent", "github-copilot", "github_copilot_vscode_agent"],
    ["cursor-agent", "cursor-cli", "cursor-agent"],
    ["gemini", "gemini-cli", "gemini"],
    ["devin@1", "devin", "devin@1"],
    ["my-custom-agent@v1.0", "my-custom-agent", "my-custom-agent@v1.0"],
    ["v0", "v0", "v0"],
    // Made safe where the Go CLI would send the raw value.
    ["My Agent!! v2", "my-agent-v2", "my-agent-v2"],
    ['a"b\\c;(d)', "a-b-c-d", "a-b-c-d"],
    ["агент", "unknown", "unknown"],
    ["claude-code@", "claude-code", "claude-code@"],
    ["__proto__", "proto", "__proto__"],
  ])("AI_AGENT=%j: name %s, sent as %s", (value, name, wireName) => {
    const got = detectAgent({ AI_AGENT: value, CLAUDECODE: "1" });
    expect(got).toMatchObject({ isAgent: true, source: "ai_agent", name, wireName });
    if (WIRE_NAME.test(goDetect({ AI_AGENT: value }))) expect(got.wireName).toBe(goDetect({ AI_AGENT: value }));
  });

  it("an unnamed declaration sends the marker's name, or agent (never the Go CLI's literal 1)", () => {
    expect(detectAgent({ AI_AGENT: "1", CLAUDECODE: "1" })).toMatchObject({ name: "claude-code", wireName: "claude" });
    expect(detectAgent({ AI_AGENT: "true" })).toMatchObject({ name: "agent", wireName: "agent" });
    expect(detectAgent({ AGENT: "1" })).toMatchObject({ name: "agent", wireName: "agent" });
    for (const optOut of ["0", "none", "off"]) expect(detectAgent({ AI_AGENT: optOut, CLAUDECODE: "1" }).wireName).toBeUndefined();
  });

  it("where the Go CLI names the same agent in the same environment, we send its name; else our own", () => {
    const envs: Env[] = [...CASES.map((c) => c.env), ...AGENT_RULES.flatMap((r) => r.vars.map((v) => soleMatchEnv(r, v)))];
    let same = 0;
    for (const env of envs) {
      const got = detectAgent(env);
      if (!got.isAgent || got.source === "ai_agent") continue;
      const go = goDetect(env);
      if (go !== "" && GO_TO_OURS[go] === got.name) {
        expect(got.wireName, JSON.stringify(env)).toBe(go);
        same++;
      }
      if (!Object.values(GO_TO_OURS).includes(got.name as string)) expect(got.wireName).toBe(got.name);
    }
    expect(same).toBeGreaterThan(15);
  });

  it("only agents the Go CLI knows have a wire name of their own, and it is one of the Go CLI's", () => {
    for (const rule of AGENT_RULES) {
      if (rule.wireName === undefined) {
        expect(Object.values(GO_TO_OURS), rule.name).not.toContain(rule.tier === "weak" ? "" : rule.name);
        continue;
      }
      expect(rule.tier, rule.name).not.toBe("weak");
      expect(GO_TO_OURS[rule.wireName], `${rule.name} → ${rule.wireName}`).toBe(rule.name);
    }
  });

  it("a wire name survives a JSON body and the Go CLI's User-Agent cleaning unchanged", () => {
    const uaClean = (s: string) => s.trim().replace(/[ \t]/g, "-").replace(/[();]/g, "");
    for (const { env } of CASES) {
      const w = detectAgent(env).wireName;
      if (w === undefined) continue;
      expect(JSON.parse(JSON.stringify({ agentName: w }))).toEqual({ agentName: w });
      expect(JSON.stringify(w)).toBe(`"${w}"`);
      expect(uaClean(w)).toBe(w);
    }
  });

  it("doctor's label says both names where they differ", () => {
    expect(agentLabel(detectAgent({ CLAUDECODE: "1" }))).toBe("claude-code (sent to Pulumi Cloud as claude)");
    expect(agentLabel(detectAgent({ CLAUDE_CODE_IS_COWORK: "1" }))).toBe("cowork");
    expect(agentLabel(detectAgent({ KIMI_PLUGIN_ROOT: "/p" }))).toBe("kimi");
    expect(agentLabel(detectAgent({ CURSOR_TRACE_ID: "abc" }))).toBeUndefined();
  });
});

/** An env in which `rule` matches through `v` (and its `also` condition holds). */
function soleMatchEnv(rule: (typeof AGENT_RULES)[number], v: string): Env {
  const env: Env = { [v]: rule.values?.[0] ?? "some-value" };
  if (rule.also) env[rule.also.var] = rule.also.values?.[0] ?? "x";
  return env;
}

describe("the rule table", () => {
  it("configuration variables are never markers", () => {
    const ruleVars = new Set<string>(AGENT_RULES.flatMap((r) => [...r.vars, ...(r.also ? [r.also.var] : [])]));
    expect(NOT_MARKERS.map((n) => n.var)).toEqual(
      expect.arrayContaining(["COPILOT_MODEL", "COPILOT_ALLOW_ALL", "COPILOT_GITHUB_TOKEN", "GOOSE_PROVIDER", "AIDER_API_KEY", "OPENCODE_BIN_PATH", "OPENCODE_CLIENT"]),
    );
    for (const { var: v } of NOT_MARKERS) {
      expect(ruleVars.has(v), v).toBe(false);
      expect(Object.values(CONTROL_VARS)).not.toContain(v);
      expect(detectAgent({ [v]: "1" })).toMatchObject({ isAgent: false, source: "none" });
    }
  });

  it("each strong and ide-agent rule alone detects its agent, any non-empty value", () => {
    for (const rule of AGENT_RULES.filter((r) => r.tier !== "weak")) {
      for (const v of rule.vars) {
        const env = soleMatchEnv(rule, v);
        expect(detectAgent(env), `${rule.name} via ${v}`).toMatchObject({
          isAgent: true,
          name: rule.name,
          wireName: rule.wireName ?? rule.name,
          source: "env",
          confidence: "strong",
          marker: v,
          reason: expect.stringContaining(rule.why),
        });
        if (rule.also) {
          // Without its second condition, or with a wrong value there, this rule never decides.
          const alone = detectAgent({ [v]: env[v] });
          expect(alone.reason, `${v} without ${rule.also.var}`).not.toContain(rule.why);
          if (rule.also.values) {
            const wrong = detectAgent({ ...env, [rule.also.var]: "not-the-value" });
            expect(wrong.reason, `${v} with a wrong ${rule.also.var}`).not.toContain(rule.why);
          }
        }
        if (rule.values) {
          expect(detectAgent({ ...env, [v]: ` ${rule.values[0]?.toUpperCase()} ` }).reason, `${v} case and spaces`).toContain(rule.why);
          expect(detectAgent({ ...env, [v]: "not-the-value" }).reason, `${v} with a wrong value`).not.toContain(rule.why);
        }
      }
    }
  });

  it("each rule's reason is its own, so a reason tells which rule decided", () => {
    const whys = AGENT_RULES.map((r) => r.why);
    expect(whys.filter((w, i) => whys.some((o, j) => j !== i && (o.includes(w) || w.includes(o))))).toEqual([]);
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
    for (const inside of ["amp", "cowork", "grok"]) expect(names.indexOf(inside), inside).toBeLessThan(names.indexOf("claude-code"));
    // The IDE's agent shell (CURSOR_TRACE_ID beside CURSOR_AGENT) before the standalone CLI.
    const cursorAgent = AGENT_RULES.filter((r) => r.vars.includes("CURSOR_AGENT"));
    expect(cursorAgent.map((r) => r.wireName)).toEqual(["cursor", "cursor-cli"]);
  });

  it("has no filesystem or process access: the module imports nothing and touches no globals", () => {
    // Not timed: detection must be a pure function of the env object it is given.
    const src = readFileSync(path.join(REPO_ROOT, "src", "detect", "agents.ts"), "utf8");
    expect(src).not.toMatch(/^\s*import\s/m);
    expect(src).not.toMatch(/\brequire\(|\bimport\(|\bprocess\.|\bglobalThis\b/);
    const frozen = Object.freeze({ ...(ENVIRONMENTS["claude-code-tool"] as Env) });
    expect(detectAgent(frozen)).toMatchObject({ isAgent: true, name: "claude-code" });
  });
});
