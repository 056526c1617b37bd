/**
 * `matches` globs → minimal byte-class DFAs, decided entirely at compile time.
 *
 * In: the pattern text and an optional state cap.
 * Out: a minimal complete DFA over UTF-8 bytes (automata/dfa.ts), or an error
 * value: a syntax error (glob-syntax.ts) or "too complex" when the automaton
 * would exceed the cap. Encoding for the stdlib is in automata/dfa-layout.ts.
 * Must not: throw on any pattern text, or produce anything that backtracks:
 * a match reads each input byte once.
 *
 * Semantics over UTF-8 bytes: `*` matches any run of bytes, `?` and `[...]`
 * match exactly one well-formed UTF-8 encoded code point, literals match
 * their UTF-8 encoding. On valid UTF-8 input (every JSON string) `*` thus
 * matches any run of characters. See docs/decisions/0005-stdlib-and-automata.md.
 */
import { determinize, fitsDfaTable, minimize, NfaBuilder, utf8Sequences, type Dfa } from "../automata/index.js";
import { parseGlob, type GlobPiece, type GlobSyntaxError } from "./glob-syntax.js";

export type { Dfa } from "../automata/index.js";
export { runDfa, dfaAccepts, type DfaRun } from "../automata/index.js";
export { encodeClassMap, encodeDfaTable, dfaTableSize, fitsDfaTable, rowOffset, NO_DEAD_STATE } from "../automata/index.js";
export type { GlobSyntaxError } from "./glob-syntax.js";

/**
 * Default cap on the states of a glob's minimal DFA. Independently, the
 * table (2 · states · classes bytes) must stay under 64 KB, because the
 * stdlib names states by u16 row offsets; with 1024 states that allows 32
 * byte classes, more than real globs with that many states have.
 */
export const DEFAULT_MAX_GLOB_STATES = 1024;

/**
 * Subset construction may pass through more states than the minimal DFA
 * keeps; it may use this many times the cap before giving up.
 */
const CONSTRUCTION_FACTOR = 8;

/** Why a glob could not be compiled. */
export type GlobError =
  | ({ readonly kind: "syntax" } & GlobSyntaxError)
  | {
      readonly kind: "too-complex";
      readonly message: string;
      readonly help: string;
      /** The cap that was exceeded. */
      readonly maxStates: number;
    };

/** A glob's minimal DFA, or why there is none. */
export type GlobResult = { readonly ok: true; readonly dfa: Dfa } | { readonly ok: false; readonly error: GlobError };

/** Options of compileGlob. */
export interface GlobOptions {
  /** Cap on the minimal DFA's states (default DEFAULT_MAX_GLOB_STATES); the 64 KB table limit applies too. */
  readonly maxStates?: number;
}

/**
 * Compiled globs by cap and pattern: lowering asks for a pattern once per
 * action that uses it (and codegen once more), and a policy with thousands
 * of rules asks thousands of times. Results are immutable; the cache is
 * cleared when it reaches CACHE_SIZE entries, so it stays bounded.
 */
const cache = new Map<string, GlobResult>();
const CACHE_SIZE = 20_000;

/** Compiles a glob to its minimal DFA over UTF-8 bytes (the same result object for the same pattern and cap). */
export function compileGlob(pattern: string, options: GlobOptions = {}): GlobResult {
  const maxStates = Math.min(options.maxStates ?? DEFAULT_MAX_GLOB_STATES, 0xfffe);
  const key = `${maxStates}\u0000${pattern}`;
  const found = cache.get(key);
  if (found !== undefined) return found;
  if (cache.size >= CACHE_SIZE) cache.clear();
  const result = compileUncached(pattern, maxStates);
  cache.set(key, result);
  return result;
}

function compileUncached(pattern: string, maxStates: number): GlobResult {
  const parsed = parseGlob(pattern);
  if (!parsed.ok) return { ok: false, error: { kind: "syntax", ...parsed.error } };
  const built = determinize(globNfa(parsed.pieces), maxStates * CONSTRUCTION_FACTOR);
  if (!built.ok) return tooComplex(pattern, maxStates, `needs more than ${maxStates} states`);
  const dfa = minimize(built.dfa);
  if (dfa.stateCount > maxStates) return tooComplex(pattern, maxStates, `needs more than ${maxStates} states`);
  if (!fitsDfaTable(dfa)) {
    return tooComplex(pattern, maxStates, `needs ${dfa.stateCount} states × ${dfa.classCount} character classes, over the 64 KB table limit`);
  }
  return { ok: true, dfa };
}

/**
 * The glob matching exactly `text` (every special character escaped). With
 * `*` on both sides it is the O(length) automaton for `contains "text"`.
 */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

function globNfa(pieces: readonly GlobPiece[]) {
  const nfa = new NfaBuilder();
  for (const piece of pieces) {
    if (piece.kind === "star") nfa.loopAnyByte();
    else nfa.oneOf(piece.ranges.flatMap(([lo, hi]) => utf8Sequences(lo, hi)));
  }
  return nfa.finish();
}

function tooComplex(pattern: string, maxStates: number, why: string): GlobResult {
  return {
    ok: false,
    error: {
      kind: "too-complex",
      message: `glob \`${pattern}\` is too complex: its automaton ${why}`,
      help: "split it into several `matches` joined with `and` / `or`, or use fewer `?` and `[...]` after a `*`",
      maxStates,
    },
  };
}
