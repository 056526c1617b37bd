/**
 * Reading an untrusted host value once: the request (and the runtime state)
 * a host passes to `decide` is copied into plain data before anything looks
 * at it, so validation, encoding and finishing all see one value, the one
 * that was validated, whatever getters, Proxies or prototypes the host's
 * object has (docs/runtime.md, "What decide reads"; ADR 0008).
 *
 * In: any value; the request bounds (`maxDepth`, `maxValues`). Out: a copy
 * made of primitives, arrays and `PlainRecord`s, or a `Refused` saying why
 * the value cannot be read: `too_large` past the bounds, `unreadable_value`
 * when reading throws (a getter, a Proxy trap, a revoked Proxy) or an array
 * length is not an array length.
 *
 * What is read, once each: an array's `length`, then its own elements
 * 0..length-1 (a hole reads as `undefined`; inherited elements are never
 * read); an object's own enumerable string-keyed properties (for-in, then
 * `hasOwnProperty`, then one [[Get]]: a getter runs once), skipping those
 * whose value is `undefined` in a request (JSON has no `undefined`; in the
 * state such a key is kept, so a misspelt key is still refused). Symbols, non-enumerable and inherited
 * properties are never read. Other values (functions, symbols, bigints)
 * are kept as they are: validation refuses them where a schema looks.
 * Work is one visit per value, at most `maxValues` of them; recursion is at
 * most `maxDepth` deep. Must not throw.
 */
import type { RequestBounds } from "../manifest.js";
import { Refused, childPath, type Refusal } from "./values.js";

/**
 * The objects of a snapshot: own data properties only. A request's records
 * are ordinary object literals (V8's for-in and keyed loads are fast on
 * them; every later read of a request checks own-ness, as the encoder,
 * validation and `ownValue` do). The state's records have nothing behind them
 * (an empty prototype with a null prototype), so a polluted
 * `Object.prototype` is invisible even to a plain `state.approvals`. In
 * both, a key named `__proto__` is an ordinary property.
 */
export type PlainRecord = Record<string, unknown>;

const RecordPrototype: object = Object.create(null) as object;
function PlainRecordConstructor(this: PlainRecord): void {}
PlainRecordConstructor.prototype = RecordPrototype;
const Plain = PlainRecordConstructor as unknown as new () => PlainRecord;

const hasOwn = Object.prototype.hasOwnProperty;

/** An own property's value, or undefined: for reading a request copy's fields (`agent.id`) without the prototype. */
export function ownValue(record: unknown, key: string): unknown {
  return typeof record === "object" && record !== null && hasOwn.call(record, key) ? (record as PlainRecord)[key] : undefined;
}

/** Why a walk stopped; its path is built while unwinding (innermost segment first). */
export interface Failure {
  kind: "too_large" | "unreadable";
  why: string;
  segments: (string | number)[];
}

/**
 * The walk's budget and the failure, if any. The request walk (./intake.ts)
 * shares one with the copies and counts it makes, so values are counted in
 * one order whoever reads them.
 */
export interface Walk {
  readonly maxDepth: number;
  readonly maxValues: number;
  /**
   * The state: own properties whose value is `undefined` are kept (so
   * `{ kill: undefined }` is an unknown key), and records have no prototype.
   */
  readonly state: boolean;
  count: number;
  failure: Failure | undefined;
}

/** Returned in place of a value when the walk failed (never a value a host can make). */
export const FAILED: unique symbol = Symbol("failed");

/**
 * Copies `value` into plain data, reading each part once. `root` is the
 * path the messages use (`""` for the request, `"state"` for the state).
 */
export function snapshot(value: unknown, bounds: RequestBounds, root: "" | "state"): unknown {
  const walk: Walk = { maxDepth: bounds.maxDepth, maxValues: bounds.maxValues, state: root === "state", count: 0, failure: undefined };
  let copy: unknown;
  try {
    copy = copyValue(value, 0, walk);
  } catch (error) {
    // A getter or trap threw outside a property read (an Array.isArray of a revoked Proxy at the root).
    walk.failure ??= { kind: "unreadable", why: threw(error), segments: [] };
    copy = FAILED;
  }
  if (copy !== FAILED) return copy;
  return new Refused(walkRefusal(walk.failure!, bounds, root));
}

