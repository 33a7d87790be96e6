// `pulumi-agent account ...`: our own commands, under one word no pulumi command uses.
// What the user explicitly asked to read (status, doctor, env, --json documents) goes to stdout;
// progress, claim-link notices and warnings go to stderr.
import { Command, Option } from "commander";
import { credentialsFilePath, claimFilePath } from "../store/paths.js";
import { accountLookupCommand } from "../core/command.js";
import { detectAgent } from "../detect/agents.js";
import { resolveCredentials, type Resolution } from "./resolve.js";
import { reportFrom, renderReport, type AccountReport } from "./account-view.js";
import { UserFacingError } from "./fatal.js";
import { packageVersion } from "../bootstrap/user-agent.js";
import { SHELLS, defaultShell, exportLines, type Shell } from "./shell-env.js";
import { openClaims, readClaimHistory } from "../store/claim-history.js";
import { readClaimFile } from "../store/claim.js";
import { isClaimOpen } from "../core/lifecycle.js";

const stderr = (text: string) => void process.stderr.write(text);
const stdout = (text: string) => void process.stdout.write(text);
const json = (v: unknown) => stdout(`${JSON.stringify(v, null, 2)}\n`);

interface CommonOpts {
  json?: boolean;
  cwd?: string;
  cloudUrl?: string;
}

const commandFor = (o: CommonOpts) => accountLookupCommand(o);

function addCommon(cmd: Command): Command {
  return cmd
    .option("--json", "print a machine-readable JSON document on stdout")
    .option("-C, --cwd <dir>", "resolve the backend from the Pulumi project in this directory")
    .option("--cloud-url <url>", "the Pulumi Cloud API URL (default: as pulumi would choose)");
}

/** Create the agent account if none is usable (bootstrap, env). */
async function ensure(o: CommonOpts, forceNew = false): Promise<{ resolution: Resolution; created: boolean }> {
  const env = process.env;
  const detection = detectAgent(env, { stdoutIsTTY: Boolean(process.stdout.isTTY) });
  if (detection.source === "disabled") {
    throw new UserFacingError("PULUMI_AGENT_DISABLE is set, so pulumi-agent creates no accounts. Unset it to bootstrap an agent account.");
  }
  const { ensureAgentAccount } = await import("../bootstrap/bootstrap.js");
  const out = await ensureAgentAccount({
    command: commandFor(o),
    env,
    cwd: process.cwd(),
    agentName: detection.isAgent ? detection.name : undefined,
    forceNew,
    write: stderr,
  });
  return { resolution: out.resolution, created: Boolean(out.created) };
}

/** Live claim details from the validate endpoint (agent, inventory); never fatal. */
async function liveClaim(res: Resolution): Promise<Record<string, unknown> | undefined> {
  const a = res.action;
  if ((a.kind !== "use-account" && a.kind !== "agent-expired") || !a.claim?.claimToken) return undefined;
  const { revalidateClaim } = await import("../claim/diagnose.js");
  const { state, details } = await revalidateClaim({ cloudUrl: res.backend.url, dir: a.dir, claim: a.claim, agentName: undefined });
  if (!details) return { claimable: state === "unavailable" ? false : "unknown" };
  return { claimable: true, agent: details.agent, inventory: details.inventory, claimExpiresAt: details.claimExpiresAt };
}

/** Still-open claims other than the current one: archived ones, and claim files in either dir. */
async function earlierClaims(res: Resolution, currentClaimUrl: string | undefined): Promise<AccountReport["earlierClaims"]> {
  const now = Date.now();
  const dirs = [res.state.defaultDir, res.state.sharedDir];
  const found = openClaims((await Promise.all(dirs.map(readClaimHistory))).flat(), now);
  for (const dir of dirs) {
    const c = await readClaimFile(claimFilePath(dir));
    if (c.kind === "ok" && isClaimOpen(c.claim, now)) found.push({ ...c.claim, archivedAt: "" });
  }
  const seen = new Set(currentClaimUrl ? [currentClaimUrl] : []);
  const out: NonNullable<AccountReport["earlierClaims"]> = [];
  for (const { claimUrl, validUntil, cloudUrl } of found) {
    if (seen.has(claimUrl)) continue;
    seen.add(claimUrl);
    out.push({ claimUrl, validUntil, cloudUrl });
  }
  return out;
}

