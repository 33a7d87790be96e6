// Best-effort model detection, sent as `agentModel` at signup (reference §0 DetectModel).
// Signup path only (it may read files), never the hot path. Every failure means "unknown".
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

export type ReadTextFile = (file: string) => string | undefined;

type Env = Readonly<Record<string, string | undefined>>;

/** Variables detectModel reads besides HOME/USERPROFILE (which test sandboxes set, not scrub). */
export const MODEL_ENV_VARS = [
  "PULUMI_AGENT_MODEL",
  "AI_AGENT_MODEL",
  "ANTHROPIC_MODEL",
  "CLAUDE_CONFIG_DIR",
  "CODEX_HOME",
] as const;

const MAX_MODEL_CHARS = 128;

function readTextFileOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** Trimmed, without control/format/unassigned characters, at most 128 characters; "" → undefined. */
function boundModel(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const cleaned = Array.from(value.replace(/[\p{C}\u2028\u2029]/gu, "").trim())
    .slice(0, MAX_MODEL_CHARS)
    .join("")
    .trim();
  return cleaned === "" ? undefined : cleaned;
}

function fromEnv(env: Env, name: string): string | undefined {
  return boundModel(env[name]);
}

function homeDir(env: Env): string | undefined {
  for (const v of [env.HOME, env.USERPROFILE]) {
    if (v !== undefined && v.trim() !== "") return v;
  }
  try {
    return homedir() || undefined;
  } catch {
    return undefined;
  }
}

/** Remove // and /* *\/ comments outside strings (Gemini and Claude settings files allow them). */
function stripJsonComments(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === "\\") out += text[++i] ?? "";
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 1;
    } else {
      out += c;
    }
  }
  return out;
}

/** `"model"` from a JSON settings file: a string, or an object with a string `name` (Gemini). */
function jsonModel(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    try {
      data = JSON.parse(stripJsonComments(text));
    } catch {
      return undefined;
    }
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) return undefined;
  const model = (data as Record<string, unknown>).model;
  if (typeof model === "string") return boundModel(model);
  if (model !== null && typeof model === "object") return boundModel((model as Record<string, unknown>).name);
  return undefined;
}

/** A top-level `model = "..."` (or '...') line of a TOML file; stops at the first [table] header. */
export function tomlTopLevelModel(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (t.startsWith("[")) return undefined;
    const m = /^model\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')\s*(?:#.*)?$/.exec(t);
    if (!m) continue;
    if (m[2] !== undefined) return boundModel(m[2]);
    try {
      // TOML basic-string escapes are a near superset of JSON's; JSON.parse covers the common ones.
      return boundModel(JSON.parse(`"${m[1]}"`));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function safeRead(readTextFile: ReadTextFile, file: string): string | undefined {
  try {
    return readTextFile(file);
  } catch {
    return undefined;
  }
}

/**
 * The model the agent uses, best effort: PULUMI_AGENT_MODEL, AI_AGENT_MODEL, then per agent
 * (claude-code/cowork: ANTHROPIC_MODEL, then Claude settings; codex: config.toml; gemini-cli: settings).
 */
export function detectModel(
  agentName: string | undefined,
  env: Env,
  readTextFile: ReadTextFile = readTextFileOrUndefined,
): string | undefined {
  const explicit = fromEnv(env, "PULUMI_AGENT_MODEL") ?? fromEnv(env, "AI_AGENT_MODEL");
  if (explicit !== undefined) return explicit;

  const read = (...parts: string[]): string | undefined => safeRead(readTextFile, path.join(...parts));
  const configured = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === "" ? undefined : v;
  };
  const home = (): string | undefined => homeDir(env);

  switch (agentName) {
    case "claude-code":
    case "cowork": {
      const fromVar = fromEnv(env, "ANTHROPIC_MODEL");
      if (fromVar !== undefined) return fromVar;
      const h = home();
      const dir = configured("CLAUDE_CONFIG_DIR") ?? (h === undefined ? undefined : path.join(h, ".claude"));
      if (dir === undefined) return undefined;
      return jsonModel(read(dir, "settings.json")) ?? jsonModel(read(dir, "settings.local.json"));
    }
    case "codex": {
      // Codex keeps its config in $CODEX_HOME (default ~/.codex).
      const h = home();
      const dir = configured("CODEX_HOME") ?? (h === undefined ? undefined : path.join(h, ".codex"));
      return dir === undefined ? undefined : tomlTopLevelModel(read(dir, "config.toml"));
    }
    case "gemini-cli": {
      const h = home();
      return h === undefined ? undefined : jsonModel(read(h, ".gemini", "settings.json"));
    }
    default:
      return undefined;
  }
}
