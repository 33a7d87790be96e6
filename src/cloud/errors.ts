// Errors from talking to Pulumi Cloud. Kept free of heavy imports so the hot path can `instanceof` them.

export type CloudErrorKind = "unauthorized" | "rate-limited" | "http" | "network" | "timeout" | "malformed";

export class CloudError extends Error {
  override name = "CloudError";
  constructor(
    readonly kind: CloudErrorKind,
    message: string,
    readonly details: { status?: number; code?: number; route?: string; url?: string; retryAfter?: string } = {},
  ) {
    super(message);
  }
}
