/**
 * Catalog `pattern`s as automata: the code point NFA every engine's meaning
 * comes from, a matcher over it (the reference interpreter's and the
 * checker's), and the minimal byte DFA the compiled policy runs.
 *
 * In: a pattern tree (pattern.ts). Out: `CompiledPattern` (NFA + byte DFA)
 * or a "too complex" reason. JSON Schema search semantics: a string
 * matches when some substring matches; `^` holds only at the start, `$`
 * only at the end (no multiline flag exists in JSON Schema).
 *
 * Must not backtrack: the matcher keeps a set of NFA states (O(length ·
 * states)), the DFA reads each UTF-8 byte once. Sizes are capped
 * (MAX_NFA_STATES, MAX_PATTERN_STATES) so no pattern makes loading slow.
 */
import { determinize, fitsDfaTable, minimize, utf8Sequences, type Dfa, type NfaEdge } from "../automata/index.js";
import type { PatternNode } from "./pattern.js";

/** An edge of the code point NFA. */
type Edge =
  | { readonly kind: "cp"; readonly ranges: readonly (readonly [number, number])[]; readonly to: number }
  | { readonly kind: "eps" | "start" | "end"; readonly to: number };

/** A Thompson NFA over code points, with `^` / `$` as assertion edges. */
export interface PatternNfa {
  readonly edges: readonly (readonly Edge[])[];
  readonly start: number;
  readonly final: number;
}

/** A pattern ready for every engine. */
export interface CompiledPattern {
  /** The pattern as the catalog wrote it. */
  readonly source: string;
  /** Its tree (for tools that generate matching strings). */
  readonly tree: PatternNode;
  readonly nfa: PatternNfa;
  /** The minimal DFA over UTF-8 bytes accepting exactly the strings that match (whole-string run). */
  readonly dfa: Dfa;
}

/** Cap on code point NFA states (roughly the pattern's size after repetitions are expanded). */
export const MAX_NFA_STATES = 20_000;
/** Cap on the minimal DFA's states; the 64 KB table limit applies too. */
export const MAX_PATTERN_STATES = 1024;

class TooComplex {
  constructor(readonly why: string) {}
}

/** Builds the NFA and the DFA, or says why the pattern is too complex. */
export function compilePattern(source: string, tree: PatternNode): { ok: true; pattern: CompiledPattern } | { ok: false; reason: string } {
  try {
    const nfa = buildNfa(tree);
    const dfa = byteDfa(nfa);
    return { ok: true, pattern: { source, tree, nfa, dfa } };
  } catch (error) {
    if (error instanceof TooComplex) return { ok: false, reason: error.why };
    throw error;
  }
}

// ---------------------------------------------------------------- NFA

function buildNfa(tree: PatternNode): PatternNfa {
  const edges: Edge[][] = [];
  const state = (): number => {
    if (edges.length >= MAX_NFA_STATES) throw new TooComplex(`its automaton needs more than ${MAX_NFA_STATES} states`);
    edges.push([]);
    return edges.length - 1;
  };
  /** Adds the fragment for `node` from `from`; returns its exit state. */
  const fragment = (node: PatternNode, from: number): number => {
    switch (node.kind) {
      case "empty":
        return from;
      case "class": {
        const to = state();
        edges[from]!.push({ kind: "cp", ranges: node.ranges, to });
        return to;
      }
      case "start":
      case "end": {
        const to = state();
        edges[from]!.push({ kind: node.kind, to });
        return to;
      }
      case "concat":
        return node.items.reduce((at, item) => fragment(item, at), from);
      case "alt": {
        const exit = state();
        for (const option of node.options) {
          const entry = state();
          edges[from]!.push({ kind: "eps", to: entry });
          edges[fragment(option, entry)]!.push({ kind: "eps", to: exit });
        }
        return exit;
      }
      case "repeat": {
        let at = from;
        for (let i = 0; i < node.min; i++) at = fragment(node.body, at);
        if (node.max === Infinity) {
          // A loop through a fresh state, so the body's own edges never see the back edge.
          const loop = state();
          edges[at]!.push({ kind: "eps", to: loop });
          const exit = state();
          edges[loop]!.push({ kind: "eps", to: exit });
          edges[fragment(node.body, loop)]!.push({ kind: "eps", to: loop });
          return exit;
        }
        const exit = state();
        for (let i = node.min; i < node.max; i++) {
          edges[at]!.push({ kind: "eps", to: exit });
          at = fragment(node.body, at);
        }
        edges[at]!.push({ kind: "eps", to: exit });
        return exit;
      }
    }
  };
  const start = state();
  const final = fragment(tree, start);
  return { edges, start, final };
}

/** The NFA states reachable from `from` without reading, at a position that is (or is not) the start / the end. */
function closure(nfa: PatternNfa, from: Iterable<number>, atStart: boolean, atEnd: boolean, into: Set<number>): void {
  const stack = [...from];
  for (const s of stack) into.add(s);
  while (stack.length > 0) {
    const s = stack.pop()!;
    for (const e of nfa.edges[s]!) {
      if (e.kind === "cp" || into.has(e.to)) continue;
      if ((e.kind === "start" && !atStart) || (e.kind === "end" && !atEnd)) continue;
      into.add(e.to);
      stack.push(e.to);
    }
  }
}

/**
 * Whether `text` matches the pattern (JSON Schema search semantics). Keeps
 * a set of states per code point read: linear in the text, never backtracks.
 */
