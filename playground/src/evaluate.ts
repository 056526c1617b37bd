/**
 * The whole compiler on the playground's texts, in the browser: check the
 * policy and its tests against the catalog, compile to WebAssembly (binaryen
 * with the stdlib bytes passed in), load the module with the runtime, decide
 * the request, explain the deciding rules' conditions with the reference
 * interpreter, and run the test cases on the module.
 *
 * In: the editors' texts and the stdlib's bytes. Out: plain data for the
 * page (diagnostics by file with positions, the decision, explanation lines,
 * test results). The files live in memory (`memoryFiles`) under /play, and
 * every stage is reached through its public face, as the CLI reaches it.
 * Must not touch the DOM (it runs in a worker) or throw for user mistakes:
 * every problem comes back as a diagnostic or a message.
 */
import { checkPaths } from "../../compiler/check/index.js";
import { compilePolicy } from "../../compiler/compile/index.js";
import { sortDiagnostics, type Diagnostic } from "../../compiler/diagnostics/index.js";
import { explainRequest, interpretChecked } from "../../compiler/interpret/index.js";
import { memoryFiles } from "../../compiler/project/index.js";
import { loadSuite, nodeLines, runCases, failureLines, wasmEngine } from "../../compiler/testing/index.js";
import { loadPolicySync, type Decision, type RuntimeState } from "../../runtime/index.js";

/** What the page holds. */
export interface PlaygroundState {
  readonly policy: string;
  readonly tests: string;
  readonly catalog: string;
  readonly request: string;
  /** Runtime state for the request (trust, counters, approvals): JSON, may be empty. */
  readonly state: string;
}

/** The files the texts become (names as the policy's `actions` statement and diagnostics see them). */
export const FILES = { policy: "policy.agp", tests: "policy.test.agp", catalog: "catalog.json" } as const;
export type FileKey = keyof typeof FILES;

/** A diagnostic placed in one of the editors. */
export interface PlacedDiagnostic {
  readonly file: FileKey | "other";
  readonly code: string;
  readonly severity: "error" | "warning";
  readonly message: string;
  readonly help?: string;
  /** 1-based, UTF-16 columns; end exclusive. */
  readonly line: number;
  readonly column: number;
  readonly offset: number;
  readonly endOffset: number;
  /** `policy.agp:8:7` */
  readonly where: string;
}

/** A test case after running. */
export interface CaseOutcome {
  readonly name: string;
  readonly passed: boolean;
  readonly line: number;
  readonly lines: readonly string[];
}

/** Everything the page shows. */
export interface Outcome {
  readonly diagnostics: readonly PlacedDiagnostic[];
  /** Why there is no decision (errors, a request that is not JSON, an internal error). */
  readonly notDecided?: string;
  readonly decision?: Decision;
  /** `--explain`: the rules looked at and the value of every sub-expression of their conditions. */
  readonly explanation: readonly string[];
  readonly tests?: { readonly passed: number; readonly failed: number; readonly cases: readonly CaseOutcome[] };
  readonly wasmBytes?: number;
  readonly timings: { readonly checkMs: number; readonly compileMs?: number };
}

const ROOT = "/play";
const KEYS = Object.fromEntries(Object.entries(FILES).map(([k, v]) => [v, k])) as Record<string, FileKey>;

function place(d: Diagnostic): PlacedDiagnostic {
  return {
    file: KEYS[d.span.file] ?? "other",
    code: d.code,
    severity: d.severity,
    message: d.message,
    ...(d.help === undefined ? {} : { help: d.help }),
    line: d.span.line,
    column: d.span.column,
    offset: d.span.offset,
    endOffset: d.span.endOffset,
    where: `${d.span.file}:${d.span.line}:${d.span.column}`,
  };
}

/** Checks only: what the page shows while the author types, before compiling. */
export async function check(state: PlaygroundState): Promise<readonly PlacedDiagnostic[]> {
  const checked = await checkPaths(["."], { cwd: ROOT, files: filesOf(state) });
  return checked.diagnostics.map(place);
}

