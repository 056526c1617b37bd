/**
 * Request validation: does a request fit the catalogs? Fail closed.
 *
 * In: an untrusted value (`unknown`) and the catalog set. Out: the request's
 * parts, typed, or a `Refusal` naming the first problem, found in a fixed
 * order: the request's own shape, then `agent`, `human`, `action`, `args`,
 * `env`, `context`; inside an object, declared fields in schema order, then
 * undeclared fields in code-unit order. Must not evaluate any rule.
 *
 * What is checked is every keyword the catalog model keeps (ADR 0010):
 * types, `integer`, `enum`; numbers: `minimum`, `exclusiveMinimum`,
 * `maximum`, `exclusiveMaximum`, `multipleOf`; strings: `maxLength`,
 * `minLength` (code points), `pattern`; arrays: `maxItems`, `minItems`,
 * items, `uniqueItems`; objects: `maxProperties`, `minProperties`,
 * declared fields and `required`, `dependentRequired`, then undeclared keys
 * against `additionalProperties` (false, or a schema); unions (`oneOf` with
 * overlapping options: exactly one). Strings must be well-formed Unicode.
 */
import { patternMatches, type ActionEntry, type CatalogSet, type FieldType, type NumberType, type ObjectType, type StringType } from "../catalog/index.js";
import {
  Refusal,
  childPath,
  codePointLength,
  describe,
  hasKey,
  indexPath,
  isObject,
  loneSurrogateAt,
  quote,
  type Value,
} from "./values.js";

/** A request that fits the catalogs. */
export interface ValidRequest {
  readonly agent: Readonly<Record<string, unknown>>;
  /** Absent when the request names no human (field absent or `null`). */
  readonly human?: Readonly<Record<string, unknown>>;
  readonly action: ActionEntry;
  readonly args: Readonly<Record<string, unknown>>;
  readonly env: unknown;
  readonly context: Readonly<Record<string, unknown>>;
}

const TOP_LEVEL = ["agent", "human", "action", "args", "env", "context"];

/** Validates `request` against `catalogs`; throws a `Refusal` for the first problem. */
export function validateRequest(request: unknown, catalogs: CatalogSet): ValidRequest {
  if (!isObject(request)) {
    throw new Refusal("wrong_type", `the request must be an object, got ${describe(request)}`, "");
  }
  for (const key of Object.keys(request).sort()) {
    if (!TOP_LEVEL.includes(key) && hasKey(request, key)) {
      throw new Refusal("unknown_field", `unknown field ${tick(childPath("", key))} in the request`, childPath("", key));
    }
  }
  const shape = catalogs.request;
  const agent = requirePart(request, "agent");
  validateValue(agent, shape.agent, "agent");
  const human = hasKey(request, "human") && request.human !== null ? request.human : undefined;
  if (human !== undefined) validateValue(human, shape.human, "human");
  const actionName = requirePart(request, "action");
  if (typeof actionName !== "string") {
    throw new Refusal("wrong_type", `\`action\` must be a string, got ${describe(actionName)}`, "action");
  }
  const action = catalogs.actions.get(actionName);
  if (action === undefined) {
    throw new Refusal("unknown_action", `unknown action ${tick(actionName)}`, "action");
  }
  const args = requirePart(request, "args");
  validateValue(args, action.args, "args");
  const env = requirePart(request, "env");
  validateValue(env, shape.env, "env");
  const context = hasKey(request, "context") ? request.context : {};
  validateValue(context, shape.context, "context");
  return {
    agent: agent as Record<string, unknown>,
    ...(human === undefined ? {} : { human: human as Record<string, unknown> }),
    action,
    args: args as Record<string, unknown>,
    env,
    context: context as Record<string, unknown>,
  };
}

function requirePart(request: Readonly<Record<string, unknown>>, key: string): unknown {
  if (!hasKey(request, key)) throw new Refusal("missing_field", `missing required field ${tick(key)}`, key);
  return request[key];
}

/** Validates one value against its field type; throws a `Refusal` for the first problem. */
export function validateValue(value: Value, type: FieldType, path: string): void {
  const problem = check(value, type, path);
  if (problem !== undefined) throw problem;
}

