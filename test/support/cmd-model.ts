// A model of what happens on Windows to `cmd.exe /d /s /c "<line>"` when <line> starts npm's
// cmd-shim `pulumi.cmd`, which runs `"node.exe" "...\pulumi.js" %*`: cmd's percent and caret phases
// on our line, `%*` handed to the batch file, the same caret phase on the batch line, then the
// program's MSVCRT argv parser. Written from the documented rules (https://qntm.org/cmd, the
// "How does cmd.exe parse scripts" phases), independently of the escaper under test, so that a
// round trip through it checks the escaper rather than restating it.

/** CommandLineToArgvW / MSVCRT (2008+) parsing of a whole command line, argv[0] included. */
export function parseMsvcrtCommandLine(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === " " || line[i] === "\t") i++;
    if (i >= line.length) break;
    let arg = "";
    let quoted = false;
    for (; i < line.length; i++) {
      const c = line[i] as string;
      if (c === "\\") {
        let n = 0;
        while (line[i + n] === "\\") n++;
        // Backslashes escape only a following quote: 2n → n and a quote that toggles, 2n+1 → n and a literal quote.
        arg += "\\".repeat(line[i + n] === '"' ? Math.floor(n / 2) : n);
        if (line[i + n] === '"' && n % 2 === 1) {
          arg += '"';
          i += n;
        } else {
          i += n - 1;
        }
        continue;
      }
      if (c === '"') {
        if (quoted && line[i + 1] === '"') {
          arg += '"';
          i++;
          continue;
        }
        quoted = !quoted;
        continue;
      }
      if (!quoted && (c === " " || c === "\t")) break;
      arg += c;
    }
    args.push(arg);
  }
  return args;
}

/** Phase 1 on a command line (not a batch file): %NAME% of a defined variable is replaced, anything else stays. */
export function expandPercents(line: string, vars: Record<string, string>): string {
  const lookup = new Map(Object.entries(vars).map(([k, v]) => [k.toUpperCase(), v]));
  let out = "";
  for (let i = 0; i < line.length; i++) {
    if (line[i] === "%") {
      const close = line.indexOf("%", i + 1);
      if (close > i + 1) {
        const value = lookup.get(line.slice(i + 1, close).toUpperCase());
        if (value !== undefined) {
          out += value;
          i = close;
          continue;
        }
      }
    }
    out += line[i];
  }
  return out;
}

export class CmdInjection extends Error {}

/**
 * Phase 2: outside quotes `^` makes the next character literal (and disappears), `"` toggles
 * quoting; an unescaped, unquoted `& | < > ( )` would split, pipe or redirect the command, which
 * for our purposes is a failure. Returns the text with escapes consumed.
 */
export function caretPhase(line: string): string {
  let out = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (!quoted && c === "^") {
      i++;
      if (i < line.length) out += line[i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    else if (!quoted && /[&|<>()]/.test(c)) throw new CmdInjection(`cmd.exe would act on an unescaped ${c} at ${i} in: ${line}`);
    out += c;
  }
  return out;
}

/** The first caret-phase token (the command) and the rest (`%*`), split at the first unescaped, unquoted blank. */
function splitCommand(raw: string): { command: string; rest: string } {
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (!quoted && c === "^") {
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === " " || c === "\t")) {
      return { command: raw.slice(0, i), rest: raw.slice(i).replace(/^[ \t]+/, "") };
    }
  }
  return { command: raw, rest: "" };
}

export interface ShimRun {
  /** The batch file cmd.exe starts. */
  batch: string;
  /** What node.exe behind the shim receives after its script path. */
  args: string[];
}

/** Run the model: `cmdArgs` as given to spawn (["/d", "/s", "/c", '"<line>"']), `vars` the environment. */
export function runThroughCmdShim(cmdArgs: readonly string[], vars: Record<string, string>): ShimRun {
  const [d, s, c, quotedLine, ...extra] = cmdArgs;
  if (d !== "/d" || s !== "/s" || c !== "/c" || extra.length || quotedLine === undefined) throw new Error(`unexpected cmd.exe arguments: ${cmdArgs.join(" ")}`);
  // /s: drop the first and the last quote of the line, keep everything between as written.
  if (!quotedLine.startsWith('"') || !quotedLine.endsWith('"')) throw new Error("the /c line is not wrapped in quotes");
  const line = expandPercents(quotedLine.slice(1, -1), vars);
  const { command, rest } = splitCommand(line);
  const batch = caretPhase(command);
  // Our cmd.exe must act on nothing in the arguments; what is left is what `%*` holds in the batch file.
  const passedOn = caretPhase(rest);
  // Inside the shim, %* is substituted without a second percent pass, then parsed again.
  const shimLine = caretPhase(`"C:\\Program Files\\nodejs\\node.exe"  "C:\\npm\\node_modules\\pulumi\\bin\\pulumi.js" ${passedOn}`);
  const argv = parseMsvcrtCommandLine(shimLine);
  return { batch, args: argv.slice(2) };
}
