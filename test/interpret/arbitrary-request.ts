/**
 * fast-check arbitraries for requests that fit a catalog set: every action,
 * every field type (enums, bounds, optional fields left out or not, unions,
 * a human or none). Meant for the differential test of the wasm module
 * against the interpreter, and for properties that hold on every valid request.
 *
 * In: a `CatalogSet` (and optional strings worth trying, e.g. values a policy
 * compares with). Out: arbitraries of request objects.
 * Must not produce a request the catalogs reject: the property test in
 * ./soundness.property.test.ts holds it to that.
 */
import fc from "fast-check";
import type { CatalogSet, FieldType, ObjectType } from "../../compiler/catalog/index.js";

/** Options for generated requests. */
export interface RequestArbitraryOptions {
  /** Strings to mix in where a free string goes (kept only when within maxLength). */
  readonly interesting?: readonly string[];
  /** Largest array generated (further capped by maxItems). Default 3. */
  readonly maxItems?: number;
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
    case "number": {
      if (type.enum !== undefined) return fc.constantFrom(...type.enum);
      const min = type.minimum ?? -1000;
      const max = type.maximum ?? Math.max(min, 0) + 1000;
      const whole = fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
      return type.integer ? whole : fc.oneof(whole, whole.map((n) => Math.min(max, n + 0.5)));
    }
    case "string": {
      if (type.enum !== undefined) return fc.constantFrom(...type.enum);
      const maxLength = Math.min(type.maxLength ?? 12, 12);
      const fits = (options.interesting ?? []).filter((s) => type.maxLength === undefined || [...s].length <= type.maxLength);
      const free = fc.string({ maxLength });
      return fits.length === 0 ? free : fc.oneof(free, fc.constantFrom(...fits));
    }
    case "array":
      return fc.array(value(type.items, options), { maxLength: Math.min(type.maxItems ?? 3, options.maxItems ?? 3) });
    case "object":
      return object(type, options);
    case "union":
      return fc.oneof(...type.options.map((o) => value(o, options)));
  }
}

function object(type: ObjectType, options: RequestArbitraryOptions): fc.Arbitrary<Record<string, unknown>> {
  const fields = [...type.fields.values()];
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of fields) model[field.name] = value(field.type, options);
  const requiredKeys = fields.filter((f) => f.required).map((f) => f.name);
  return fc.record(model, { requiredKeys }) as fc.Arbitrary<Record<string, unknown>>;
}
