/**
 * Public face of compiler/check: the type checker.
 *
 * - `check(input, options)`: parsed files + loaded catalogs in; every
 *   diagnostic (AGP2xx errors, AGP3xx warnings) and the `CheckedPolicySet`
 *   out (check.ts; the output shapes are documented in checked.ts).
 * - `checkPaths(paths, options)`: the driver behind `agp check`: discovers,
 *   reads and parses .agp files, loads the catalogs their `actions`
 *   statements name, checks (project.ts).
 * Other stages import compiler/check only through this file.
 */
export type * from "./checked.js";
export { REQUEST_ROOTS } from "./checked.js";
export { check, REPORTED_ONLY, type CheckInput, type CheckOptions, type CheckResult } from "./check.js";
export { checkPaths, type CheckPathsOptions, type CheckPathsResult } from "./project.js";
export { describeType as describeCheckedType } from "./types.js";
export { showExpr } from "./show.js";
export { applyView, isUnder, normalPath, VIEW_NAMES, type ViewName } from "./views.js";
