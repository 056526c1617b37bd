/**
 * fast-check arbitraries for requests that fit a catalog set: every action,
 * every field type and every keyword the catalog model keeps (enums, string
 * length bounds and patterns, number bounds and multipleOf, array bounds and
 * uniqueItems, property counts, dependentRequired, additional properties,
 * exclusive oneOfs, optional fields left out or not, unions, a human or none).
 * Meant for the differential tests of the wasm module against the
 * interpreter, and for properties that hold on every valid request.
 *
 * In: a `CatalogSet` (and optional strings worth trying, e.g. values a policy
 * compares with). Out: arbitraries of request objects.
 * Must not produce a request the catalogs reject: the property test in
 * ./soundness.property.test.ts holds it to that. Where a constraint is hard
 * to meet by construction (a pattern's anchors, an exclusive oneOf), values
 * are built close and filtered by the interpreter's own validation.
 */
import fc from "fast-check";
import type { CatalogSet, FieldType, NumberType, ObjectType, PatternNode, StringType } from "../../compiler/catalog/index.js";
import { patternMatches } from "../../compiler/catalog/index.js";
import { validateValue } from "../../compiler/interpret/validate.js";

/** Options for generated requests. */
export interface RequestArbitraryOptions {
  /** Strings to mix in where a free string goes (kept only when they fit the schema). */
  readonly interesting?: readonly string[];
  /** Largest array generated (further capped by maxItems). Default 3. */
  readonly maxItems?: number;
  /**
   * False: values built close to the schema but never filtered, so they may
   * be invalid, and generation never loops on a schema no value can meet
   * (property tests over generated schemas need this). Default true.
   */
  readonly exact?: boolean;
}

/** Requests for any action of the set. */
export function arbitraryRequest(catalogs: CatalogSet, options: RequestArbitraryOptions = {}): fc.Arbitrary<Record<string, unknown>> {
  const actions = [...catalogs.actions.values()];
  const shape = catalogs.request;
  return fc.constantFrom(...actions).chain((action) =>
    fc.record({
      agent: value(shape.agent, options),
      human: fc.option(value(shape.human, options), { nil: undefined }),
      action: fc.constant(action.name),
      args: value(action.args, options),
      env: value(shape.env, options),
      context: value(shape.context, options),
    }).map(({ human, ...rest }) => (human === undefined ? rest : { ...rest, human })),
  );
}

/** Values of one field type. */
export function value(type: FieldType, options: RequestArbitraryOptions = {}): fc.Arbitrary<unknown> {
  switch (type.kind) {
    case "any":
      return fc.constantFrom(null, 1, "x", true);
    case "null":
      return fc.constant(null);
    case "boolean":
      return fc.boolean();
    case "number":
      return number(type, options.exact !== false);
    case "string":
      return string(type, options);
    case "array": {
      const min = type.minItems ?? 0;
      const max = Math.max(min, Math.min(type.maxItems ?? 3, options.maxItems ?? 3));
      const items = value(type.items, options);
      return type.uniqueItems === true && options.exact !== false
        ? fc.uniqueArray(items, { minLength: min, maxLength: max, comparator: (a, b) => a === b })
        : fc.array(items, { minLength: min, maxLength: max });
    }
    case "object":
      return object(type, options);
    case "union": {
      const any = fc.oneof(...type.options.map((o) => value(o, options)));
      // An exclusive oneOf: keep the values exactly one option accepts.
      return type.oneOf === true && options.exact !== false ? any.filter((v) => valid(v, type)) : any;
    }
  }
}

function valid(v: unknown, type: FieldType): boolean {
  try {
    validateValue(v, type, "x");
    return true;
  } catch {
    return false;
  }
}

