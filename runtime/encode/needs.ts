/**
 * What one action needs from a request, as a tree over request paths: at
 * each path, the slots the module reads there (runtime/manifest.ts, `Slot`)
 * and the values finishing reads there (limit keys, the agent's and the
 * human's ids: "captures"); array slots carry the tree of one item. The
 * request walk (./intake.ts) follows this tree beside the schema, so each
 * value is validated, encoded and captured in the one read of it.
 *
 * In: an action's slots, the capture paths. Out: `NeedNode` (the request
 * root), and the writers that put a value into its slots and captures.
 * Writers never throw: a string that does not fit the arena sets
 * `Sink.overflow` (the engine turns it into an `internal_error` deny).
 * Must not read request values other than the one it is given, and must
 * not write outside the slot area and the arena.
 */
import type { Slot } from "../manifest.js";
import type { Arena } from "./slots.js";

/** Where writers put what they write: the module's memory, and the captured values. */
export interface Sink {
  arena: Arena;
  /** Captured values by capture index (reset before every request). */
  readonly captures: unknown[];
  /** Set when a string did not fit the arena or an array the layout. */
  overflow: boolean;
}

/** Writes a value present at a path into its slots (at `base`, or nowhere when `base` < 0) and captures. */
export type Write = (value: unknown, base: number, sink: Sink) => void;

/** One array slot at a path: the slot, and what one item needs (paths relative to the item). */
export interface ArrayNeed {
  readonly slot: Extract<Slot, { kind: "array" }>;
  readonly items: NeedNode;
  /** Offsets of the item's `sym` slots, written -1 before each item is read (absent is -1). */
  readonly itemSyms: readonly number[];
}

/** What is needed at one request path. */
export interface NeedNode {
  /** The slots (not arrays) holding the value at this path, and its captures; undefined when none. */
  readonly write: Write | undefined;
  readonly arrays: readonly ArrayNeed[];
  readonly children: ReadonlyMap<string, NeedNode>;
  /** Whether anything at or below this path is needed. */
  readonly empty: boolean;
}

/** Marks a captured object or array: finishing only says what kind of value a key was. */
export const CAPTURED_OBJECT: Readonly<Record<string, never>> = Object.freeze({});
export const CAPTURED_ARRAY: readonly never[] = Object.freeze([]);

/** Nothing needed. */
export const NO_NEEDS: NeedNode = Object.freeze({ write: undefined, arrays: [], children: new Map(), empty: true });

type ValueSlot = Exclude<Slot, { kind: "array" }>;

interface Draft {
  slots: ValueSlot[];
  arrays: Extract<Slot, { kind: "array" }>[];
  captures: number[];
  children: Map<string, Draft>;
}

function draft(): Draft {
  return { slots: [], arrays: [], captures: [], children: new Map() };
}

function at(root: Draft, path: readonly string[]): Draft {
  let node = root;
  for (const key of path) {
    let child = node.children.get(key);
    if (child === undefined) {
      child = draft();
      node.children.set(key, child);
    }
    node = child;
  }
  return node;
}

/**
 * The needs of one level (the request, or an array item): `slots` with paths
 * relative to it, and capture paths (index = capture index; only at the request level).
 */
export function buildNeeds(slots: readonly Slot[], captures: readonly (readonly string[])[] = []): NeedNode {
  const root = draft();
  for (const slot of slots) {
    const node = at(root, slot.path);
    if (slot.kind === "array") node.arrays.push(slot);
    else node.slots.push(slot);
  }
  captures.forEach((path, index) => at(root, path).captures.push(index));
  return finish(root);
}

function finish(d: Draft): NeedNode {
  const children = new Map<string, NeedNode>();
  for (const [key, child] of d.children) {
    const done = finish(child);
    if (!done.empty) children.set(key, done);
  }
  const arrays = d.arrays.map((slot) => ({ slot, items: buildNeeds(slot.items), itemSyms: symOffsets(slot.items) }));
  const write = compileWrite(d.slots, d.captures);
  const empty = write === undefined && arrays.length === 0 && children.size === 0;
  return empty ? NO_NEEDS : { write, arrays, children, empty };
}

