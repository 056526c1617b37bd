/**
 * One pass over a host value that reads, counts, validates, encodes and
 * captures each part of it exactly once: a `Reader` per (schema node, needs)
 * pair, built at load time as closures (workers forbid `new Function`).
 *
 * In: a `SchemaNode` (runtime/manifest.ts) and the `NeedNode` at the same
 * path (./needs.ts). Out: `Reader`s. A reader is given a value its parent
 * read (one [[Get]]), counts it and everything in it in the order
 * ./snapshot.ts copies (so `too_large` and `unreadable_value` come out as a
 * copy would give them: the walk's failure, FAILED), and returns the value's
 * first problem in ADR 0006's order (ADR 0010's keywords, ADR 0035's string
 * order), or undefined. It never reads a part twice and never reads the
 * host's objects after returning: the order of reads is the copy's, while
 * the order of problems is the schema's, so an object keeps, while it reads
 * its keys, the schema-earliest failing field, the smallest undeclared key
 * and the smallest failing undeclared key, and picks the first at the end.
 * Values the module reads are written as they are validated (`base` < 0:
 * write nothing, e.g. past an array's bound); written bytes of a refused
 * request are never used.
 *
 * What is not read natively is copied (./snapshot.ts, with the same count)
 * and checked with ./validate.ts, then encoded from the copy: free-form
 * (`any`) values the policy reads into, unions whose value could be more
 * than one option's object or array, objects whose needs name undeclared
 * keys. Those copies are exact by construction.
 *
 * Must not allocate when the value is valid, except for `uniqueItems`
 * arrays; must not throw (host exceptions are the walk's failures).
 */
import type { SchemaNode } from "../manifest.js";
import { FAILED, arrayLength, copyValue, countContents, countValue, fail, failAt, prepend, threw, type Walk } from "./snapshot.js";
import { kindTest, scalarCheck, shortString, wellFormed, wrongType, type Check } from "./validate.js";
import { NO_NEEDS, encodeCopy, type NeedNode, type Sink } from "./needs.js";
import { Problem, keySuffix, tick } from "./values.js";
import { meter } from "./meter.js";

/** The walk's budget and failure together with where values are written. */
export interface ReadState extends Walk, Sink {}

/** Reads one value (counting it) at `depth`; its first problem, undefined, or FAILED. */
export type Reader = (value: unknown, depth: number, r: ReadState, base: number) => Problem | undefined | typeof FAILED;

/** Readers of nodes with nothing to encode, shared by every action that reads them. */
const plain = new WeakMap<SchemaNode, Reader>();

/**
 * Where checks of plain values read: no bounds (a plain copy is already
 * within them), nothing written. Reused: checks nest (a union's options),
 * and none keeps anything in it between calls.
 */
const unbounded: ReadState = {
  maxDepth: Infinity,
  maxValues: Infinity,
  state: false,
  count: 0,
  failure: undefined,
  arena: { buffer: new ArrayBuffer(0), view: new DataView(new ArrayBuffer(0)), bytes: new Uint8Array(0), slotBase: 0, arenaStart: 0, arenaEnd: 0, top: 0, high: 0 },
  captures: [],
  overflow: false,
};

/**
 * The check of a node for plain data (a copy ./snapshot.ts made, a parsed
 * JSON value, a number): the same readers, so the host's values and copies
 * of them are checked by one implementation.
 */
export function compileCheck(node: SchemaNode): Check {
  switch (node.type) {
    case "any":
    case "null":
    case "boolean":
    case "number":
    case "string":
      return scalarCheck(node);
    case "union":
      return unionCheck(node);
    default: {
      const reader = compileReader(node);
      return (value) => {
        unbounded.count = 0;
        unbounded.failure = undefined;
        const found = reader(value, 0, unbounded, -1);
        return found === FAILED ? new Problem("unreadable_value", "", (p) => `${tick(p)} cannot be read: reading it threw an exception`) : found;
      };
    }
  }
}

