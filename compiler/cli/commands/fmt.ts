/**
 * `agp fmt [--check | --diff | --write] [paths...]`: print policies in the
 * one canonical layout.
 *
 * Without flags the formatted text goes to stdout; with more than one file,
 * each file's text comes after a `==> file <==` header (as `head` and `tail`
 * print several files), so two files are never run together. `--check`
 * changes nothing and lists the files that are not formatted (exit 1 if
 * any). `--diff` changes nothing and prints a unified diff per file that is
 * not formatted (exit 1 if any). `--write` rewrites those files in place,
 * each atomically (a temporary file in the same directory, flushed, renamed
 * over it: a crash leaves the old text or the new, never a mixture). Files
 * with syntax errors are never rewritten: their errors are reported and the
 * exit code is 1. Without paths: the policy sets of agp.json.
 */
import { writeFileAtomic } from "../../../runtime/node/index.js";
import { resolve } from "node:path";
import type { Command } from "commander";
import { sortDiagnostics, type Diagnostic } from "../../diagnostics/index.js";
import { format } from "../../format/index.js";
import { describeIoError, discoverPolicyFiles, readPolicyFiles } from "../../project/index.js";
import { exitFor } from "../exit.js";
import { EXIT, type CliIo } from "../io.js";
import { unifiedDiff } from "../line-diff.js";
import { parseFormat, reportDiagnostics } from "../report.js";
import { emptyPaths, resolveTargets } from "../targets.js";
import { usageError } from "../usage.js";

interface FmtOptions {
  check?: boolean;
  diff?: boolean;
  write?: boolean;
  format?: string;
}

export function registerFmtCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("fmt")
    .description("format policies in the canonical layout (prints to stdout unless --check, --diff or --write)")
    .argument("[paths...]", ".agp files or directories (searched recursively); default: the policy sets of agp.json")
    .option("--check", "change nothing; list files that are not formatted and exit 1 if any")
    .option("--diff", "change nothing; print a unified diff for each file that is not formatted and exit 1 if any")
    .option("--write", "rewrite files that are not formatted")
    .option("--format <format>", "diagnostic output format: text or json", "text")
    .action(async (paths: string[], options: FmtOptions) => {
      setExit(await runFmt(paths, options, io));
    });
}

async function runFmt(paths: string[], options: FmtOptions, io: CliIo): Promise<number> {
  const outputFormat = parseFormat(options.format);
  if (outputFormat === undefined) return usageError(io, `unknown format \`${options.format}\`; use text or json`);
  const modes = (["check", "diff", "write"] as const).filter((m) => options[m] === true);
  if (modes.length > 1) return usageError(io, `use one of --check, --diff and --write, not ${modes.map((m) => `--${m}`).join(" and ")}`);
  if (options.diff === true && outputFormat === "json") return usageError(io, "--diff prints a diff on stdout; it cannot be combined with --format json");
  const resolved = await resolveTargets("fmt", paths, io);
  if (resolved.kind === "usage") return usageError(io, resolved.message);
  if (resolved.kind === "diagnostics") {
    reportDiagnostics(io, outputFormat, resolved.diagnostics, resolved.sources, { unformatted: [] });
    return exitFor(resolved.diagnostics);
  }
  const named = resolved.targets.flatMap((t) => t.paths);
  const settings = resolved.project?.settings;
  const discovered = await discoverPolicyFiles(named, io.cwd, undefined, settings);
  const read = await readPolicyFiles(discovered.files, io.cwd);
  const diagnostics: Diagnostic[] = [...discovered.diagnostics, ...read.diagnostics, ...emptyPaths(named, discovered.files, discovered.diagnostics, io.cwd)];
  const print = options.check !== true && options.write !== true && options.diff !== true;
  // Several files printed: each after a header, so their texts are never run together.
  const headers = print && read.parsed.length > 1;
  const unformatted: string[] = [];
  let printed = 0;
  for (const source of read.parsed) {
    if (source.diagnostics.length > 0) continue;
    const result = format(source.text, source.file);
    if (print) {
      io.stdout(`${headers ? `${printed > 0 ? "\n" : ""}==> ${source.file} <==\n` : ""}${result.text}`);
      printed++;
    }
    if (!result.changed) continue;
    unformatted.push(source.file);
    if (options.diff === true) io.stdout(unifiedDiff(source.text, result.text, `a/${source.file}`, `b/${source.file}`));
    if (options.write === true) {
      try {
        await writeFileAtomic(resolve(io.cwd, source.file), result.text);
      } catch (error) {
        return usageError(io, `cannot write \`${source.file}\`: ${describeIoError(error)}`);
      }
    }
  }
  const sorted = sortDiagnostics(diagnostics);
  reportDiagnostics(io, outputFormat, sorted, read.sources, { unformatted });
  if (outputFormat === "text") {
    for (const file of unformatted) {
      if (options.check === true || options.diff === true) io.stderr(`not formatted: ${file}\n`);
      if (options.write === true) io.stderr(`formatted: ${file}\n`);
    }
  }
  const errorExit = exitFor(sorted);
  if (errorExit !== EXIT.ok) return errorExit;
  return (options.check === true || options.diff === true) && unformatted.length > 0 ? EXIT.policyErrors : EXIT.ok;
}
