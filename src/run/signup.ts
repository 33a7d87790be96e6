// Create an agent account (docs/compatibility.md#signup): challenge → proof of work → signup → claim link
// → /api/user → store. The POST is the one irreversible step: from the moment its answer arrives the
// claim link is printed and persisted before anything else can fail, and the claim file carries a
// "pending" mark until the credentials are stored, so an interrupted run is reported by the next one
// instead of being replaced by another orphan account. Runs while the caller holds the signup lock.
import { CloudClient, droppedLines, type SignupAnswer } from "../cloud/client.js";
import { userAgent } from "../cloud/user-agent.js";
import { PowChallengeError, solveChallenge } from "../pow/index.js";
import { claimUrlFor } from "../core/claim-url.js";
import { signupLines } from "../core/messages.js";
import { AgentError } from "../core/errors.js";
import { positiveNumberFromEnv } from "../core/env.js";
import { claimFilePath, credentialsFilePath } from "../core/paths.js";
import { updateCredentialsFile, withAccount, type StoredAccount } from "../store/credentials.js";
import { readClaimFile, updateClaimFile, writeClaimFile, type ClaimRecord } from "../store/claim.js";
import { archiveClaim } from "../store/claim-history.js";
import { isClaimOpen } from "../core/lifecycle.js";
import { addSecret, debug } from "../log/debug.js";
import { progressPrinter } from "./progress.js";

type Env = Readonly<Record<string, string | undefined>>;

export interface SignupInput {
  cloudUrl: string;
  storeDir: string;
  env: Env;
  /** What we send as agentName (the Go CLI's name where it has one). */
  agentName: string | undefined;
  agentModel: string | undefined;
  signal: AbortSignal;
  /** Where our messages go (stderr). */
  write: (text: string) => void;
}

export interface SignupOutcome {
  claimUrl: string;
  username: string | undefined;
}

/** The claim window of an agent account (docs/product.md#lifecycle). */
const CLAIM_WINDOW_MS = 30 * 24 * 3600_000;

export async function signupAgentAccount(input: SignupInput): Promise<SignupOutcome> {
  const { cloudUrl, env } = input;
  const trace = (m: string) => debug(env, m);
  // Timeouts, retries and proxies come from `env` (the library's caller may pass its own).
  const client = new CloudClient({
    baseUrl: cloudUrl,
    userAgent: userAgent(input.agentName),
    env,
    signal: input.signal,
    onRetry: (r) => trace(`retrying ${r.route} in ${r.delayMs} ms (attempt ${r.attempt}: ${r.reason})`),
  });

  const challenge = await client.getChallenge();
  trace(`challenge ${challenge.challengeID}: ${challenge.challengeData}`);
  const progress = progressPrinter(input.write);
  const solved = await solveChallenge(challenge.challengeData, {
    signal: input.signal,
    budgetMs: positiveNumberFromEnv(env, "PULUMI_AGENT_POW_BUDGET_MS", 90_000),
    onProgress: progress.update,
  })
    .catch((err: unknown) => {
      if (err instanceof PowChallengeError) {
        // Say which service sent which challenge; what to do is the error's own.
        throw new AgentError(`${cloudUrl} sent a signup challenge pulumi-agent cannot solve (${err.message}: ${JSON.stringify(challenge.challengeData)}).`, {
          code: err.code,
          hint: err.hint,
          cause: err,
        });
      }
      throw err;
    })
    .finally(progress.done);
  trace(`proof of work solved: nonce ${solved.nonce} in ${Math.round(solved.durationMs)} ms (${solved.engine}, ${solved.threads} thread(s), ${solved.hashes} hashes)`);

  // ---- the irreversible step ----
  let signup: SignupAnswer;
  try {
    signup = await client.signup({
      challengeID: challenge.challengeID,
      challengeResult: solved.nonce,
      ...(input.agentName ? { agentName: input.agentName } : {}),
      ...(input.agentModel ? { agentModel: input.agentModel } : {}),
      ...(solved.durationMs > 0 ? { challengeSolveDurationMs: Math.round(solved.durationMs) } : {}),
    });
  } catch (err) {
    const claimToken = (err as { claimToken?: unknown }).claimToken;
    // The server created the account but its credentials are unusable: the claim link must still reach
    // the human. It stays marked pending, so the next run reports this account instead of making another.
    if (typeof claimToken !== "string") throw err;
    const claimUrl = await persistClaim(input, claimToken, undefined);
    throw new AgentError(`Pulumi Cloud created an agent account, but ${(err as Error).message}, so no credentials were stored. Its claim link: ${claimUrl}`, {
      code: "signup-answer-unusable",
      hint: "Give the claim link to the human (it is also in agent-claim.json): they can claim the account and run `pulumi login`.",
      cause: err,
    });
  }
  for (const line of droppedLines("signup answer", signup.dropped)) trace(line);
  addSecret(signup.accessToken);
  addSecret(signup.refreshToken);
  // The claim link is the only way to recover the account: shown and persisted before anything else.
  const claimUrl = await persistClaim(input, signup.claimToken, signup.claimTokenValidUntil);
  const claimPath = claimFilePath(input.storeDir);

  // Who the account is: best effort, the account works without it (pulumi asks /api/user itself).
  const user = await client.getUser(signup.accessToken).catch((err: unknown) => {
    trace(`/api/user after signup failed (${(err as Error).message}); storing what the signup answer said`);
    return signup.user ? { ...signup.user, tokenInfo: undefined } : undefined;
  });
  const account: StoredAccount = {
    accessToken: signup.accessToken,
    ...(signup.refreshToken ? { refreshToken: signup.refreshToken } : {}),
    ...(user?.login ? { username: user.login } : {}),
    ...(user?.organizations?.length ? { organizations: user.organizations } : {}),
    lastValidatedAt: new Date().toISOString(),
    tokenInformation: {
      name: user?.tokenInfo?.name ?? "",
      ...(user?.tokenInfo?.organization ? { organization: user.tokenInfo.organization } : {}),
      ...(user?.tokenInfo?.team ? { team: user.tokenInfo.team } : {}),
      ...(signup.accessTokenValidUntil ? { expiresAt: signup.accessTokenValidUntil } : {}),
    },
  };
  trace(`signed up as ${user?.login ?? "(unknown login)"}; access until ${signup.accessTokenValidUntil}, claim until ${signup.claimTokenValidUntil}; token ${signup.accessToken}`); // printed through the redaction (tested)
  await updateCredentialsFile(credentialsFilePath(input.storeDir), (creds) => withAccount(creds, cloudUrl, account, { setCurrentIfNone: true }));
  // Stored: the claim is complete.
  await updateClaimFile(claimPath, (c) => {
    if (!c || c.claimToken !== signup.claimToken) return c;
    const { credentialsPending: _done, ...rest } = c;
    return rest;
  });
  trace(`stored in ${input.storeDir}`);
  return { claimUrl, username: user?.login };
}

