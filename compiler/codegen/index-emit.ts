/**
 * One index → its static data and the code that looks the request up in it
 * (ADR 0033). The lookups select buckets (or interval-tree lists) of
 * entries; ./index-runtime.ts runs the entries.
 *
 * In: an `IrIndex` of one side of one action, the side's rules, the placed
 * runtime. Out: an `Expr` (statement) for the decide function. Must not
 * read past a string's length as written for this call, select an entry
 * whose key the value does not satisfy, or miss one whose key it does:
 * - sym: a u32 table by dictionary id → bucket address (0: none);
 * - num: the stdlib's number set (`set_lookup_f64`) → id → bucket address;
 * - prefix / suffix: per literal byte length L, when the string has L bytes,
 *   its first (last) L bytes looked up in a string set → bucket address;
 * - range: the value's region (binary search over the thresholds), then
 *   the interval tree (index-walkers.ts);
 * - infix: the Aho–Corasick automaton over the string (index-walkers.ts);
 *   its buckets fire once per decision.
 * Per-item indexes run the same lookup on every item of the array, with the
 * item's address as the residuals' item; their buckets fire once.
 */
import type { IrIndex, IrIndexKey, IrRead, IrSide } from "../ir/index.js";
import { ahoCorasick, buildNumberSet, buildStringSet, intervalTree, spanOf, thresholdsOf, type IntervalNode } from "../lower/index.js";
import type { FunctionBuilder } from "./function-builder.js";
import { ENTRY_BYTES, type EntryWord, type IndexRuntime } from "./index-runtime.js";
import { addAhoCorasick, addIntervalTree, addRegion } from "./index-walkers.js";
import type { Expr, PolicyModule } from "./module.js";
import { placeHashSet } from "./static-tables.js";

/** What emitting an index needs. */
export interface IndexEmitContext {
  readonly module: PolicyModule;
  readonly runtime: IndexRuntime;
  readonly reads: readonly IrRead[];
  /** Absolute address of the slot area. */
  readonly input: number;
  /** 0 agent, 1 human. */
  readonly principal: number;
  /** The decide function being built (for locals). */
  readonly fn: FunctionBuilder;
  /** Per entry (index of the side's indexes, entry position): its residual id. */
  readonly residualOf: (index: number, entry: number) => number;
}

const EFFECT = { allow: 0, approve: 1, deny: 2 } as const;

/** The lookup code of every index of a side. */
export function emitIndexes(side: IrSide, cx: IndexEmitContext): Expr[] {
  // A rule reached through more than one bucket (several entries, or a key set looked up per item) is stamped.
  const entryCount = new Map<number, number>();
  for (const index of side.indexes) for (const e of index.entries) entryCount.set(e.rule, (entryCount.get(e.rule) ?? 0) + 1);
  return side.indexes.map((index, k) => {
    const words: EntryWord[] = index.entries.map((entry, position) => {
      const use = side.indexed[entry.rule]!;
      const multi = "ids" in entry.key ? entry.key.ids.length > 1 : "values" in entry.key ? entry.key.values.length > 1 : false;
      const stamped = (entryCount.get(entry.rule) ?? 0) > 1 || (index.array !== undefined && (multi || index.kind === "range"));
      return { rule: use.rule, effect: EFFECT[use.effect], residual: cx.residualOf(k, position), stamped };
    });
    return emitIndex(index, words, cx);
  });
}

