/**
 * Random requests that match a catalog's schemas, for testing the checker
 * against the reference interpreter.
 *
 * In: an action, the catalog set's request shape, a random source and pools
 * of strings and numbers to draw from (the literals a policy mentions, so
 * its conditions can come out true). Out: a plain request object. Optional
 * fields are present half of the time; a human is present half of the time.
 */
import type { ActionEntry, CatalogSet, FieldType } from "../../compiler/catalog/index.js";
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

function value(random: Random, type: FieldType, pools: Pools): unknown {
  switch (type.kind) {
    case "string": {
      if (type.enum !== undefined) return random.pick(type.enum);
      let s = random.pick(pools.strings);
      if (type.maxLength !== undefined) s = s.slice(0, type.maxLength);
      // Pad up to minLength; the example catalogs give no pattern that padding could break.
      if (type.minLength !== undefined && [...s].length < type.minLength) s = s + "0".repeat(type.minLength - [...s].length);
      return s;
    }
    case "number": {
      if (type.enum !== undefined) return random.pick(type.enum);
      let n = random.pick(pools.numbers);
      if (type.integer) n = Math.round(n);
      if (type.minimum !== undefined && n < type.minimum) n = type.minimum;
      if (type.maximum !== undefined && n > type.maximum) n = type.maximum;
      return n;
    }
    case "boolean":
      return random.chance(0.5);
    case "null":
      return null;
    case "array": {
      const count = Math.max(type.minItems ?? 0, Math.min(type.maxItems ?? 3, random.int(4)));
      return Array.from({ length: count }, () => value(random, type.items, pools));
    }
    case "object": {
      const result: Record<string, unknown> = {};
      for (const field of type.fields.values()) {
        if (field.required || random.chance(0.5)) result[field.name] = value(random, field.type, pools);
      }
      return result;
    }
    case "union":
      return value(random, random.pick(type.options), pools);
    case "any":
      return {};
  }
}

/** The string and number literals a policy text mentions, plus a few of every kind. */
export function poolsOf(text: string): Pools {
  const strings = new Set(["a", "acme/payments", "/workspace/x", "prod", "x-1", ""]);
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
