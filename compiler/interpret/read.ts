/**
 * The reference's reading of a host value: the request and the state are
 * copied once into plain data (objects with no prototype, arrays,
 * primitives) before anything looks at them, with the request bounds
 * (ADR 0008): every engine decides on the value it validated, and a
 * polluted `Object.prototype` is invisible to the copy.
 *
 * In: any value, the bounds, the root path (`""` or `"state"`). Out: the
 * copy, or a thrown `Refusal`: `too_large` past the bounds (depth first
 * counted from the request object at 1, values counted in depth-first
 * pre-order), `unreadable_value` when a read throws or an array length is
 * not an array length. What is read: own enumerable string keys
 * (`Object.keys`), each property once; own array elements 0..length-1 (a
 * hole is `undefined`); an `undefined`-valued property is absent in a
 * request and kept in the state. Written independently of the runtime's
 * runtime/encode/snapshot.ts, which must read the same.
 * Must not recurse deeper than the bounds allow.
 */
import { DEFAULT_REQUEST_BOUNDS, type RequestBounds } from "../../runtime/manifest.js";
import { Refusal, childPath, indexPath } from "./values.js";

export { DEFAULT_REQUEST_BOUNDS, type RequestBounds };

class Unreadable {
  constructor(readonly path: string) {}
}
class TooLarge {}

/** Copies a host value into plain data, or throws the refusal. */
export function readHostValue(value: unknown, bounds: RequestBounds, root: "" | "state"): unknown {
  const budget = { left: bounds.maxValues };
  try {
    return copy(value, 1, root, bounds, budget, root === "state");
  } catch (error) {
    if (error instanceof TooLarge) {
      const what = root === "" ? "the request" : "the runtime state";
      throw new Refusal("too_large", `${what} is too large: the policy accepts at most ${bounds.maxDepth} levels of nesting and ${bounds.maxValues} values`, root);
    }
    const path = error instanceof Unreadable ? error.path : root;
    throw new Refusal("unreadable_value", `${path === "" ? "the request" : `\`${path}\``} cannot be read: ${reason(error)}`, path);
  }
}

const BAD_LENGTH = "its length is not an array length";

function reason(error: unknown): string {
  return error instanceof BadLength ? BAD_LENGTH : "reading it threw an exception";
}

class BadLength extends Unreadable {}

function copy(value: unknown, depth: number, path: string, bounds: RequestBounds, budget: { left: number }, keepUndefined: boolean): unknown {
  if (--budget.left < 0) throw new TooLarge();
  if (typeof value !== "object" || value === null) return value;
  if (depth > bounds.maxDepth) throw new TooLarge();
  let array: boolean;
  try {
    array = Array.isArray(value);
  } catch {
    throw new Unreadable(path);
  }
  if (array) {
    const items = value as readonly unknown[];
    let length: unknown;
    try {
      length = items.length;
    } catch {
      throw new Unreadable(path);
    }
    if (typeof length !== "number" || !Number.isInteger(length) || length < 0 || length > 4294967295) throw new BadLength(path);
    const out: unknown[] = [];
    for (let i = 0; i < length; i++) {
      const at = indexPath(path, i);
      let item: unknown;
      try {
        item = Object.prototype.hasOwnProperty.call(items, i) ? items[i] : undefined;
      } catch {
        throw new Unreadable(at);
      }
      out.push(copy(item, depth + 1, at, bounds, budget, keepUndefined));
    }
    return out;
  }
  const object = value as Readonly<Record<string, unknown>>;
  let keys: string[];
  try {
    keys = Object.keys(object);
  } catch {
    throw new Unreadable(path);
  }
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of keys) {
    const at = childPath(path, key);
    let item: unknown;
    try {
      item = Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
    } catch {
      throw new Unreadable(at);
    }
    if (item === undefined && !(keepUndefined && Object.prototype.hasOwnProperty.call(object, key))) continue;
    out[key] = copy(item, depth + 1, at, bounds, budget, keepUndefined);
  }
  return out;
}
