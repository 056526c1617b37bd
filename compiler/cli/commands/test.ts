/**
 * `agp test [paths...]`: run the test cases written next to policies.
 *
 * In: paths (default: the policy sets of agp.json, else `.`) and options.
 * Out: a report on stdout (pretty, JSON or JUnit XML, or into `--output
 * FILE`), diagnostics on stderr, coverage files on request, and the exit
 * code: 0 every case passed (and coverage met `--coverage-threshold`), 1 a
 * case failed, coverage fell short, or there was no case (without
 * `--allow-empty`), 2 usage, unreadable files, policy or test-file errors.
 * Each policy set of agp.json is loaded, compiled and run on its own; the
 * report is one report of every set's cases. `--watch` runs again whenever
 * a file read changes.
 * Must not decide anything itself: compiler/testing does.
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import {
  interpreterEngine,
  jsonReport,
  junitReport,
  lcovReport,
  loadSuite,
  mergeRuns,
  prettyReport,
  runCases,
  tally,
  wasmEngine,
  figureText,
  type CompileToWasm,
  type Engine,
  type RunResult,
} from "../../testing/index.js";
import { sortDiagnostics, type Diagnostic } from "../../diagnostics/index.js";
import { colorWanted } from "../color.js";
import { EXIT, type CliIo } from "../io.js";
import { reportDiagnostics } from "../report.js";
import { emptyPaths, resolveTargets } from "../targets.js";
import { usageError } from "../usage.js";
import { watchAndRerun, type WatchHooks } from "../watch.js";
import { writeFileAtomic } from "../../../runtime/node/index.js";

/** The compiler `agp test` runs cases against by default: compiler/compile, with its diagnostics (AGP6xx). */
const DEFAULT_COMPILE: CompileToWasm | undefined = async (checked, catalogs) => {
  // Loaded here: binaryen costs seconds, and `--engine interpreter` never needs it.
  const { compilePolicy } = await import("../../compile/index.js");
  const result = compilePolicy(checked, catalogs);
  return { diagnostics: result.diagnostics, ...(result.compiled === undefined ? {} : { wasm: result.compiled.wasm }) };
};

/** What tests of the command may replace: the compiler and how compiled bytes become an engine. */
export interface TestCommandHooks {
  readonly compile?: CompileToWasm;
  readonly loadWasm?: (bytes: Uint8Array) => Engine;
  /** Colours in the pretty report; default: `colorWanted` (FORCE_COLOR, NO_COLOR, a terminal outside CI). */
  readonly color?: boolean;
  /** How `--watch` waits and stops. */
  readonly watch?: WatchHooks;
}

interface TestOptions {
  engine?: string;
  both?: boolean;
  reporter?: string;
  output?: string;
  filter?: string;
  coverage?: boolean;
  coverageThreshold?: string;
  coverageJson?: string;
  coverageLcov?: string;
  strict?: boolean;
  color?: boolean;
  set?: string[];
  allowEmpty?: boolean;
  watch?: boolean;
}

