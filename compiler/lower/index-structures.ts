/**
 * The data structures behind indexes (ADR 0033), as plain data the code
 * generator lays out and the cost bound reads: numeric intervals cut into
 * regions by their thresholds and arranged in a centered interval tree, and
 * literal sets as an Aho–Corasick automaton; plus each index's worst-case
 * work (./index-cost.ts adds it up).
 *
 * In: keys (intervals, byte strings). Out: thresholds, regions, trees,
 * automata. Must not import codegen or binaryen; must be deterministic
 * (same keys, same structure: the module's bytes depend on it) and must not
 * recurse deeper than the logarithm of its input (the interval tree is
 * balanced by construction; the automaton is built breadth first).
 */

/** A numeric interval; null bounds are unbounded. */
export interface Interval {
  readonly lo: number | null;
  readonly loOpen: boolean;
  readonly hi: number | null;
  readonly hiOpen: boolean;
}

/**
 * The distinct finite bounds of a set of intervals, sorted. They cut the
 * number line into 2m + 1 regions: region 2i + 1 is the point t_i, region
 * 2i the open gap below it, region 2m everything above t_{m-1}. A value's
 * region is `2 · #(t < v) + (v is some t ? 1 : 0)`.
 */
export function thresholdsOf(intervals: readonly Interval[]): number[] {
  const values = new Set<number>();
  for (const i of intervals) {
    if (i.lo !== null) values.add(i.lo === 0 ? 0 : i.lo);
    if (i.hi !== null) values.add(i.hi === 0 ? 0 : i.hi);
  }
  return [...values].sort((a, b) => a - b);
}

/** The regions an interval covers, as an inclusive span, or undefined when it is empty. */
export function spanOf(interval: Interval, thresholds: readonly number[]): readonly [number, number] | undefined {
  const index = (v: number) => binarySearch(thresholds, v === 0 ? 0 : v);
  const m = thresholds.length;
  const first = interval.lo === null ? 0 : 2 * index(interval.lo) + (interval.loOpen ? 2 : 1);
  const last = interval.hi === null ? 2 * m : 2 * index(interval.hi) + (interval.hiOpen ? 0 : 1);
  return first <= last ? [first, last] : undefined;
}

/** The region of a value (what the module computes with its binary search). */
export function regionOf(value: number, thresholds: readonly number[]): number {
  let lo = 0;
  let hi = thresholds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (thresholds[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return 2 * lo + (lo < thresholds.length && thresholds[lo] === value ? 1 : 0);
}

function binarySearch(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] === value) return mid;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid - 1;
  }
  throw new Error(`internal error: threshold ${value} missing`);
}

/**
 * A centered interval tree over spans of regions: a node holds the spans
 * containing its center, sorted by first region (ascending) and by last
 * (descending); spans wholly below go left, wholly above go right. A query
 * for region r walks one path (depth ≤ log2 of twice the spans, plus one)
 * and at each node reads a prefix of one list: exactly the spans holding r,
 * each once.
 */
export interface IntervalNode {
  readonly center: number;
  /** Positions (into the caller's span list) by first region, ascending. */
  readonly byFirst: readonly number[];
  /** The same positions by last region, descending. */
  readonly byLast: readonly number[];
  readonly below?: IntervalNode;
  readonly above?: IntervalNode;
}

/** The tree of `spans` (undefined spans are empty intervals and left out). */
export function intervalTree(spans: readonly (readonly [number, number] | undefined)[]): IntervalNode | undefined {
  const positions = spans.flatMap((s, i) => (s === undefined ? [] : [i]));
  // Built iteratively: a user's rule count must not become recursion depth.
  interface Pending {
    readonly positions: readonly number[];
    readonly attach: (node: IntervalNode) => void;
  }
  let root: IntervalNode | undefined;
  const work: Pending[] = [{ positions, attach: (n) => (root = n) }];
  while (work.length > 0) {
    const { positions: here, attach } = work.pop()!;
    if (here.length === 0) continue;
    const ends: number[] = [];
    for (const p of here) ends.push(spans[p]![0], spans[p]![1]);
    ends.sort((a, b) => a - b);
    const center = ends[ends.length >> 1]!;
    const holding: number[] = [];
    const below: number[] = [];
    const above: number[] = [];
    for (const p of here) {
      const [first, last] = spans[p]!;
      if (last < center) below.push(p);
      else if (first > center) above.push(p);
      else holding.push(p);
    }
    const node: { center: number; byFirst: number[]; byLast: number[]; below?: IntervalNode; above?: IntervalNode } = {
      center,
      byFirst: [...holding].sort((a, b) => spans[a]![0] - spans[b]![0] || a - b),
      byLast: [...holding].sort((a, b) => spans[b]![1] - spans[a]![1] || a - b),
    };
    attach(node);
    work.push({ positions: below, attach: (n) => (node.below = n) });
    work.push({ positions: above, attach: (n) => (node.above = n) });
  }
  return root;
}

