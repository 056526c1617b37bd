/**
 * `agp check [paths...]`: parse and type-check policies, report every
 * problem of every file in one run. Without paths, every policy set of the
 * project file (agp.json), each checked on its own; `--watch` checks again
 * whenever a file read changes.
 *
 * In: paths or `--set` names, options. Out: diagnostics (text on stderr or
 * JSON on stdout), a summary line, the exit code (0 ok, 1 policy errors, 2
 * usage and I/O errors). Must not check anything itself (compiler/check).
 */
import type { Command } from "commander";
import { sortDiagnostics, type Diagnostic } from "../../diagnostics/index.js";
import { checkPaths } from "../../check/index.js";
import { exitFor } from "../exit.js";
import type { CliIo } from "../io.js";
import { parseFormat, reportDiagnostics } from "../report.js";
import { emptyPaths, resolveTargets } from "../targets.js";
import { usageError } from "../usage.js";
import { watchAndRerun, type WatchHooks } from "../watch.js";

interface CheckFlags {
  strict?: boolean;
  format?: string;
  set?: string[];
  watch?: boolean;
}

/** What tests may replace: how `--watch` waits (and when it stops). */
export interface CheckCommandHooks {
  readonly watch?: WatchHooks;
}

export function registerCheckCommand(program: Command, io: CliIo, setExit: (code: number) => void, hooks: CheckCommandHooks = {}): void {
  program
    .command("check")
    .description("parse and type-check policies against their action catalogs")
    .argument("[paths...]", ".agp files or directories (searched recursively); default: the policy sets of agp.json")
    .option("--set <name>", "check this policy set of agp.json (repeatable)", collect, [])
    .option("--strict", "treat warnings as errors (default: agp.json's `strict`)")
    .option("--no-strict", "do not treat warnings as errors, whatever agp.json says")
    .option("--format <format>", "output format: text or json", "text")
    .option("--watch", "check again whenever a policy or catalog changes (Ctrl-C stops)")
    .action(async (paths: string[], flags: CheckFlags) => {
      const format = parseFormat(flags.format);
      if (format === undefined) return setExit(usageError(io, `unknown format \`${flags.format}\`; use text or json`));
      if (flags.watch === true) return setExit(await watchAndRerun(io, (watched) => runCheck(paths, flags, format, io, watched), hooks.watch));
      setExit(await runCheck(paths, flags, format, io));
    });
}

async function runCheck(paths: readonly string[], flags: CheckFlags, format: "text" | "json", io: CliIo, watched?: (files: Iterable<string>) => void): Promise<number> {
  const resolved = await resolveTargets("check", paths, io, { sets: flags.set ?? [] });
  if (resolved.kind === "usage") return usageError(io, resolved.message);
  if (resolved.kind === "diagnostics") {
    reportDiagnostics(io, format, resolved.diagnostics, resolved.sources, { files: [] });
    return exitFor(resolved.diagnostics);
  }
  const project = resolved.project;
  const strict = flags.strict ?? project?.strict ?? false;
  const all: Diagnostic[] = [];
  const sources = new Map(resolved.sources);
  const files = new Set<string>();
  // Each set on its own: two sets may both define a package or a rule id, as two modules may.
  for (const target of resolved.targets) {
    const result = await checkPaths(target.paths, { cwd: io.cwd, strict, ...(project === undefined ? {} : { project: project.settings }) });
    all.push(...result.diagnostics, ...emptyPaths(target.paths, result.files, result.diagnostics, io.cwd));
    for (const [file, text] of result.sources) sources.set(file, text);
    for (const file of result.files) files.add(file);
  }
  watched?.([...sources.keys(), ...(project === undefined ? [] : [project.file])]);
  // checkPaths already promotes warnings under --strict (except those reported only).
  const diagnostics = sortDiagnostics(all);
  reportDiagnostics(io, format, diagnostics, sources, { files: [...files].sort() });
  if (format === "text" && diagnostics.length === 0) {
    const sets = resolved.targets.length > 1 ? ` in ${resolved.targets.length} policy sets` : "";
    io.stderr(`checked ${files.size} ${files.size === 1 ? "file" : "files"}${sets}: no problems\n`);
  }
  return exitFor(diagnostics);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export { exitFor } from "../exit.js";