/** Adds `agp test` to the program; `hooks` replace the compiler and the wasm loader (tests). */
export function registerTestCommand(program: Command, io: CliIo, setExit: (code: number) => void, hooks: TestCommandHooks = {}): void {
  const compile = "compile" in hooks ? hooks.compile : DEFAULT_COMPILE;
  program
    .command("test")
    .description("run the test cases of policies (test files next to them) and report coverage")
    .argument("[paths...]", ".agp files or directories (searched recursively); default: the policy sets of agp.json, else `.`")
    .option("--set <name>", "run this policy set of agp.json (repeatable)", collect, [])
    .option("--engine <engine>", `engine to run cases on: wasm (the compiled module) or interpreter (default: ${compile === undefined ? "interpreter" : "wasm"})`)
    .option("--both", "run on the compiled module and the reference interpreter; any disagreement fails the case")
    .option("--reporter <reporter>", "pretty, json or junit", "pretty")
    .option("--output <file>", "write the report to a file instead of stdout (folders are created)")
    .option("--filter <regex>", "run only cases whose name matches")
    .option("--coverage", "print coverage per file and what was never covered")
    .option("--coverage-threshold <percent>", "fail when rule or branch coverage is below this percentage (default: agp.json's `coverage.threshold`)")
    .option("--coverage-json <file>", "write coverage as JSON")
    .option("--coverage-lcov <file>", "write coverage as an lcov tracefile pointing at .agp lines")
    .option("--allow-empty", "pass when there is no test case (by default no case is a failure)")
    .option("--strict", "treat policy warnings as errors (default: agp.json's `strict`)")
    .option("--no-strict", "do not treat warnings as errors, whatever agp.json says")
    .option("--no-color", "no colours in the pretty report")
    .option("--watch", "run again whenever a policy, test or catalog changes (Ctrl-C stops)")
    .action(async (paths: string[], options: TestOptions) => {
      if (options.watch === true) return setExit(await watchAndRerun(io, (watched) => runTestCommand(paths, options, io, compile, hooks, watched), hooks.watch));
      setExit(await runTestCommand(paths, options, io, compile, hooks));
    });
}

