// The environment variables that can influence agent or model detection, derived from the detection
// tables (never retyped, so a new rule cannot be half-added). Tests, the demo and the bench scrub them
// from the environments they give child processes: a test run inside an agent must not see that agent.
// Not on the hot path: only scripts and tests import this module.
import { AGENT_RULES, CONTROL_VARS, NOT_MARKERS } from "./agents.js";
import { MODEL_ENV_VARS } from "./model.js";

function deriveLists(): { byName: readonly string[]; byValue: ReadonlyMap<string, readonly string[]> } {
  const byName = new Set<string>([...Object.values(CONTROL_VARS), ...MODEL_ENV_VARS, ...NOT_MARKERS.map((n) => n.var)]);
  const byValue = new Map<string, Set<string>>();
  const add = (v: string, values: readonly string[] | undefined): void => {
    if (values === undefined) {
      byName.add(v);
      return;
    }
    const set = byValue.get(v) ?? new Set<string>();
    for (const value of values) set.add(value);
    byValue.set(v, set);
  };
  for (const rule of AGENT_RULES) {
    for (const v of rule.vars) add(v, rule.values);
    if (rule.also) add(rule.also.var, rule.also.values);
    if (rule.versionVar) add(rule.versionVar, undefined);
  }
  // A variable some rule reads with any value is scrubbed whatever it holds.
  for (const v of byName) byValue.delete(v);
  return { byName: [...byName], byValue: new Map([...byValue].map(([v, set]) => [v, [...set]])) };
}

const lists = deriveLists();

/** Variables whose every non-empty value can matter: scrubbed by name. */
export const DETECTION_ENV_VARS: readonly string[] = lists.byName;

/**
 * Variables that matter only with one of these values (compared like the detector: trimmed,
 * lower-cased), e.g. TERM_PROGRAM=zed, HOME=/home/jules: scrubbed only when they hold one, since a
 * clean slate still needs its HOME and USER.
 */
export const DETECTION_ENV_VALUES: ReadonlyMap<string, readonly string[]> = lists.byValue;

/** Could this variable, holding this value, take part in agent or model detection? */
export function isDetectionVar(key: string, value: string | undefined): boolean {
  if (DETECTION_ENV_VARS.includes(key)) return true;
  const values = DETECTION_ENV_VALUES.get(key);
  return values !== undefined && value !== undefined && values.includes(value.trim().toLowerCase());
}

/** A detection variable or any PULUMI_* variable: what a clean slate (tests, demo, bench) must not inherit. */
export function isAgentOrPulumiVar(key: string, value: string | undefined): boolean {
  return isDetectionVar(key, value) || key.startsWith("PULUMI_");
}

/** A copy of `env` without agent markers or Pulumi variables. */
export function withoutAgentOrPulumiVars(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k, v]) => !isAgentOrPulumiVar(k, v)));
}
