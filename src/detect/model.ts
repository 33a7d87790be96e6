// Best-effort model detection, sent as `agentModel` at signup (as the Go CLI's agentdetect.DetectModel).
// Signup path only (it may read files), never the hot path. Every failure means "unknown".
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

export type ReadTextFile = (file: string) => string | undefined;

type Env = Readonly<Record<string, string | undefined>>;

/** Variables that name the model for any agent, first non-empty wins (the Go CLI's order). */
const EXPLICIT_MODEL_VARS = ["PULUMI_AGENT_MODEL", "AI_AGENT_MODEL"] as const;

/** Where one agent keeps its model: a variable, else a settings file in its config directory. */
export interface ModelSource {
  /** Our agent names (the detection's `name`, not the wire name) this source serves. */
  readonly agents: readonly string[];
  /** A variable holding the model itself, checked before any file. */
  readonly modelVar?: string;
  /** A variable naming the config directory; else `<home>/<homeDir>`. */
  readonly dirVar?: string;
  readonly homeDir: string;
  /** Files in that directory, in order: the first one that names a model wins. */
  readonly files: readonly string[];
  readonly format: "json" | "toml";
}

export const MODEL_SOURCES: readonly ModelSource[] = [
  {
    agents: ["claude-code", "cowork"],
    modelVar: "ANTHROPIC_MODEL",
    dirVar: "CLAUDE_CONFIG_DIR",
    homeDir: ".claude",
    files: ["settings.json", "settings.local.json"],
    format: "json",
  },
  // Codex keeps its config in $CODEX_HOME (default ~/.codex); the Go CLI reads ~/.codex only.
  { agents: ["codex"], dirVar: "CODEX_HOME", homeDir: ".codex", files: ["config.toml"], format: "toml" },
  { agents: ["gemini-cli"], homeDir: ".gemini", files: ["settings.json"], format: "json" },
];

/** Variables detectModel reads besides HOME/USERPROFILE (which test sandboxes set, not scrub). */
export const MODEL_ENV_VARS: readonly string[] = [
  ...EXPLICIT_MODEL_VARS,
  ...MODEL_SOURCES.flatMap((s) => [s.modelVar, s.dirVar].filter((v): v is string => v !== undefined)),
];

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
 * The model the agent uses, best effort: PULUMI_AGENT_MODEL, AI_AGENT_MODEL, then the agent's source in
 * MODEL_SOURCES (claude-code/cowork: ANTHROPIC_MODEL, then Claude settings; codex: config.toml;
 * gemini-cli: settings). `agentName` is our name (detection `name`), not the wire name.
 */
export function detectModel(
  agentName: string | undefined,
  env: Env,
  readTextFile: ReadTextFile = readTextFileOrUndefined,
): string | undefined {
  for (const v of EXPLICIT_MODEL_VARS) {
    const explicit = fromEnv(env, v);
    if (explicit !== undefined) return explicit;
  }
  const source = agentName === undefined ? undefined : MODEL_SOURCES.find((s) => s.agents.includes(agentName));
  if (source === undefined) return undefined;

  if (source.modelVar !== undefined) {
    const fromVar = fromEnv(env, source.modelVar);
    if (fromVar !== undefined) return fromVar;
  }
  const configured = source.dirVar === undefined ? undefined : env[source.dirVar]?.trim();
  let dir: string | undefined;
  if (configured !== undefined && configured !== "") dir = configured;
  else {
    const h = homeDir(env);
    dir = h === undefined ? undefined : path.join(h, source.homeDir);
  }
  if (dir === undefined) return undefined;
  const parse = source.format === "json" ? jsonModel : tomlTopLevelModel;
  for (const file of source.files) {
    const model = parse(safeRead(readTextFile, path.join(dir, file)));
    if (model !== undefined) return model;
  }
  return undefined;
}
