/**
 * The ways a rule's condition can hold, as index keys (ADR 0033): for one
 * lowered condition, the "options" of indexing it. An option is a list of
 * alternatives, each a key on one slot and a residual condition, such that
 * the condition holds exactly when some alternative's key and residual both
 * hold. A conjunction offers the keys of either side (the other side joins
 * the residual), a disjunction the product of its sides' options (one entry
 * per disjunct), `any x in <top-level array>: body` its body's keys per item.
 *
 * In: an `IrExpr` (a rule's condition) and the patterns of the program's
 * globs. Out: options, at most MAX_OPTIONS, most specific first; none when
 * some way the condition can hold has no key (then the rule is evaluated
 * always). Must not change what a rule means: `key ∧ residual` is the part
 * of the condition it replaces, and expressions are pure and total (every
 * slot reads a defined value, absent ones included), so evaluating a
 * residual only where its key holds gives the same answer.
 */
import type { IrExpr, IrIndexKey, IrIndexKind, IrSlotRef } from "../ir/index.js";
import { parseGlob } from "./glob-syntax.js";

/** A key test on one slot: the index it belongs to and the key's value. */
export interface Key {
  readonly kind: IrIndexKind;
  readonly slot: number;
  /** Keyed per item of this top-level array slot (the slot is an item slot). */
  readonly array?: number;
  readonly key: IrIndexKey;
}

/** One way a condition holds: the key and what must hold besides it. */
export interface Alternative {
  readonly key: Key;
  readonly residual: IrExpr;
}

/** A complete way to index a condition: it holds exactly when one alternative does. */
export type IndexOption = readonly Alternative[];

/** Options per condition past which the rest are dropped (a disjunction multiplies them). */
export const MAX_OPTIONS = 8;

/** The group (one index per side) a key joins: kind, slot and whether it is keyed per item. */
export function groupOf(key: Key): string {
  return `${key.kind}:${key.slot}:${key.array ?? -1}`;
}

/** The index options of a condition; `globPattern` gives a glob id's pattern. */
export function indexOptions(e: IrExpr, globPattern: (glob: number) => string): IndexOption[] {
  return options(e, { globPattern, item: undefined });
}

interface Level {
  readonly globPattern: (glob: number) => string;
  /** Inside `any x in <array>: …` at depth 1: that array's slot. */
  readonly item: number | undefined;
}

function options(e: IrExpr, level: Level): IndexOption[] {
  switch (e.op) {
    case "and": {
      const out: IndexOption[] = [];
      for (const option of options(e.left, level)) out.push(option.map((alt) => ({ key: alt.key, residual: and(alt.residual, e.right) })));
      for (const option of options(e.right, level)) out.push(option.map((alt) => ({ key: alt.key, residual: and(e.left, alt.residual) })));
      return cap(out.map(tightenAll));
    }
    case "or": {
      const left = options(e.left, level);
      if (left.length === 0) return [];
      const right = options(e.right, level);
      const out: IndexOption[] = [];
      // Alternatives only add up (an option has at most one per leaf); options multiply, so they are capped.
      for (const a of left) for (const b of right) if (out.length < MAX_OPTIONS) out.push([...a, ...b]);
      return out;
    }
    case "quantifier": {
      // Only `any` over a request array, at the top: its items are looked up one by one.
      if (e.quantifier !== "any" || level.item !== undefined || e.array.binding !== 0 || e.depth !== 1) return [];
      const inner = options(e.body, { ...level, item: e.array.slot });
      return inner.map((option) =>
        option.map((alt) =>
          alt.key.array !== undefined
            ? alt
            : // A key on the request inside the body: ∃x (K ∧ R(x)) = K ∧ ∃x R(x).
              { key: alt.key, residual: alt.residual.op === "const" && !alt.residual.value ? alt.residual : { ...e, body: alt.residual } },
        ),
      );
    }
    default: {
      const key = leafKey(e, level);
      return key === undefined ? [] : [[key]];
    }
  }
}