/** Copies one value (counted here) at `depth` (the request is 0) into plain data, or FAILED. */
export function copyValue(value: unknown, depth: number, walk: Walk): unknown {
  if (++walk.count > walk.maxValues) return fail(walk, "too_large", "");
  if (typeof value !== "object" || value === null) return value;
  if (depth >= walk.maxDepth) return fail(walk, "too_large", "");
  let isArray: boolean;
  try {
    isArray = Array.isArray(value);
  } catch (error) {
    return fail(walk, "unreadable", threw(error));
  }
  return isArray ? copyArray(value as readonly unknown[], depth, walk) : copyRecord(value as Readonly<Record<string, unknown>>, depth, walk);
}

function copyArray(array: readonly unknown[], depth: number, walk: Walk): unknown {
  const length = arrayLength(array, walk);
  if (length < 0) return FAILED;
  // More items than values left fails at the first one past the budget, before any allocation for them.
  const out: unknown[] = [];
  for (let i = 0; i < length; i++) {
    let item: unknown;
    try {
      item = hasOwn.call(array, i) ? array[i] : undefined;
    } catch (error) {
      return failAt(walk, "unreadable", threw(error), i);
    }
    // Primitives inline (most values are): copyValue's count, then the value itself.
    if (typeof item !== "object" || item === null) {
      if (++walk.count > walk.maxValues) return fail(walk, "too_large", "");
      out.push(item);
      continue;
    }
    const copy = copyValue(item, depth + 1, walk);
    if (copy === FAILED) return prepend(walk, i);
    out.push(copy);
  }
  return out;
}

function copyRecord(object: Readonly<Record<string, unknown>>, depth: number, walk: Walk): unknown {
  const out: PlainRecord = walk.state ? new Plain() : {};
  // The key being read when something threw; undefined while enumerating.
  let reading: string | undefined;
  try {
    for (const key in object) {
      reading = key;
      const item = hasOwn.call(object, key) ? object[key] : undefined;
      reading = undefined;
      let copy: unknown;
      if (typeof item !== "object" || item === null) {
        // Primitives inline (most values are): copyValue's count, then the value itself.
        if (item === undefined && !(walk.state && hasOwn.call(object, key))) continue;
        if (++walk.count > walk.maxValues) return fail(walk, "too_large", "");
        copy = item;
      } else {
        copy = copyValue(item, depth + 1, walk);
        if (copy === FAILED) return prepend(walk, key);
      }
      if (key === "__proto__") Object.defineProperty(out, key, { value: copy, writable: true, enumerable: true, configurable: true });
      else out[key] = copy;
    }
  } catch (error) {
    // The enumeration itself (ownKeys, getPrototypeOf) or one property's read threw.
    return reading === undefined ? fail(walk, "unreadable", threw(error)) : failAt(walk, "unreadable", threw(error), reading);
  }
  return out;
}

/**
 * Reads one value (counted here) at `depth` exactly as `copyValue` does, the
 * same reads in the same order, without copying: for values nobody reads
 * again (free-form fields, keys a closed object refuses). Undefined, or FAILED.
 */
export function countValue(value: unknown, depth: number, walk: Walk): typeof FAILED | undefined {
  if (++walk.count > walk.maxValues) return fail(walk, "too_large", "");
  if (typeof value !== "object" || value === null) return undefined;
  return countContents(value, depth, walk);
}

/** `countValue` for a container already counted (the depth check and what follows). */
export function countContents(value: object, depth: number, walk: Walk): typeof FAILED | undefined {
  if (depth >= walk.maxDepth) return fail(walk, "too_large", "");
  let isArray: boolean;
  try {
    isArray = Array.isArray(value);
  } catch (error) {
    return fail(walk, "unreadable", threw(error));
  }
  return isArray ? countArray(value as readonly unknown[], depth, walk) : countRecord(value as Readonly<Record<string, unknown>>, depth, walk);
}