async function runTestCommand(
  paths: string[],
  options: TestOptions,
  io: CliIo,
  compile: CompileToWasm | undefined,
  hooks: TestCommandHooks,
  watched?: (files: Iterable<string>) => void,
): Promise<number> {
  const reporter = options.reporter ?? "pretty";
  if (!["pretty", "json", "junit"].includes(reporter)) return usageError(io, `unknown reporter \`${reporter}\`; use pretty, json or junit`);
  const diagnosticFormat = reporter === "json" ? "json" : "text";
  const engineName = options.engine ?? (compile === undefined ? "interpreter" : "wasm");
  if (engineName !== "wasm" && engineName !== "interpreter") return usageError(io, `unknown engine \`${engineName}\`; use wasm or interpreter`);
  const needsWasm = engineName === "wasm" || options.both === true;
  if (needsWasm && compile === undefined) {
    return usageError(io, "this build of agp cannot compile policies to wasm yet; run with --engine interpreter (and without --both)");
  }
  let filter: RegExp | undefined;
  if (options.filter !== undefined) {
    try {
      filter = new RegExp(options.filter);
    } catch (error) {
      return usageError(io, `--filter is not a regular expression: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const resolved = await resolveTargets("test", paths, io, { sets: options.set ?? [], fallback: ["."] });
  if (resolved.kind === "usage") return usageError(io, resolved.message);
  if (resolved.kind === "diagnostics") {
    reportDiagnostics(io, diagnosticFormat, resolved.diagnostics, resolved.sources, { files: [] });
    return EXIT.usage;
  }
  const project = resolved.project;
  let threshold: number | undefined = project?.coverageThreshold;
  if (options.coverageThreshold !== undefined) {
    threshold = Number(options.coverageThreshold);
    if (options.coverageThreshold.trim() === "" || !Number.isFinite(threshold) || threshold < 0 || threshold > 100) {
      return usageError(io, `--coverage-threshold must be a number from 0 to 100, got \`${options.coverageThreshold}\``);
    }
  }
  const strict = options.strict ?? project?.strict ?? false;

  // Load every set first: nothing runs while any policy or test file has an error.
  const loadedSets = [];
  const errors: Diagnostic[] = [];
  const sources = new Map(resolved.sources);
  const files: string[] = [];
  for (const target of resolved.targets) {
    const loaded = await loadSuite(target.paths, { cwd: io.cwd, strict, ...(project === undefined ? {} : { project: project.settings }) });
    // Warnings are `agp check`'s to show; here only errors (warnings too under --strict, where they are errors).
    errors.push(...loaded.diagnostics.filter((d) => d.severity === "error"), ...emptyPaths(target.paths, loaded.files, loaded.diagnostics, io.cwd));
    for (const [file, text] of loaded.sources) sources.set(file, text);
    files.push(...loaded.files);
    loadedSets.push(loaded);
  }
  watched?.([...sources.keys(), ...(project === undefined ? [] : [project.file])]);
  if (errors.length > 0 || loadedSets.some((l) => l.suite === undefined)) {
    reportDiagnostics(io, diagnosticFormat, sortDiagnostics(errors), sources, { files });
    return EXIT.usage;
  }

  const runs: RunResult[] = [];
  for (const loaded of loadedSets) {
    const suite = loaded.suite!;
    const interpreter = interpreterEngine(suite.interpreter);
    const engines: Engine[] = [];
    if (needsWasm) {
      try {
        const compiled = await compile!(suite.checked, suite.catalogs);
        const bytes = compiled instanceof Uint8Array ? compiled : compiled.wasm;
        const problems = compiled instanceof Uint8Array ? [] : compiled.diagnostics.filter((d) => d.severity === "error");
        if (problems.length > 0 || bytes === undefined) {
          reportDiagnostics(io, diagnosticFormat, problems, sources, { files });
          return EXIT.usage;
        }
        engines.push((hooks.loadWasm ?? wasmEngine)(bytes));
      } catch (error) {
        io.stderr(`agp: cannot compile the policies to wasm: ${error instanceof Error ? error.message : String(error)}\n`);
        return EXIT.usage;
      }
    }
    if (engineName === "interpreter") engines.unshift(interpreter);
    else if (options.both === true) engines.push(interpreter);
    runs.push(runCases(suite.cases, engines, suite.interpreter, loaded.sources, filter === undefined ? {} : { filter }));
  }
  const run = mergeRuns(runs);
  const cases = loadedSets.reduce((n, l) => n + l.suite!.cases.length, 0);
  const where = paths.length > 0 ? paths.join(", ") : resolved.targets.map((t) => t.paths.join(", ")).join(", ");
  if (cases === 0) io.stderr(`agp: no test cases found under ${where} (tests are \`test\` statements in .agp files; see docs/testing.md)\n`);
  else if (run.results.length === 0) io.stderr(`agp: no case name matches --filter \`${options.filter}\`\n`);
  const color = colorWanted(options.color, process.stdout.isTTY === true);
  const report =
    reporter === "json"
      ? jsonReport(run, sources)
      : reporter === "junit"
        ? junitReport(run, sources)
        : prettyReport(run, sources, { color: options.color !== false && (hooks.color ?? color) && options.output === undefined, coverageDetails: options.coverage === true });
  try {
    // Missing folders are created: a CI job writes `coverage/agp.lcov` on a fresh checkout.
    if (options.output !== undefined) await writeFileAtomic(resolve(io.cwd, options.output), report, { mkdir: true });
    else io.stdout(report);
    if (options.coverageJson !== undefined) await writeFileAtomic(resolve(io.cwd, options.coverageJson), `${JSON.stringify(run.coverage, null, 2)}\n`, { mkdir: true });
    if (options.coverageLcov !== undefined) await writeFileAtomic(resolve(io.cwd, options.coverageLcov), lcovReport(run.coverage), { mkdir: true });
  } catch (error) {
    return usageError(io, `cannot write the report: ${error instanceof Error ? error.message : String(error)}`);
  }

  let exit: number = tally(run).failed > 0 ? EXIT.policyErrors : EXIT.ok;
  if (run.results.length === 0 && options.allowEmpty !== true) {
    // A suite that ran nothing proves nothing: a wrong path or filter must not pass CI.
    io.stderr("agp: no test case ran; pass --allow-empty if that is expected\n");
    exit = EXIT.policyErrors;
  }
  if (threshold !== undefined) {
    const { rules, branches } = run.coverage.total;
    for (const [what, figure] of [["rule", rules], ["branch", branches]] as const) {
      if (figure.percent < threshold) {
        io.stderr(`agp: ${what} coverage ${figureText(figure)} is below the threshold of ${threshold}%\n`);
        exit = EXIT.policyErrors;
      }
    }
  }
  return exit;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
