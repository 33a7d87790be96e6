// Which backend a command will use (DESIGN §3 step 3, reference §2.1): pure given its inputs.

export const DEFAULT_CLOUD_URL = "https://api.pulumi.com";

/** Schemes of DIY (self-managed state) backends: these never get an agent account. */
const DIY_SCHEMES = ["file:", "s3:", "azblob:", "gs:", "postgres:", "postgresql:"];

export interface BackendInputs {
  env: Readonly<Record<string, string | undefined>>;
  /** `pulumi login <target>` (only for the login command). */
  loginTarget?: string | undefined;
  /** `backend.url` from the project's Pulumi.yaml, if any. */
  projectBackendUrl?: string | undefined;
  /** `current` from the default credentials file, if any. */
  currentFromCredentials?: string | undefined;
}

export interface BackendChoice {
  url: string;
  source: "PULUMI_BACKEND_URL" | "login argument" | "Pulumi.yaml" | "credentials current" | "PULUMI_API" | "default";
  isDiy: boolean;
}

export function isDiyBackend(url: string): boolean {
  const lower = url.trim().toLowerCase();
  return DIY_SCHEMES.some((s) => lower.startsWith(s));
}

/** Go trims exactly one trailing slash from an explicit URL. */
function trimOneSlash(url: string): string {
  return url.endsWith("/") ? url.slice(0, -1) : url;
}

export function resolveBackend(inputs: BackendInputs): BackendChoice {
  const { env } = inputs;
  const pick = (url: string, source: BackendChoice["source"]): BackendChoice => {
    const clean = source === "PULUMI_API" ? url : trimOneSlash(url);
    return { url: clean, source, isDiy: isDiyBackend(clean) };
  };
  if (env.PULUMI_BACKEND_URL) return pick(env.PULUMI_BACKEND_URL, "PULUMI_BACKEND_URL");
  if (inputs.loginTarget) return pick(inputs.loginTarget, "login argument");
  if (inputs.projectBackendUrl) return pick(inputs.projectBackendUrl, "Pulumi.yaml");
  if (inputs.currentFromCredentials) return pick(inputs.currentFromCredentials, "credentials current");
  if (env.PULUMI_API) return pick(env.PULUMI_API, "PULUMI_API");
  return pick(DEFAULT_CLOUD_URL, "default");
}
