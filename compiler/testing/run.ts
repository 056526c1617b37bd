/**
 * Running cases: each case through each engine, expectations matched,
 * engines compared, failures explained, coverage recorded.
 *
 * In: expanded cases, the engines (the first is the primary: its decision is
 * matched and counted for coverage; every other one must return the same
 * decision, apart from the bundle hash and version), the interpreter (its
 * model is what coverage and explanations are computed on), the source texts.
 * Out: a `RunResult`: per case its status, the primary decision, the
 * mismatches and, for a failing case, the explanation of the rules that
 * decided and of the rules it expected; and the coverage of the run.
 * Must not print anything.
 */
import type { Decision, RuntimeState } from "../../runtime/decision.js";
import { explainRequest, type Interpreter, type RuleExplanation } from "../interpret/index.js";
import { CoverageRecorder, mergeCoverage, type Coverage } from "./coverage.js";
import { comparableDecision, type Engine } from "./engine.js";
import type { TestCase } from "./expand.js";
import { decisionText, matchDecision, sameJson, type Mismatch } from "./match.js";

/** Two engines answered one case differently. */
export interface Disagreement {
  readonly engine: string;
  readonly decision: Decision;
}

/** One case after running: its status, the primary decision and, when it failed, why. */
export interface CaseResult {
  readonly case: TestCase;
  readonly passed: boolean;
  /** The primary engine's name. */
  readonly primary: string;
  /** The primary engine's decision. */
  readonly decision: Decision;
  readonly mismatches: readonly Mismatch[];
  /** Other engines whose decision differs from the primary's. */
  readonly disagreements: readonly Disagreement[];
  /** Failing cases: the deciding rules, then the expected ones not among them. */
  readonly explanations: readonly RuleExplanation[];
  /** Failing cases decided by a limit's cap: the limit, where it is, its cap and the counter the state gave. */
  readonly limits: readonly { readonly id: string; readonly file: string; readonly line: number; readonly cap: number; readonly used?: number }[];
  /** Failing cases whose request the interpreter refuses: why. */
  readonly refused?: string;
  /** Wall time of the case on every engine, with matching and coverage, in milliseconds (JUnit `time`). */
  readonly durationMs?: number;
}

/** A whole run: the engines, every case run, the coverage. */
export interface RunResult {
  /** The engines, primary first. */
  readonly engines: readonly string[];
  readonly results: readonly CaseResult[];
  readonly coverage: Coverage;
}

/** Which cases run. */
export interface RunOptions {
  /** Only cases whose full name this matches run (and count for coverage). */
  readonly filter?: RegExp;
}

/** Runs `cases` against `engines` (at least one). */
export function runCases(
  cases: readonly TestCase[],
  engines: readonly Engine[],
  interpreter: Interpreter,
  sources: ReadonlyMap<string, string>,
  options: RunOptions = {},
): RunResult {
  const [primary, ...others] = engines;
  if (primary === undefined) throw new Error("internal error: runCases needs at least one engine");
  const coverage = new CoverageRecorder(interpreter.model.rules, sources);
  const results: CaseResult[] = [];
  for (const testCase of cases) {
    if (options.filter !== undefined && !options.filter.test(testCase.name)) continue;
    const started = now();
    const state = testCase.state as RuntimeState | undefined;
    const decision = primary.decide(testCase.request, state);
    const mismatches = matchDecision(testCase.expect, decision);
    const disagreements: Disagreement[] = [];
    for (const engine of others) {
      const other = engine.decide(testCase.request, state);
      if (!sameJson(comparableDecision(other), comparableDecision(decision))) {
        disagreements.push({ engine: engine.name, decision: other });
        mismatches.push({ clause: "engines", expected: `${primary.name}: ${decisionText(decision)}`, actual: `${engine.name}: ${decisionText(other)}` });
      }
    }
    coverage.record(decision, explainRequest(interpreter.model, testCase.request, state));
    const passed = mismatches.length === 0;
    let explanations: readonly RuleExplanation[] = [];
    let refused: string | undefined;
    const limits: CaseResult["limits"][number][] = [];
    if (!passed) {
      const counters = (state as { counters?: Record<string, number> } | undefined)?.counters;
      for (const ref of decision.rules.filter((r) => r.kind === "limit")) {
        const limit = interpreter.model.limits.find((l) => l.id === ref.id);
        const used = counters?.[ref.id];
        if (limit !== undefined) limits.push({ id: ref.id, file: ref.file, line: ref.line, cap: limit.cap, ...(used === undefined ? {} : { used }) });
      }
      const decided = decision.rules.filter((r) => r.kind === "rule").map((r) => r.id);
      const expected = (testCase.expect.rules ?? []).filter((id) => !decided.includes(id));
      const explanation = explainRequest(interpreter.model, testCase.request, state, [...decided, ...expected]);
      if (explanation.kind === "explained") explanations = explanation.rules;
      else refused = explanation.message;
    }
    results.push({ case: testCase, passed, primary: primary.name, decision, mismatches, disagreements, explanations, limits, ...(refused === undefined ? {} : { refused }), durationMs: now() - started });
  }
  return { engines: engines.map((e) => e.name), results, coverage: coverage.result() };
}

/** Runs of several policy sets (agp.json's sets) as one run: cases in set order, coverage side by side. */
export function mergeRuns(runs: readonly RunResult[]): RunResult {
  const first = runs[0];
  if (first === undefined) throw new Error("internal error: mergeRuns needs at least one run");
  return { engines: first.engines, results: runs.flatMap((r) => r.results), coverage: mergeCoverage(runs.map((r) => r.coverage)) };
}

/** A monotonic clock in milliseconds, where there is one (Node, browsers). */
function now(): number {
  return typeof performance === "undefined" ? Date.now() : performance.now();
}

/** Counts for summaries. */
export function tally(run: RunResult): { total: number; passed: number; failed: number } {
  const passed = run.results.filter((r) => r.passed).length;
  return { total: run.results.length, passed, failed: run.results.length - passed };
}