function countArray(array: readonly unknown[], depth: number, walk: Walk): typeof FAILED | undefined {
  const length = arrayLength(array, walk);
  if (length < 0) return FAILED;
  for (let i = 0; i < length; i++) {
    let item: unknown;
    try {
      item = hasOwn.call(array, i) ? array[i] : undefined;
    } catch (error) {
      return failAt(walk, "unreadable", threw(error), i);
    }
    if (typeof item !== "object" || item === null) {
      if (++walk.count > walk.maxValues) return fail(walk, "too_large", "");
      continue;
    }
    if (countValue(item, depth + 1, walk) === FAILED) return prepend(walk, i);
  }
  return undefined;
}

function countRecord(object: Readonly<Record<string, unknown>>, depth: number, walk: Walk): typeof FAILED | undefined {
  let reading: string | undefined;
  try {
    for (const key in object) {
      reading = key;
      const item = hasOwn.call(object, key) ? object[key] : undefined;
      reading = undefined;
      if (typeof item !== "object" || item === null) {
        if (item === undefined && !(walk.state && hasOwn.call(object, key))) continue;
        if (++walk.count > walk.maxValues) return fail(walk, "too_large", "");
        continue;
      }
      if (countValue(item, depth + 1, walk) === FAILED) return prepend(walk, key);
    }
  } catch (error) {
    return reading === undefined ? fail(walk, "unreadable", threw(error)) : failAt(walk, "unreadable", threw(error), reading);
  }
  return undefined;
}

/** An array's `length`, read once and checked; -1 (the walk failed) when it is not an array length. */
export function arrayLength(array: readonly unknown[], walk: Walk): number {
  let length: unknown;
  try {
    length = array.length;
  } catch (error) {
    fail(walk, "unreadable", threw(error));
    return -1;
  }
  if (typeof length !== "number" || !Number.isInteger(length) || length < 0 || length > 0xffffffff) {
    fail(walk, "unreadable", "its length is not an array length");
    return -1;
  }
  return length;
}

/** Records the walk's first failure; FAILED. */
export function fail(walk: Walk, kind: Failure["kind"], why: string): typeof FAILED {
  walk.failure ??= { kind, why, segments: [] };
  return FAILED;
}

/** Records the walk's first failure at `segment` below where the walk is; FAILED. */
export function failAt(walk: Walk, kind: Failure["kind"], why: string, segment: string | number): typeof FAILED {
  fail(walk, kind, why);
  return prepend(walk, segment);
}

/** Adds the segment of the level being unwound to the failure's path; FAILED. */
export function prepend(walk: Walk, segment: string | number): typeof FAILED {
  walk.failure!.segments.push(segment);
  return FAILED;
}

/** The reason of an unreadable value; the host's own error text is not repeated (it may be anything). */
export function threw(_error: unknown): string {
  return "reading it threw an exception";
}

/** The refusal for a failed walk (messages: ADR 0008). */
export function walkRefusal(failure: Failure, bounds: RequestBounds, root: "" | "state"): Refusal {
  if (failure.kind === "too_large") {
    const what = root === "" ? "the request" : "the runtime state";
    return {
      code: "too_large",
      message: `${what} is too large: the policy accepts at most ${bounds.maxDepth} levels of nesting and ${bounds.maxValues} values`,
      path: root,
    };
  }
  let path: string = root;
  for (let i = failure.segments.length - 1; i >= 0; i--) {
    const segment = failure.segments[i]!;
    path = typeof segment === "number" ? `${path}[${segment}]` : childPath(path, segment);
  }
  const subject = path === "" ? "the request" : `\`${path}\``;
  return { code: "unreadable_value", message: `${subject} cannot be read: ${failure.why}`, path };
}
