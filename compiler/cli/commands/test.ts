/**
 * `agp test [paths...]`: run the test cases written next to policies.
 *
 * In: paths (default `.`) and options. Out: a report on stdout (pretty,
 * JSON or JUnit XML, or into `--output FILE`), diagnostics on stderr,
 * coverage files on request, and the exit code: 0 every case passed (and
 * coverage met `--coverage-threshold`), 1 a case failed or coverage fell
 * short, 2 usage, unreadable files, policy or test-file errors.
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
  prettyReport,
  runCases,
  tally,
  wasmEngine,
  figureText,
  type CompileToWasm,
  type Engine,
} from "../../testing/index.js";
import { compilePolicy } from "../../compile/index.js";
import { hasErrors } from "../../diagnostics/index.js";
import { EXIT, type CliIo } from "../io.js";
import { reportDiagnostics } from "../report.js";
import { usageError } from "../usage.js";
import { writeFileAtomic } from "../../../runtime/node/index.js";

/** The compiler `agp test` runs cases against by default: compiler/compile, with its diagnostics (AGP6xx). */
const DEFAULT_COMPILE: CompileToWasm | undefined = (checked, catalogs) => {
  const result = compilePolicy(checked, catalogs);
  return { diagnostics: result.diagnostics, ...(result.compiled === undefined ? {} : { wasm: result.compiled.wasm }) };
};

/** What tests of the command may replace: the compiler and how compiled bytes become an engine. */
export interface TestCommandHooks {
  readonly compile?: CompileToWasm;
  readonly loadWasm?: (bytes: Uint8Array) => Engine;
  /** Colours in the pretty report; default: stdout is a terminal and neither CI nor NO_COLOR is set. */
  readonly color?: boolean;
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
}

/** Adds `agp test` to the program; `hooks` replace the compiler and the wasm loader (tests). */
export function registerTestCommand(program: Command, io: CliIo, setExit: (code: number) => void, hooks: TestCommandHooks = {}): void {
  const compile = "compile" in hooks ? hooks.compile : DEFAULT_COMPILE;
  program
    .command("test")
    .description("run the test cases of policies (test files next to them) and report coverage")
    .argument("[paths...]", ".agp files or directories (searched recursively)", ["."])
    .option("--engine <engine>", `engine to run cases on: wasm (the compiled module) or interpreter (default: ${compile === undefined ? "interpreter" : "wasm"})`)
    .option("--both", "run on the compiled module and the reference interpreter; any disagreement fails the case")
    .option("--reporter <reporter>", "pretty, json or junit", "pretty")
    .option("--output <file>", "write the report to a file instead of stdout")
    .option("--filter <regex>", "run only cases whose name matches")
    .option("--coverage", "print coverage per file and what was never covered")
    .option("--coverage-threshold <percent>", "fail when rule or branch coverage is below this percentage")
    .option("--coverage-json <file>", "write coverage as JSON")
    .option("--coverage-lcov <file>", "write coverage as an lcov tracefile pointing at .agp lines")
    .option("--strict", "treat policy warnings as errors")
    .option("--no-color", "no colours in the pretty report")
    .action(async (paths: string[], options: TestOptions) => {
      setExit(await runTestCommand(paths, options, io, compile, hooks));
    });
}

async function runTestCommand(paths: string[], options: TestOptions, io: CliIo, compile: CompileToWasm | undefined, hooks: TestCommandHooks): Promise<number> {
  const reporter = options.reporter ?? "pretty";
  if (!["pretty", "json", "junit"].includes(reporter)) return usageError(io, `unknown reporter \`${reporter}\`; use pretty, json or junit`);
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
  let threshold: number | undefined;
  if (options.coverageThreshold !== undefined) {
    threshold = Number(options.coverageThreshold);
    if (!Number.isFinite(threshold) || threshold < 0 || threshold > 100) {
      return usageError(io, `--coverage-threshold must be a number from 0 to 100, got \`${options.coverageThreshold}\``);
    }
  }

  const loaded = await loadSuite(paths, { cwd: io.cwd, strict: options.strict === true });
  // Warnings are `agp check`'s to show; here only errors (warnings too under --strict, where they are errors).
  const errors = loaded.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) reportDiagnostics(io, reporter === "json" ? "json" : "text", errors, loaded.sources, { files: loaded.files });
  const suite = loaded.suite;
  if (suite === undefined || hasErrors(loaded.diagnostics)) return EXIT.usage;

  const interpreter = interpreterEngine(suite.interpreter);
  const engines: Engine[] = [];
  if (needsWasm) {
    try {
      const compiled = await compile!(suite.checked, suite.catalogs);
      const bytes = compiled instanceof Uint8Array ? compiled : compiled.wasm;
      const problems = compiled instanceof Uint8Array ? [] : compiled.diagnostics.filter((d) => d.severity === "error");
      if (problems.length > 0 || bytes === undefined) {
        reportDiagnostics(io, reporter === "json" ? "json" : "text", problems, loaded.sources, { files: loaded.files });
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

  const run = runCases(suite.cases, engines, suite.interpreter, loaded.sources, filter === undefined ? {} : { filter });
  if (suite.cases.length === 0) io.stderr(`agp: no test cases found under ${paths.join(", ")} (tests are \`test\` statements in .agp files; see docs/testing.md)\n`);
  else if (run.results.length === 0) io.stderr(`agp: no case name matches --filter \`${options.filter}\`\n`);
  const color = options.color !== false && (hooks.color ?? (process.stdout.isTTY === true && process.env["CI"] === undefined && process.env["NO_COLOR"] === undefined));
  const report =
    reporter === "json"
      ? jsonReport(run, loaded.sources)
      : reporter === "junit"
        ? junitReport(run, loaded.sources)
        : prettyReport(run, loaded.sources, { color: color && options.output === undefined, coverageDetails: options.coverage === true });
  try {
    if (options.output !== undefined) await writeFileAtomic(resolve(io.cwd, options.output), report);
    else io.stdout(report);
    if (options.coverageJson !== undefined) await writeFileAtomic(resolve(io.cwd, options.coverageJson), `${JSON.stringify(run.coverage, null, 2)}\n`);
    if (options.coverageLcov !== undefined) await writeFileAtomic(resolve(io.cwd, options.coverageLcov), lcovReport(run.coverage));
  } catch (error) {
    return usageError(io, `cannot write the report: ${error instanceof Error ? error.message : String(error)}`);
  }

  let exit: number = tally(run).failed > 0 ? EXIT.policyErrors : EXIT.ok;
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
