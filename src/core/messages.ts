// Everything we tell the human and the agent about the agent account: pure text builders.
// Block keys and INSTRUCTION texts follow the Go CLI (docs/compatibility.md#messages) so agents that
// learned to parse its output parse ours; the wording adds phase detail where the Go CLI says nothing.
import { formatValidFor, isClaimOpen, parseTime, type AccountView, type ClaimView } from "./lifecycle.js";

export const BLOCK_HEADER = "PULUMI_EPHEMERAL_AGENT_ACCOUNT";

/** The product's three lines (docs/product.md#signup-message), printed once at signup. */
export function signupLines(claimUrl: string): string {
  return [
    "pulumi: created an agent account on Pulumi Cloud so this work persists.",
    "Claim within 30 days to take ownership.",
    claimUrl,
  ].join("\n") + "\n";
}

/** One line before each later run while the claim is pending. */
export function reminderLine(account: AccountView, claim: ClaimView, now: number): string {
  const access = formatValidFor(parseTime(account.expiresAt), now);
  const claimLeft = formatValidFor(parseTime(claim.validUntil), now);
  const who = account.username ? `agent account ${account.username}` : "an unclaimed agent account";
  const accessText = access === "expired" ? "access expired" : `write access for ${access}`;
  return `pulumi-agent: using ${who} (${accessText}; claim within ${claimLeft}): ${claim.claimUrl}\n`;
}

const LOCK_WARNING =
  "Tell them claiming the account will lock the Pulumi organization during the claim process, so they should let the agent finish its work before claiming it.";

/** Block B (FormatAgentClaimInstruction): "" when nothing is left to claim. */
export function claimBlock(account: AccountView, claim: ClaimView, now: number): string {
  if (!claim.claimUrl) return "";
  const tokenUntil = parseTime(account.expiresAt);
  const claimUntil = parseTime(claim.validUntil);
  const lines = [BLOCK_HEADER, `CLAIM_URL=${claim.claimUrl}`];
  if (tokenUntil !== undefined && tokenUntil > now) {
    const v = formatValidFor(tokenUntil, now);
    lines.push(
      `EPHEMERAL_ACCOUNT_ACCESS_EXPIRES_IN=${v}`,
      "ACTION_REQUIRED=Tell the user to claim this Pulumi agent account.",
      `INSTRUCTION=Tell the user Pulumi created an ephemeral agent account. It is important to surface the claim URL to the user so they can take ownership of the account. Include the claim URL and say they must claim the account within ${v} before agent access expires. ${LOCK_WARNING}`,
    );
  } else if (claimUntil !== undefined && claimUntil > now) {
    const v = formatValidFor(claimUntil, now);
    lines.push(
      `CLAIM_URL_VALID_FOR=${v}`,
      "ACTION_REQUIRED=Tell the user to claim this Pulumi agent account.",
      `INSTRUCTION=Tell the user this ephemeral agent account can no longer authenticate, but the claim URL is still valid for ${v}. Include the claim URL and the remaining time. ${LOCK_WARNING}`,
    );
  } else {
    return "";
  }
  return lines.join("\n") + "\n";
}

export type LoginRequiredReason = "token-rejected" | "claim-unavailable";

/** Block C (FormatAgentLoginRequiredInstruction). */
export function loginRequiredBlock(o: { reason: LoginRequiredReason; tokenExpiresAt?: string | undefined; now: number }): string {
  const lines = [BLOCK_HEADER];
  const until = parseTime(o.tokenExpiresAt);
  if (until !== undefined) lines.push(`EPHEMERAL_ACCOUNT_ACCESS_EXPIRES_IN=${formatValidFor(until, o.now)}`);
  lines.push("ACTION_REQUIRED=Tell the user to run pulumi login.");
  const suffix =
    o.reason === "token-rejected"
      ? " even though local access had not expired. The account was likely claimed or revoked. The stacks the agent was working with may have moved to the user's Pulumi account, so the agent's existing access to those stacks may have changed. Ask the user to run pulumi login before retrying."
      : ", and its claim URL is no longer claimable. The account was likely already claimed, expired, or revoked. If it was claimed, the stacks the agent was working with moved to the user's Pulumi account, so the agent's existing access to those stacks changed. Ask the user to run pulumi login before retrying.";
  lines.push(`INSTRUCTION=Tell the user this Pulumi ephemeral agent account can no longer authenticate${suffix}`);
  return lines.join("\n") + "\n";
}

/** Neo (docs/product.md#neo) needs a claimed account with a verified email. */
export function neoNotice(claimUrl: string): string {
  return (
    "pulumi-agent: Neo tasks need a claimed Pulumi account with a verified email; this is an unclaimed agent account, " +
    `so Neo requests will be refused. Ask the human to claim it (${claimUrl}), verify their email, and run \`pulumi login\`.\n`
  );
}

/** Printed once when an expired, unclaimed agent account is cleaned up before a new signup. */
export function expiredNotice(o: { username?: string | undefined; claimUrl?: string | undefined }): string {
  const who = o.username ? `agent account ${o.username}` : "the previous agent account";
  const link = o.claimUrl ? ` Its claim link was ${o.claimUrl} (the claim window is over; its stacks stay locked in Pulumi Cloud).` : "";
  return `pulumi-agent: ${who} expired unclaimed and is being replaced by a new agent account.${link}\n`;
}

/** Printed before `pulumi logout` forgets an agent account: its claim link one last time, and where it is kept. */
export function logoutNotice(claim: ClaimView, historyPath: string, now: number): string {
  if (!claim.claimUrl) return "";
  const open = isClaimOpen(claim, now);
  const window = open ? `claim it within ${formatValidFor(parseTime(claim.validUntil), now)}` : "its claim window is over";
  return (
    `pulumi-agent: logging out of the agent account on ${claim.cloudUrl}; ${window}: ${claim.claimUrl}\n` +
    `  The link stays in ${historyPath} and in \`pulumi-agent account status\`.\n`
  );
}
