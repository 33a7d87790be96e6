// Which backend a command acts on, and whether it is Pulumi Cloud at all. Pure given its inputs.
// Order (docs/compatibility.md#backend-url): an explicit `login`/`logout` target, PULUMI_BACKEND_URL,
// the project's Pulumi.yaml `backend.url`, `current` in the default credentials, PULUMI_API, the default.

export const DEFAULT_CLOUD_URL = "https://api.pulumi.com";

/** Schemes of DIY (self-managed state) backends: these never get an agent account. */
const DIY_SCHEMES = ["file:", "s3:", "azblob:", "gs:", "postgres:", "postgresql:"];

export type BackendSource = "command line" | "--cloud-url" | "--local" | "PULUMI_BACKEND_URL" | "Pulumi.yaml" | "credentials current" | "PULUMI_API" | "default";

export interface BackendInputs {
  /** What the command line names itself (`login <url>`, `--cloud-url`, `--local`). */
  explicit?: { url: string; source: BackendSource } | undefined;
  env: Readonly<Record<string, string | undefined>>;
  /** `backend.url` from the project's Pulumi.yaml, if any. */
  projectBackendUrl?: string | undefined;
  /** `current` from the default credentials file, if any. */
  currentFromCredentials?: string | undefined;
}

export interface BackendChoice {
  url: string;
  source: BackendSource;
  isDiy: boolean;
}

export function isDiyBackend(url: string): boolean {
  const lower = url.trim().toLowerCase();
  return DIY_SCHEMES.some((s) => lower.startsWith(s));
}

/** Go trims exactly one trailing slash from an explicit URL (PULUMI_API is used verbatim). */
function trimOneSlash(url: string): string {
  return url.endsWith("/") ? url.slice(0, -1) : url;
}

/** Whether the project file can matter: nothing before it in the order named a backend. */
export function needsProjectFile(inputs: Pick<BackendInputs, "explicit" | "env">): boolean {
  return !inputs.explicit && !inputs.env.PULUMI_BACKEND_URL;
}

export function resolveBackend(inputs: BackendInputs): BackendChoice {
  const { env } = inputs;
  const pick = (url: string, source: BackendSource): BackendChoice => {
    const clean = source === "PULUMI_API" ? url : trimOneSlash(url);
    return { url: clean, source, isDiy: isDiyBackend(clean) };
  };
  if (inputs.explicit) return pick(inputs.explicit.url, inputs.explicit.source);
  if (env.PULUMI_BACKEND_URL) return pick(env.PULUMI_BACKEND_URL, "PULUMI_BACKEND_URL");
  if (inputs.projectBackendUrl) return pick(inputs.projectBackendUrl, "Pulumi.yaml");
  if (inputs.currentFromCredentials) return pick(inputs.currentFromCredentials, "credentials current");
  if (env.PULUMI_API) return pick(env.PULUMI_API, "PULUMI_API");
  return pick(DEFAULT_CLOUD_URL, "default");
}
