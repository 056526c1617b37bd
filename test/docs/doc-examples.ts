/**
 * Reads the examples out of a Markdown document, for test/docs/examples.test.ts.
 *
 * In: the document's text. Out: in document order, the files it shows
 * (a paragraph ending "`path`:" right before a fenced block gives that
 * block's text as the file `path`) and the commands of its ```console blocks: each line
 * starting `$ ` (continued by a trailing `\`), with the output shown under
 * it in the block, or — for the last command of a block without output —
 * in a ```text block that follows it directly.
 * Also the placeholders: what may differ between the documented and the
 * real output without the example being wrong (hashes, sizes, keys), and
 * `…` in a documented line, which stands for any text (a line of its own:
 * any lines).
 * Must not run anything.
 */

/** A file the document shows, to be written before the commands after it. */
export interface DocFile {
  readonly kind: "file";
  readonly path: string;
  readonly text: string;
}

/** A command of a console block and the output the document shows for it. */
export interface DocCommand {
  readonly kind: "command";
  /** The line in the document where the command is. */
  readonly line: number;
  /** The command as written, continuation lines joined. */
  readonly text: string;
  /** The documented output, one entry per line; undefined when the document shows none. */
  readonly output?: readonly string[];
  /** The output is a ```text block of diagnostics, shown without the count and summary lines after them. */
  readonly diagnosticsOnly?: boolean;
}

/** A heading: where documents whose examples stand alone (errors.md) start afresh. */
export interface DocHeading {
  readonly kind: "heading";
  readonly text: string;
}

export type DocStep = DocFile | DocCommand | DocHeading;

const FENCE = /^```(\S*)\s*$/;

/** The files and commands of `markdown`, in order. */
export function docSteps(markdown: string): DocStep[] {
  const lines = markdown.split("\n");
  const steps: DocStep[] = [];
  for (let i = 0; i < lines.length; i++) {
    const heading = /^#{1,6} (.*)$/.exec(lines[i]!);
    if (heading !== null) steps.push({ kind: "heading", text: heading[1]! });
    const fence = FENCE.exec(lines[i]!);
    if (fence === null) continue;
    const end = closing(lines, i);
    const body = lines.slice(i + 1, end);
    if (fence[1] === "console") {
      const commands = consoleCommands(body, i + 2);
      const last = commands.at(-1);
      // Output in a ```text block right after (blank lines allowed), when the console block shows none.
      let next = end + 1;
      while (next < lines.length && lines[next]!.trim() === "") next++;
      if (last !== undefined && last.output === undefined && lines[next] === "```text") {
        const textEnd = closing(lines, next);
        commands[commands.length - 1] = { ...last, output: lines.slice(next + 1, textEnd), diagnosticsOnly: true };
        i = textEnd;
      } else i = end;
      steps.push(...commands);
      continue;
    }
    // "`path`:" and a blank line (or none) before the fence: the block is that file.
    let before = i - 1;
    while (before >= 0 && lines[before]!.trim() === "") before--;
    const named = before >= 0 ? /(?:^|\s)`([^`\s]+)`:$/.exec(lines[before]!.trim()) : null;
    if (named !== null) steps.push({ kind: "file", path: named[1]!, text: `${body.join("\n")}\n` });
    i = end;
  }
  return steps;
}

function closing(lines: readonly string[], open: number): number {
  for (let j = open + 1; j < lines.length; j++) if (lines[j]!.startsWith("```")) return j;
  return lines.length;
}

function consoleCommands(body: readonly string[], firstLine: number): DocCommand[] {
  const commands: { line: number; text: string; output: string[] }[] = [];
  for (let k = 0; k < body.length; k++) {
    const text = body[k]!;
    if (text.startsWith("$ ")) {
      let command = text.slice(2);
      const line = firstLine + k;
      while (command.endsWith("\\") && k + 1 < body.length) command = `${command.slice(0, -1).trimEnd()} ${body[++k]!.trim()}`;
      commands.push({ line, text: command, output: [] });
    } else commands.at(-1)?.output.push(text);
  }
  return commands.map(({ line, text, output }) => {
    while (output.length > 0 && output.at(-1)!.trim() === "") output.pop();
    return output.length === 0 ? { kind: "command", line, text } : { kind: "command", line, text, output };
  });
}