/** The key a test is, with its residual (true, or the test itself when the key is weaker). */
function leafKey(e: IrExpr, level: Level): Alternative | undefined {
  const on = (kind: IrIndexKind, ref: IrSlotRef, key: IrIndexKey, residual: IrExpr = TRUE): Alternative | undefined => {
    if (ref.binding === 0) return { key: { kind, slot: ref.slot, key }, residual };
    if (ref.binding === 1 && level.item !== undefined) return { key: { kind, slot: ref.slot, array: level.item, key }, residual };
    return undefined;
  };
  switch (e.op) {
    case "symIn":
      return e.ids.length === 0 ? undefined : on("sym", e.ref, { ids: e.ids });
    case "numIn":
      if (e.operand.kind !== "slot" || e.values.length === 0) return undefined;
      return on("num", e.operand.ref, { values: distinctNumbers(e.values) });
    case "num": {
      const flipped = e.left.kind === "const" && e.right.kind === "slot";
      const slot = flipped ? e.right : e.left;
      const other = flipped ? e.left : e.right;
      if (slot.kind !== "slot" || other.kind !== "const" || !Number.isFinite(other.value)) return undefined;
      const c = other.value === 0 ? 0 : other.value;
      const cmp = flipped ? flip(e.cmp) : e.cmp;
      switch (cmp) {
        case "==":
          return on("num", slot.ref, { values: [c] });
        case "<":
          return on("range", slot.ref, { lo: null, loOpen: true, hi: c, hiOpen: true });
        case "<=":
          return on("range", slot.ref, { lo: null, loOpen: true, hi: c, hiOpen: false });
        case ">":
          return on("range", slot.ref, { lo: c, loOpen: true, hi: null, hiOpen: true });
        case ">=":
          return on("range", slot.ref, { lo: c, loOpen: false, hi: null, hiOpen: true });
        default:
          return undefined;
      }
    }
    case "str": {
      if (e.left.kind !== "slot" || e.right.kind !== "const" || e.right.value === "") return undefined;
      const kind = e.test === "startsWith" ? "prefix" : e.test === "endsWith" ? "suffix" : e.test === "contains" ? "infix" : undefined;
      return kind === undefined ? undefined : on(kind, e.left.ref, { text: e.right.value });
    }
    case "glob": {
      if (e.operand.kind !== "slot") return undefined;
      const literal = globLiteral(level.globPattern(e.glob));
      return literal === undefined ? undefined : on(literal.kind, e.operand.ref, { text: literal.text }, literal.exact ? TRUE : e);
    }
    default:
      return undefined;
  }
}

/**
 * The most selective literal a glob's matches must contain: its leading
 * literal run (a prefix), its trailing one (a suffix) or its longest run
 * (an infix), the longest of them (ties: prefix, suffix, infix). `exact`
 * when the glob means no more than the key (`lit*`, `*lit`, `*lit*`).
 */
export function globLiteral(pattern: string): { kind: "prefix" | "suffix" | "infix"; text: string; exact: boolean } | undefined {
  const parsed = parseGlob(pattern);
  if (!parsed.ok) return undefined;
  const pieces = parsed.pieces;
  const literalAt = (i: number): string | undefined => {
    const piece = pieces[i];
    if (piece === undefined || piece.kind !== "char" || piece.ranges.length !== 1) return undefined;
    const [lo, hi] = piece.ranges[0]!;
    return lo === hi ? String.fromCodePoint(lo) : undefined;
  };
  const runs: { start: number; end: number; text: string }[] = [];
  for (let i = 0; i < pieces.length; ) {
    if (literalAt(i) === undefined) {
      i++;
      continue;
    }
    let text = "";
    const start = i;
    for (let c = literalAt(i); c !== undefined; c = literalAt(++i)) text += c;
    runs.push({ start, end: i, text });
  }
  const bytes = (s: string) => new TextEncoder().encode(s).length;
  const candidates: { kind: "prefix" | "suffix" | "infix"; text: string; exact: boolean }[] = [];
  const first = runs[0];
  const last = runs.at(-1);
  const star = (i: number) => pieces[i]?.kind === "star";
  if (first !== undefined && first.start === 0) candidates.push({ kind: "prefix", text: first.text, exact: pieces.length === first.end + 1 && star(first.end) });
  if (last !== undefined && last.end === pieces.length && last.start > 0) candidates.push({ kind: "suffix", text: last.text, exact: last.start === 1 && star(0) });
  for (const run of runs) {
    candidates.push({ kind: "infix", text: run.text, exact: pieces.length === run.end - run.start + 2 && star(0) && star(pieces.length - 1) });
  }
  let best: (typeof candidates)[number] | undefined;
  for (const c of candidates) if (best === undefined || bytes(c.text) > bytes(best.text)) best = c;
  return best;
}

