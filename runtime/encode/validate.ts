/**
 * Schema validation as closures: each `SchemaNode` of the manifest becomes,
 * at load time, a function that returns the first problem with a value (or
 * undefined). No `new Function`, no eval: workers forbid run-time code.
 *
 * In: a `SchemaNode` (runtime/manifest.ts). Out: `Check`. The order of
 * checks and the messages are ADR 0006's (keywords: ADR 0010), as
 * compiler/interpret/validate.ts does them: type, `integer`, `enum`,
 * `minimum`, `exclusiveMinimum`, `maximum`, `exclusiveMaximum`, `multipleOf`
 * for numbers; `maxLength`, lone surrogates, `minLength` (code points),
 * `enum`, `pattern` for strings (the length first, so that an overlong
 * string is refused without being scanned: ADR 0035); `maxItems`, `minItems`, items in order,
 * `uniqueItems`; `maxProperties`, `minProperties`, declared fields in schema
 * order, `dependentRequired`, then undeclared keys in code-unit order
 * (refused, or checked against the `additionalProperties` schema); unions:
 * first accepting option (for an overlapping `oneOf`, and no later one),
 * else the first option of the value's JSON kind reports, else a type
 * mismatch naming every option.
 * Must not allocate when the value is valid (the hot path). Must not look
 * at more of a value than its schema bounds: a string past `maxLength` is
 * refused after O(`maxLength`) units, undeclared keys are found by one scan
 * (never a sort) (ADR 0035).
 */
import type { SchemaNode } from "../manifest.js";
import { patternTest } from "./pattern.js";
import { Problem, describe, hasKey, isObject, keySuffix, loneSurrogateAt, longerThan, quote, shorterThan, tick } from "./values.js";
import { meter } from "./meter.js";

/** The first problem with a value, its path relative to where the check runs; undefined when valid. */
export type Check = (value: unknown) => Problem | undefined;

/**
 * Compiles a schema node into a check. `fast` false leaves out the
 * happy-path shortcuts (inline string tests, an object's `accepts`): the
 * slow twin tests compare against.
 */
export function compileCheck(node: SchemaNode, fast = true): Check {
  switch (node.type) {
    case "any":
      return () => undefined;
    case "null": {
      const wrong = wrongType(node);
      return (value) => (value === null ? undefined : wrong(value));
    }
    case "boolean": {
      const wrong = wrongType(node);
      return (value) => (typeof value === "boolean" ? undefined : wrong(value));
    }
    case "number":
      return numberCheck(node);
    case "string":
      return stringCheck(node);
    case "array":
      return arrayCheck(node, fast);
    case "object":
      return objectCheck(node, fast);
    case "union":
      return unionCheck(node, fast);
  }
}

function numberCheck(node: Extract<SchemaNode, { type: "number" }>): Check {
  const wrong = wrongType(node);
  const { integer, minimum, exclusiveMinimum, maximum, exclusiveMaximum, multipleOf } = node;
  const members = node.enum === undefined ? undefined : new Set<number>(node.enum);
  const listed = node.enum?.join(", ");
  return (value) => {
    if (typeof value !== "number" || !Number.isFinite(value)) return wrong(value);
    if (integer && !Number.isInteger(value)) return wrong(value);
    if (members !== undefined && !members.has(value)) {
      return new Problem("not_in_enum", "", (p) => `${tick(p)} must be one of ${listed}, got ${describe(value)}`);
    }
    if (minimum !== undefined && value < minimum) {
      return new Problem("out_of_range", "", (p) => `${tick(p)} must be at least ${minimum}, got ${value}`);
    }
    if (exclusiveMinimum !== undefined && value <= exclusiveMinimum) {
      return new Problem("out_of_range", "", (p) => `${tick(p)} must be greater than ${exclusiveMinimum}, got ${value}`);
    }
    if (maximum !== undefined && value > maximum) {
      return new Problem("out_of_range", "", (p) => `${tick(p)} must be at most ${maximum}, got ${value}`);
    }
    if (exclusiveMaximum !== undefined && value >= exclusiveMaximum) {
      return new Problem("out_of_range", "", (p) => `${tick(p)} must be less than ${exclusiveMaximum}, got ${value}`);
    }
    if (multipleOf !== undefined && !Number.isInteger(value / multipleOf)) {
      return new Problem("not_multiple_of", "", (p) => `${tick(p)} must be a multiple of ${multipleOf}, got ${value}`);
    }
    return undefined;
  };
}

