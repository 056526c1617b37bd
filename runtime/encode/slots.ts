/**
 * Encoding a validated request into the module's input region: every slot
 * of the action, as runtime/manifest.ts (`Slot`) lays them out, turned into
 * closures at load time.
 *
 * In: the action's slots, the validated `Parts`, a view of the module's
 * memory. Out: bytes in the slot area and UTF-8 strings in the arena.
 * Every call first zeroes what the previous call wrote (slot area up to its
 * high-water mark, arena up to its top), then writes every slot of the
 * action (absent values as state 0, sym -1, empty string, 0): after a call
 * the input region depends on this request alone. Throws `EncodeError`
 * when a value does not fit the layout (arena full, too many items): the
 * engine turns that into an `internal_error` deny.
 * Must not allocate for ASCII strings; must not write outside the region.
 */
import type { Slot } from "../manifest.js";
import type { Parts } from "./request.js";
import { isObject } from "./values.js";
import { RATE_FIELDS } from "../request.js";

/** `agent.success_rate` …: the fields `state.rates` replaces. */
const RATE_FIELD_NAMES: ReadonlySet<string> = new Set(Object.values(RATE_FIELDS));

/** A value that does not fit the layout the manifest promised. */
export class EncodeError extends Error {}

/** The memory views and bump pointers of one engine; refreshed when memory grows. */
export interface Arena {
  buffer: ArrayBuffer;
  view: DataView;
  bytes: Uint8Array;
  /** Absolute address of the slot area. */
  slotBase: number;
  /** Absolute addresses of the arena's start and end. */
  arenaStart: number;
  arenaEnd: number;
  /** Next free arena byte this call. */
  top: number;
  /** Highest slot-area address written this call (exclusive). */
  high: number;
}

type Getter = (from: unknown) => unknown;
type Writer = (from: unknown, base: number, arena: Arena) => void;

/** Encodes one action's slots: `(parts, arena)`. */
export type ActionEncoder = (parts: Parts, arena: Arena) => void;

const encoder = new TextEncoder();

/** Compiles an action's slots; `fixedEnd` is the end of its top-level slots (relative). */
export function compileActionEncoder(slots: readonly Slot[]): ActionEncoder {
  const writers = slots.map((slot) => compileSlot(slot, true));
  const fixedEnd = slots.reduce((end, slot) => Math.max(end, slot.offset + slotSize(slot)), 0);
  const n = writers.length;
  // Top-level writers read their root straight from `parts` (see `compileGetter`): no roots record to fill and clear.
  return (parts, arena) => {
    arena.high = arena.slotBase + fixedEnd;
    for (let i = 0; i < n; i++) writers[i]!(parts, arena.slotBase, arena);
  };
}

/** Bytes a slot's fixed part takes at its offset. */
export function slotSize(slot: Slot): number {
  return slot.kind === "str" || slot.kind === "num" ? 8 : 4;
}

function compileSlot(slot: Slot, topLevel: boolean): Writer {
  const get = compileGetter(slot.path, topLevel);
  const at = slot.offset;
  switch (slot.kind) {
    case "state":
      return (from, base, a) => {
        const v = get(from);
        a.view.setUint32(base + at, v === undefined ? 0 : v === null ? 2 : 1, true);
      };
    case "sym": {
      const ids = new Map<string, number>();
      slot.dictionary.forEach((word, i) => {
        if (!ids.has(word)) ids.set(word, i);
      });
      return (from, base, a) => {
        const v = get(from);
        a.view.setInt32(base + at, typeof v === "string" ? ids.get(v) ?? -1 : -1, true);
      };
    }
    case "str":
      return (from, base, a) => {
        const v = get(from);
        const start = a.top;
        const length = typeof v === "string" ? writeUtf8(v, a) : 0;
        a.view.setUint32(base + at, start, true);
        a.view.setUint32(base + at + 4, length, true);
      };
    case "num":
      return (from, base, a) => {
        const v = get(from);
        a.view.setFloat64(base + at, typeof v === "number" ? v : 0, true);
      };
    case "bool":
      return (from, base, a) => {
        a.view.setUint32(base + at, get(from) === true ? 1 : 0, true);
      };
    case "array": {
      const items = slot.items.map((item) => compileSlot(item, false));
      const { itemsOffset, stride, maxItems } = slot;
      return (from, base, a) => {
        const v = get(from);
        const count = Array.isArray(v) ? v.length : 0;
        if (count > maxItems) throw new EncodeError(`\`${slot.path.join(".")}\` has ${count} items, the layout holds ${maxItems}`);
        a.view.setUint32(base + at, count, true);
        const first = base + itemsOffset;
        const end = first + count * stride;
        if (end > a.high) a.high = end;
        for (let i = 0; i < count; i++) {
          const item = (v as readonly unknown[])[i];
          for (let j = 0; j < items.length; j++) items[j]!(item, first + i * stride, a);
        }
      };
    }
  }
}