const TRUE: IrExpr = { op: "const", line: 0, value: true };

function and(left: IrExpr, right: IrExpr): IrExpr {
  if (left.op === "const") return left.value ? right : left;
  if (right.op === "const") return right.value ? left : right;
  return { op: "and", line: left.line, left, right };
}

function cap(list: IndexOption[]): IndexOption[] {
  return list.length > MAX_OPTIONS ? list.slice(0, MAX_OPTIONS) : list;
}

function distinctNumbers(values: readonly number[]): number[] {
  return [...new Set(values.map((v) => (v === 0 ? 0 : v)))].filter(Number.isFinite).sort((a, b) => a - b);
}

function flip(cmp: "==" | "!=" | "<" | "<=" | ">" | ">="): "==" | "!=" | "<" | "<=" | ">" | ">=" {
  return cmp === "<" ? ">" : cmp === ">" ? "<" : cmp === "<=" ? ">=" : cmp === ">=" ? "<=" : cmp;
}

type Interval = Extract<IrIndexKey, { lo: number | null }>;

/** Tightens every range key of an option by the bounds on the same slot among its residual's conjuncts. */
function tightenAll(option: IndexOption): IndexOption {
  return option.map(tighten);
}

/**
 * `n >= a and n < b` is one interval: the range key absorbs comparisons of
 * its slot with constants that are conjuncts of its residual (through the
 * same binding), which become `true`.
 */
function tighten(alt: Alternative): Alternative {
  if (alt.key.kind !== "range") return alt;
  let interval = alt.key.key as Interval;
  const binding = alt.key.array === undefined ? 0 : 1;
  const walk = (e: IrExpr): IrExpr => {
    if (e.op === "and") return and(walk(e.left), walk(e.right));
    if (e.op !== "num") return e;
    const flipped = e.left.kind === "const" && e.right.kind === "slot";
    const slot = flipped ? e.right : e.left;
    const other = flipped ? e.left : e.right;
    if (slot.kind !== "slot" || other.kind !== "const" || slot.ref.slot !== alt.key.slot || slot.ref.binding !== binding || !Number.isFinite(other.value)) return e;
    const c = other.value === 0 ? 0 : other.value;
    const cmp = flipped ? flip(e.cmp) : e.cmp;
    if (cmp === "<" || cmp === "<=") interval = lower(interval, c, cmp === "<");
    else if (cmp === ">" || cmp === ">=") interval = raise(interval, c, cmp === ">");
    else return e;
    return TRUE;
  };
  const residual = walk(alt.residual);
  return { key: { ...alt.key, key: interval }, residual };
}

/** The interval with its upper bound lowered to `c` (open or not) when that is tighter. */
function lower(i: Interval, c: number, open: boolean): Interval {
  if (i.hi === null || c < i.hi || (c === i.hi && open)) return { ...i, hi: c, hiOpen: open };
  return i;
}

/** The interval with its lower bound raised to `c` when that is tighter. */
function raise(i: Interval, c: number, open: boolean): Interval {
  if (i.lo === null || c > i.lo || (c === i.lo && open)) return { ...i, lo: c, loOpen: open };
  return i;
}