/**
 * Splits a command line as a POSIX shell would for the simple commands the
 * docs show: words, "double" and 'single' quotes, `\` escapes. Undefined
 * when it uses what only a shell does (pipes, `&&`, `$(…)`, redirections).
 */
export function shellWords(command: string): string[] | undefined {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end === -1) return undefined;
      word = (word ?? "") + command.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      let text = "";
      for (; j < command.length && command[j] !== '"'; j++) {
        if (command[j] === "$" || command[j] === "`") return undefined;
        if (command[j] === "\\" && j + 1 < command.length) j++;
        text += command[j];
      }
      if (j >= command.length) return undefined;
      word = (word ?? "") + text;
      i = j;
    } else if (c === "\\" && i + 1 < command.length) {
      word = (word ?? "") + command[++i];
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if ("|&;<>$`()".includes(c)) {
      return undefined;
    } else word = (word ?? "") + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

/**
 * The declared placeholders: what differs from build to build without the
 * example being wrong. Both sides are rewritten the same way before they
 * are compared.
 */
export const PLACEHOLDERS: readonly (readonly [RegExp, string])[] = [
  // Content hashes, whole or shortened ("sha256 6ed0f7e9ed2d…", "sha256:ae7f…").
  [/sha256([ :])[0-9a-f]{8,64}…?/g, "sha256$1<hash>"],
  // Module and section sizes: they change with every compiler change.
  [/\b\d+ bytes\b/g, "<n> bytes"],
  // Key ids are random per `agp keygen`.
  [/\bkey [0-9a-f]{16}\b/g, "key <key id>"],
  // Linear memory of a module, in pages.
  [/\bmemory \d+\.\.\d+ pages\b/g, "memory <pages>"],
  // Timings.
  [/\b\d+(?:\.\d+)? ?ms\b/g, "<time>"],
];

/** The diagnostics of a command's output, without the count line ("1 error, 0 warnings") and what follows it. */
export function withoutSummary(text: string): string {
  return text.replace(/\n*^\d+ errors?, \d+ warnings?\n[\s\S]*$/m, "\n");
}

/** `text` with every placeholder put in. */
export function withPlaceholders(text: string): string {
  return PLACEHOLDERS.reduce((t, [pattern, replacement]) => t.replace(pattern, replacement), text);
}

/**
 * Whether `actual` (lines) is what `documented` shows: line by line after
 * the placeholders, `…` (or `...`) inside a documented line standing for any
 * text, and a documented line that is only `…` or `...` for any lines.
 */
export function matchesDocumented(documented: readonly string[], actual: readonly string[]): boolean {
  const patterns = documented.map((line) => {
    const trimmed = line.trim();
    if (trimmed === "…" || trimmed === "...") return "any lines" as const;
    const parts = withPlaceholders(line.trimEnd()).split("…").map((p) => p.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&"));
    return new RegExp(`^${parts.join(".*?")}$`, "s");
  });
  const lines = actual.map((l) => withPlaceholders(l.trimEnd()));
  // Matching with "any lines" gaps: a small dynamic programme (documents show a few dozen lines).
  const memo = new Map<string, boolean>();
  const match = (p: number, a: number): boolean => {
    const key = `${p},${a}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (p === patterns.length) result = a === lines.length;
    else if (patterns[p] === "any lines") result = match(p + 1, a) || (a < lines.length && match(p, a + 1));
    else result = a < lines.length && (patterns[p] as RegExp).test(lines[a]!) && match(p + 1, a + 1);
    memo.set(key, result);
    return result;
  };
  return match(0, 0);
}