/**
 * A union's check: the first option that accepts (for an overlapping
 * `oneOf`, and no later one), else the first option of the value's JSON
 * kind reports, else a type mismatch naming every option.
 */
function unionCheck(node: Extract<SchemaNode, { type: "union" }>): Check {
  const wrong = wrongType(node);
  const options = node.options.map((o) => ({ check: compileCheck(o), kind: kindTest(o) }));
  const exclusive = node.oneOf === true;
  return (value) => {
    let first: Problem | undefined;
    for (let i = 0; i < options.length; i++) {
      const option = options[i]!;
      const problem = option.check(value);
      if (problem === undefined) {
        // A `oneOf` whose options overlap: no later option may accept too.
        for (let j = i + 1; exclusive && j < options.length; j++) {
          if (options[j]!.check(value) === undefined) {
            return new Problem("ambiguous_one_of", "", (p) => `${tick(p)} must match exactly one option of its oneOf, but matches options ${i} and ${j}`);
          }
        }
        return undefined;
      }
      if (first === undefined && option.kind(value)) first = problem;
    }
    return first ?? wrong(value);
  };
}

/** The reader of `node` with `need` at its path. */
export function compileReader(node: SchemaNode, need: NeedNode = NO_NEEDS): Reader {
  if (!need.empty) return build(node, need);
  let reader = plain.get(node);
  if (reader === undefined) {
    reader = build(node, need);
    plain.set(node, reader);
  }
  return reader;
}

function build(node: SchemaNode, need: NeedNode): Reader {
  switch (node.type) {
    case "any":
      return need.empty ? (value, depth, r) => countValue(value, depth, r) : copied(node, need);
    case "null":
    case "boolean":
    case "number":
    case "string":
      return need.children.size > 0 || need.arrays.length > 0 ? copied(node, need) : scalarReader(node, need);
    case "array":
      return need.children.size > 0 || need.arrays.length > 1 ? copied(node, need) : arrayReader(node, need);
    case "object":
      return need.arrays.length > 0 || [...need.children.keys()].some((k) => !node.properties.some((p) => p.name === k)) ? copied(node, need) : objectReader(node, need);
    case "union":
      return unionReader(node, need);
  }
}

/** Copies the value (same reads, same count), checks the copy, encodes from it. */
function copied(node: SchemaNode, need: NeedNode): Reader {
  const check = compileCheck(node);
  return (value, depth, r, base) => {
    const copy = copyValue(value, depth, r);
    if (copy === FAILED) return FAILED;
    const problem = check(copy);
    if (problem === undefined) encodeCopy(need, copy, base, r);
    return problem;
  };
}

function scalarReader(node: SchemaNode, need: NeedNode): Reader {
  const check = compileCheck(node);
  const write = need.write;
  const short = shortString(node);
  return (value, depth, r, base) => {
    if (++r.count > r.maxValues) return fail(r, "too_large", "");
    if (typeof value === "string" && value.length <= short && wellFormed(value)) {
      if (write !== undefined) write(value, base, r);
      return undefined;
    }
    if (typeof value === "object" && value !== null && countContents(value, depth, r) === FAILED) return FAILED;
    const problem = check(value);
    if (problem === undefined && write !== undefined) write(value, base, r);
    return problem;
  };
}

const hasOwn = Object.prototype.hasOwnProperty;