function emitIndex(index: IrIndex, words: readonly EntryWord[], cx: IndexEmitContext): Expr {
  const c = cx.module.code;
  const once = index.array !== undefined || index.kind === "infix";
  const read = cx.reads[index.slot]!;
  if (index.array === undefined) return lookup(index, words, once, cx, () => c.i32(cx.input + read.offset), () => c.i32(0));
  // Per item: the same lookup at every item's address.
  const array = cx.reads[index.array]!;
  const count = cx.fn.local("i32");
  const item = cx.fn.local("i32");
  const done = cx.fn.label("items_done");
  const next = cx.fn.label("items_next");
  const body = lookup(index, words, once, cx, () => c.i32Op("add", c.local(item, "i32"), c.i32(read.offset)), () => c.local(item, "i32"));
  return c.block(null, [
    c.setLocal(count, c.load("i32", c.i32(cx.input + array.offset))),
    c.setLocal(item, c.i32(cx.input + array.itemsOffset!)),
    c.block(done, [
      c.loop(
        next,
        c.block(null, [
          c.br(done, c.eqz(c.local(count, "i32"))),
          body,
          c.setLocal(count, c.i32Op("sub", c.local(count, "i32"), c.i32(1))),
          c.setLocal(item, c.i32Op("add", c.local(item, "i32"), c.i32(array.stride!))),
          c.br(next),
        ]),
      ),
    ]),
  ]);
}

/** The lookup of one value, whose slot is at `at()` (a fresh address expression per call); `item()` goes to the residuals. */
function lookup(index: IrIndex, words: readonly EntryWord[], once: boolean, cx: IndexEmitContext, at: () => Expr, item: () => Expr): Expr {
  switch (index.kind) {
    case "sym":
    case "num":
      return lookupSet(index, words, once, cx, at, item);
    case "prefix":
    case "suffix":
      return lookupEnds(index, words, once, cx, at, item);
    case "range":
      return lookupRange(index, words, cx, at, item);
    case "infix":
      return lookupInfix(index, words, cx, at, item);
  }
}

/** Entries by key value, in first-seen order of values; bucket addresses per value. */
function bucketsBy<K>(index: IrIndex, words: readonly EntryWord[], keysOf: (key: IrIndexKey) => readonly K[]): Map<K, EntryWord[]> {
  const buckets = new Map<K, EntryWord[]>();
  index.entries.forEach((entry, i) => {
    for (const k of keysOf(entry.key)) {
      const list = buckets.get(k) ?? [];
      buckets.set(k, list);
      list.push(words[i]!);
    }
  });
  return buckets;
}

/** A u32 table of bucket addresses; its address. */
function addressTable(cx: IndexEmitContext, addresses: readonly number[]): number {
  const table = new Uint32Array(Math.max(1, addresses.length));
  addresses.forEach((a, i) => (table[i] = a));
  return cx.module.addData(new Uint8Array(table.buffer), { align: 4, shared: true });
}

function lookupSet(index: IrIndex, words: readonly EntryWord[], once: boolean, cx: IndexEmitContext, at: () => Expr, item: () => Expr): Expr {
  const c = cx.module.code;
  const v = cx.fn.local("i32");
  const fire = (address: Expr) => cx.runtime.fireBucket(address, cx.principal, item());
  if (index.kind === "sym") {
    const buckets = bucketsBy(index, words, (k) => ("ids" in k ? k.ids : []));
    const size = Math.max(...buckets.keys()) + 1;
    const addresses = new Array<number>(size).fill(0);
    for (const [id, list] of buckets) addresses[id] = cx.runtime.bucket(list, once);
    const table = addressTable(cx, addresses);
    const b = cx.fn.local("i32");
    return c.if(
      c.i32Op("lt_u", c.teeLocal(v, c.load("i32", at()), "i32"), c.i32(size)),
      c.if(c.teeLocal(b, c.load("i32", c.i32Op("add", c.i32Op("shl", c.local(v, "i32"), c.i32(2)), c.i32(table))), "i32"), fire(c.local(b, "i32"))),
    );
  }
  const buckets = bucketsBy(index, words, (k) => ("values" in k ? k.values : []));
  const values = [...buckets.keys()];
  const set = placeHashSet(cx.module, buildNumberSet(values));
  const table = addressTable(cx, values.map((value) => cx.runtime.bucket(buckets.get(value)!, once)));
  return c.if(
    c.i32Op("ge_s", c.teeLocal(v, c.callStdlib("set_lookup_f64", [c.i32(set), c.load("f64", at())]), "i32"), c.i32(0)),
    fire(c.load("i32", c.i32Op("add", c.i32Op("shl", c.local(v, "i32"), c.i32(2)), c.i32(table)))),
  );
}

