// `account env`: export lines for one shell. Values are quoted so nothing in them is interpreted.

export type Shell = "bash" | "zsh" | "fish" | "powershell";
export const SHELLS: readonly Shell[] = ["bash", "zsh", "fish", "powershell"];

const single = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;

export function exportLines(vars: Record<string, string>, shell: Shell): string {
  return (
    Object.entries(vars)
      .map(([k, v]) => {
        switch (shell) {
          case "fish":
            return `set -gx ${k} '${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}';`;
          case "powershell":
            return `$Env:${k} = '${v.replace(/'/g, "''")}'`;
          default:
            return `export ${k}=${single(v)}`;
        }
      })
      .join("\n") + "\n"
  );
}

/** Best guess from $SHELL; bash when unknown. */
export function defaultShell(env: Readonly<Record<string, string | undefined>>, platform = process.platform): Shell {
  const s = env.SHELL ?? "";
  if (s.endsWith("/fish")) return "fish";
  if (s.endsWith("/zsh")) return "zsh";
  if (!s && platform === "win32") return "powershell";
  return "bash";
}