function arrayReader(node: Extract<SchemaNode, { type: "array" }>, need: NeedNode): Reader {
  const wrong = wrongType(node);
  const arrayNeed = need.arrays[0];
  const items = compileReader(node.items, arrayNeed?.items ?? NO_NEEDS);
  const { maxItems, minItems } = node;
  const unique = node.uniqueItems === true;
  const write = need.write;
  const slot = arrayNeed?.slot;
  const itemSyms = arrayNeed?.itemSyms ?? [];
  return (value, depth, r, base) => {
    if (++r.count > r.maxValues) return fail(r, "too_large", "");
    if (typeof value !== "object" || value === null) return wrong(value);
    if (depth >= r.maxDepth) return fail(r, "too_large", "");
    let isArray: boolean;
    try {
      isArray = Array.isArray(value);
    } catch (error) {
      return fail(r, "unreadable", threw(error));
    }
    if (!isArray) return countContents(value, depth, r) === FAILED ? FAILED : wrong(value);
    const array = value as readonly unknown[];
    const length = arrayLength(array, r);
    if (length < 0) return FAILED;
    let problem: Problem | undefined;
    if (maxItems !== undefined && length > maxItems) {
      problem = new Problem("too_many_items", "", (p) => `${tick(p)} has more items than its maxItems ${maxItems}`);
    } else if (minItems !== undefined && length < minItems) {
      problem = new Problem("too_few_items", "", (p) => `${tick(p)} has fewer items than its minItems ${minItems}`);
    }
    let itemsAt = -1;
    let stride = 0;
    if (problem === undefined && base >= 0 && slot !== undefined) {
      if (length > slot.maxItems) r.overflow = true;
      else {
        const a = r.arena;
        a.view.setUint32(base + slot.offset, length, true);
        itemsAt = base + slot.itemsOffset;
        stride = slot.stride;
        const end = itemsAt + length * stride;
        if (end > a.high) a.high = end;
      }
    }
    const seen: unknown[] | undefined = unique && problem === undefined ? [] : undefined;
    for (let i = 0; i < length; i++) {
      let item: unknown;
      try {
        item = hasOwn.call(array, i) ? array[i] : undefined;
      } catch (error) {
        return failAt(r, "unreadable", threw(error), i);
      }
      if (problem !== undefined) {
        // The reported problem is known: the rest is only counted, as a copy would count it.
        if (typeof item !== "object" || item === null) {
          if (++r.count > r.maxValues) return fail(r, "too_large", "");
        } else if (countValue(item, depth + 1, r) === FAILED) return prepend(r, i);
        continue;
      }
      let at = -1;
      if (itemsAt >= 0) {
        at = itemsAt + i * stride;
        for (let s = 0; s < itemSyms.length; s++) r.arena.view.setInt32(at + itemSyms[s]!, -1, true);
      }
      const found = items(item, depth + 1, r, at);
      if (found === FAILED) return prepend(r, i);
      if (found !== undefined) {
        found.suffix = `[${i}]${found.suffix}`;
        problem = found;
      } else if (seen !== undefined) seen.push(item);
    }
    if (problem === undefined && seen !== undefined) {
      // Validated scalars (uniqueItems is allowed on nothing else), at most maxItems of them.
      for (let j = 1; j < seen.length && problem === undefined; j++) {
        for (let i = 0; i < j; i++) {
          if (seen[i] === seen[j]) {
            problem = new Problem("duplicate_items", "", (p) => `${tick(p)} must have unique items, but item ${j} repeats item ${i}`);
            break;
          }
        }
      }
    }
    if (problem === undefined && write !== undefined) write(value, base, r);
    return problem;
  };
}

/** Stamps for objects with more than 31 tracked names (no bit set fits them). */
let stamp = 0;

/** The internalized copy of a string (a property key is always one). */
function internal(name: string): string {
  return Object.keys({ [name]: 0 })[0] ?? name;
}