function lookupEnds(index: IrIndex, words: readonly EntryWord[], once: boolean, cx: IndexEmitContext, at: () => Expr, item: () => Expr): Expr {
  const c = cx.module.code;
  const encoder = new TextEncoder();
  const buckets = bucketsBy(index, words, (k) => ("text" in k ? [k.text] : []));
  const byLength = new Map<number, string[]>();
  for (const text of buckets.keys()) {
    const length = encoder.encode(text).length;
    const list = byLength.get(length);
    if (list === undefined) byLength.set(length, [text]);
    else list.push(text);
  }
  const address = cx.fn.local("i32");
  const ptr = cx.fn.local("i32");
  const len = cx.fn.local("i32");
  const id = cx.fn.local("i32");
  const maxBytes = cx.reads[index.slot]?.maxBytes ?? 0;
  const out: Expr[] = [c.setLocal(address, at()), c.setLocal(ptr, c.load("i32", c.local(address, "i32"))), c.setLocal(len, c.load("i32", c.local(address, "i32"), 4))];
  for (const [length, texts] of [...byLength].sort((a, b) => a[0] - b[0])) {
    if (length > maxBytes) continue; // no value is that long
    const set = placeHashSet(cx.module, buildStringSet(texts));
    const table = addressTable(cx, texts.map((t) => cx.runtime.bucket(buckets.get(t)!, once)));
    const start = index.kind === "prefix" ? c.local(ptr, "i32") : c.i32Op("add", c.local(ptr, "i32"), c.i32Op("sub", c.local(len, "i32"), c.i32(length)));
    out.push(
      c.if(
        c.i32Op("ge_u", c.local(len, "i32"), c.i32(length)),
        c.if(
          c.i32Op("ge_s", c.teeLocal(id, c.callStdlib("set_lookup", [c.i32(set), start, c.i32(length)]), "i32"), c.i32(0)),
          cx.runtime.fireBucket(c.load("i32", c.i32Op("add", c.i32Op("shl", c.local(id, "i32"), c.i32(2)), c.i32(table))), cx.principal, item()),
        ),
      ),
    );
  }
  return c.block(null, out);
}

function lookupRange(index: IrIndex, words: readonly EntryWord[], cx: IndexEmitContext, at: () => Expr, item: () => Expr): Expr {
  const m = cx.module;
  const c = m.code;
  const intervals = index.entries.map((e) => e.key).filter((k): k is Extract<IrIndexKey, { lo: number | null }> => "lo" in k);
  const thresholds = thresholdsOf(intervals);
  const spans = intervals.map((i) => spanOf(i, thresholds));
  const root = intervalTree(spans);
  if (root === undefined) return c.nop(); // every interval is empty: no entry can hold
  addRegion(m);
  addIntervalTree(m);
  const values = new Float64Array(Math.max(1, thresholds.length));
  thresholds.forEach((t, i) => (values[i] = t));
  const table = m.addData(new Uint8Array(values.buffer), { align: 8, shared: true });
  const tree = m.addData(encodeTree(root, spans, words, cx.runtime), { align: 4 });
  const region = c.call("agp_region", [c.i32(table), c.i32(thresholds.length), c.load("f64", at())], "i32");
  return c.call("agp_itree", [c.i32(tree), region, c.i32(cx.principal), item()], "none");
}