/** The first problem with `value` as a `type`, or undefined. */
function check(value: Value, type: FieldType, path: string): Refusal | undefined {
  switch (type.kind) {
    case "any":
      return undefined;
    case "null":
      return value === null ? undefined : wrongType(value, type, path);
    case "boolean":
      return typeof value === "boolean" ? undefined : wrongType(value, type, path);
    case "number":
      return checkNumber(value, type, path);
    case "string":
      return checkString(value, type, path);
    case "array": {
      if (!Array.isArray(value)) return wrongType(value, type, path);
      if (type.maxItems !== undefined && value.length > type.maxItems) {
        return new Refusal("too_many_items", `${tick(path)} has more items than its maxItems ${type.maxItems}`, path);
      }
      if (type.minItems !== undefined && value.length < type.minItems) {
        return new Refusal("too_few_items", `${tick(path)} has fewer items than its minItems ${type.minItems}`, path);
      }
      for (let i = 0; i < value.length; i++) {
        const problem = check(value[i], type.items, indexPath(path, i));
        if (problem !== undefined) return problem;
      }
      if (type.uniqueItems === true) {
        // Items are validated scalars here (the loader refuses uniqueItems on anything else).
        for (let j = 1; j < value.length; j++) {
          for (let i = 0; i < j; i++) {
            if (value[i] === value[j]) {
              return new Refusal("duplicate_items", `${tick(path)} must have unique items, but item ${j} repeats item ${i}`, path);
            }
          }
        }
      }
      return undefined;
    }
    case "object":
      return isObject(value) ? checkObject(value, type, path) : wrongType(value, type, path);
    case "union": {
      // The first option that accepts the value wins; otherwise report the
      // first option of the right JSON type, or a type mismatch against all.
      // A `oneOf` whose options can overlap also needs no second option to accept.
      let first: Refusal | undefined;
      for (let i = 0; i < type.options.length; i++) {
        const option = type.options[i]!;
        const problem = check(value, option, path);
        if (problem === undefined) {
          if (type.oneOf === true) {
            for (let j = i + 1; j < type.options.length; j++) {
              if (check(value, type.options[j]!, path) === undefined) {
                return new Refusal("ambiguous_one_of", `${tick(path)} must match exactly one option of its oneOf, but matches options ${i} and ${j}`, path);
              }
            }
          }
          return undefined;
        }
        if (first === undefined && sameJsonKind(value, option)) first = problem;
      }
      return first ?? wrongType(value, type, path);
    }
  }
}

function checkNumber(value: Value, type: NumberType, path: string): Refusal | undefined {
  if (typeof value !== "number" || !Number.isFinite(value)) return wrongType(value, type, path);
  if (type.integer && !Number.isInteger(value)) return wrongType(value, type, path);
  if (type.enum !== undefined && !type.enum.includes(value)) {
    return new Refusal("not_in_enum", `${tick(path)} must be one of ${type.enum.join(", ")}, got ${describe(value)}`, path);
  }
  if (type.minimum !== undefined && value < type.minimum) {
    return new Refusal("out_of_range", `${tick(path)} must be at least ${type.minimum}, got ${value}`, path);
  }
  if (type.exclusiveMinimum !== undefined && value <= type.exclusiveMinimum) {
    return new Refusal("out_of_range", `${tick(path)} must be greater than ${type.exclusiveMinimum}, got ${value}`, path);
  }
  if (type.maximum !== undefined && value > type.maximum) {
    return new Refusal("out_of_range", `${tick(path)} must be at most ${type.maximum}, got ${value}`, path);
  }
  if (type.exclusiveMaximum !== undefined && value >= type.exclusiveMaximum) {
    return new Refusal("out_of_range", `${tick(path)} must be less than ${type.exclusiveMaximum}, got ${value}`, path);
  }
  // The IEEE double quotient must be an integer (ADR 0010; ajv's parseInt test differs from 1e21 up).
  if (type.multipleOf !== undefined && !Number.isInteger(value / type.multipleOf)) {
    return new Refusal("not_multiple_of", `${tick(path)} must be a multiple of ${type.multipleOf}, got ${value}`, path);
  }
  return undefined;
}

