/**
 * The worst-case work of one index in one decision (ADR 0033, ADR 0007
 * "Cost bound"): the probe (looking the slot's value up) and the candidates
 * (the most residual work any one request can select).
 *
 * In: an index's kind, keys and per-entry weights (the steps of its
 * residual; 0 for a residual that is `true`, whose entry only names a rule
 * that matches), and the slot's bounds. Out: `{ probe, candidates }`.
 * Must not depend on rules of other indexes or actions.
 *
 * Probe steps: a sym id, one table load; a number, one hash lookup (at most
 * TARGET_MAX_PROBE slots); a range, the binary search over its thresholds
 * and one path down the interval tree; prefixes and suffixes, one hash
 * lookup per literal length (hashing that many bytes); infixes, one
 * automaton run (at most two transitions per byte, each a binary search of
 * the state's edges) and the dictionary walk (one report per occurrence;
 * index-structures.ts `maxOccurrences` bounds them, and the buckets they
 * select, by the string's length). Per item of an array: the array's
 * maxItems times.
 */
import type { IrIndexKey, IrIndexKind } from "../ir/index.js";
import { TARGET_MAX_PROBE } from "./hash-set.js";
import { ahoCorasick, keyOf, maxChain, maxOccurrences, maxStabbing, spanOf, thresholdsOf, topSum, treeDepth, intervalTree, type Interval } from "./index-structures.js";

/** Bounds of the slot an index reads. */
export interface IndexSlotBounds {
  /** Str slots: the most UTF-8 bytes a value takes. */
  readonly maxBytes: number;
  /** Keyed per item: the array's maxItems. */
  readonly maxItems?: number;
}

/** The two parts of an index's worst case, in abstract steps. */
export interface IndexWork {
  readonly probe: number;
  readonly candidates: number;
}

/** The work of an index over `keys` whose entries weigh `weights`. */
export function indexWork(kind: IrIndexKind, keys: readonly IrIndexKey[], weights: readonly number[], bounds: IndexSlotBounds): IndexWork {
  const single = lookupWork(kind, keys, weights, bounds.maxBytes);
  if (bounds.maxItems === undefined) return single;
  const items = bounds.maxItems;
  // Bucket stamps let each bucket fire once per decision; a range's tree has none, so an entry may run once per item.
  const firings = kind === "range" ? items : maxBucketsPerEntry(kind, keys);
  const total = weights.reduce((a, b) => a + b, 0) * firings;
  return { probe: 2 + items * (2 + single.probe), candidates: Math.min(items * single.candidates, total) };
}

function lookupWork(kind: IrIndexKind, keys: readonly IrIndexKey[], weights: readonly number[], maxBytes: number): IndexWork {
  switch (kind) {
    case "sym":
      return { probe: 2, candidates: maxBucket(keys.map((k) => ("ids" in k ? k.ids : [])), weights) };
    case "num":
      return { probe: 1 + TARGET_MAX_PROBE, candidates: maxBucket(keys.map((k) => ("values" in k ? k.values : [])), weights) };
    case "range": {
      const intervals = keys.filter((k): k is Interval & IrIndexKey => "lo" in k);
      const thresholds = thresholdsOf(intervals);
      const spans = intervals.map((i) => spanOf(i, thresholds));
      const search = Math.ceil(Math.log2(thresholds.length + 1)) + 1;
      return { probe: search + treeDepth(intervalTree(spans)), candidates: maxStabbing(spans, weights, 2 * thresholds.length + 1) };
    }
    case "prefix":
    case "suffix": {
      const literals = keys.map((k) => ("text" in k ? utf8(k.text) : new Uint8Array()));
      const oriented = kind === "suffix" ? literals.map((b) => b.slice().reverse()) : literals;
      const lengths = new Set(literals.map((b) => b.length).filter((n) => n <= maxBytes));
      const probe = [...lengths].reduce((sum, n) => sum + 2 + n + TARGET_MAX_PROBE, 0);
      return { probe, candidates: maxChain(oriented, weights) };
    }
    case "infix": {
      const byText = new Map<string, { bytes: Uint8Array; weight: number }>();
      keys.forEach((k, i) => {
        if (!("text" in k)) return;
        const bytes = utf8(k.text);
        if (bytes.length > maxBytes) return;
        const key = keyOf(bytes);
        const found = byText.get(key);
        if (found === undefined) byText.set(key, { bytes, weight: weights[i]! });
        else found.weight += weights[i]!;
      });
      const literals = [...byText.values()];
      const n = maxBytes;
      if (literals.length === 0) return { probe: 1, candidates: 0 };
      const ac = ahoCorasick(literals.map((l) => l.bytes));
      const transition = 2 + Math.ceil(Math.log2(ac.maxDegree + 1));
      const occurrences = maxOccurrences(ac, n);
      return {
        probe: 2 * n * transition + occurrences + 1,
        candidates: topSum(literals.map((l) => l.weight), occurrences),
      };
    }
  }
}

/** The most weight one key value selects: the heaviest bucket (a bucket holds the entries naming that value). */
function maxBucket(valuesPerEntry: readonly (readonly number[])[], weights: readonly number[]): number {
  const buckets = new Map<number, number>();
  valuesPerEntry.forEach((values, i) => {
    for (const v of values) buckets.set(v, (buckets.get(v) ?? 0) + weights[i]!);
  });
  let best = 0;
  for (const w of buckets.values()) best = Math.max(best, w);
  return best;
}

/** How many buckets one entry can sit in (a key set); per item each may fire. */
function maxBucketsPerEntry(kind: IrIndexKind, keys: readonly IrIndexKey[]): number {
  if (kind !== "sym" && kind !== "num") return 1;
  return keys.reduce((m, k) => Math.max(m, "ids" in k ? k.ids.length : "values" in k ? k.values.length : 1), 1);
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