function stringCheck(node: Extract<SchemaNode, { type: "string" }>): Check {
  const wrong = wrongType(node);
  const { maxLength, minLength } = node;
  const members = node.enum === undefined ? undefined : new Set<string>(node.enum);
  const listed = node.enum?.map((m) => JSON.stringify(m)).join(", ");
  const pattern = node.pattern === undefined ? undefined : patternTest(node.pattern);
  const source = node.pattern === undefined ? "" : quote(node.pattern.source);
  // Longer than every member: surely not one (and no hash of a long string).
  const longest = (node.enum ?? []).reduce((most, m) => Math.max(most, m.length), 0);
  return (value) => {
    if (typeof value !== "string") return wrong(value);
    // The bound before the work: at most 2 × maxLength units are looked at (ADR 0035).
    if (maxLength !== undefined && longerThan(value, maxLength)) {
      return new Problem("too_long", "", (p) => `${tick(p)} is longer than its maxLength ${maxLength}`);
    }
    const lone = wellFormed(value) ? -1 : loneSurrogateAt(value);
    if (lone >= 0) {
      return new Problem("invalid_string", "", (p) => `${tick(p)} is not well-formed Unicode (a lone surrogate at index ${lone})`);
    }
    if (minLength !== undefined && shorterThan(value, minLength)) {
      return new Problem("too_short", "", (p) => `${tick(p)} is shorter than its minLength ${minLength}`);
    }
    if (members !== undefined && (value.length > longest || !members.has(value))) {
      return new Problem("not_in_enum", "", (p) => `${tick(p)} must be one of ${listed}, got ${describe(value)}`);
    }
    if (pattern !== undefined && !pattern(value)) {
      return new Problem("pattern_mismatch", "", (p) => `${tick(p)} does not match its pattern ${source}`);
    }
    return undefined;
  };
}

const nativeWellFormed = (String.prototype as { isWellFormed?: () => boolean }).isWellFormed;

/** Whether `s` has no lone surrogate: the engine's own scan where it has one (ES2024), else ours. */
export function wellFormed(s: string): boolean {
  meter.units += s.length;
  return nativeWellFormed !== undefined ? nativeWellFormed.call(s) : loneSurrogateAt(s) < 0;
}

function arrayCheck(node: Extract<SchemaNode, { type: "array" }>, fast: boolean): Check {
  const wrong = wrongType(node);
  const items = compileCheck(node.items, fast);
  const { maxItems, minItems } = node;
  const unique = node.uniqueItems === true;
  const short = fast ? shortString(node.items) : -1;
  return (value) => {
    if (!Array.isArray(value)) return wrong(value);
    if (maxItems !== undefined && value.length > maxItems) {
      return new Problem("too_many_items", "", (p) => `${tick(p)} has more items than its maxItems ${maxItems}`);
    }
    if (minItems !== undefined && value.length < minItems) {
      return new Problem("too_few_items", "", (p) => `${tick(p)} has fewer items than its minItems ${minItems}`);
    }
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === "string" && item.length <= short && wellFormed(item)) continue;
      const problem = items(item);
      if (problem !== undefined) {
        problem.suffix = `[${i}]${problem.suffix}`;
        return problem;
      }
    }
    if (unique) {
      // Validated scalars (the compiler allows uniqueItems on nothing else), at most maxItems of them.
      for (let j = 1; j < value.length; j++) {
        for (let i = 0; i < j; i++) {
          if (value[i] === value[j]) {
            return new Problem("duplicate_items", "", (p) => `${tick(p)} must have unique items, but item ${j} repeats item ${i}`);
          }
        }
      }
    }
    return undefined;
  };
}

