// What a pulumi command line asks for (DESIGN §3 step 2), read from argv alone: pure, no I/O.

/** Pulumi's global flags that take a separate value (`--cwd dir`, `-C dir`, `-v 3`, ...). */
const GLOBAL_FLAGS_WITH_VALUE = new Set([
  "--cwd",
  "-C",
  "--color",
  "-v",
  "--verbose",
  "--tracing",
  "--tracing-header",
  "--profiling",
  "--memprofilerate",
  "--otel-traces",
]);

/** Commands that never talk to a Pulumi Cloud backend, so never need an account. */
const LOCAL_COMMANDS = new Set([
  "version",
  "help",
  "gen-completion",
  "completion",
  "plugin",
  "logout",
  "convert",
  "schema",
  "install",
  "gen-markdown",
  "about",
]);

export interface CommandInfo {
  /** First positional word (the pulumi command), or undefined for a bare `pulumi`. */
  command: string | undefined;
  /** Words after the command (subcommands, flags, positionals), unparsed. */
  rest: string[];
  /** `--cwd`/`-C` value, if any (the last one wins, like cobra). */
  cwd: string | undefined;
  /** Whether this invocation may need Pulumi Cloud credentials. */
  needsCloud: boolean;
  /** Why not, when needsCloud is false (for debug output and doctor). */
  reason: string;
  /** `pulumi login <url>` / `--cloud-url` / `--local`: the backend this login targets. */
  loginTarget: string | undefined;
}

function flagValue(args: string[], i: number, names: string[]): { value: string; consumed: number } | undefined {
  const arg = args[i] as string;
  for (const name of names) {
    if (arg === name && i + 1 < args.length) return { value: args[i + 1] as string, consumed: 2 };
    if (arg.startsWith(`${name}=`)) return { value: arg.slice(name.length + 1), consumed: 1 };
    // Short flags also accept the glued form: -Cdir
    if (name.length === 2 && !name.startsWith("--") && arg.startsWith(name) && arg.length > 2 && arg[2] !== "=") {
      return { value: arg.slice(2), consumed: 1 };
    }
  }
  return undefined;
}

export function classifyCommand(argv: readonly string[]): CommandInfo {
  const args = [...argv];
  let cwd: string | undefined;
  let command: string | undefined;
  let commandIndex = -1;

  for (let i = 0; i < args.length; ) {
    const arg = args[i] as string;
    if (arg === "--") break;
    const cwdFlag = flagValue(args, i, ["--cwd", "-C"]);
    if (cwdFlag) {
      cwd = cwdFlag.value;
      i += cwdFlag.consumed;
      continue;
    }
    if (arg.startsWith("-")) {
      const name = arg.includes("=") ? arg.slice(0, arg.indexOf("=")) : arg;
      i += GLOBAL_FLAGS_WITH_VALUE.has(name) && !arg.includes("=") ? 2 : 1;
      continue;
    }
    if (command === undefined) {
      command = arg;
      commandIndex = i;
      i++;
      // Keep scanning: cobra accepts global flags such as --cwd after the command too.
      continue;
    }
    i++;
  }
  const rest = commandIndex >= 0 ? args.slice(commandIndex + 1) : [];
  const base = { command, rest, cwd, loginTarget: undefined as string | undefined };

  const dashDash = args.indexOf("--");
  const flagsPart = dashDash >= 0 ? args.slice(0, dashDash) : args;
  if (flagsPart.some((a) => a === "--help" || a === "-h" || a === "--version")) {
    return { ...base, needsCloud: false, reason: "help or version requested" };
  }
  if (command === undefined) return { ...base, needsCloud: false, reason: "no command (pulumi prints help)" };
  if (LOCAL_COMMANDS.has(command)) return { ...base, needsCloud: false, reason: `\`pulumi ${command}\` does not use Pulumi Cloud` };

  if (command === "login") {
    let target: string | undefined;
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i] as string;
      if (a === "--local" || a === "-l") target = "file://~";
      const cloud = flagValue(rest, i, ["--cloud-url", "-c"]);
      if (cloud) {
        target = cloud.value;
        i += cloud.consumed - 1;
        continue;
      }
      if (!a.startsWith("-") && target === undefined) target = a;
    }
    return { ...base, loginTarget: target, needsCloud: true, reason: "login" };
  }
  if (command === "package" && rest[0] !== "publish") {
    return { ...base, needsCloud: false, reason: "`pulumi package` works locally" };
  }
  if (command === "new" && rest.some((a) => a === "--generate-only" || a === "-g")) {
    return { ...base, needsCloud: false, reason: "`pulumi new --generate-only` creates no stack" };
  }
  return { ...base, needsCloud: true, reason: `\`pulumi ${command}\` may use the backend` };
}

/**
 * The command our own lookups (account commands, the library) resolve the backend for: what
 * `pulumi whoami` would use, optionally in another project dir or for an explicit cloud URL.
 */
export function accountLookupCommand(o: { cwd?: string | undefined; cloudUrl?: string | undefined } = {}): CommandInfo {
  const info = classifyCommand(["whoami", ...(o.cwd ? ["--cwd", o.cwd] : [])]);
  return o.cloudUrl ? { ...info, loginTarget: o.cloudUrl } : info;
}
