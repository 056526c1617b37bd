/**
 * Public face of compiler/testing: the harness behind `agp test`.
 *
 * - `loadSuite(paths, options)`: check policies and test files, expand cases
 *   (load.ts, expand.ts, checks.ts; AGP5xx for test-file errors).
 * - Engines: `interpreterEngine`, `wasmEngine` (engine.ts), one interface.
 * - `runCases(cases, engines, interpreter, sources, options)`: run, match,
 *   compare engines, explain failures, record coverage (run.ts).
 * - Reporters: `prettyReport`, `jsonReport`, `junitReport`; `lcovReport`
 *   and the `Coverage` data for `--coverage-json`.
 * Other stages import compiler/testing only through this file.
 */
export { loadSuite, type LoadSuiteOptions, type LoadSuiteResult, type Suite } from "./load.js";
export { expandTests, type TestCase, type ExpectedDecision, type ExpectedQuorum, type KnownNames } from "./expand.js";
export { checkTestFiles } from "./checks.js";
export { interpreterEngine, wasmEngine, comparableDecision, type Engine, type CompileToWasm, type CompiledWasm } from "./engine.js";
export { matchDecision, expectationText, decisionText, type Mismatch } from "./match.js";
export { runCases, mergeRuns, tally, type CaseResult, type RunResult, type RunOptions, type Disagreement } from "./run.js";
export { CoverageRecorder, clauseSpans, mergeCoverage, type Coverage, type FileCoverage, type RuleCoverage, type ClauseCoverage, type Figure, type Figures } from "./coverage.js";
export { prettyReport, figureText, type PrettyOptions } from "./report-pretty.js";
export { jsonReport } from "./report-json.js";
export { junitReport } from "./report-junit.js";
export { lcovReport } from "./lcov.js";
export { failureLines } from "./failure-text.js";
export { sourceText } from "./source-text.js";
export { nodeLines } from "./failure-text.js";