export async function runAccountCommand(argv: string[]): Promise<void> {
  const program = new Command("pulumi-agent account")
    .description(
      "Manage the ephemeral Pulumi Cloud agent account pulumi-agent creates for AI coding agents.\n" +
        "Everything else you pass to pulumi-agent goes to pulumi itself (`pulumi-agent -- <args>` always does).",
    )
    .version(packageVersion(), "--version", "print the pulumi-agent version")
    .showHelpAfterError()
    .configureOutput({ writeErr: stderr, writeOut: stdout });

  addCommon(program.command("status"))
    .description("show the login pulumi will use: identity, storage path, lifecycle phase, time left, claim link")
    .option("--offline", "do not ask Pulumi Cloud whether the claim is still open")
    .action(async (o: CommonOpts & { offline?: boolean }) => {
      let res = await resolveCredentials(commandFor(o), process.env, process.cwd());
      const live = o.offline ? undefined : await liveClaim(res);
      if (live) res = await resolveCredentials(commandFor(o), process.env, process.cwd()); // the claim state may have changed
      const report = reportFrom(res);
      report.earlierClaims = await earlierClaims(res, report.claimUrl);
      if (o.json) return json({ ...report, ...(live ? { claim: live } : {}) });
      let text = renderReport(report);
      if (live?.claimable === true) {
        const agent = live.agent as { login: string; orgName: string; createdAt: string };
        const inv = live.inventory as Array<{ kind: string; name: string }>;
        text += `Agent org:     ${agent.orgName} (created ${agent.createdAt})\nInventory:     ${inv.length ? inv.map((e) => `${e.kind} ${e.name}`).join(", ") : "(nothing yet)"}\n`;
      } else if (live) {
        text += `Claimable:     ${live.claimable === false ? "no (already claimed, expired or revoked: run `pulumi login`)" : "unknown (Pulumi Cloud did not answer)"}\n`;
      }
      stdout(text);
    });

  addCommon(program.command("bootstrap"))
    .description("create the agent account if none is usable (or reuse it), print the claim link; runs no pulumi")
    .addOption(new Option("--new-account", "create a new agent account even if one exists (the old account's stacks stay in it)"))
    .action(async (o: CommonOpts & { newAccount?: boolean }) => {
      if (o.newAccount) {
        stderr("pulumi-agent: creating a new agent account. Stacks of the previous agent account stay in it; claim it separately to keep them.\n");
      }
      const out = await ensure(o, Boolean(o.newAccount));
      const report = reportFrom(out.resolution);
      // A just-created account is reported even if the service's clock made it expire already.
      if (!out.created && (report.credentials === "none" || report.credentials === "error")) {
        throw new UserFacingError(report.problem ?? "no usable credentials");
      }
      if (o.json) return json({ created: out.created, ...report });
      if (!out.created) {
        stderr(
          report.isAgentAccount
            ? `pulumi-agent: reusing agent account ${report.username ?? ""}. Claim it: ${report.claimUrl}\n`
            : `pulumi-agent: already logged in (${report.credentials === "PULUMI_ACCESS_TOKEN" ? "PULUMI_ACCESS_TOKEN" : report.username}); no agent account needed.\n`,
        );
      }
      stderr(renderReport(report));
    });

  addCommon(program.command("env"))
    .description("print shell export lines (PULUMI_BACKEND_URL, PULUMI_ACCESS_TOKEN) for the account; creates it if needed")
    .addOption(new Option("--shell <shell>", "output syntax").choices([...SHELLS]))
    .action(async (o: CommonOpts & { shell?: Shell }) => {
      const out = await ensure(o);
      const a = out.resolution.action;
      const token = a.kind === "use-env-token" ? process.env.PULUMI_ACCESS_TOKEN : a.kind === "use-account" ? a.account.accessToken : undefined;
      if (!token) throw new UserFacingError(`no usable access token for ${out.resolution.backend.url} (${reportFrom(out.resolution).problem ?? a.kind}).`);
      const vars = { PULUMI_BACKEND_URL: out.resolution.backend.url, PULUMI_ACCESS_TOKEN: token };
      if (o.json) return json(vars);
      stdout(exportLines(vars, o.shell ?? defaultShell(process.env)));
    });

  addCommon(program.command("forget"))
    .description("remove the agent account and its claim file (after showing the claim link); never touches a human login")
    .option("--yes", "really remove it (without --yes, only show what would be removed)")
    .action(async (o: CommonOpts & { yes?: boolean }) => {
      const res = await resolveCredentials(commandFor(o), process.env, process.cwd());
      const { findAgentAccounts } = await import("./agent-accounts.js");
      const found = await findAgentAccounts(process.env, res.backend.url);
      if (!found.length) {
        if (o.json) return json({ cloudUrl: res.backend.url, removed: [] });
        stderr(`pulumi-agent: no agent account for ${res.backend.url}; nothing to forget. (Human logins are pulumi's: use \`pulumi logout\`.)\n`);
        return;
      }
      for (const f of found) {
        stderr(`pulumi-agent: agent account ${f.account?.username ?? "(no credentials left)"} in ${f.dir}; its claim link (the only way to recover it): ${f.claim.claimUrl}\n`);
      }
      if (!o.yes) {
        throw new UserFacingError("nothing was removed. Save the claim link above, then run `pulumi-agent account forget --yes`.");
      }
      const { removeAgentAccount } = await import("../bootstrap/cleanup.js");
      for (const f of found) {
        await removeAgentAccount(res.backend.url, f.dir);
      }
      if (o.json) return json({ cloudUrl: res.backend.url, removed: found.map((f) => ({ dir: f.dir, username: f.account?.username, claimUrl: f.claim.claimUrl })) });
      stderr(`pulumi-agent: removed the agent account for ${res.backend.url} from ${found.map((f) => credentialsFilePath(f.dir)).join(", ")}.\n`);
    });

  addCommon(program.command("claim"))
    .description("preview (default) or --commit the transfer of the agent account's stacks into your org, using YOUR token in PULUMI_ACCESS_TOKEN")
    .option("--org <org>", "destination organization (default: your first organization)")
    .option("--commit", "perform the transfer (default: preview only)")
    .option("--rename <kind:name=newName...>", "resolve a name conflict by renaming the agent's entity", (v: string, prev: string[] = []) => [...prev, v])
    .action(async (o: CommonOpts & { org?: string; commit?: boolean; rename?: string[] }) => {
      const res = await resolveCredentials(commandFor(o), { ...process.env, PULUMI_ACCESS_TOKEN: "" }, process.cwd());
      const { runClaim, renderClaim } = await import("./claim-command.js");
      const result = await runClaim({ env: process.env, cloudUrl: res.backend.url, humanToken: process.env.PULUMI_ACCESS_TOKEN || undefined, org: o.org, commit: Boolean(o.commit), renames: o.rename ?? [] });
      if (o.json) json(result);
      else stdout(renderClaim(result));
      const blocked = result.response.conflicts.length > 0 || result.response.failures.length > 0;
      if (o.commit && blocked) process.exitCode = 1;
    });

  addCommon(program.command("doctor"))
    .description("explain what pulumi-agent would do here: detection, paths and permissions, lock, backend, proxy, reachability, pulumi")
    .action(async (o: CommonOpts) => {
      const { runDoctor, renderDoctor } = await import("./doctor.js");
      const report = await runDoctor(process.env, process.cwd(), { ...(o.cloudUrl ? { cloudUrl: o.cloudUrl } : {}), ...(o.cwd ? { cwdFlag: o.cwd } : {}) });
      if (o.json) return json(report);
      stdout(renderDoctor(report));
    });

  // Bare `account` (or `account --json`) means status; an unknown word stays an error.
  const first = argv[0];
  const wantsStatus = first === undefined || (first.startsWith("-") && !["-h", "--help", "--version"].includes(first));
  await program.parseAsync(wantsStatus ? ["status", ...argv] : argv, { from: "user" });
}
