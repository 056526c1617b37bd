/**
 * Random requests that match a catalog's schemas, for testing the checker
 * against the reference interpreter.
 *
 * In: an action, the catalog set's request shape, a random source and pools
 * of strings and numbers to draw from (the literals a policy mentions, so
 * its conditions can come out true). Out: a plain request object. Optional
 * fields are present half of the time; a human is present half of the time.
 * Every keyword the catalog model keeps is met (lengths, patterns, bounds,
 * multipleOf, uniqueItems, property counts, dependentRequired, exclusive
 * oneOfs); a value the generator cannot make valid is an error here, not a
 * surprise in the test that uses it.
 */
import type { ActionEntry, CatalogSet, FieldType, NumberType, PatternNode, StringType } from "../../compiler/catalog/index.js";
import { patternMatches } from "../../compiler/catalog/index.js";
import { validateValue } from "../../compiler/interpret/validate.js";
import type { Random } from "./generate.js";

export interface Pools {
  readonly strings: readonly string[];
  readonly numbers: readonly number[];
}

export function randomRequest(random: Random, action: ActionEntry, set: CatalogSet, pools: Pools): Record<string, unknown> {
  const request: Record<string, unknown> = {
    agent: value(random, set.request.agent, pools),
    action: action.name,
    args: value(random, action.args, pools),
    env: value(random, set.request.env, pools),
    context: value(random, set.request.context, pools),
  };
  if (random.chance(0.5)) request["human"] = value(random, set.request.human, pools);
  return request;
}

function valid(v: unknown, type: FieldType): boolean {
  try {
    validateValue(v, type, "x");
    return true;
  } catch {
    return false;
  }
}

/** A valid value of `type`: a few tries, then an error naming the type. */
function value(random: Random, type: FieldType, pools: Pools): unknown {
  for (let attempt = 0; attempt < 20; attempt++) {
    const v = attemptValue(random, type, pools);
    if (valid(v, type)) return v;
  }
  throw new Error(`test generator: no valid value found for the schema at ${type.location.pointer}`);
}

function attemptValue(random: Random, type: FieldType, pools: Pools): unknown {
  switch (type.kind) {
    case "string":
      return string(random, type, pools);
    case "number":
      return number(random, type, pools);
    case "boolean":
      return random.chance(0.5);
    case "null":
      return null;
    case "array": {
      const count = Math.max(type.minItems ?? 0, Math.min(type.maxItems ?? 3, random.int(4)));
      const items: unknown[] = [];
      for (let i = 0; i < count * 3 && items.length < count; i++) {
        const item = value(random, type.items, pools);
        if (type.uniqueItems !== true || !items.includes(item)) items.push(item);
      }
      return items;
    }
    case "object": {
      const result: Record<string, unknown> = {};
      const fields = [...type.fields.values()];
      for (const field of fields) {
        if (field.required || random.chance(0.5)) result[field.name] = value(random, field.type, pools);
      }
      // Meet dependentRequired and minProperties by adding declared fields.
      for (const dependency of type.dependentRequired ?? []) {
        if (!(dependency.name in result)) continue;
        for (const name of dependency.requires) {
          const field = type.fields.get(name);
          if (!(name in result)) result[name] = field === undefined ? value(random, type.additional ?? { kind: "any", location: type.location }, pools) : value(random, field.type, pools);
        }
      }
      for (const field of fields) {
        if (Object.keys(result).length >= (type.minProperties ?? 0)) break;
        if (!(field.name in result)) result[field.name] = value(random, field.type, pools);
      }
      if (type.additional !== undefined && random.chance(0.3) && Object.keys(result).length < (type.maxProperties ?? Infinity)) {
        result["x-extra"] = value(random, type.additional, pools);
      }
      return result;
    }
    case "union":
      return value(random, random.pick(type.options), pools);
    case "any":
      return {};
  }
}

function string(random: Random, type: StringType, pools: Pools): string {
  if (type.enum !== undefined) return random.pick(type.enum);
  const fits = pools.strings.filter((s) => type.pattern === undefined || patternMatches(type.pattern, s));
  let s = fits.length > 0 && random.chance(0.7) ? random.pick(fits) : type.pattern !== undefined ? fromPattern(random, type.pattern.tree) : random.pick(pools.strings);
  if (type.maxLength !== undefined) s = [...s].slice(0, type.maxLength).join("");
  if (type.minLength !== undefined && [...s].length < type.minLength) {
    // Pad with what the pattern allows where there is one; else with zeros.
    s = s + "0".repeat(type.minLength - [...s].length);
  }
  return s;
}

/** A string of the pattern tree's language (anchors read as nothing). */
function fromPattern(random: Random, node: PatternNode): string {
  switch (node.kind) {
    case "empty":
    case "start":
    case "end":
      return "";
    case "class": {
      const ranges = node.ranges.filter(([lo]) => lo < 0xd800 || lo > 0xdfff);
      if (ranges.length === 0) return "";
      const [lo, hi] = random.pick(ranges);
      const cp = lo + random.int(Math.min(hi - lo, 60) + 1);
      return cp >= 0xd800 && cp <= 0xdfff ? "a" : String.fromCodePoint(cp);
    }
    case "concat":
      return node.items.map((item) => fromPattern(random, item)).join("");
    case "alt":
      return fromPattern(random, random.pick(node.options));
    case "repeat": {
      const count = node.min + random.int(Math.min(node.max, node.min + 3) - node.min + 1);
      return Array.from({ length: count }, () => fromPattern(random, node.body)).join("");
    }
  }
}

function number(random: Random, type: NumberType, pools: Pools): number {
  if (type.enum !== undefined) return random.pick(type.enum);
  let n = random.pick(pools.numbers);
  if (type.integer) n = Math.round(n);
  if (type.multipleOf !== undefined) n = Math.round(n / type.multipleOf) * type.multipleOf;
  const step = type.multipleOf ?? (type.integer ? 1 : 0.5);
  if (type.minimum !== undefined && n < type.minimum) n = Math.ceil(type.minimum / step) * step;
  if (type.exclusiveMinimum !== undefined && n <= type.exclusiveMinimum) n = (Math.floor(type.exclusiveMinimum / step) + 1) * step;
  if (type.maximum !== undefined && n > type.maximum) n = Math.floor(type.maximum / step) * step;
  if (type.exclusiveMaximum !== undefined && n >= type.exclusiveMaximum) n = (Math.ceil(type.exclusiveMaximum / step) - 1) * step;
  return n;
}

/** The string and number literals a policy text mentions, plus a few of every kind. */
export function poolsOf(text: string): Pools {
  const strings = new Set(["a", "acme/payments", "/workspace/x", "prod", "x-1", "", "ann@acme.com", "bob@corp.org"]);
  for (const m of text.matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
    const s = m[1]!;
    strings.add(s);
    strings.add(`${s}x`);
    strings.add(`x${s}`);
    strings.add(s.replace(/\*/g, "zz"));
  }
  const numbers = new Set([0, 1, 2, 5, 120, 1000, 0.5]);
  for (const m of text.matchAll(/(?<![\w."])(-?\d+(?:\.\d+)?)(?![\w"])/g)) {
    const n = Number(m[1]);
    for (const d of [-1, 0, 1]) numbers.add(n + d);
  }
  return { strings: [...strings], numbers: [...numbers] };
}
