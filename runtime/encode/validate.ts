/**
 * Schema validation as closures: each `SchemaNode` of the manifest becomes,
 * at load time, a function that returns the first problem with a value (or
 * undefined). No `new Function`, no eval: workers forbid run-time code.
 *
 * In: a `SchemaNode` (runtime/manifest.ts). Out: `Check`. The order of
 * checks and the messages are ADR 0006's, as compiler/interpret/validate.ts
 * does them: type, `integer`, `enum`, `minimum`, `maximum` for numbers; lone
 * surrogates, `maxLength` (code points), `enum` for strings; `maxItems`, then
 * items in order; declared fields in schema order, then undeclared keys in
 * code-unit order; unions: first accepting option, else the first option of
 * the value's JSON kind reports, else a type mismatch naming every option.
 * Must not allocate when the value is valid (the hot path).
 */
import type { SchemaNode } from "../manifest.js";
import { Problem, codePointLength, describe, hasKey, isObject, keySuffix, loneSurrogateAt, sortedKeys, tick } from "./values.js";

/** The first problem with a value, its path relative to where the check runs; undefined when valid. */
export type Check = (value: unknown) => Problem | undefined;

/** Compiles a schema node into a check. */
export function compileCheck(node: SchemaNode): Check {
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
      return arrayCheck(node);
    case "object":
      return objectCheck(node);
    case "union":
      return unionCheck(node);
  }
}

function numberCheck(node: Extract<SchemaNode, { type: "number" }>): Check {
  const wrong = wrongType(node);
  const { integer, minimum, maximum } = node;
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
    if (maximum !== undefined && value > maximum) {
      return new Problem("out_of_range", "", (p) => `${tick(p)} must be at most ${maximum}, got ${value}`);
    }
    return undefined;
  };
}

function stringCheck(node: Extract<SchemaNode, { type: "string" }>): Check {
  const wrong = wrongType(node);
  const { maxLength } = node;
  const members = node.enum === undefined ? undefined : new Set<string>(node.enum);
  const listed = node.enum?.map((m) => JSON.stringify(m)).join(", ");
  return (value) => {
    if (typeof value !== "string") return wrong(value);
    const lone = wellFormed(value) ? -1 : loneSurrogateAt(value);
    if (lone >= 0) {
      return new Problem("invalid_string", "", (p) => `${tick(p)} is not well-formed Unicode (a lone surrogate at index ${lone})`);
    }
    // Code points never outnumber UTF-16 units: count only when it may matter.
    if (maxLength !== undefined && value.length > maxLength && codePointLength(value) > maxLength) {
      return new Problem("too_long", "", (p) => `${tick(p)} is longer than its maxLength ${maxLength}`);
    }
    if (members !== undefined && !members.has(value)) {
      return new Problem("not_in_enum", "", (p) => `${tick(p)} must be one of ${listed}, got ${describe(value)}`);
    }
    return undefined;
  };
}

const nativeWellFormed = (String.prototype as { isWellFormed?: () => boolean }).isWellFormed;

/** Whether `s` has no lone surrogate: the engine's own scan where it has one (ES2024), else ours. */
function wellFormed(s: string): boolean {
  return nativeWellFormed !== undefined ? nativeWellFormed.call(s) : loneSurrogateAt(s) < 0;
}

function arrayCheck(node: Extract<SchemaNode, { type: "array" }>): Check {
  const wrong = wrongType(node);
  const items = compileCheck(node.items);
  const { maxItems } = node;
  return (value) => {
    if (!Array.isArray(value)) return wrong(value);
    if (maxItems !== undefined && value.length > maxItems) {
      return new Problem("too_many_items", "", (p) => `${tick(p)} has more items than its maxItems ${maxItems}`);
    }
    for (let i = 0; i < value.length; i++) {
      const problem = items(value[i]);
      if (problem !== undefined) {
        problem.suffix = `[${i}]${problem.suffix}`;
        return problem;
      }
    }
    return undefined;
  };
}

function objectCheck(node: Extract<SchemaNode, { type: "object" }>): Check {
  const wrong = wrongType(node);
  const fields = node.properties.map((p) => ({ name: p.name, required: p.required, suffix: keySuffix(p.name), check: compileCheck(p.schema) }));
  const declared = new Set(node.properties.map((p) => p.name));
  const closed = !node.additionalProperties;
  return (value) => {
    if (!isObject(value)) return wrong(value);
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      const v = value[field.name];
      if (v === undefined || !hasOwn.call(value, field.name)) {
        if (field.required) return new Problem("missing_field", field.suffix, (p) => `missing required field ${tick(p)}`);
        continue;
      }
      const problem = field.check(v);
      if (problem !== undefined) {
        problem.suffix = field.suffix + problem.suffix;
        return problem;
      }
    }
    if (closed) {
      const extra = firstUndeclared(value, declared);
      if (extra !== undefined) return new Problem("unknown_field", keySuffix(extra), (p) => `unknown field ${tick(p)}`);
    }
    return undefined;
  };
}

/**
 * The first own enumerable key (code-unit order) not in `declared`, counting
 * keys whose value is `undefined` only when `evenUndefined`; a scan without
 * allocation when there is none.
 */
export function firstUndeclared(
  value: Readonly<Record<string, unknown>>,
  declared: ReadonlySet<string>,
  evenUndefined = false,
): string | undefined {
  for (const key in value) {
    if (!declared.has(key) && (evenUndefined ? hasOwn.call(value, key) : hasKey(value, key))) {
      return sortedKeys(value).find((k) => !declared.has(k) && (evenUndefined ? hasOwn.call(value, k) : hasKey(value, k)));
    }
  }
  return undefined;
}

const hasOwn = Object.prototype.hasOwnProperty;

function unionCheck(node: Extract<SchemaNode, { type: "union" }>): Check {
  const wrong = wrongType(node);
  const options = node.options.map((o) => ({ check: compileCheck(o), kind: kindTest(o) }));
  return (value) => {
    let first: Problem | undefined;
    for (let i = 0; i < options.length; i++) {
      const option = options[i]!;
      const problem = option.check(value);
      if (problem === undefined) return undefined;
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