function filesOf(state: PlaygroundState) {
  return memoryFiles(new Map([[`${ROOT}/${FILES.policy}`, state.policy], [`${ROOT}/${FILES.tests}`, state.tests], [`${ROOT}/${FILES.catalog}`, state.catalog]]));
}

/** Checks, compiles, decides, explains and tests. Never throws for user mistakes. */
export async function evaluate(state: PlaygroundState, stdlib: Uint8Array): Promise<Outcome> {
  const files = filesOf(state);
  const t0 = performance.now();
  const checked = await checkPaths(["."], { cwd: ROOT, files });
  const suite = await loadSuite(["."], { cwd: ROOT, files });
  const checkMs = performance.now() - t0;
  const diagnostics = sortDiagnostics([...checked.diagnostics, ...suite.diagnostics]).map(place);
  const base = { diagnostics, explanation: [] as string[], timings: { checkMs } };
  if (checked.checked === undefined) return { ...base, notDecided: "fix the errors in the policy or the catalog to decide requests" };

  const t1 = performance.now();
  const compiled = compilePolicy(checked.checked, checked.catalogs, { stdlib, compiler: "agp playground" });
  const compileMs = performance.now() - t1;
  const all = sortDiagnostics([...checked.diagnostics, ...suite.diagnostics, ...compiled.diagnostics]).map(place);
  if (compiled.compiled === undefined) return { ...base, diagnostics: all, notDecided: "the policy does not compile (see the errors)", timings: { checkMs, compileMs } };
  const wasm = compiled.compiled.wasm;
  const engine = loadPolicySync(wasm);

  let tests: Outcome["tests"];
  if (suite.suite !== undefined && suite.suite.cases.length > 0) {
    const run = runCases(suite.suite.cases, [wasmEngine(wasm)], suite.suite.interpreter, suite.sources);
    const cases = run.results.map((r) => ({ name: r.case.name, passed: r.passed, line: r.case.line, lines: r.passed ? [] : failureLines(r, suite.sources) }));
    tests = { passed: cases.filter((c) => c.passed).length, failed: cases.filter((c) => !c.passed).length, cases };
  }
  const done = { ...base, diagnostics: all, wasmBytes: wasm.length, timings: { checkMs, compileMs }, ...(tests === undefined ? {} : { tests }) };

  let request: unknown;
  let runtime: RuntimeState | undefined;
  try {
    request = JSON.parse(state.request);
  } catch (error) {
    return { ...done, notDecided: `the request is not JSON: ${(error as Error).message}` };
  }
  try {
    runtime = state.state.trim() === "" ? undefined : (JSON.parse(state.state) as RuntimeState);
  } catch (error) {
    return { ...done, notDecided: `the state is not JSON: ${(error as Error).message}` };
  }
  const decision = engine.decide(request, runtime);
  const interpreter = interpretChecked(checked.checked, checked.catalogs);
  const deciding = decision.rules.filter((r) => r.kind === "rule").map((r) => r.id);
  const explained = explainRequest(interpreter.model, request, runtime, deciding.length > 0 ? deciding : undefined);
  const explanation: string[] = [];
  if (explained.kind === "refused") explanation.push(`the request is refused before any rule runs: ${explained.message}`);
  else {
    if (explained.rules.length === 0) explanation.push(`no rule covers \`${explained.action}\``);
    for (const rule of explained.rules.slice(0, 10)) {
      const holds = rule.condition === undefined ? "it has no condition" : rule.holds === undefined ? "its condition cannot be evaluated" : `its condition is ${rule.holds}`;
      explanation.push(`rule ${rule.id} (${rule.file}:${rule.line}, ${rule.effect}): ${rule.covers ? holds : "it does not cover this action"}`);
      if (rule.condition !== undefined && rule.covers) explanation.push(...nodeLines(rule.condition, checked.sources, 2));
    }
  }
  return { ...done, decision, explanation };
}