function objectReader(node: Extract<SchemaNode, { type: "object" }>, need: NeedNode): Reader {
  const wrong = wrongType(node);
  const props = node.properties;
  const count = props.length;
  // Internalized, so comparing them with the keys `for…in` gives is a pointer comparison.
  const names = props.map((p) => internal(p.name));
  const readers = props.map((p) => compileReader(p.schema, need.children.get(p.name) ?? NO_NEEDS));
  const short = props.map((p) => shortString(p.schema));
  const writes = props.map((p) => need.children.get(p.name)?.write);
  const dependencies = node.dependentRequired ?? [];
  // Names tracked for presence: the declared ones, then undeclared names dependentRequired mentions.
  const tracked = [...names];
  for (const d of dependencies) for (const name of [d.name, ...d.requires]) if (!tracked.includes(name)) tracked.push(name);
  const index = new Map(tracked.map((n, i) => [n, i]));
  const bits = tracked.length <= 31;
  const stamps = bits ? undefined : new Int32Array(tracked.length);
  const closed = !node.additionalProperties;
  const additional = node.additional === undefined ? undefined : compileReader(node.additional);
  const { minProperties, maxProperties } = node;
  const write = need.write;
  // The common valid case is decided from the loop's bits alone: every required field seen, nothing failed.
  let required = 0;
  props.forEach((p, i) => {
    if (p.required && i < 31) required |= 1 << i;
  });
  const quick = bits && minProperties === undefined && maxProperties === undefined && dependencies.length === 0;

  return (value, depth, r, base) => {
    if (++r.count > r.maxValues) return fail(r, "too_large", "");
    if (typeof value !== "object" || value === null) return wrong(value);
    if (depth >= r.maxDepth) return fail(r, "too_large", "");
    let isArray: boolean;
    try {
      isArray = Array.isArray(value);
    } catch (error) {
      return fail(r, "unreadable", threw(error));
    }
    if (isArray) return countContents(value, depth, r) === FAILED ? FAILED : wrong(value);
    const object = value as Readonly<Record<string, unknown>>;
    const mark = bits ? 0 : ++stamp;
    let seen = 0;
    let present = 0;
    let firstIndex = count;
    let firstProblem: Problem | undefined;
    let unknown: string | undefined;
    let worstKey: string | undefined;
    let worstProblem: Problem | undefined;
    let next = 0;
    let reading: string | undefined;
    try {
      for (const key in object) {
        reading = key;
        const item = hasOwn.call(object, key) ? object[key] : undefined;
        reading = undefined;
        if (item === undefined) continue;
        present++;
        // Keys usually come in schema order: try the next field before the map.
        const i = names[next] === key ? next : index.get(key) ?? -1;
        if (i >= 0) {
          if (bits) seen |= 1 << i;
          else stamps![i] = mark;
        }
        if (i >= 0 && i < count) {
          next = i + 1;
          if (typeof item === "string" && item.length <= short[i]! && wellFormed(item)) {
            if (++r.count > r.maxValues) return fail(r, "too_large", "");
            const w = writes[i];
            if (w !== undefined) w(item, base, r);
            continue;
          }
          const found = readers[i]!(item, depth + 1, r, base);
          if (found === FAILED) return prepend(r, key);
          if (found !== undefined && i < firstIndex) {
            firstIndex = i;
            firstProblem = found;
          }
          continue;
        }
        // An undeclared key: refused (the smallest), checked (the smallest failing), or only counted.
        meter.keys++;
        if (additional !== undefined) {
          const found = additional(item, depth + 1, r, -1);
          if (found === FAILED) return prepend(r, key);
          if (found !== undefined && (worstKey === undefined || key < worstKey)) {
            worstKey = key;
            worstProblem = found;
          }
        } else {
          if (countValue(item, depth + 1, r) === FAILED) return prepend(r, key);
          if (closed && (unknown === undefined || key < unknown)) unknown = key;
        }
      }
    } catch (error) {
      // The enumeration itself (ownKeys, getPrototypeOf) or one property's read threw.
      return reading === undefined ? fail(r, "unreadable", threw(error)) : failAt(r, "unreadable", threw(error), reading);
    }
    if (quick && firstProblem === undefined && unknown === undefined && worstProblem === undefined && (seen & required) === required) {
      if (write !== undefined) write(value, base, r);
      return undefined;
    }
    const has = (i: number): boolean => (bits ? (seen & (1 << i)) !== 0 : stamps![i] === mark);
    let problem: Problem | undefined;
    if (maxProperties !== undefined && present > maxProperties) {
      problem = new Problem("too_many_properties", "", (p) => `${tick(p)} has more properties than its maxProperties ${maxProperties}`);
    } else if (minProperties !== undefined && present < minProperties) {
      problem = new Problem("too_few_properties", "", (p) => `${tick(p)} has fewer properties than its minProperties ${minProperties}`);
    } else {
      for (let i = 0; i < count; i++) {
        if (has(i)) {
          if (i !== firstIndex) continue;
          firstProblem!.suffix = keySuffix(names[i]!) + firstProblem!.suffix;
          problem = firstProblem;
          break;
        }
        if (props[i]!.required) {
          problem = new Problem("missing_field", keySuffix(names[i]!), (p) => `missing required field ${tick(p)}`);
          break;
        }
      }
      for (let d = 0; problem === undefined && d < dependencies.length; d++) {
        const dependency = dependencies[d]!;
        if (!has(index.get(dependency.name)!)) continue;
        for (const name of dependency.requires) {
          if (has(index.get(name)!)) continue;
          const trigger = keySuffix(dependency.name);
          const own = keySuffix(name);
          problem = new Problem("missing_field", own, (p) => `missing required field ${tick(p)} (required when ${tick(p.slice(0, p.length - own.length) + trigger)} is present)`);
          break;
        }
      }
      if (problem === undefined && unknown !== undefined) {
        problem = new Problem("unknown_field", keySuffix(unknown), (p) => `unknown field ${tick(p)}`);
      } else if (problem === undefined && worstProblem !== undefined) {
        worstProblem.suffix = keySuffix(worstKey!) + worstProblem.suffix;
        problem = worstProblem;
      }
    }
    if (problem === undefined && write !== undefined) write(value, base, r);
    return problem;
  };
}