/** Depth of a tree (nodes on its longest path). */
export function treeDepth(root: IntervalNode | undefined): number {
  let depth = 0;
  const work: [IntervalNode | undefined, number][] = [[root, 1]];
  while (work.length > 0) {
    const [node, d] = work.pop()!;
    if (node === undefined) continue;
    depth = Math.max(depth, d);
    work.push([node.below, d + 1], [node.above, d + 1]);
  }
  return depth;
}

/** The positions a query for region r reports, as the module reads them (for tests). */
export function stab(root: IntervalNode | undefined, spans: readonly (readonly [number, number] | undefined)[], region: number): number[] {
  const out: number[] = [];
  for (let node = root; node !== undefined; ) {
    if (region < node.center) {
      for (const p of node.byFirst) {
        if (spans[p]![0] > region) break;
        out.push(p);
      }
      node = node.below;
    } else if (region > node.center) {
      for (const p of node.byLast) {
        if (spans[p]![1] < region) break;
        out.push(p);
      }
      node = node.above;
    } else {
      out.push(...node.byFirst);
      node = undefined;
    }
  }
  return out;
}

/** The most weight any one region holds (spans holding it, weighted). */
export function maxStabbing(spans: readonly (readonly [number, number] | undefined)[], weights: readonly number[], regions: number): number {
  const delta = new Float64Array(regions + 1);
  spans.forEach((s, i) => {
    if (s === undefined) return;
    delta[s[0]]! += weights[i]!;
    delta[s[1] + 1]! -= weights[i]!;
  });
  let best = 0;
  let running = 0;
  for (let r = 0; r < regions; r++) {
    running += delta[r]!;
    best = Math.max(best, running);
  }
  return best;
}

/**
 * An Aho–Corasick automaton over byte strings: a trie (state 0 the root,
 * edges sorted by byte), failure links (the longest proper suffix of a
 * state's string that is also a trie state), each state's own literal (the
 * one spelled by the path to it, if any) and its dictionary link (the
 * nearest state along the failure chain that spells a literal). Reading the
 * input once, following a failure link whenever no edge matches, and at
 * each byte walking the dictionary links reports every occurrence of every
 * literal; failure steps never outnumber edge steps, so a run over n bytes
 * takes at most 2n transitions.
 */
export interface AhoCorasick {
  readonly states: readonly AcState[];
  /** The most edges any state has. */
  readonly maxDegree: number;
}

export interface AcState {
  /** [byte, target state], sorted by byte. */
  readonly edges: readonly (readonly [number, number])[];
  readonly fail: number;
  /** Index of the literal this state spells, or -1. */
  readonly literal: number;
  /** The nearest state along the failure chain (not this one) that spells a literal, or -1. */
  readonly dictionary: number;
  /** Length of the string the state spells (its depth in the trie). */
  readonly depth: number;
}

