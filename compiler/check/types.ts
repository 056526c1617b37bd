/**
 * Operations on checker types: describing them in the author's words,
 * splitting off `null`, merging one field's types across the actions a
 * pattern matches, and literal types.
 *
 * In: `Type`s (every catalog `FieldType` is one). Out: types and strings.
 * Must not report diagnostics or read the AST beyond literals.
 */
import type { FieldType } from "../catalog/index.js";
import type { Literal } from "../syntax/index.js";
import type { LiteralValue, Type } from "./checked.js";

/** UTF-8 lengths without Buffer: the checker also runs in browsers (the playground). */
const UTF8 = new TextEncoder();

export const ERROR_TYPE: Type = { kind: "error" };
export const BOOLEAN_TYPE: Type = { kind: "boolean" };

/** Every catalog field type is a checker type; this only documents the widening. */
export function fromField(type: FieldType): Type {
  return type;
}

/** "a string", "an integer", "an array of strings", "the enum `low`, `medium`, `high`". */
export function describeType(type: Type): string {
  switch (type.kind) {
    case "string":
      if (type.enum !== undefined) return `${type.ordered === true ? "an ordered enum" : "an enum"} (${members(type.enum)})`;
      return "a string";
    case "number":
      return type.integer ? "an integer" : "a number";
    case "boolean":
      return "a boolean";
    case "null":
      return "null";
    case "array":
      return `an array of ${plural(type.items)}`;
    case "set":
      return type.size === 0 ? "an empty set" : `a set of ${plural(type.element)}`;
    case "object":
      return "an object";
    case "union": {
      const { base, nullable } = splitNull(type);
      if (nullable && base.kind !== "union" && base.kind !== "null") return `${describeType(base)} or null`;
      return `one of ${type.options.map(describeType).join(", ")}`;
    }
    case "any":
      return "a value of any shape";
    case "error":
      return "invalid";
  }
}

function plural(type: Type): string {
  switch (type.kind) {
    case "string":
      return type.enum !== undefined ? `enum members (${members(type.enum)})` : "strings";
    case "number":
      return type.integer ? "integers" : "numbers";
    case "boolean":
      return "booleans";
    case "null":
      return "nulls";
    case "array":
      return "arrays";
    case "set":
      return "sets";
    case "object":
      return "objects";
    default:
      return "values";
  }
}

function members(values: readonly string[]): string {
  const shown = values.slice(0, 6).map((v) => `\`${v}\``);
  return values.length > 6 ? `${shown.join(", ")}, …` : shown.join(", ");
}

/** Splits `T | null` into `T` and whether null is allowed. A plain type is not nullable. */
export function splitNull(type: Type): { base: Type; nullable: boolean } {
  if (type.kind !== "union") return { base: type, nullable: type.kind === "null" };
  const options = type.options.filter((o) => o.kind !== "null");
  const nullable = options.length !== type.options.length;
  if (options.length === 0) return { base: { kind: "null" }, nullable: true };
  if (options.length === 1) return { base: options[0]!, nullable };
  return { base: { kind: "union", options, ...(type.location ? { location: type.location } : {}) }, nullable };
}

/** The type of a literal. Whole numbers are integers. */
export function literalType(literal: Literal): Type {
  switch (literal.kind) {
    case "String":
      return { kind: "string", maxLength: UTF8.encode(literal.value).length };
    case "Number":
      return { kind: "number", integer: Number.isInteger(literal.value) };
    case "Boolean":
      return BOOLEAN_TYPE;
    case "Null":
      return { kind: "null" };
  }
}

export function literalValue(literal: Literal): LiteralValue {
  return literal.kind === "Null" ? null : literal.value;
}

/** The scalar family a type compares in: equal families can be compared with `==`. */
export function family(type: Type): "string" | "number" | "boolean" | "null" | "other" {
  const { base } = splitNull(type);
  if (base.kind === "string" || base.kind === "number" || base.kind === "boolean" || base.kind === "null") return base.kind;
  return "other";
}

/** A key that says whether two types can be merged into one across actions. */
function shapeKey(type: Type): string {
  const { base, nullable } = splitNull(type);
  const n = nullable ? "?" : "";
  switch (base.kind) {
    case "array":
      return `array<${shapeKey(base.items)}>${n}`;
    case "number":
      return `number${n}`;
    default:
      return `${base.kind}${n}`;
  }
}

/** True when the two types are the same up to bounds, enums and integer-ness. */
export function sameShape(a: Type, b: Type): boolean {
  return shapeKey(a) === shapeKey(b);
}

/**
 * One type for a field read under several actions (caller checked `sameShape`).
 * Enums merge as the union of members; a bound merges as the largest, and as
 * absent if any action lacks it — then the location is that action's, so a
 * bounds error names the schema that needs fixing.
 */
export function mergeTypes(a: Type, b: Type): Type {
  if (a.kind === "string" && b.kind === "string") {
    const maxLength = a.maxLength === undefined || b.maxLength === undefined ? undefined : Math.max(a.maxLength, b.maxLength);
    const location = a.maxLength === undefined ? a.location : b.maxLength === undefined ? b.location : a.location;
    const enumValues =
      a.enum !== undefined && b.enum !== undefined ? [...new Set([...a.enum, ...b.enum])] : undefined;
    const ordered =
      a.ordered === true && b.ordered === true && a.enum !== undefined && b.enum !== undefined && sameOrder(a.enum, b.enum);
    return {
      kind: "string",
      ...(maxLength === undefined ? {} : { maxLength }),
      ...(enumValues === undefined ? {} : { enum: enumValues }),
      ...(ordered ? { ordered } : {}),
      ...(location === undefined ? {} : { location }),
    };
  }
  if (a.kind === "number" && b.kind === "number") {
    return { kind: "number", integer: a.integer && b.integer, ...(a.location ? { location: a.location } : {}) };
  }
  if (a.kind === "array" && b.kind === "array") {
    const maxItems = a.maxItems === undefined || b.maxItems === undefined ? undefined : Math.max(a.maxItems, b.maxItems);
    const location = a.maxItems === undefined ? a.location : b.maxItems === undefined ? b.location : a.location;
    return {
      kind: "array",
      items: mergeTypes(a.items, b.items),
      ...(maxItems === undefined ? {} : { maxItems }),
      ...(location === undefined ? {} : { location }),
    };
  }
  if (a.kind === "union" && b.kind === "union") {
    const sa = splitNull(a);
    const sb = splitNull(b);
    if (sa.nullable && sb.nullable && sa.base.kind !== "union" && sb.base.kind !== "union") {
      return { kind: "union", options: [mergeTypes(sa.base, sb.base), { kind: "null" }] };
    }
  }
  return a;
}

function sameOrder(a: readonly string[], b: readonly string[]): boolean {
  const common = a.filter((v) => b.includes(v));
  const inB = b.filter((v) => a.includes(v));
  return common.every((v, i) => inB[i] === v);
}

/** The element type a quantifier or `in` iterates, or undefined if the type is not a collection. */
export function elementType(type: Type): Type | undefined {
  if (type.kind === "array") return type.items;
  if (type.kind === "set") return type.element;
  return undefined;
}
