// Windows process conventions as pure functions of the environment and the file name, so that they
// run under test on any OS: variable names that ignore case, the PATH × PATHEXT search order, and
// the cmd.exe command line that starts a .cmd/.bat file with every argument arriving byte for byte.
import path from "node:path";

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * A variable the Windows way: names ignore case. The exact spelling wins; a copied env object
 * (`{ ...process.env }`) keeps the system's spelling ("Path", "ComSpec"), hence the scan.
 */
export function winEnv(env: Env, name: string): string | undefined {
  const exact = env[name];
  if (exact !== undefined) return exact;
  const upper = name.toUpperCase();
  for (const key of Object.keys(env)) if (key.toUpperCase() === upper) return env[key];
  return undefined;
}

export const DEFAULT_PATHEXT = ".COM;.EXE;.BAT;.CMD";
/** What we can start: executables directly, batch files through cmd.exe. */
const LAUNCHABLE = new Set([".com", ".exe", ".bat", ".cmd"]);

/**
 * PATHEXT in order, lower-cased, each with its dot (Go's os/exec pathExt), keeping only the
 * extensions we can start: a `.JS` or `.PS1` entry would pick a file CreateProcess cannot run.
 */
export function pathExtensions(env: Env): string[] {
  const raw = winEnv(env, "PATHEXT") || DEFAULT_PATHEXT;
  const out: string[] = [];
  for (let ext of raw.toLowerCase().split(";")) {
    ext = ext.trim();
    if (!ext) continue;
    if (!ext.startsWith(".")) ext = `.${ext}`;
    if (LAUNCHABLE.has(ext) && !out.includes(ext)) out.push(ext);
  }
  return out;
}

/** A Windows PATH list (Go's filepath.SplitList): `;`-separated, a quoted entry may hold `;`. */
export function splitWindowsPath(list: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i <= list.length; i++) {
    if (list[i] === '"') quoted = !quoted;
    else if (i === list.length || (list[i] === ";" && !quoted)) {
      const entry = list.slice(start, i).replaceAll('"', "");
      if (entry) out.push(entry);
      start = i + 1;
    }
  }
  return out;
}

/** Does the last path element carry an extension (Go's os/exec hasExt)? */
export function hasExtension(file: string): boolean {
  const dot = file.lastIndexOf(".");
  return dot >= 0 && Math.max(file.lastIndexOf(":"), file.lastIndexOf("\\"), file.lastIndexOf("/")) < dot;
}

export function isLaunchable(file: string): boolean {
  return LAUNCHABLE.has(path.win32.extname(file).toLowerCase());
}

export function isBatchFile(file: string): boolean {
  return /\.(cmd|bat)$/i.test(file);
}

/**
 * The files to try for a path named explicitly, in order (Go's os/exec findExecutable): the name
 * as given when it has a launchable extension, then the name with each PATHEXT extension appended.
 */
export function explicitCandidates(file: string, exts: readonly string[]): string[] {
  const out = hasExtension(file) && isLaunchable(file) ? [file] : [];
  for (const ext of exts) out.push(file + ext);
  return out;
}

// ---- cmd.exe command lines --------------------------------------------------------------------------
// Node refuses to spawn a batch file without a shell (CVE-2024-27980), and `shell: true` joins the
// arguments unescaped (DEP0190). So we run `%ComSpec% /d /s /c "<line>"` with verbatim arguments and
// build <line> by cross-spawn's rules (moxystudio/node-cross-spawn lib/util/escape.js, after
// https://qntm.org/cmd): each argument quoted for the program's own argv parser (MSVCRT rules),
// then every cmd.exe metacharacter, our own quotes included, escaped with `^`, so cmd never enters
// a quoted region and never splits, redirects or expands anything. One deliberate difference:
// cross-spawn 7.0.6's regex (after its #160/#162) doubles only the last of several backslashes
// before a quote; we double them all, as the MSVCRT rules require.

/** cmd.exe metacharacters (http://www.robvanderwoude.com/escapechars.php), the set cross-spawn uses. */
const CMD_META = /[()\][%!^"`<>&|;, *?]/g;

/** Quote one argument so that CommandLineToArgvW / the MSVCRT parser reads it back unchanged. */
export function quoteMsvcrtArgument(arg: string): string {
  let out = '"';
  let backslashes = 0;
  for (const ch of arg) {
    if (ch === "\\") {
      backslashes++;
      continue;
    }
    // Backslashes count only before a quote: double them there and escape the quote itself.
    out += ch === '"' ? `${"\\".repeat(backslashes * 2 + 1)}"` : "\\".repeat(backslashes) + ch;
    backslashes = 0;
  }
  // Trailing backslashes precede our closing quote: double them too.
  return `${out}${"\\".repeat(backslashes * 2)}"`;
}

export function escapeCmdMeta(text: string): string {
  return text.replace(CMD_META, "^$&");
}

/**
 * The line cmd.exe runs for `file args...`. A batch file re-parses its arguments when it expands
 * `%*` (npm's cmd-shim, the installer of `pulumi.cmd`), so argument escapes are doubled: one
 * layer for our cmd.exe, one for the line inside the batch file. The file name is parsed once.
 */
export function cmdLine(file: string, args: readonly string[]): string {
  const command = escapeCmdMeta(path.win32.normalize(file));
  const escaped = args.map((a) => escapeCmdMeta(escapeCmdMeta(quoteMsvcrtArgument(a))));
  return [command, ...escaped].join(" ");
}

/** cmd.exe ends a command at a line break: such an argument cannot reach a batch file intact. */
export function firstUnpassableArgument(args: readonly string[]): number {
  return args.findIndex((a) => /[\r\n]/.test(a));
}

export interface CmdInvocation {
  command: string;
  args: string[];
}

/** `%ComSpec% /d /s /c "<line>"`: /d skips AutoRun hooks, /s keeps the line's inner quotes as written. */
export function cmdInvocation(file: string, args: readonly string[], env: Env): CmdInvocation {
  const comspec = winEnv(env, "ComSpec") || "cmd.exe";
  return { command: comspec, args: ["/d", "/s", "/c", `"${cmdLine(file, args)}"`] };
}
