import { describe, expect, it } from "vitest";
import { AGENT_RULES, CONTROL_VARS, NOT_MARKERS, detectAgent } from "../../src/detect/agents.js";
import {
  DETECTION_ENV_VALUES,
  DETECTION_ENV_VARS,
  isAgentOrPulumiVar,
  isDetectionVar,
  withoutAgentOrPulumiVars,
} from "../../src/detect/env-vars.js";
import { MODEL_ENV_VARS, MODEL_SOURCES, detectModel } from "../../src/detect/model.js";
import { scrubInPlace } from "../support/sandbox.js";
import { CASES, type Env } from "./cases.js";

const scrubbed = (v: string): boolean => DETECTION_ENV_VARS.includes(v) || DETECTION_ENV_VALUES.has(v);

/** A proxy over `env` that records every key read and refuses enumeration. */
function recording(env: Env, read: Set<string>): Env {
  return new Proxy(env, {
    get(target, key) {
      if (typeof key === "string") read.add(key);
      return Reflect.get(target, key);
    },
    has(target, key) {
      if (typeof key === "string") read.add(key);
      return Reflect.has(target, key);
    },
    ownKeys() {
      throw new Error("detection must not enumerate the environment");
    },
  });
}

describe("the scrub lists, derived from the detection tables", () => {
  it("hold every variable of every rule, the control variables, the model variables and the non-markers", () => {
    for (const rule of AGENT_RULES) {
      for (const v of rule.vars) {
        expect(scrubbed(v), `${rule.name}: ${v}`).toBe(true);
        for (const value of rule.values ?? []) expect(isDetectionVar(v, value), `${v}=${value}`).toBe(true);
      }
      if (rule.also) {
        expect(scrubbed(rule.also.var), `${rule.name}: ${rule.also.var}`).toBe(true);
        for (const value of rule.also.values ?? []) expect(isDetectionVar(rule.also.var, value)).toBe(true);
      }
      if (rule.versionVar) expect(DETECTION_ENV_VARS).toContain(rule.versionVar);
    }
    for (const v of [...Object.values(CONTROL_VARS), ...MODEL_ENV_VARS, ...NOT_MARKERS.map((n) => n.var)]) {
      expect(DETECTION_ENV_VARS, v).toContain(v);
    }
  });

  it("list each variable once, and by value only when no rule reads it with any value", () => {
    expect(new Set(DETECTION_ENV_VARS).size).toBe(DETECTION_ENV_VARS.length);
    for (const v of DETECTION_ENV_VALUES.keys()) expect(DETECTION_ENV_VARS, v).not.toContain(v);
    expect([...DETECTION_ENV_VALUES.keys()].sort()).toEqual(
      ["CURSOR_EXTENSION_HOST_ROLE", "HOME", "KILOCODE_FEATURE", "PAGER", "REPLIT_MODE", "TERM_PROGRAM", "USER"].sort(),
    );
    expect(DETECTION_ENV_VALUES.get("TERM_PROGRAM")).toEqual(expect.arrayContaining(["zed", "kiro", "vscode", "warpterminal"]));
    expect(DETECTION_ENV_VALUES.get("PAGER")).toEqual(expect.arrayContaining(["cat", "head -n 10000 | cat"]));
    // OPENCLAW_SHELL: the strong rule wants exec, but the weak rule takes any value.
    expect(DETECTION_ENV_VARS).toContain("OPENCLAW_SHELL");
  });

  it("every variable detectAgent reads is scrubbed, and it never enumerates the environment", () => {
    const read = new Set<string>();
    for (const env of [...CASES.map((c) => c.env), {}]) detectAgent(recording(env, read));
    expect([...read].filter((v) => !scrubbed(v))).toEqual([]);
    expect(read.size).toBeGreaterThan(50);
  });

  it("a value-scrubbed variable decides nothing with any other value", () => {
    // So scrubbing only the listed values is enough: any other value is as good as none.
    for (const { name, env } of CASES) {
      for (const v of DETECTION_ENV_VALUES.keys()) {
        const without = { ...env };
        delete without[v];
        expect(detectAgent({ ...env, [v]: "zz-not-a-marker" }), `${name}: ${v}`).toEqual(detectAgent(without));
      }
    }
  });

  it("every variable detectModel reads (HOME and USERPROFILE aside, which sandboxes set) is scrubbed", () => {
    const read = new Set<string>();
    const agents = [undefined, "some-agent", ...MODEL_SOURCES.flatMap((s) => s.agents)];
    for (const agent of agents) {
      for (const env of [{}, { HOME: "/h" }, Object.fromEntries(MODEL_ENV_VARS.map((v) => [v, ""]))]) {
        detectModel(agent, recording(env, read), () => undefined);
      }
    }
    expect([...read].filter((v) => !scrubbed(v) && v !== "HOME" && v !== "USERPROFILE")).toEqual([]);
    for (const v of MODEL_ENV_VARS) expect(read, v).toContain(v);
  });
});

describe("scrubbing an environment", () => {
  const dirty = {
    PATH: "/usr/bin",
    HOME: "/home/dev",
    USER: "dev",
    TERM_PROGRAM: "vscode",
    PAGER: "less",
    CLAUDECODE: "1",
    KIMI_PLUGIN_ROOT: "/p",
    GROK_PLUGIN_DATA: "/d",
    OPENCLAW_SHELL: "tui-local",
    AI_AGENT: "codex",
    ANTHROPIC_MODEL: "opus",
    COPILOT_MODEL: "gpt-5",
    PULUMI_ACCESS_TOKEN: "pul-x",
  };

  it("removes markers and Pulumi variables, keeps what a clean slate needs", () => {
    expect(withoutAgentOrPulumiVars(dirty)).toEqual({ PATH: "/usr/bin", HOME: "/home/dev", USER: "dev", PAGER: "less" });
  });

  it("removes HOME and USER only with Jules's values, and PAGER only with an agent's", () => {
    const jules = { HOME: "/home/jules", USER: "swebot", PAGER: "head -n 10000 | cat", SHELL: "/bin/bash" };
    expect(withoutAgentOrPulumiVars(jules)).toEqual({ SHELL: "/bin/bash" });
    expect(isAgentOrPulumiVar("HOME", "/home/dev")).toBe(false);
    expect(isAgentOrPulumiVar("HOME", " /home/jules ")).toBe(true);
    expect(isAgentOrPulumiVar("HOME", undefined)).toBe(false);
    expect(isAgentOrPulumiVar("PULUMI_HOME", "/x")).toBe(true);
  });

  it("the test sandbox's scrub agrees, and leaves the detector seeing nothing", () => {
    const env = scrubInPlace({ ...dirty, HOME: "/home/jules", USER: "swebot", https_proxy: "http://p:1" });
    expect(env).toEqual({ PATH: "/usr/bin", PAGER: "less" });
    expect(detectAgent(env)).toMatchObject({ isAgent: false, source: "none", weakSignals: [] });
    for (const { env: caseEnv } of CASES) {
      expect(detectAgent(withoutAgentOrPulumiVars(caseEnv)), JSON.stringify(caseEnv)).toMatchObject({ isAgent: false, source: "none" });
    }
  });
});
