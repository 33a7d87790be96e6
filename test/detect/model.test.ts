import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { detectModel, tomlTopLevelModel } from "../../src/detect/model.js";

let home: string;

beforeEach(async () => {
  home = await mkdtemp(path.join(tmpdir(), "pa-model-"));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

async function put(rel: string, text: string): Promise<string> {
  const file = path.join(home, rel);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

describe("detectModel: explicit variables", () => {
  it("PULUMI_AGENT_MODEL, then AI_AGENT_MODEL, beat the agent's own settings", async () => {
    await put(".claude/settings.json", JSON.stringify({ model: "opus" }));
    const env = { HOME: home, ANTHROPIC_MODEL: "sonnet" };
    expect(detectModel("claude-code", { ...env, AI_AGENT_MODEL: "m2", PULUMI_AGENT_MODEL: "m1" })).toBe("m1");
    expect(detectModel("claude-code", { ...env, AI_AGENT_MODEL: " m2 ", PULUMI_AGENT_MODEL: "   " })).toBe("m2");
    expect(detectModel(undefined, { AI_AGENT_MODEL: "gpt-5" })).toBe("gpt-5");
    expect(detectModel("some-agent", {})).toBeUndefined();
  });

  it("bounds the result to 128 printable characters", () => {
    expect(detectModel(undefined, { PULUMI_AGENT_MODEL: "a".repeat(300) })).toBe("a".repeat(128));
    expect(detectModel(undefined, { PULUMI_AGENT_MODEL: "\u001b[31mclaude\u0007-opus\u202e" })).toBe("[31mclaude-opus");
    expect(detectModel(undefined, { PULUMI_AGENT_MODEL: "\u0000\u0001" })).toBeUndefined();
  });
});

describe("detectModel: Claude Code and Cowork", () => {
  it("ANTHROPIC_MODEL first", async () => {
    await put(".claude/settings.json", JSON.stringify({ model: "opus" }));
    expect(detectModel("claude-code", { HOME: home, ANTHROPIC_MODEL: "claude-sonnet-4-5" })).toBe("claude-sonnet-4-5");
    expect(detectModel("cowork", { HOME: home, ANTHROPIC_MODEL: "claude-sonnet-4-5" })).toBe("claude-sonnet-4-5");
    expect(detectModel("codex", { HOME: home, ANTHROPIC_MODEL: "claude-sonnet-4-5" })).toBeUndefined();
  });

  it("then settings.json, then settings.local.json, under ~/.claude", async () => {
    await put(".claude/settings.local.json", JSON.stringify({ model: "haiku" }));
    expect(detectModel("claude-code", { HOME: home })).toBe("haiku");
    await put(".claude/settings.json", JSON.stringify({ permissions: {}, model: "opus" }));
    expect(detectModel("claude-code", { HOME: home })).toBe("opus");
  });

  it("honours CLAUDE_CONFIG_DIR", async () => {
    await put(".claude/settings.json", JSON.stringify({ model: "opus" }));
    const dir = path.join(home, "alt-claude");
    await put("alt-claude/settings.json", JSON.stringify({ model: "sonnet[1m]" }));
    expect(detectModel("claude-code", { HOME: home, CLAUDE_CONFIG_DIR: dir })).toBe("sonnet[1m]");
  });

  it("ignores corrupt files, non-string models and missing files", async () => {
    await put(".claude/settings.json", "{ not json");
    await put(".claude/settings.local.json", JSON.stringify({ model: 42 }));
    expect(detectModel("claude-code", { HOME: home })).toBeUndefined();
    await put(".claude/settings.local.json", JSON.stringify(["model"]));
    expect(detectModel("claude-code", { HOME: home })).toBeUndefined();
    expect(detectModel("claude-code", { HOME: path.join(home, "nowhere") })).toBeUndefined();
  });

  it("falls back to USERPROFILE when HOME is unset or empty", async () => {
    await put(".claude/settings.json", JSON.stringify({ model: "opus" }));
    expect(detectModel("claude-code", { HOME: "", USERPROFILE: home })).toBe("opus");
    expect(detectModel("claude-code", { USERPROFILE: home })).toBe("opus");
  });
});

describe("detectModel: Codex", () => {
  it("reads a top-level model line from ~/.codex/config.toml", async () => {
    await put(
      ".codex/config.toml",
      [
        "# Codex configuration",
        'model_provider = "openai"',
        'model = "gpt-5-codex" # default',
        'approval_policy = "on-request"',
        "",
        "[profiles.fast]",
        'model = "gpt-5-mini"',
      ].join("\n"),
    );
    expect(detectModel("codex", { HOME: home })).toBe("gpt-5-codex");
  });

  it("honours CODEX_HOME", async () => {
    await put("ch/config.toml", "model = 'o3'\n");
    expect(detectModel("codex", { HOME: home, CODEX_HOME: path.join(home, "ch") })).toBe("o3");
  });

  it("parses only the top level, with escapes and CRLF", () => {
    expect(tomlTopLevelModel('[profiles.x]\nmodel = "inner"\n')).toBeUndefined();
    expect(tomlTopLevelModel('  model="a\\"b"\r\nother = 1\r\n')).toBe('a"b');
    expect(tomlTopLevelModel('model = "\\u00e9t\\u00e9"')).toBe("été");
    expect(tomlTopLevelModel('model = "bad \\q escape"')).toBeUndefined();
    expect(tomlTopLevelModel("model = 5")).toBeUndefined();
    expect(tomlTopLevelModel('models = "x"\nmodel_reasoning_effort = "high"')).toBeUndefined();
    expect(tomlTopLevelModel(undefined)).toBeUndefined();
  });
});

describe("detectModel: Gemini CLI", () => {
  it("reads model as a string", async () => {
    await put(".gemini/settings.json", JSON.stringify({ model: "gemini-2.5-pro" }));
    expect(detectModel("gemini-cli", { HOME: home })).toBe("gemini-2.5-pro");
  });

  it("reads model as an object with a name, in a file with comments", async () => {
    await put(
      ".gemini/settings.json",
      '{\n  // chosen in /model\n  "model": { "name": "gemini-2.5-flash", "maxSessionTurns": 20 }, /* ui */ "theme": "a//b"\n}\n',
    );
    expect(detectModel("gemini-cli", { HOME: home })).toBe("gemini-2.5-flash");
  });

  it("ignores an object without a string name", async () => {
    await put(".gemini/settings.json", JSON.stringify({ model: { maxSessionTurns: 3 } }));
    expect(detectModel("gemini-cli", { HOME: home })).toBeUndefined();
  });
});

describe("detectModel: injected reader", () => {
  it("reads the expected paths in order and survives a throwing reader", () => {
    const seen: string[] = [];
    const reader = (file: string): string | undefined => {
      seen.push(file);
      return undefined;
    };
    expect(detectModel("claude-code", { HOME: "/h" }, reader)).toBeUndefined();
    expect(seen).toEqual([path.join("/h", ".claude", "settings.json"), path.join("/h", ".claude", "settings.local.json")]);
    expect(
      detectModel("gemini-cli", { HOME: "/h" }, () => {
        throw new Error("EACCES");
      }),
    ).toBeUndefined();
  });

  it("touches no file for an agent it knows nothing about", () => {
    const seen: string[] = [];
    detectModel("amp", { HOME: "/h" }, (f) => {
      seen.push(f);
      return undefined;
    });
    expect(seen).toEqual([]);
  });
});