/** The automaton of distinct, non-empty literals. */
export function ahoCorasick(literals: readonly Uint8Array[]): AhoCorasick {
  const children: Map<number, number>[] = [new Map()];
  const literalOf: number[] = [-1];
  literals.forEach((bytes, index) => {
    if (bytes.length === 0) throw new Error("internal error: an empty literal in an automaton");
    let state = 0;
    for (const b of bytes) {
      let next = children[state]!.get(b);
      if (next === undefined) {
        next = children.length;
        children.push(new Map());
        literalOf.push(-1);
        children[state]!.set(b, next);
      }
      state = next;
    }
    if (literalOf[state] !== -1) throw new Error("internal error: a duplicate literal in an automaton");
    literalOf[state] = index;
  });
  const fail = new Int32Array(children.length);
  const dictionary = new Int32Array(children.length).fill(-1);
  const depth = new Int32Array(children.length);
  const queue: number[] = [];
  for (const child of children[0]!.values()) queue.push(child);
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head]!;
    for (const child of children[state]!.values()) depth[child] = depth[state]! + 1;
    const link = fail[state]!;
    dictionary[state] = literalOf[link] !== -1 ? link : dictionary[link]!;
    for (const [b, child] of children[state]!) {
      let f = link;
      for (;;) {
        const next = children[f]!.get(b);
        if (next !== undefined && next !== child) {
          fail[child] = next;
          break;
        }
        if (f === 0) {
          fail[child] = 0;
          break;
        }
        f = fail[f]!;
      }
      queue.push(child);
    }
  }
  let maxDegree = 0;
  const states: AcState[] = children.map((edges, s) => {
    maxDegree = Math.max(maxDegree, edges.size);
    return { edges: [...edges].sort((a, b) => a[0] - b[0]), fail: fail[s]!, literal: literalOf[s]!, dictionary: s === 0 ? -1 : dictionary[s]!, depth: s === 0 ? 0 : depth[s]! || 1 };
  });
  return { states, maxDegree };
}

/**
 * The most literal occurrences a string of `n` bytes can hold (each start
 * position begins at most one literal of each length): per literal length
 * L, two occurrences start at least `shift` bytes apart, where `shift` is L
 * minus the longest proper suffix of such a literal that begins another
 * literal (the depth of its failure state), so at most ⌊(n − L) / shift⌋ + 1.
 */
export function maxOccurrences(ac: AhoCorasick, n: number): number {
  const shift = new Map<number, number>();
  for (const state of ac.states) {
    if (state.literal === -1 || state.depth > n) continue;
    const s = Math.max(1, state.depth - ac.states[state.fail]!.depth);
    shift.set(state.depth, Math.min(shift.get(state.depth) ?? Infinity, s));
  }
  let total = 0;
  for (const [length, s] of shift) total += Math.floor((n - length) / s) + 1;
  return total;
}

/** Every literal occurrence the automaton reports over `input` (literal indices, in reading order; for tests). */
export function runAhoCorasick(ac: AhoCorasick, input: Uint8Array): number[] {
  const out: number[] = [];
  let state = 0;
  for (const b of input) {
    for (;;) {
      const edge = ac.states[state]!.edges.find((e) => e[0] === b);
      if (edge !== undefined) {
        state = edge[1];
        break;
      }
      if (state === 0) break;
      state = ac.states[state]!.fail;
    }
    for (let s = ac.states[state]!.literal !== -1 ? state : ac.states[state]!.dictionary; s !== -1; s = ac.states[s]!.dictionary) out.push(ac.states[s]!.literal);
  }
  return out;
}

/**
 * The most weight a chain of literals that are prefixes of one another
 * holds: what one prefix (or, on reversed strings, suffix) lookup can
 * select, since the literals an input starts with are nested.
 */
export function maxChain(literals: readonly Uint8Array[], weights: readonly number[]): number {
  const byKey = new Map<string, number>();
  literals.forEach((bytes, i) => byKey.set(keyOf(bytes), (byKey.get(keyOf(bytes)) ?? 0) + weights[i]!));
  const lengths = [...new Set(literals.map((b) => b.length))].sort((a, b) => a - b);
  let best = 0;
  for (const bytes of literals) {
    let sum = 0;
    for (const n of lengths) {
      if (n > bytes.length) break;
      sum += byKey.get(keyOf(bytes.subarray(0, n))) ?? 0;
    }
    best = Math.max(best, sum);
  }
  return best;
}

/** A map key for a byte string. */
export function keyOf(bytes: Uint8Array): string {
  let key = "";
  for (let i = 0; i < bytes.length; i += 8192) key += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return key;
}

/** The sum of the `count` largest weights. */
export function topSum(weights: readonly number[], count: number): number {
  if (count >= weights.length) return weights.reduce((a, b) => a + b, 0);
  return [...weights].sort((a, b) => b - a).slice(0, count).reduce((a, b) => a + b, 0);
}