/** Print the claim link, then write it to agent-claim.json with the pending mark (archiving an earlier open claim). */
async function persistClaim(input: SignupInput, claimToken: string, validUntil: string | undefined): Promise<string> {
  const claimUrl = claimUrlFor(input.cloudUrl, claimToken, input.env.PULUMI_CONSOLE_DOMAIN || undefined);
  input.write(signupLines(claimUrl));
  await keepPreviousClaim(input.storeDir, claimToken, input.write);
  // An answer without a usable claimTokenValidUntil gets the product's documented window (30 days from
  // signup), so the claim is reminded about and reported like any other.
  const until = validUntil ?? new Date(Date.now() + CLAIM_WINDOW_MS).toISOString();
  const claim: ClaimRecord = { claimUrl, claimToken, validUntil: until, cloudUrl: input.cloudUrl, credentialsPending: true };
  await writeClaimFile(claimFilePath(input.storeDir), claim);
  return claimUrl;
}

/**
 * agent-claim.json holds one claim (the Go CLI's shape). If it still holds another account's open claim
 * (after `pulumi logout` by a pulumi that leaves it, `--new-account`, or a claim for another cloud),
 * archive it and say so: the claim link is the only way to recover that account.
 */
async function keepPreviousClaim(dir: string, newClaimToken: string, write: (text: string) => void): Promise<void> {
  const previous = await readClaimFile(claimFilePath(dir));
  if (previous.kind !== "ok" || previous.claim.claimToken === newClaimToken || !isClaimOpen(previous.claim, Date.now())) return;
  // On stderr first: even if archiving fails, the link is not lost.
  write(`pulumi-agent: an earlier agent account (${previous.claim.cloudUrl}) can still be claimed until ${previous.claim.validUntil}: ${previous.claim.claimUrl}\n`);
  try {
    await archiveClaim(dir, previous.claim);
    write("  It is kept in agent-claim-history.json and shown by `pulumi-agent account status`.\n");
  } catch (err) {
    write(`  It could not be archived (${(err as Error).message}): copy the link above.\n`);
  }
}
