// Create an agent account (reference §1, DESIGN §3 steps 5–7): challenge → proof of work → signup →
// /api/user → store. Runs only while the caller holds the signup lock.
import { CloudClient } from "../cloud/client.js";
import { PowChallengeError, solveChallenge } from "../pow/index.js";
import { claimUrlFor, hasConsoleFor } from "../claim/url.js";
import { signupLines } from "../claim/messages.js";
import { updateCredentialsFile, withAccount, type StoredAccount } from "../store/credentials.js";
import { readClaimFile, writeClaimFile } from "../store/claim.js";
import { archiveClaim } from "../store/claim-history.js";
import { isClaimOpen } from "../core/lifecycle.js";
import { credentialsFilePath, claimFilePath } from "../store/paths.js";
import { UserFacingError } from "../cli/fatal.js";
import { userAgent } from "./user-agent.js";
import { progressPrinter } from "./progress.js";
import { addSecret, debug } from "../cli/debug.js";

type Env = Readonly<Record<string, string | undefined>>;

export interface SignupInput {
  cloudUrl: string;
  storeDir: string;
  env: Env;
  agentName: string | undefined;
  agentModel: string | undefined;
  signal: AbortSignal;
  /** Where our messages go (stderr). */
  write: (text: string) => void;
}

export interface SignupOutcome {
  claimUrl: string;
  username: string;
  accessTokenValidUntil: string;
  claimTokenValidUntil: string;
}

function numberFromEnv(env: Env, name: string, fallback: number): number {
  const v = Number(env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

export async function signupAgentAccount(input: SignupInput): Promise<SignupOutcome> {
  const { cloudUrl, env } = input;
  const consoleDomain = env.PULUMI_CONSOLE_DOMAIN || undefined;
  // Fail before the server creates an account we could never hand to a human (reference §9.2).
  if (!hasConsoleFor(cloudUrl, consoleDomain)) {
    throw new UserFacingError(
      `cannot build a claim link for ${cloudUrl}: its host does not start with "api." and PULUMI_CONSOLE_DOMAIN is not set. ` +
        "Set PULUMI_CONSOLE_DOMAIN to the Pulumi Cloud console host for this API (e.g. app.example.com), so the account can be claimed.",
    );
  }
  const client = new CloudClient({
    baseUrl: cloudUrl,
    userAgent: userAgent(input.agentName),
    timeoutMs: numberFromEnv(env, "PULUMI_AGENT_HTTP_TIMEOUT_MS", 15_000),
    signal: input.signal,
    onRetry: (r) => debug(env, `retrying ${r.route} in ${r.delayMs} ms (attempt ${r.attempt}: ${r.reason})`),
    retries: { attempts: 4, baseDelayMs: numberFromEnv(env, "PULUMI_AGENT_RETRY_BASE_MS", 1000), maxDelayMs: 30_000 },
  });

  const trace = (m: string) => debug(env, m);
  const challenge = await client.getChallenge();
  trace(`challenge ${challenge.challengeID}: ${challenge.challengeData}`);
  const progress = progressPrinter(input.write);
  const solved = await solveChallenge(challenge.challengeData, {
    signal: input.signal,
    budgetMs: numberFromEnv(env, "PULUMI_AGENT_POW_BUDGET_MS", 90_000),
    onProgress: progress.update,
  })
    .catch((err: unknown) => {
      if (err instanceof PowChallengeError) {
        throw new UserFacingError(
          `${cloudUrl} sent a signup challenge pulumi-agent cannot solve (${err.message}: ${JSON.stringify(challenge.challengeData)}). ` +
            "Try again later; if it keeps happening, the service's agent signup protocol may have changed: update pulumi-agent.",
        );
      }
      throw err;
    })
    .finally(progress.done);

  trace(`proof of work solved: nonce ${solved.nonce} in ${Math.round(solved.durationMs)} ms (${solved.engine}, ${solved.threads} thread(s), ${solved.hashes} hashes)`);
  const signup = await client.signup({
    challengeID: challenge.challengeID,
    challengeResult: solved.nonce,
    ...(input.agentName ? { agentName: input.agentName } : {}),
    ...(input.agentModel ? { agentModel: input.agentModel } : {}),
    ...(solved.durationMs > 0 ? { challengeSolveDurationMs: Math.round(solved.durationMs) } : {}),
  });
  addSecret(signup.accessToken);
  addSecret(signup.refreshToken);
  const claimUrl = claimUrlFor(cloudUrl, signup.claimToken, consoleDomain);
  // The claim link is the only way to recover the account: show it before anything else can fail.
  input.write(signupLines(claimUrl));

  const user = await client.getUser(signup.accessToken).catch((err: unknown) => {
    if (signup.user) return { ...signup.user, tokenInfo: undefined };
    throw err;
  });
  const now = new Date().toISOString();
  const account: StoredAccount = {
    accessToken: signup.accessToken,
    ...(signup.refreshToken ? { refreshToken: signup.refreshToken } : {}),
    username: user.login ?? signup.user?.login ?? "",
    organizations: user.organizations,
    lastValidatedAt: now,
    tokenInformation: {
      name: user.tokenInfo?.name ?? "",
      ...(user.tokenInfo?.organization ? { organization: user.tokenInfo.organization } : {}),
      ...(user.tokenInfo?.team ? { team: user.tokenInfo.team } : {}),
      expiresAt: signup.accessTokenValidUntil,
    },
  };
  trace(`signed up as ${user.login}; access until ${signup.accessTokenValidUntil}, claim until ${signup.claimTokenValidUntil}; token ${signup.accessToken}`); // printed through the redaction (tested)
  await keepPreviousClaim(input.storeDir, signup.claimToken, input.write);
  // Claim first: if the credentials write fails, the link is still on disk for `account status`.
  await writeClaimFile(claimFilePath(input.storeDir), {
    claimUrl,
    claimToken: signup.claimToken,
    validUntil: signup.claimTokenValidUntil ?? "",
    cloudUrl,
  });
  await updateCredentialsFile(credentialsFilePath(input.storeDir), (creds) =>
    withAccount(creds, cloudUrl, account, { setCurrentIfNone: true }),
  );
  trace(`stored in ${input.storeDir}`);
  return {
    claimUrl,
    username: user.login ?? "",
    accessTokenValidUntil: signup.accessTokenValidUntil ?? "",
    claimTokenValidUntil: signup.claimTokenValidUntil ?? "",
  };
}

/**
 * agent-claim.json holds one claim (Go's shape). If it still holds another account's open claim
 * (after `pulumi logout`, `--new-account`, or a claim for another cloud), archive it and say so:
 * the claim link is the only way to recover that account.
 */
async function keepPreviousClaim(dir: string, newClaimToken: string, write: (text: string) => void): Promise<void> {
  const previous = await readClaimFile(claimFilePath(dir));
  if (previous.kind !== "ok" || previous.claim.claimToken === newClaimToken || !isClaimOpen(previous.claim, Date.now())) return;
  await archiveClaim(dir, previous.claim);
  write(
    `pulumi-agent: an earlier agent account (${previous.claim.cloudUrl}) can still be claimed until ${previous.claim.validUntil}: ${previous.claim.claimUrl}\n` +
      "  It is kept in agent-claim-history.json and shown by `pulumi-agent account status`.\n",
  );
}