/** Whether a node's value can be a JSON array (`"array"`) or object (`"object"`). */
function canBe(node: SchemaNode, kind: "array" | "object"): boolean {
  if (node.type === "any") return true;
  if (node.type === "union") return node.options.some((o) => canBe(o, kind));
  return node.type === kind;
}

/**
 * A union: a scalar value is checked as ./validate.ts checks it (nothing of
 * the host is read again). An array or object that only one option can be
 * (a plain array or object node, as in `["object", "null"]`) is that
 * option's to read: no other option can accept it, so the union's answer is
 * that option's. Anything else is copied, then checked and encoded.
 */
function unionReader(node: Extract<SchemaNode, { type: "union" }>, need: NeedNode): Reader {
  const classic = compileCheck(node);
  const write = need.write;
  const only = (kind: "array" | "object"): Reader | undefined => {
    const options = node.options.filter((o) => canBe(o, kind));
    return options.length === 1 && options[0]!.type === kind ? compileReader(options[0]!, need) : undefined;
  };
  const arrays = only("array");
  const objects = only("object");
  const copy = copied(node, need);
  return (value, depth, r, base) => {
    if (typeof value !== "object" || value === null) {
      if (++r.count > r.maxValues) return fail(r, "too_large", "");
      const problem = classic(value);
      if (problem === undefined && write !== undefined) write(value, base, r);
      return problem;
    }
    // Which kind, read in the copy's order: the count, the depth, then Array.isArray.
    if (r.count + 1 > r.maxValues || depth >= r.maxDepth) {
      r.count++;
      return fail(r, "too_large", "");
    }
    let isArray: boolean;
    try {
      isArray = Array.isArray(value);
    } catch (error) {
      r.count++;
      return fail(r, "unreadable", threw(error));
    }
    const option = isArray ? arrays : objects;
    return option !== undefined ? option(value, depth, r, base) : copy(value, depth, r, base);
  };
}
