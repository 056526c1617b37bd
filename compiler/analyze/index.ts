/**
 * Public face of compiler/analyze: change safety. What a policy set can
 * never do (`analyze`), what a change does (`diff`), and which recorded
 * requests a change would decide differently (`replay`), proved with an SMT
 * solver (Z3, as WebAssembly) and confirmed with the compiled module.
 *
 * In: checked policy sets (compiler/check) and their catalogs; recorded
 * requests. Out: findings (AGP7xx) with example requests, and renderers.
 * Other stages import compiler/analyze only through this file. Nothing here
 * prints; the CLI verbs (`agp analyze`, `agp diff`, `agp replay`) do.
 * The encoding is described in docs/analysis.md and ADR 0020.
 */
export { openSolver, type Solver } from "./solver.js";
export { QueryRunner, type QueryStats } from "./query-runner.js";
export { confirmerFor, type Confirmer } from "./confirm.js";
export { analyze, type AnalyzeInput, type AnalysisResult } from "./analyze.js";
export type { Example, Finding, FindingKind } from "./findings.js";
export { renderFinding, findingToJson, decisionText } from "./render.js";
export { diff, type DiffInput, type DiffResult, type DiffSide, type ActionVerdict, type Verdict } from "./diff.js";
export { parseAcceptances, parseAcceptFlag, accepts, type Acceptance } from "./accept.js";
export { parseRecords, replay, type Recorded, type ReplayGroup, type ReplayResult, type Decide } from "./replay.js";
