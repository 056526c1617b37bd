/**
 * The lower stage's face: `lower(checked, catalogs) → IrProgram` (program.ts),
 * and the compile-time pieces lowering and codegen use for string tests,
 * globs (to minimal DFAs), literal sets (to hash tables) and indexes
 * (interval trees, Aho–Corasick automata: ./index-structures.ts).
 *
 * In / out: see glob.ts and hash-set.ts. Must not: import binaryen or
 * anything of codegen; the byte layouts here are read by the stdlib.
 */
export { lower, type LowerResult } from "./program.js";
export { schemaOf } from "./schema.js";
export {
  compileGlob,
  escapeGlob,
  runDfa,
  dfaAccepts,
  encodeClassMap,
  encodeDfaTable,
  dfaTableSize,
  fitsDfaTable,
  rowOffset,
  DEFAULT_MAX_GLOB_STATES,
  NO_DEAD_STATE,
  type Dfa,
  type DfaRun,
  type GlobError,
  type GlobOptions,
  type GlobResult,
  type GlobSyntaxError,
} from "./glob.js";
export {
  ahoCorasick,
  runAhoCorasick,
  intervalTree,
  stab,
  spanOf,
  regionOf,
  thresholdsOf,
  type AhoCorasick,
  type IntervalNode,
  type Interval,
} from "./index-structures.js";
export { canonical } from "./indexing.js";
export {
  buildStringSet,
  buildNumberSet,
  buildHashSet,
  hashBytes,
  numberKey,
  lookupInTable,
  TARGET_MAX_PROBE,
  type HashSetTable,
} from "./hash-set.js";