function number(type: NumberType, exact: boolean): fc.Arbitrary<number> {
  if (type.enum !== undefined) return fc.constantFrom(...type.enum);
  const low = type.minimum ?? (type.exclusiveMinimum !== undefined ? type.exclusiveMinimum : -1000);
  const high = type.maximum ?? (type.exclusiveMaximum !== undefined ? type.exclusiveMaximum : Math.max(low, 0) + 1000);
  const ok = (n: number): boolean =>
    Number.isFinite(n) &&
    (!type.integer || Number.isInteger(n)) &&
    (type.minimum === undefined || n >= type.minimum) &&
    (type.exclusiveMinimum === undefined || n > type.exclusiveMinimum) &&
    (type.maximum === undefined || n <= type.maximum) &&
    (type.exclusiveMaximum === undefined || n < type.exclusiveMaximum) &&
    (type.multipleOf === undefined || Number.isInteger(n / type.multipleOf));
  if (type.multipleOf !== undefined) {
    const step = type.multipleOf;
    const from = Math.ceil(low / step);
    const to = Math.max(from, Math.floor(high / step));
    const multiples = fc.integer({ min: from, max: Math.min(to, from + 2000) }).map((k) => k * step);
    return exact ? multiples.filter(ok) : multiples;
  }
  const whole = fc.integer({ min: Math.ceil(low), max: Math.max(Math.ceil(low), Math.floor(high)) });
  const any = type.integer ? whole : fc.oneof(whole, whole.map((n) => Math.min(high, n + 0.5)));
  return exact ? any.filter(ok) : any;
}

function string(type: StringType, options: RequestArbitraryOptions): fc.Arbitrary<string> {
  if (type.enum !== undefined) return fc.constantFrom(...type.enum);
  const min = type.minLength ?? 0;
  const max = Math.max(min, Math.min(type.maxLength ?? 12, 12));
  const fits = (s: string): boolean => {
    const length = [...s].length;
    return length >= min && (type.maxLength === undefined || length <= type.maxLength) && (type.pattern === undefined || patternMatches(type.pattern, s));
  };
  const interesting = (options.interesting ?? []).filter(fits);
  const free =
    type.pattern === undefined
      ? fc.string({ minLength: min, maxLength: max })
      : fromPattern(type.pattern.tree).map((s) => [...s].slice(0, type.maxLength ?? Infinity).join(""));
  const built = options.exact === false ? free : free.filter(fits);
  return interesting.length === 0 ? built : fc.oneof(built, fc.constantFrom(...interesting));
}

/** Strings a pattern tree describes (anchors ignored, so the caller filters). */
function fromPattern(node: PatternNode): fc.Arbitrary<string> {
  switch (node.kind) {
    case "empty":
    case "start":
    case "end":
      return fc.constant("");
    case "class": {
      // Prefer ASCII and small ranges; any code point of the class is right.
      const ranges = node.ranges.filter(([lo]) => lo < 0xd800 || lo > 0xdfff);
      if (ranges.length === 0) return fc.constant("");
      return fc.constantFrom(...ranges).chain(([lo, hi]) =>
        fc.integer({ min: lo, max: Math.min(hi, lo + 200) }).filter((cp) => cp < 0xd800 || cp > 0xdfff).map((cp) => String.fromCodePoint(cp)),
      );
    }
    case "concat":
      return fc.tuple(...node.items.map(fromPattern)).map((parts) => parts.join(""));
    case "alt":
      return fc.oneof(...node.options.map(fromPattern));
    case "repeat": {
      const body = fromPattern(node.body);
      const max = Math.min(node.max, node.min + 3);
      return fc.array(body, { minLength: Math.min(node.min, 12), maxLength: Math.min(max, 12) }).map((parts) => parts.join(""));
    }
  }
}

function object(type: ObjectType, options: RequestArbitraryOptions): fc.Arbitrary<Record<string, unknown>> {
  const fields = [...type.fields.values()];
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of fields) model[field.name] = value(field.type, options);
  const requiredKeys = fields.filter((f) => f.required).map((f) => f.name);
  let record = fc.record(model, { requiredKeys }) as fc.Arbitrary<Record<string, unknown>>;
  if (type.additional !== undefined) {
    const extra = fc.dictionary(fc.constantFrom("x-extra", "zz", "a b"), value(type.additional, options), { maxKeys: 2 });
    record = fc.tuple(record, extra).map(([declared, more]) => {
      const out: Record<string, unknown> = { ...declared };
      for (const [k, v] of Object.entries(more)) if (!type.fields.has(k)) out[k] = v;
      return out;
    });
  }
  const crossField = type.dependentRequired !== undefined || type.minProperties !== undefined || type.maxProperties !== undefined;
  return crossField && options.exact !== false ? record.filter((v) => valid(v, type)) : record;
}