/**
 * Two checks of one object node, sharing the field checks: `accepts`, the
 * happy path, and `inOrder`, which alone finds and words a problem.
 *
 * `accepts` makes one for-in pass over the object's keys, which V8 compiles
 * to enum-cache loads; loading each declared field by name, the obvious way,
 * is a megamorphic lookup per field here (every object check shares one
 * closure body). It answers true only when `inOrder` would accept: anything
 * unusual (an undeclared, inherited or undefined-valued key, a field that
 * fails, a declared field the pass did not see but that has a value, a
 * required field it did not see) answers false, and `inOrder` then decides.
 * `inOrder` checks declared fields in schema order, then undeclared keys in
 * code-unit order: ADR 0006's first problem.
 */
/**
 * For a string node without `enum`: a UTF-16 length up to which a
 * well-formed string surely passes (code points never outnumber units), so
 * callers can accept it inline, without calling its check; -1 for any other
 * node (no string passes the inline test, the check decides).
 */
function shortString(node: SchemaNode): number {
  return node.type === "string" && node.enum === undefined && node.minLength === undefined && node.pattern === undefined ? node.maxLength ?? Infinity : -1;
}

function objectCheck(node: Extract<SchemaNode, { type: "object" }>, fast: boolean): Check {
  const wrong = wrongType(node);
  const props = node.properties;
  const names = props.map((p) => p.name);
  const checks = props.map((p) => compileCheck(p.schema, fast));
  const short = props.map((p) => shortString(p.schema));
  const count = names.length;
  const index = new Map(names.map((n, i) => [n, i]));
  const declared = new Set(names);
  const closed = !node.additionalProperties;
  const additional = node.additional === undefined ? undefined : compileCheck(node.additional, fast);
  const { minProperties, maxProperties } = node;
  const dependencies = node.dependentRequired ?? [];
  // Which fields a pass saw, as bits; wider objects, and objects with constraints across
  // their properties, take `inOrder` only.
  const crossField = additional !== undefined || minProperties !== undefined || maxProperties !== undefined || dependencies.length > 0;
  const all = count > 30 || !fast || crossField ? -1 : (1 << count) - 1;

  const accepts = (value: Readonly<Record<string, unknown>>): boolean => {
    if (all < 0) return false;
    let seen = 0;
    let next = 0;
    for (const key in value) {
      if (!hasOwn.call(value, key)) return false;
      const v = value[key];
      if (v === undefined) return false;
      // Keys usually come in schema order: try the next field before the map.
      const i = names[next] === key ? next : index.get(key) ?? -1;
      if (i < 0) {
        if (closed) return false;
        continue;
      }
      next = i + 1;
      if (!(typeof v === "string" && v.length <= short[i]! && wellFormed(v)) && checks[i]!(v) !== undefined) return false;
      seen |= 1 << i;
    }
    for (let i = 0; seen !== all && i < count; i++) {
      if ((seen & (1 << i)) === 0 && (props[i]!.required || value[names[i]!] !== undefined)) return false;
    }
    return true;
  };

  return (value) => {
    if (!isObject(value)) return wrong(value);
    if (accepts(value)) return undefined;
    if (minProperties !== undefined || maxProperties !== undefined) {
      let present = 0;
      for (const key in value) if (hasKey(value, key)) present++;
      if (maxProperties !== undefined && present > maxProperties) {
        return new Problem("too_many_properties", "", (p) => `${tick(p)} has more properties than its maxProperties ${maxProperties}`);
      }
      if (minProperties !== undefined && present < minProperties) {
        return new Problem("too_few_properties", "", (p) => `${tick(p)} has fewer properties than its minProperties ${minProperties}`);
      }
    }
    for (let i = 0; i < count; i++) {
      const name = names[i]!;
      const suffix = keySuffix(name);
      const v = value[name];
      if (v === undefined || !hasOwn.call(value, name)) {
        if (props[i]!.required) return new Problem("missing_field", suffix, (p) => `missing required field ${tick(p)}`);
        continue;
      }
      const problem = checks[i]!(v);
      if (problem !== undefined) {
        problem.suffix = suffix + problem.suffix;
        return problem;
      }
    }
    for (const dependency of dependencies) {
      if (!hasKey(value, dependency.name)) continue;
      for (const name of dependency.requires) {
        if (hasKey(value, name)) continue;
        const trigger = keySuffix(dependency.name);
        return new Problem("missing_field", keySuffix(name), (p) => `missing required field ${tick(p)} (required when ${tick(p.slice(0, p.length - keySuffix(name).length) + trigger)} is present)`);
      }
    }
    if (closed) {
      const extra = firstUndeclared(value, declared);
      if (extra !== undefined) return new Problem("unknown_field", keySuffix(extra), (p) => `unknown field ${tick(p)}`);
    } else if (additional !== undefined) {
      // The first undeclared key in code-unit order whose value fails is the smallest failing key:
      // one scan, checking only keys that could still be it (no sort of the keys).
      let worst: string | undefined;
      let problem: Problem | undefined;
      for (const key in value) {
        meter.keys++;
        if ((worst !== undefined && key >= worst) || declared.has(key) || !hasKey(value, key)) continue;
        const found = additional(value[key]);
        if (found !== undefined) {
          worst = key;
          problem = found;
        }
      }
      if (problem !== undefined) {
        problem.suffix = keySuffix(worst!) + problem.suffix;
        return problem;
      }
    }
    return undefined;
  };
}

