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
import { comparableDecision, interpreterEngine, type Engine } from "./engine.js";
import type { CaseStep, TestCase } from "./expand.js";
import type { SessionEvent } from "../interpret/index.js";
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
  /** Trace cases: the 1-based step whose decision is shown (the first that failed, else the first call). */
  readonly step?: number;
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
  const sessions = interpreter.model.session !== undefined;
  const results: CaseResult[] = [];
  for (const testCase of cases) {
    if (options.filter !== undefined && !options.filter.test(testCase.name)) continue;
    const started = now();
    if (testCase.steps !== undefined) {
      results.push({ ...runTrace(testCase, testCase.steps, primary, others, interpreter, coverage), durationMs: now() - started });
      continue;
    }
    const state = testCase.state as RuntimeState | undefined;
    // With session rules, a case without steps is the first call of a new session, at time 0.
    const decideOne = (engine: Engine): Decision => (sessions ? engine.session().decide(testCase.request, state, 0) : engine.decide(testCase.request, state));
    const decision = decideOne(primary);
    const mismatches = matchDecision(testCase.expect, decision);
    const disagreements: Disagreement[] = [];
    for (const engine of others) {
      const other = decideOne(engine);
      if (!sameJson(comparableDecision(other), comparableDecision(decision))) {
        disagreements.push({ engine: engine.name, decision: other });
        mismatches.push({ clause: "engines", expected: `${primary.name}: ${decisionText(decision)}`, actual: `${engine.name}: ${decisionText(other)}` });
      }
    }
    const session = sessions ? { now: 0, trace: [] } : undefined;
    coverage.record(decision, explainRequest(interpreter.model, testCase.request, state, undefined, session));
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
      const explanation = explainRequest(interpreter.model, testCase.request, state, [...decided, ...expected], session);
      if (explanation.kind === "explained") explanations = explanation.rules;
      else refused = explanation.message;
    }
    results.push({ case: testCase, passed, primary: primary.name, decision, mismatches, disagreements, explanations, limits, ...(refused === undefined ? {} : { refused }), durationMs: now() - started });
  }
  return { engines: engines.map((e) => e.name), results, coverage: coverage.result() };
}

/**
 * A trace case: each engine keeps its own session; every call step is
 * decided by every engine at its time and matched; the primary's decision
 * is recorded (a call with an error is no event); an outcome step reports a
 * call step whose call ran (was allowed).
 */
function runTrace(testCase: TestCase, steps: readonly CaseStep[], primary: Engine, others: readonly Engine[], interpreter: Interpreter, coverage: CoverageRecorder): CaseResult {
  const sessions = [primary, ...others].map((engine) => ({ engine, runner: engine.session(), handles: new Map<number, number>() }));
  const reference = interpreterEngine(interpreter).session();
  const referenceHandles = new Map<number, number>();
  const effects = new Map<number, Decision["effect"]>();
  let shown: { decision: Decision; step: number; request: unknown; state: RuntimeState | undefined; trace: SessionEvent[] } | undefined;
  const mismatches: Mismatch[] = [];
  const disagreements: Disagreement[] = [];
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    const label = `step ${i + 1}`;
    if (step.kind === "outcome") {
      const effect = effects.get(step.call);
      if (effect !== "allow") {
        mismatches.push({ clause: `${label}: outcome`, expected: `step ${step.call + 1} ran (was allowed)`, actual: effect === undefined ? `step ${step.call + 1} made no call of the session` : `step ${step.call + 1} was ${effect === "deny" ? "denied" : "parked for approval"}` });
        break;
      }
      const request = (steps[step.call] as Extract<CaseStep, { kind: "call" }>).request;
      for (const s of [...sessions, { engine: { name: "reference" }, runner: reference, handles: referenceHandles }]) {
        const handle = s.handles.get(step.call);
        if (handle === undefined) continue;
        const out = s.runner.outcome(request, step.at, handle, step.outcome);
        if (out.error !== undefined) mismatches.push({ clause: `${label}: outcome`, expected: "recorded", actual: `${s.engine.name}: ${out.error}` });
      }
      continue;
    }
    const state = step.state as RuntimeState | undefined;
    const trace = reference.trace?.() ?? [];
    const decision = sessions[0]!.runner.decide(step.request, state, step.at);
    const stepMismatches = matchDecision(step.expect, decision).map((m) => ({ ...m, clause: `${label}: ${m.clause}` }));
    for (const s of sessions.slice(1)) {
      const other = s.runner.decide(step.request, state, step.at);
      if (!sameJson(comparableDecision(other), comparableDecision(decision))) {
        disagreements.push({ engine: s.engine.name, decision: other });
        stepMismatches.push({ clause: `${label}: engines`, expected: `${primary.name}: ${decisionText(decision)}`, actual: `${s.engine.name}: ${decisionText(other)}` });
      }
    }
    reference.decide(step.request, state, step.at);
    coverage.record(decision, explainRequest(interpreter.model, step.request, state, undefined, { now: step.at, trace }));
    if (shown === undefined || (stepMismatches.length > 0 && mismatches.length === 0)) shown = { decision, step: i + 1, request: step.request, state, trace };
    mismatches.push(...stepMismatches);
    if (decision.error !== undefined) continue;
    effects.set(i, decision.effect);
    for (const s of [...sessions, { engine: { name: "reference" }, runner: reference, handles: referenceHandles }]) {
      const out = s.runner.record(step.request, step.at, decision.effect);
      if ("error" in out) mismatches.push({ clause: `${label}: record`, expected: "recorded", actual: `${s.engine.name}: ${out.error}` });
      else if (out.handle !== undefined) s.handles.set(i, out.handle);
    }
  }
  const passed = mismatches.length === 0;
  const at = shown!;
  let explanations: readonly RuleExplanation[] = [];
  let refused: string | undefined;
  if (!passed) {
    const decided = at.decision.rules.filter((r) => r.kind === "rule").map((r) => r.id);
    const call = steps[at.step - 1];
    const expected = call?.kind === "call" ? (call.expect.rules ?? []).filter((id) => !decided.includes(id)) : [];
    const explanation = explainRequest(interpreter.model, at.request, at.state, [...decided, ...expected], { now: call?.at ?? 0, trace: at.trace });
    if (explanation.kind === "explained") explanations = explanation.rules;
    else refused = explanation.message;
  }
  return { case: testCase, passed, primary: primary.name, decision: at.decision, mismatches, disagreements, explanations, limits: [], ...(refused === undefined ? {} : { refused }), step: at.step };
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
