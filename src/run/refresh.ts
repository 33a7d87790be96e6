// Renew an agent account's access token before pulumi runs (placeholder until the client's refresh lands).
import type { Step, RefreshResult } from "../core/plan.js";
import type { DriveContext } from "./context.js";

export async function refreshAccount(_step: Extract<Step, { kind: "refresh" }>, _ctx: DriveContext): Promise<RefreshResult> {
  return "failed";
}