/** Offsets of a level's `sym` slots (all of them, at any path): absent values read -1. */
export function symOffsets(slots: readonly Slot[]): number[] {
  return slots.filter((s) => s.kind === "sym").map((s) => s.offset);
}

function compileWrite(slots: readonly ValueSlot[], captures: readonly number[]): Write | undefined {
  const writers: Write[] = slots.map(slotWriter);
  for (const index of captures) writers.push(captureWriter(index));
  if (writers.length === 0) return undefined;
  if (writers.length === 1) return writers[0];
  const n = writers.length;
  return (value, base, sink) => {
    for (let i = 0; i < n; i++) writers[i]!(value, base, sink);
  };
}

function captureWriter(index: number): Write {
  return (value, _base, sink) => {
    sink.captures[index] = typeof value === "object" && value !== null ? (Array.isArray(value) ? CAPTURED_ARRAY : CAPTURED_OBJECT) : value;
  };
}

function slotWriter(slot: ValueSlot): Write {
  const offset = slot.offset;
  switch (slot.kind) {
    case "state":
      return (value, base, sink) => {
        if (base >= 0) sink.arena.view.setUint32(base + offset, value === null ? 2 : 1, true);
      };
    case "sym": {
      const ids = new Map<string, number>();
      slot.dictionary.forEach((word, i) => {
        if (!ids.has(word)) ids.set(word, i);
      });
      return (value, base, sink) => {
        if (base >= 0) sink.arena.view.setInt32(base + offset, typeof value === "string" ? ids.get(value) ?? -1 : -1, true);
      };
    }
    case "str":
      return (value, base, sink) => {
        if (base < 0 || typeof value !== "string") return;
        const a = sink.arena;
        const start = a.top;
        const length = writeUtf8(value, a);
        if (length < 0) {
          sink.overflow = true;
          return;
        }
        a.view.setUint32(base + offset, start, true);
        a.view.setUint32(base + offset + 4, length, true);
      };
    case "num":
      return (value, base, sink) => {
        if (base >= 0 && typeof value === "number") sink.arena.view.setFloat64(base + offset, value, true);
      };
    case "bool":
      return (value, base, sink) => {
        if (base >= 0 && value === true) sink.arena.view.setUint32(base + offset, 1, true);
      };
  }
}

const encoder = new TextEncoder();

/** Writes `s` as UTF-8 at the arena top; its byte length, or -1 when it does not fit (nothing moved). */
export function writeUtf8(s: string, a: Arena): number {
  const start = a.top;
  const bytes = a.bytes;
  const end = a.arenaEnd;
  const n = s.length;
  let at = start;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) break;
    if (at >= end) return -1;
    bytes[at++] = c;
  }
  if (i < n) {
    // The rest has non-ASCII characters: the host's encoder, into what is left of the arena.
    const { read, written } = encoder.encodeInto(i === 0 ? s : s.slice(i), bytes.subarray(at, end));
    if (read !== n - i) return -1;
    at += written ?? 0;
  }
  a.top = at;
  return at - start;
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Encodes a plain copy (./snapshot.ts made it; own properties only) at the
 * needs of its path: what the readers write for values they read natively,
 * for the parts they copied instead (./readers.ts).
 */
export function encodeCopy(need: NeedNode, value: unknown, base: number, sink: Sink): void {
  if (value === undefined || need.empty) return;
  if (need.write !== undefined) need.write(value, base, sink);
  if (base >= 0 && Array.isArray(value)) {
    for (const { slot, items, itemSyms } of need.arrays) {
      const count = value.length;
      if (count > slot.maxItems) {
        sink.overflow = true;
        continue;
      }
      const a = sink.arena;
      a.view.setUint32(base + slot.offset, count, true);
      const first = base + slot.itemsOffset;
      const end = first + count * slot.stride;
      if (end > a.high) a.high = end;
      for (let i = 0; i < count; i++) {
        const at = first + i * slot.stride;
        for (const offset of itemSyms) a.view.setInt32(at + offset, -1, true);
        encodeCopy(items, value[i], at, sink);
      }
    }
  }
  if (need.children.size > 0 && typeof value === "object" && value !== null && !Array.isArray(value)) {
    for (const [key, child] of need.children) {
      if (hasOwn.call(value, key)) encodeCopy(child, (value as Record<string, unknown>)[key], base, sink);
    }
  }
}
