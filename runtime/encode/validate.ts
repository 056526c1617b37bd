/**
 * Checks of scalar values against their schema node, and what every check
 * shares: the wrong-type problem, the JSON kind of a node, how a node is
 * named in messages. Objects, arrays and unions are read and checked by
 * ./readers.ts (one implementation for the host's values and for plain
 * copies); `compileCheck` lives there.
 *
 * In: a scalar `SchemaNode` (runtime/manifest.ts). Out: `Check`. The order
 * of checks and the messages are ADR 0006's (keywords: ADR 0010), as
 * compiler/interpret/validate.ts does them: type, `integer`, `enum`,
 * `minimum`, `exclusiveMinimum`, `maximum`, `exclusiveMaximum`, `multipleOf`
 * for numbers; `maxLength`, lone surrogates, `minLength` (code points),
 * `enum`, `pattern` for strings (the length first, so that an overlong
 * string is refused without being scanned: ADR 0035).
 * Must not allocate when the value is valid (the hot path). Must not look
 * at more of a value than its schema bounds: a string past `maxLength` is
 * refused after O(`maxLength`) units (ADR 0035).
 */
import type { SchemaNode } from "../manifest.js";
import { patternTest } from "./pattern.js";
import { Problem, describe, isObject, loneSurrogateAt, longerThan, quote, shorterThan, tick } from "./values.js";
import { meter } from "./meter.js";

/** The first problem with a value, its path relative to where the check runs; undefined when valid. */
export type Check = (value: unknown) => Problem | undefined;

/** A scalar node: what `scalarCheck` checks. */
export type ScalarNode = Extract<SchemaNode, { type: "any" | "null" | "boolean" | "number" | "string" }>;

/** A scalar node's check. */
export function scalarCheck(node: ScalarNode): Check {
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

/**
 * For a string node without `enum`, `minLength` or `pattern`: a UTF-16
 * length up to which a well-formed string surely passes (code points never
 * outnumber units), so callers can accept it inline, without calling its
 * check; -1 for any other node (no string passes the inline test).
 */
export function shortString(node: SchemaNode): number {
  return node.type === "string" && node.enum === undefined && node.minLength === undefined && node.pattern === undefined ? node.maxLength ?? Infinity : -1;
}

/** Whether a value has the JSON kind a node asks for (ignoring finer constraints). */
export function kindTest(node: SchemaNode): (value: unknown) => boolean {
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

/** The `wrong_type` problem of a node, for a value of another kind. */
export function wrongType(node: SchemaNode): (value: unknown) => Problem {
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
