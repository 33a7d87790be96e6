// Loads ./cases.json: named environments (each may extend another) and detection cases (an environment
// plus changes → the expected fields of detectAgent()). A case is one line of JSON to add.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export type Env = Record<string, string | undefined>;
type EnvChanges = Record<string, string | null>;

interface Environment {
  extends?: string;
  env: EnvChanges;
}

interface RawCase {
  name: string;
  base?: string;
  env?: EnvChanges;
  tty?: boolean;
  /** Expected result fields; null: the field must be absent. */
  expect: Record<string, unknown>;
}

export interface DetectionCase {
  name: string;
  env: Env;
  tty?: boolean;
  expect: Record<string, unknown>;
}

const file = path.join(path.dirname(fileURLToPath(import.meta.url)), "cases.json");
const data = JSON.parse(readFileSync(file, "utf8")) as { environments: Record<string, Environment>; cases: RawCase[] };

function apply(env: Env, changes: EnvChanges | undefined): Env {
  const out = { ...env };
  for (const [k, v] of Object.entries(changes ?? {})) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

function environment(name: string, seen: string[] = []): Env {
  const e = data.environments[name];
  if (e === undefined) throw new Error(`cases.json: unknown environment ${JSON.stringify(name)}`);
  if (seen.includes(name)) throw new Error(`cases.json: environment ${name} extends itself`);
  return apply(e.extends === undefined ? {} : environment(e.extends, [...seen, name]), e.env);
}

/** Every named environment, resolved. */
export const ENVIRONMENTS: Record<string, Env> = Object.fromEntries(
  Object.keys(data.environments).map((n) => [n, environment(n)]),
);

export const CASES: DetectionCase[] = data.cases.map((c) => ({
  name: c.name,
  env: apply(c.base === undefined ? {} : environment(c.base), c.env),
  ...(c.tty === undefined ? {} : { tty: c.tty }),
  expect: c.expect,
}));