function checkString(value: Value, type: StringType, path: string): Refusal | undefined {
  if (typeof value !== "string") return wrongType(value, type, path);
  // The length first (ADR 0035): engines refuse an overlong string without scanning it.
  if (type.maxLength !== undefined && codePointLength(value) > type.maxLength) {
    return new Refusal("too_long", `${tick(path)} is longer than its maxLength ${type.maxLength}`, path);
  }
  const lone = loneSurrogateAt(value);
  if (lone >= 0) {
    return new Refusal("invalid_string", `${tick(path)} is not well-formed Unicode (a lone surrogate at index ${lone})`, path);
  }
  if (type.minLength !== undefined && codePointLength(value) < type.minLength) {
    return new Refusal("too_short", `${tick(path)} is shorter than its minLength ${type.minLength}`, path);
  }
  if (type.enum !== undefined && !type.enum.includes(value)) {
    const members = type.enum.map((m) => JSON.stringify(m)).join(", ");
    return new Refusal("not_in_enum", `${tick(path)} must be one of ${members}, got ${describe(value)}`, path);
  }
  if (type.pattern !== undefined && !patternMatches(type.pattern, value)) {
    return new Refusal("pattern_mismatch", `${tick(path)} does not match its pattern ${quote(type.pattern.source)}`, path);
  }
  return undefined;
}

function checkObject(value: Readonly<Record<string, unknown>>, type: ObjectType, path: string): Refusal | undefined {
  if (type.maxProperties !== undefined || type.minProperties !== undefined) {
    let count = 0;
    for (const key of Object.keys(value)) if (hasKey(value, key)) count++;
    if (type.maxProperties !== undefined && count > type.maxProperties) {
      return new Refusal("too_many_properties", `${tick(path)} has more properties than its maxProperties ${type.maxProperties}`, path);
    }
    if (type.minProperties !== undefined && count < type.minProperties) {
      return new Refusal("too_few_properties", `${tick(path)} has fewer properties than its minProperties ${type.minProperties}`, path);
    }
  }
  for (const [name, field] of type.fields) {
    const fieldPath = childPath(path, name);
    if (!hasKey(value, name)) {
      if (field.required) return new Refusal("missing_field", `missing required field ${tick(fieldPath)}`, fieldPath);
      continue;
    }
    const problem = check(value[name], field.type, fieldPath);
    if (problem !== undefined) return problem;
  }
  for (const dependency of type.dependentRequired ?? []) {
    if (!hasKey(value, dependency.name)) continue;
    for (const name of dependency.requires) {
      if (hasKey(value, name)) continue;
      const fieldPath = childPath(path, name);
      return new Refusal("missing_field", `missing required field ${tick(fieldPath)} (required when ${tick(childPath(path, dependency.name))} is present)`, fieldPath);
    }
  }
  if (!type.additionalProperties || type.additional !== undefined) {
    for (const key of Object.keys(value).sort()) {
      if (type.fields.has(key) || !hasKey(value, key)) continue;
      const fieldPath = childPath(path, key);
      if (!type.additionalProperties) return new Refusal("unknown_field", `unknown field ${tick(fieldPath)}`, fieldPath);
      const problem = check(value[key], type.additional!, fieldPath);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}

/** Whether `value` has the JSON kind `type` asks for (ignoring every finer constraint). */
function sameJsonKind(value: Value, type: FieldType): boolean {
  switch (type.kind) {
    case "any":
      return true;
    case "null":
      return value === null;
    case "boolean":
      return typeof value === "boolean";
    case "number":
      return typeof value === "number" && (!type.integer || Number.isInteger(value));
    case "string":
      return typeof value === "string";
    case "array":
      return Array.isArray(value);
    case "object":
      return isObject(value);
    case "union":
      return type.options.some((option) => sameJsonKind(value, option));
  }
}

function wrongType(value: Value, type: FieldType, path: string): Refusal {
  return new Refusal("wrong_type", `${tick(path)} must be ${expected(type)}, got ${describe(value)}`, path);
}

/** What a type expects, as a message says it: "an integer", "a string or null". */
export function expected(type: FieldType): string {
  switch (type.kind) {
    case "any":
      return "any value";
    case "null":
      return "null";
    case "boolean":
      return "a boolean";
    case "number":
      return type.integer ? "an integer" : "a number";
    case "string":
      return "a string";
    case "array":
      return "an array";
    case "object":
      return "an object";
    case "union": {
      const names = [...new Set(type.options.map(expected))];
      return names.length <= 2 ? names.join(" or ") : `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
    }
  }
}

/** A request path or name in backticks, as every message shows user input. */
export function tick(text: string): string {
  return `\`${text}\``;
}

export { quote };
