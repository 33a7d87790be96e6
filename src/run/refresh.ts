// Renew the agent account's access token before pulumi runs, so a pulumi that cannot refresh by itself
// still works when access tokens live an hour (pulumi/pulumi#23430). Under the account's lock, so N agents
// starting at expiry make one refresh; written back atomically to the file the account came from. When
// the refreshed identity is no longer the agent's, the account was claimed (pulumi/pulumi#23578): the
// claim moves to the history and the reminders stop.
import { CloudClient, droppedLines, type RefreshAnswer } from "../cloud/client.js";
import { CloudError } from "../cloud/errors.js";
import { userAgent } from "../cloud/user-agent.js";
import type { RefreshResult, Step } from "../core/plan.js";
import { isTokenExpiring } from "../core/lifecycle.js";
import { credentialsFilePath } from "../core/paths.js";
import { updateCredentialsFile, withAccount, getAccount } from "../store/credentials.js";
import { withExclusiveLock } from "../store/lock.js";
import { addSecret, debug } from "../log/debug.js";
import { forgetClaim } from "./forget.js";
import { gatherStore } from "./gather.js";
import type { DriveContext } from "./context.js";

/** The `sub` claim of a JWT-shaped token, or undefined for any other token. */
export function jwtSubject(token: string | undefined): string | undefined {
  const parts = token?.split(".");
  if (!parts || parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1] as string, "base64url").toString("utf8")) as { sub?: unknown };
    return typeof payload.sub === "string" && payload.sub ? payload.sub : undefined;
  } catch {
    return undefined;
  }
}

export async function refreshAccount(step: Extract<Step, { kind: "refresh" }>, ctx: DriveContext): Promise<RefreshResult> {
  const { cloudUrl, found } = step;
  const trace = (m: string) => debug(ctx.env, m);
  try {
    return await withExclusiveLock(
      found.dir,
      async () => {
        // Another agent may have refreshed while we waited: then its token is ours too.
        const now = await gatherStore(found.location, found.dir);
        const current = now.creds.kind === "ok" ? now.creds.accounts[cloudUrl] : undefined;
        if (!current?.refreshToken) return "failed";
        if (current.accessToken && !isTokenExpiring(current, Date.now())) {
          trace("refresh: another pulumi-agent already renewed the token");
          return "done";
        }
        const client = new CloudClient({ baseUrl: cloudUrl, userAgent: userAgent(ctx.wireName), signal: ctx.signal, env: ctx.env });
        let answer: RefreshAnswer;
        try {
          answer = await client.refresh(current.refreshToken);
        } catch (err) {
          if (err instanceof CloudError && err.kind === "refresh-refused") {
            trace(`refresh refused: ${err.message}`);
            return "refused";
          }
          trace(`refresh failed: ${(err as Error).message}`);
          return "failed";
        }
        addSecret(answer.accessToken);
        addSecret(answer.refreshToken);
        for (const line of droppedLines("refresh answer", answer.dropped)) trace(line);

        // Who the new token is: a changed JWT subject, or a login that is no longer the agent's.
        let claimedBy: string | undefined;
        const before = jwtSubject(current.accessToken);
        const after = jwtSubject(answer.accessToken);
        const user = await client.getUser(answer.accessToken).catch(() => undefined);
        if ((before && after && before !== after) || (user?.login && current.username && user.login !== current.username)) {
          claimedBy = user?.login ?? after ?? "the user who claimed it";
        }

        await updateCredentialsFile(credentialsFilePath(found.dir), (creds) => {
          const stored = getAccount(creds, cloudUrl) ?? {};
          const tokenInformation = { name: "", ...stored.tokenInformation, ...(answer.expiresAt ? { expiresAt: answer.expiresAt } : {}) };
          return withAccount(
            creds,
            cloudUrl,
            {
              ...stored,
              accessToken: answer.accessToken,
              ...(answer.refreshToken ? { refreshToken: answer.refreshToken } : {}),
              ...(claimedBy && user?.login ? { username: user.login, organizations: user.organizations } : {}),
              lastValidatedAt: new Date().toISOString(),
              tokenInformation,
            },
            { setCurrentIfNone: false },
          );
        });
        trace(`refreshed the access token of ${cloudUrl} in ${found.dir}${answer.expiresAt ? `, valid until ${answer.expiresAt}` : ""}`);
        if (claimedBy && found.claim) {
          await forgetClaim(found.dir, found.claim);
          ctx.write(
            `pulumi-agent: the agent account was claimed: pulumi-agent now works as ${claimedBy} on ${cloudUrl}. ` +
              "Its claim link is kept in agent-claim-history.json; no more reminders.\n",
          );
        }
        return "done";
      },
      { signal: ctx.signal },
    );
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    trace(`refresh could not run: ${(err as Error).message}`);
    return "failed";
  }
}