/** The interval tree as one blob (layout in index-walkers.ts). */
function encodeTree(root: IntervalNode, spans: readonly (readonly [number, number] | undefined)[], words: readonly EntryWord[], runtime: IndexRuntime): Uint8Array {
  const nodes: IntervalNode[] = [];
  const queue: IntervalNode[] = [root];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    nodes.push(node);
    if (node.below !== undefined) queue.push(node.below);
    if (node.above !== undefined) queue.push(node.above);
  }
  const nodeAt = new Map<IntervalNode, number>();
  let size = 0;
  for (const node of nodes) {
    nodeAt.set(node, size);
    size += 24;
  }
  const listAt = new Map<IntervalNode, [number, number]>();
  for (const node of nodes) {
    const listBytes = node.byFirst.length * (4 + ENTRY_BYTES);
    listAt.set(node, [size, size + listBytes]);
    size += 2 * listBytes;
  }
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  for (const node of nodes) {
    const at = nodeAt.get(node)!;
    const [first, last] = listAt.get(node)!;
    view.setUint32(at, node.center, true);
    view.setUint32(at + 4, node.below === undefined ? 0 : nodeAt.get(node.below)!, true);
    view.setUint32(at + 8, node.above === undefined ? 0 : nodeAt.get(node.above)!, true);
    view.setUint32(at + 12, node.byFirst.length, true);
    view.setUint32(at + 16, first, true);
    view.setUint32(at + 20, last, true);
    const list = (offset: number, order: readonly number[], bound: (p: number) => number) => {
      order.forEach((p, i) => view.setUint32(offset + 4 * i, bound(p), true));
      runtime.writeEntries(view, offset + 4 * order.length, order.map((p) => words[p]!));
    };
    list(first, node.byFirst, (p) => spans[p]![0]);
    list(last, node.byLast, (p) => spans[p]![1]);
  }
  return bytes;
}

function lookupInfix(index: IrIndex, words: readonly EntryWord[], cx: IndexEmitContext, at: () => Expr, item: () => Expr): Expr {
  const m = cx.module;
  const c = m.code;
  const encoder = new TextEncoder();
  const maxBytes = cx.reads[index.slot]?.maxBytes ?? 0;
  const buckets = bucketsBy(index, words, (k) => ("text" in k ? [k.text] : []));
  const texts = [...buckets.keys()].filter((t) => encoder.encode(t).length <= maxBytes);
  if (texts.length === 0) return c.nop();
  addAhoCorasick(m);
  const ac = ahoCorasick(texts.map((t) => encoder.encode(t)));
  const bucketOf = texts.map((t) => cx.runtime.bucket(buckets.get(t)!, true));
  // Layout: states (20 bytes each), then each state's edges.
  const stateAt = (s: number) => 20 * s;
  let size = 20 * ac.states.length;
  const edgesAt: number[] = [];
  for (const state of ac.states) {
    edgesAt.push(size);
    size += ((state.edges.length + 3) & ~3) + 4 * state.edges.length;
  }
  const bytes = new Uint8Array(Math.max(4, size));
  const view = new DataView(bytes.buffer);
  ac.states.forEach((state, s) => {
    const base = stateAt(s);
    view.setUint32(base, stateAt(state.fail), true);
    view.setUint32(base + 4, state.literal === -1 ? 0 : bucketOf[state.literal]!, true);
    view.setUint32(base + 8, state.dictionary === -1 ? 0 : stateAt(state.dictionary), true);
    view.setUint32(base + 12, state.edges.length, true);
    view.setUint32(base + 16, edgesAt[s]!, true);
    const targets = edgesAt[s]! + ((state.edges.length + 3) & ~3);
    state.edges.forEach(([byte, target], i) => {
      bytes[edgesAt[s]! + i] = byte;
      view.setUint32(targets + 4 * i, stateAt(target), true);
    });
  });
  const automaton = m.addData(bytes, { align: 4 });
  const address = cx.fn.local("i32");
  return c.block(null, [
    c.setLocal(address, at()),
    c.call("agp_ac", [c.i32(automaton), c.load("i32", c.local(address, "i32")), c.load("i32", c.local(address, "i32"), 4), c.i32(cx.principal), item()], "none"),
  ]);
}