/**
 * Reads a path with `has` semantics: undefined when any step is absent (null
 * is present). A top-level path starts at a root of the validated `Parts`
 * (`agent`, `human`, `action`, `args`, `env`, `context`), read by name;
 * `agent.trust` is `state.trust` when the state gives one, and
 * `agent.failure_rate` (…) is `state.rates.failure` (…) when it gives that.
 */
function compileGetter(path: readonly string[], topLevel: boolean): Getter {
  if (!topLevel) return stepsGetter(path);
  const root = ROOTS[path[0] ?? ""];
  if (root === undefined) return () => undefined;
  const rest = stepsGetter(path.slice(1));
  if (path[0] === "agent" && path[1] === "trust") {
    return (from) => {
      const trust = (from as Parts).trust;
      return trust !== undefined ? (path.length === 2 ? trust : undefined) : rest(root(from as Parts));
    };
  }
  const rate = path[0] === "agent" && path[1] !== undefined && RATE_FIELD_NAMES.has(path[1]) ? path[1] : undefined;
  if (rate !== undefined) {
    return (from) => {
      const given = (from as Parts).rates?.[rate];
      return given !== undefined ? (path.length === 2 ? given : undefined) : rest(root(from as Parts));
    };
  }
  if (path.length === 1) return (from) => root(from as Parts);
  return (from) => rest(root(from as Parts));
}

const ROOTS: Readonly<Record<string, (parts: Parts) => unknown>> = {
  agent: (p) => p.agent,
  human: (p) => p.human,
  action: (p) => p.action,
  args: (p) => p.args,
  env: (p) => p.env,
  context: (p) => p.context,
};

function stepsGetter(path: readonly string[]): Getter {
  const steps = path.slice();
  if (steps.length === 0) return (from) => from;
  if (steps.length === 1) {
    const key = steps[0]!;
    return (from) => {
      if (!isObject(from)) return undefined;
      const v = from[key];
      return v === undefined || !hasOwn.call(from, key) ? undefined : v;
    };
  }
  return (from) => {
    let current = from;
    for (let i = 0; i < steps.length; i++) {
      if (!isObject(current)) return undefined;
      const key = steps[i]!;
      // One keyed load, then own-ness: the same answer as `hasKey` then a load.
      const v: unknown = current[key];
      if (v === undefined || !hasOwn.call(current, key)) return undefined;
      current = v;
    }
    return current;
  };
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Zeroes `bytes[from, to)`. Short ranges (a request's slots and strings are
 * tens of bytes) are cheaper as a loop than as a `fill` call, whose builtin
 * entry costs more than the stores; long ranges use `fill`.
 */
export function zero(bytes: Uint8Array, from: number, to: number): void {
  if (to - from > 96) {
    bytes.fill(0, from, to);
    return;
  }
  for (let i = from; i < to; i++) bytes[i] = 0;
}

/** Writes `s` as UTF-8 at the arena top; returns its byte length. */
function writeUtf8(s: string, a: Arena): number {
  const start = a.top;
  const bytes = a.bytes;
  const n = s.length;
  let at = start;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) break;
    if (at >= a.arenaEnd) throw arenaFull();
    bytes[at++] = c;
  }
  if (i < n) {
    // The rest has non-ASCII characters: the host's encoder, into what is left of the arena.
    const { read, written } = encoder.encodeInto(i === 0 ? s : s.slice(i), bytes.subarray(at, a.arenaEnd));
    if (read !== n - i) throw arenaFull();
    at += written ?? 0;
  }
  a.top = at;
  return at - start;
}

function arenaFull(): EncodeError {
  return new EncodeError("the request's strings do not fit the module's string arena");
}
