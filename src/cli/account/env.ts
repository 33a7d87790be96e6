// `account env`: shell export lines (or, with --json, the env map for an Automation API program's
// `envVars` / `env_vars`) for the account pulumi would use; creates the agent account if needed.
// Only on explicit request: the output contains the access token.
import { settledChoice } from "../../core/plan.js";
import { AgentError } from "../../core/errors.js";
import { failureError } from "../errors.js";
import type { Io } from "../io.js";
import { accountFacts, detect, driveAccount, printJson, type CommonOptions } from "./common.js";
import { defaultShell, exportLines, type Shell } from "./shell-env.js";

export async function env(o: CommonOptions & { shell?: Shell }, io: Io): Promise<number> {
  const detection = detect(io);
  const { step, facts } = await driveAccount(accountFacts("bootstrap", o, io, {}, detection), io, detection.wireName);
  if (step.kind === "fail") throw failureError(step.failure);
  const settled = settledChoice(facts);
  if (settled && !settled.choice) {
    throw new AgentError(`${settled.backend.url} is a DIY backend: it needs no Pulumi Cloud credentials.`, { code: "no-account-needed", hint: "Point PULUMI_BACKEND_URL at it instead.", exitCode: 1 });
  }
  const choice = settled?.choice;
  const token = choice?.kind === "env-token" ? io.env.PULUMI_ACCESS_TOKEN : choice?.kind === "account" ? choice.found.account.accessToken : undefined;
  if (!settled || !token) {
    const problem = step.kind === "done" ? (step.outcome.report.problem ?? step.outcome.report.credentials) : "no credentials";
    throw new AgentError(`No usable access token for ${settled?.backend.url ?? "this backend"} (${problem}).`, { code: "no-token", hint: "Run `pulumi-agent account status` to see why.", exitCode: 1 });
  }
  const vars = { PULUMI_BACKEND_URL: settled.backend.url, PULUMI_ACCESS_TOKEN: token };
  if (o.json) printJson(io, vars);
  else io.stdout(exportLines(vars, o.shell ?? defaultShell(io.env)));
  return 0;
}
