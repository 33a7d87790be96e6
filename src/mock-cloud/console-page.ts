// The mock console's claim page (`/claim/{token}`): self-contained HTML (no scripts, no external
// resources). Every interpolated value goes through escapeHtml: logins, entity names and messages all
// come from clients.
import { formatValidFor } from "../core/lifecycle.js";
import type { AgentClaimResponse, ClaimEntity } from "../cloud/protocol.js";
import type { AgentPhase } from "./state.js";

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Content-Security-Policy for every console page: inline style only, forms post to us. */
export const CONSOLE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";

/** "29d 23h 59m"-style time left; "expired" when not positive. */
/** The CLI's duration format (core/lifecycle), spaced for the page: "29d 23h 59m". */
export function formatTimeLeft(ms: number): string {
  return formatValidFor(ms, 0).replace(/([dhm])(?=\d)/g, "$1 ");
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · mock Pulumi Cloud</title>
<style>
body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}
form{margin:1rem 0;padding:1rem;border:1px solid #ddd;border-radius:6px}
label{display:block;margin:.4rem 0}input[type=text],input[type=password]{width:100%;box-sizing:border-box}
.note{color:#666;font-size:.9rem}.error{color:#a00}
</style>
</head>
<body>
<p class="note">mock Pulumi Cloud console (test double)</p>
${body}
</body>
</html>
`;
}

function entityTable(entities: readonly ClaimEntity[], empty: string): string {
  if (entities.length === 0) return `<p>${escapeHtml(empty)}</p>`;
  const rows = entities.map((e) => `<tr><td>${escapeHtml(e.kind)}</td><td>${escapeHtml(e.name)}</td></tr>`).join("\n");
  return `<table>\n<tr><th>kind</th><th>name</th></tr>\n${rows}\n</table>`;
}

export interface ClaimPageInput {
  claimToken: string;
  claim: AgentClaimResponse;
  phase: AgentPhase;
  now: Date;
  demoHuman?: { login: string };
}

export function renderClaimPage(input: ClaimPageInput): string {
  const { claim, now } = input;
  const action = `/claim/${encodeURIComponent(input.claimToken)}`;
  const left = formatTimeLeft(Date.parse(claim.claimExpiresAt) - now.getTime());
  const demo = input.demoHuman
    ? `<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="demo" value="1">
<button type="submit">Claim as ${escapeHtml(input.demoHuman.login)}</button>
</form>`
    : "";
  return layout(
    `Claim ${claim.agent.login}`,
    `<h1>Claim agent account <code>${escapeHtml(claim.agent.login)}</code></h1>
<p>Organization: <code>${escapeHtml(claim.agent.orgName)}</code><br>
Created: ${escapeHtml(claim.agent.createdAt)}<br>
Status: <strong>${escapeHtml(input.phase)}</strong><br>
Claim window closes: ${escapeHtml(claim.claimExpiresAt)} (${escapeHtml(left)} left)</p>
<h2>Inventory</h2>
${entityTable(claim.inventory, "The agent has not created anything yet.")}
${demo}
<form method="post" action="${escapeHtml(action)}">
<label>Your Pulumi access token <input type="password" name="token" autocomplete="off" required></label>
<label>Destination organization (default: your first organization) <input type="text" name="org"></label>
<button type="submit">Claim</button>
</form>`,
  );
}

export function renderUnavailablePage(message: string): string {
  return layout(
    "Claim link not available",
    `<h1>This claim link can no longer be used</h1>\n<p class="error">${escapeHtml(message)}</p>`,
  );
}

export function renderClaimedPage(claim: AgentClaimResponse, destinationOrg: string, claimedBy: string): string {
  return layout(
    "Claimed",
    `<h1>Claimed <code>${escapeHtml(claim.agent.login)}</code></h1>
<p>${escapeHtml(claimedBy)} now owns everything the agent created; it was moved to organization
<code>${escapeHtml(destinationOrg)}</code>. The agent's access token no longer works: run
<code>pulumi login</code> for the agent with your own credentials.</p>
${entityTable(claim.inventory, "Nothing to transfer.")}
<p class="note">Transfer token: <code>${escapeHtml(claim.transferToken ?? "")}</code></p>`,
  );
}

export function renderBlockedPage(claim: AgentClaimResponse, destinationOrg: string): string {
  const failures = claim.failures
    .map((f) => `<li>${escapeHtml(f.entity.kind)} ${escapeHtml(f.entity.name)}: ${escapeHtml(f.failureDetails)}</li>`)
    .join("\n");
  return layout(
    "Claim blocked",
    `<h1>The claim cannot complete yet</h1>
<p>Nothing was changed. Destination organization: <code>${escapeHtml(destinationOrg)}</code>.</p>
<h2>Name conflicts</h2>
${entityTable(claim.conflicts, "None.")}
<h2>Cannot be transferred</h2>
${failures ? `<ul>\n${failures}\n</ul>` : "<p>None.</p>"}
<p class="note">Resolve conflicts with <code>pulumi-agent account claim</code> (conflictsResolution renames).</p>`,
  );
}

export function renderErrorPage(status: number, message: string): string {
  return layout("Claim failed", `<h1>Claim failed (${status})</h1>\n<p class="error">${escapeHtml(message)}</p>`);
}