/**
 * The first own enumerable key (code-unit order) not in `declared`, counting
 * keys whose value is `undefined` only when `evenUndefined`: the smallest
 * such key, found in one scan that reads only keys smaller than the best so
 * far (never a sort: a closed object with 100,000 unknown keys costs one
 * pass, ADR 0035).
 */
export function firstUndeclared(
  value: Readonly<Record<string, unknown>>,
  declared: ReadonlySet<string>,
  evenUndefined = false,
): string | undefined {
  let best: string | undefined;
  for (const key in value) {
    meter.keys++;
    if ((best !== undefined && key >= best) || declared.has(key)) continue;
    if (evenUndefined ? hasOwn.call(value, key) : hasKey(value, key)) best = key;
  }
  return best;
}

const hasOwn = Object.prototype.hasOwnProperty;

function unionCheck(node: Extract<SchemaNode, { type: "union" }>, fast: boolean): Check {
  const wrong = wrongType(node);
  const options = node.options.map((o) => ({ check: compileCheck(o, fast), kind: kindTest(o) }));
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

/** Whether a value has the JSON kind a node asks for (ignoring finer constraints). */
function kindTest(node: SchemaNode): (value: unknown) => boolean {
  switch (node.type) {
    case "any":
      return () => true;
    case "null":
      return (v) => v === null;
    case "boolean":
      return (v) => typeof v === "boolean";
    case "number":
      return node.integer ? (v) => typeof v === "number" && Number.isInteger(v) : (v) => typeof v === "number";
    case "string":
      return (v) => typeof v === "string";
    case "array":
      return (v) => Array.isArray(v);
    case "object":
      return isObject;
    case "union": {
      const tests = node.options.map(kindTest);
      return (v) => tests.some((t) => t(v));
    }
  }
}

function wrongType(node: SchemaNode): (value: unknown) => Problem {
  const wanted = expected(node);
  return (value) => new Problem("wrong_type", "", (p) => `${tick(p)} must be ${wanted}, got ${describe(value)}`);
}

/** What a node expects, as a message says it: "an integer", "a string or null". */
export function expected(node: SchemaNode): string {
  switch (node.type) {
    case "any":
      return "any value";
    case "null":
      return "null";
    case "boolean":
      return "a boolean";
    case "number":
      return node.integer ? "an integer" : "a number";
    case "string":
      return "a string";
    case "array":
      return "an array";
    case "object":
      return "an object";
    case "union": {
      const names = [...new Set(node.options.map(expected))];
      return names.length <= 2 ? names.join(" or ") : `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
    }
  }
}
