/**
 * `agp analyze <paths...>`: rules that can never match, never decide or are
 * redundant, actions always denied, limits never charged — each proved over
 * every valid request, with an example request the compiled module decided.
 *
 * In: policy paths and options. Out: findings on stdout (text or JSON), a
 * timing line on stderr. Exit codes: 0 analyzed (findings are warnings);
 * 1 policy errors, or with `--strict` a finding other than AGP705/AGP707/
 * AGP708/AGP709; 2 usage, unreadable input, or an internal error.
 * Must not analyze itself: compiler/analyze does; this is the thin verb.
 */
import type { Command } from "commander";
import { analyze, confirmerFor, findingToJson, openSolver, QueryRunner, renderFinding, type Finding } from "../../analyze/index.js";
import { diagnosticToJson } from "../../diagnostics/index.js";
import { matchActions } from "../../catalog/index.js";
import { EXIT, type CliIo } from "../io.js";
import { loadPolicySet } from "../policy-set.js";
import { parseFormat, reportDiagnostics } from "../report.js";
import { usageError } from "../usage.js";
import { exitFor } from "./check.js";

/** Findings that never fail a run, even under --strict: facts of the catalog, or limits of the analysis. */
export const ANALYSIS_REPORTED_ONLY = new Set(["AGP705", "AGP707", "AGP708", "AGP709"]);

interface AnalyzeFlags {
  format?: string;
  timeout?: string;
  strict?: boolean;
  action?: string;
}

export function registerAnalyzeCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("analyze")
    .description("prove what a policy set can never do: dead, shadowed and redundant rules, actions always denied, limits never charged")
    .argument("<paths...>", ".agp files or directories (searched recursively)")
    .option("--format <format>", "output format: text or json", "text")
    .option("--timeout <ms>", "time limit of each solver query in milliseconds", "2000")
    .option("--action <pattern>", "analyze only actions matching this name or `prefix.*` pattern")
    .option("--strict", "exit 1 when there is a finding (except AGP705, AGP707, AGP708, AGP709)")
    .action(async (paths: string[], flags: AnalyzeFlags) => {
      setExit(await runAnalyze(paths, flags, io));
    });
}

async function runAnalyze(paths: readonly string[], flags: AnalyzeFlags, io: CliIo): Promise<number> {
  const format = parseFormat(flags.format);
  if (format === undefined) return usageError(io, `unknown format \`${flags.format}\`; use text or json`);
  const timeoutMs = parseTimeout(flags.timeout);
  if (timeoutMs === undefined) return usageError(io, `--timeout must be a whole number of milliseconds, got \`${flags.timeout}\``);
  const started = performance.now();
  const loaded = await loadPolicySet(paths, io.cwd);
  if (!("checked" in loaded)) {
    reportDiagnostics(io, format, loaded.diagnostics, loaded.sources);
    return exitFor(loaded.diagnostics);
  }
  let actions: string[] | undefined;
  if (flags.action !== undefined) {
    actions = matchActions(loaded.catalogs, flags.action).map((a) => a.name);
    if (actions.length === 0) return usageError(io, `no action matches \`${flags.action}\``);
  }
  const confirmer = confirmerFor(loaded.checked, loaded.catalogs);
  if (!("decide" in confirmer)) {
    reportDiagnostics(io, format, confirmer.diagnostics, loaded.sources);
    return EXIT.policyErrors;
  }
  const solver = await openSolver();
  let findings: readonly Finding[];
  let analyzed: number;
  const runner = new QueryRunner(solver, timeoutMs);
  try {
    const result = await analyze({ checked: loaded.checked, catalogs: loaded.catalogs, runner, confirmer, ...(actions === undefined ? {} : { actions }), locate: loaded.locate });
    findings = result.findings;
    analyzed = result.actions;
  } finally {
    await solver.close();
  }
  const counted = findings.filter((f) => !ANALYSIS_REPORTED_ONLY.has(f.diagnostic.code));
  if (format === "json") {
    const document = {
      files: loaded.files,
      actions: analyzed,
      findings: findings.map(findingToJson),
      summary: { findings: findings.length, counted: counted.length },
      diagnostics: loaded.diagnostics.map(diagnosticToJson),
    };
    io.stdout(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    if (findings.length > 0) io.stdout(`${findings.map((f) => renderFinding(f, loaded.sources)).join("\n\n")}\n\n`);
    io.stdout(`${findings.length} ${findings.length === 1 ? "finding" : "findings"} on ${analyzed} ${analyzed === 1 ? "action" : "actions"}\n`);
  }
  const s = runner.stats;
  io.stderr(`analyzed in ${ms(performance.now() - started)} (Z3 start ${ms(solver.startMs)}; ${s.queries} queries in ${ms(s.solveMs)}, ${s.cached} answered from cache, ${s.unknown} unknown)\n`);
  return flags.strict === true && counted.length > 0 ? EXIT.policyErrors : EXIT.ok;
}

/** A positive whole number of milliseconds. */
export function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return 2000;
  if (!/^[1-9][0-9]{0,6}$/.test(value)) return undefined;
  return Number(value);
}

function ms(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`;
}