export function patternMatches(pattern: CompiledPattern, text: string): boolean {
  const nfa = pattern.nfa;
  const points = Array.from(text, (c) => c.codePointAt(0)!);
  let current = new Set<number>();
  for (let i = 0; i <= points.length; i++) {
    const atEnd = i === points.length;
    const next = new Set<number>();
    // Search: a match may begin at every position.
    closure(nfa, [...current, nfa.start], i === 0, atEnd, next);
    if (next.has(nfa.final)) return true;
    if (atEnd) return false;
    const cp = points[i]!;
    current = new Set<number>();
    for (const s of next) {
      for (const e of nfa.edges[s]!) {
        if (e.kind === "cp" && inRanges(e.ranges, cp)) current.add(e.to);
      }
    }
  }
  return false;
}

function inRanges(ranges: readonly (readonly [number, number])[], cp: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = ranges[mid]!;
    if (cp < a) hi = mid - 1;
    else if (cp > b) lo = mid + 1;
    else return true;
  }
  return false;
}

// ---------------------------------------------------------------- byte DFA

/**
 * The whole-string byte DFA of `.* pattern .*` under the anchors: a product
 * of the NFA (its code point edges spelled out as UTF-8 byte sequences)
 * with two flags, "a byte was read" (`^` needs it unset) and "`$` was
 * passed" (no byte may follow), then subset construction and minimization.
 */
function byteDfa(nfa: PatternNfa): Dfa {
  // Byte-level states: the NFA's, then intermediates of multi-byte sequences, then the two loops.
  const bytes: { lo: number; hi: number; to: number }[][] = nfa.edges.map(() => []);
  const newByteState = (): number => {
    if (bytes.length >= MAX_NFA_STATES * 4) throw new TooComplex(`its automaton needs more than ${MAX_NFA_STATES * 4} states`);
    bytes.push([]);
    return bytes.length - 1;
  };
  // Sequences into one target that end in the same byte ranges share those states (a suffix
  // trie), which keeps `.` and negated classes from multiplying states.
  const suffixes = new Map<string, number>();
  const entry = (sequence: readonly { lo: number; hi: number }[], from: number, to: number): void => {
    let target = to;
    for (let i = sequence.length - 1; i >= 1; i--) {
      const k = `${to}:${sequence.slice(i).map((r) => `${r.lo}-${r.hi}`).join(",")}`;
      let state = suffixes.get(k);
      if (state === undefined) {
        state = newByteState();
        suffixes.set(k, state);
        bytes[state]!.push({ lo: sequence[i]!.lo, hi: sequence[i]!.hi, to: target });
      }
      target = state;
    }
    bytes[from]!.push({ lo: sequence[0]!.lo, hi: sequence[0]!.hi, to: target });
  };
  nfa.edges.forEach((edges, from) => {
    for (const e of edges) {
      if (e.kind !== "cp") continue;
      for (const [lo, hi] of e.ranges) for (const sequence of utf8Sequences(lo, hi)) entry(sequence, from, e.to);
    }
  });
  const prefix = newByteState();
  const suffix = newByteState();
  bytes[prefix]!.push({ lo: 0, hi: 255, to: prefix });
  bytes[suffix]!.push({ lo: 0, hi: 255, to: suffix });
  // Non-reading edges at byte level: the NFA's, plus prefix → start and final → suffix.
  const silent = (s: number): readonly Edge[] =>
    s === prefix ? [{ kind: "eps", to: nfa.start }] : s === nfa.final ? [...nfa.edges[s]!, { kind: "eps", to: suffix }] : nfa.edges[s] ?? [];

  // Product states (state, read, ended), numbered as met; 0 is (prefix, no, no).
  const ids = new Map<number, number>();
  const product: number[] = [];
  const key = (s: number, read: boolean, ended: boolean): number => s * 4 + (read ? 2 : 0) + (ended ? 1 : 0);
  const id = (k: number): number => {
    let found = ids.get(k);
    if (found === undefined) {
      found = product.length;
      ids.set(k, found);
      product.push(k);
      if (product.length > MAX_NFA_STATES * 8) throw new TooComplex(`its automaton needs more than ${MAX_NFA_STATES * 8} states`);
    }
    return found;
  };
  id(key(prefix, false, false));
  const out: NfaEdge[][] = [];
  const accepting = new Set<number>();
  for (let i = 0; i < product.length; i++) {
    const k = product[i]!;
    const read = (k & 2) !== 0;
    const seen = new Set<number>([k]);
    const stack = [k];
    const edges: NfaEdge[] = [];
    while (stack.length > 0) {
      const x = stack.pop()!;
      const s = x >> 2;
      const ended = (x & 1) !== 0;
      if (s === suffix) accepting.add(i);
      if (!ended) for (const b of bytes[s]!) edges.push({ lo: b.lo, hi: b.hi, to: id(key(b.to, true, false)) });
      for (const e of silent(s)) {
        if (e.kind === "cp" || (e.kind === "start" && read)) continue;
        const y = key(e.to, read, ended || e.kind === "end");
        if (!seen.has(y)) {
          seen.add(y);
          stack.push(y);
        }
      }
    }
    out.push(edges);
  }
  const built = determinize({ edges: out, accepting }, MAX_PATTERN_STATES * 8);
  if (!built.ok) throw new TooComplex(`its automaton needs more than ${MAX_PATTERN_STATES} states`);
  const dfa = minimize(built.dfa);
  if (dfa.stateCount > MAX_PATTERN_STATES) throw new TooComplex(`its automaton needs more than ${MAX_PATTERN_STATES} states`);
  if (!fitsDfaTable(dfa)) throw new TooComplex(`its automaton needs ${dfa.stateCount} states × ${dfa.classCount} byte classes, over the 64 KB table limit`);
  return dfa;
}
