/**
 * JSON Schema → FieldType: the types policies see for each construct a
 * catalog may use, and the constructs refused or flagged.
 */
import { describe, expect, it } from "vitest";
import { describeType, loadCatalog, type FieldType, type ObjectType } from "../../compiler/catalog/index.js";

const FILE = "schemas/t.json";

/** Loads a catalog whose one action has `args.properties.f = schema`; returns f's type and the codes reported. */
function reduceField(schema: unknown, extra: Record<string, unknown> = {}): { type?: FieldType; codes: string[]; required?: boolean } {
  const text = JSON.stringify({
    $schema: "https://json-schema.org/draft/2020-12/schema",
    family: "t",
    ...extra,
    actions: { act: { args: { type: "object", properties: { f: schema } } } },
  });
  const { catalog, diagnostics } = loadCatalog(FILE, text);
  const field = catalog?.actions[0]?.args.fields.get("f");
  return { ...(field === undefined ? {} : { type: field.type, required: field.required }), codes: diagnostics.map((d) => d.code) };
}

function typeOf(schema: unknown, extra: Record<string, unknown> = {}): FieldType {
  const { type, codes } = reduceField(schema, extra);
  expect(codes).toEqual([]);
  return type!;
}

describe("reduction to FieldType", () => {
  it.each([
    [{ type: "string", maxLength: 40 }, "string"],
    [{ type: "integer", minimum: 0, maximum: 10 }, "integer"],
    [{ type: "number" }, "number"],
    [{ type: "boolean" }, "boolean"],
    [{ type: "null" }, "null"],
    [{ type: "array", items: { type: "string", maxLength: 5 }, maxItems: 3 }, "array of string"],
    [{ type: "array", maxItems: 3 }, "array of any value"],
    [{ type: "object", properties: { a: { type: "string" } } }, "object"],
    [{ enum: ["low", "medium", "high"] }, "one of low, medium, high"],
    [{ const: "production" }, "the constant production"],
    [{ enum: [1, 2, 3] }, "one of 1, 2, 3"],
    [{ type: ["string", "null"], maxLength: 9 }, "string or null"],
    [{ anyOf: [{ type: "string", maxLength: 9 }, { type: "null" }] }, "string or null"],
    [{ oneOf: [{ type: "integer" }, { type: "string", maxLength: 3 }] }, "integer or string"],
    [{ enum: ["a", "b", null] }, "one of a, b or null"],
    [{}, "any value"],
    [true, "any value"],
    [{ description: "only words" }, "any value"],
    [{ type: "array", items: { enum: ["x", "y"] }, maxItems: 2 }, "array of (one of x, y)"],
  ])("%j is %s", (schema, expected) => {
    expect(describeType(typeOf(schema))).toBe(expected);
  });

  it("keeps string bounds", () => {
    expect(typeOf({ type: "string", maxLength: 40, minLength: 2 })).toMatchObject({ kind: "string", maxLength: 40, minLength: 2 });
    expect(typeOf({ type: "string" })).not.toHaveProperty("maxLength");
  });

  it("bounds an enum's strings by its longest member", () => {
    expect(typeOf({ enum: ["dev", "production"] })).toMatchObject({ kind: "string", maxLength: 10 });
  });

  it("marks an enum ordered with x-agp-ordered", () => {
    expect(typeOf({ enum: ["low", "high"], "x-agp-ordered": true })).toMatchObject({ enum: ["low", "high"], ordered: true });
    expect(typeOf({ enum: ["low", "high"] })).not.toHaveProperty("ordered");
  });

  it("keeps number bounds, exclusive ones as exclusive, the stricter of each pair, and multipleOf", () => {
    expect(typeOf({ type: "integer", minimum: 1, maximum: 120 })).toMatchObject({ kind: "number", integer: true, minimum: 1, maximum: 120 });
    expect(typeOf({ type: "integer", exclusiveMinimum: 0, exclusiveMaximum: 10 })).toEqual(
      expect.objectContaining({ exclusiveMinimum: 0, exclusiveMaximum: 10 }),
    );
    expect(typeOf({ type: "number", minimum: 0.5 })).toMatchObject({ integer: false, minimum: 0.5 });
    const both = typeOf({ type: "number", minimum: 0, exclusiveMinimum: 5, maximum: 10, exclusiveMaximum: 20, multipleOf: 0.5 });
    expect(both).toMatchObject({ exclusiveMinimum: 5, maximum: 10, multipleOf: 0.5 });
    expect(both).not.toHaveProperty("minimum");
    expect(both).not.toHaveProperty("exclusiveMaximum");
    // Beyond 2^53 an exclusive bound cannot be turned into an inclusive one; it is kept exclusive.
    expect(typeOf({ type: "integer", exclusiveMinimum: 9007199254740992 })).toMatchObject({ exclusiveMinimum: 9007199254740992 });
  });

  it("keeps string bounds and compiles the pattern", () => {
    const type = typeOf({ type: "string", minLength: 3, maxLength: 140, pattern: "^[a-z]+/[a-z]+$" });
    expect(type).toMatchObject({ kind: "string", minLength: 3, maxLength: 140, pattern: { source: "^[a-z]+/[a-z]+$" } });
  });

  it("narrows an enum by the constraints beside it", () => {
    expect(typeOf({ enum: ["a", "abcd", "xyz"], maxLength: 3 })).toMatchObject({ enum: ["a", "xyz"] });
    expect(typeOf({ enum: ["a", "abcd", "xyz"], minLength: 2, pattern: "^x" })).toMatchObject({ enum: ["xyz"] });
    expect(typeOf({ type: "integer", enum: [1, 2.5, 5, 10], minimum: 2, multipleOf: 5 })).toMatchObject({ enum: [5, 10] });
    expect(reduceField({ enum: ["abcd"], maxLength: 3 }).codes).toEqual(["AGP407"]);
  });
  it("keeps array bounds", () => {
    expect(typeOf({ type: "array", items: { type: "string", maxLength: 1 }, maxItems: 32, minItems: 1 })).toMatchObject({
      kind: "array",
      maxItems: 32,
      minItems: 1,
      items: { kind: "string", maxLength: 1 },
    });
  });

  it("reduces objects: fields, required, additionalProperties, descriptions", () => {
    const type = typeOf({
      type: "object",
      properties: { repo: { type: "string", maxLength: 9, description: "owner/name" }, draft: { type: "boolean" } },
      required: ["repo", "token"],
    }) as ObjectType;
    expect(type.additionalProperties).toBe(true);
    expect([...type.fields.values()].map((f) => [f.name, f.type.kind, f.required, f.description])).toEqual([
      ["repo", "string", true, "owner/name"],
      ["draft", "boolean", false, undefined],
      // required without a schema: the field must be there, of any type
      ["token", "any", true, undefined],
    ]);
    expect((typeOf({ type: "object", additionalProperties: false }) as ObjectType).additionalProperties).toBe(false);
  });

  it("keeps additionalProperties as a schema, property counts and dependentRequired", () => {
    const type = typeOf({
      type: "object",
      properties: { a: { type: "string" } },
      required: ["b"],
      additionalProperties: { type: "string", maxLength: 8 },
      minProperties: 1,
      maxProperties: 4,
      dependentRequired: { a: ["b", "c"] },
    }) as ObjectType;
    expect(type).toMatchObject({ additionalProperties: true, additional: { kind: "string", maxLength: 8 }, minProperties: 1, maxProperties: 4 });
    expect(type.dependentRequired).toEqual([{ name: "a", requires: ["b", "c"] }]);
    // A required name without a schema is an additional property: it gets the additional schema.
    expect(type.fields.get("b")).toMatchObject({ required: true, type: { kind: "string", maxLength: 8 } });
  });

  it("refuses a required property that additionalProperties: false forbids (no request could be valid)", () => {
    expect(reduceField({ type: "object", required: ["token"], additionalProperties: false }).codes).toEqual(["AGP407"]);
  });

  it("keeps uniqueItems on bounded arrays of scalars", () => {
    expect(typeOf({ type: "array", items: { type: "string", maxLength: 8 }, maxItems: 10, uniqueItems: true })).toMatchObject({ uniqueItems: true });
    expect(typeOf({ type: "array", items: { type: "string" }, uniqueItems: false })).not.toHaveProperty("uniqueItems");
  });

  it("marks a oneOf whose options can overlap, and reads a kind-disjoint oneOf as anyOf", () => {
    const overlapping = typeOf({ oneOf: [{ type: "string", maxLength: 5 }, { type: "string", minLength: 3 }] });
    expect(overlapping).toMatchObject({ kind: "union", oneOf: true });
    expect(typeOf({ oneOf: [{ type: "string" }, { type: "null" }] })).not.toHaveProperty("oneOf");
    expect(typeOf({ oneOf: [{ type: "integer" }, { type: "number" }] })).toMatchObject({ oneOf: true });
    // A oneOf inside an anyOf stays one option: "exactly one" does not distribute.
    const nested = typeOf({ anyOf: [{ type: "boolean" }, { oneOf: [{ type: "integer" }, { type: "number", minimum: 3 }] }] });
    expect(nested).toMatchObject({ kind: "union", options: [{ kind: "boolean" }, { kind: "union", oneOf: true }] });
  });
  it("infers the type from type-specific keywords when `type` is absent", () => {
    expect(typeOf({ properties: {} }).kind).toBe("object");
    expect(typeOf({ items: { type: "integer" }, maxItems: 2 }).kind).toBe("array");
    expect(typeOf({ maxLength: 3 }).kind).toBe("string");
    expect(typeOf({ minimum: 3 }).kind).toBe("number");
  });

  it("resolves local $ref into $defs, keeping the definition's location", () => {
    const type = typeOf({ $ref: "#/$defs/repo", description: "the repository" }, { $defs: { repo: { type: "string", maxLength: 140 } } });
    expect(type).toEqual({ kind: "string", maxLength: 140, location: { file: FILE, pointer: "/$defs/repo" } });
  });

  it("records the file and JSON pointer of every part", () => {
    const type = typeOf({ type: "array", items: { anyOf: [{ type: "string", maxLength: 1 }, { type: "null" }] }, maxItems: 1 });
    expect(type.location).toEqual({ file: FILE, pointer: "/actions/act/args/properties/f" });
    const items = (type as { items: FieldType }).items;
    expect(items.kind).toBe("union");
    expect((items.kind === "union" ? items.options : []).map((o) => o.location.pointer)).toEqual([
      "/actions/act/args/properties/f/items/anyOf/0",
      "/actions/act/args/properties/f/items/anyOf/1",
    ]);
  });

  it("flattens nested unions and collapses a union with `any`", () => {
    const nested = typeOf({ anyOf: [{ anyOf: [{ type: "integer" }, { type: "boolean" }] }, { type: "null" }] });
    expect(describeType(nested)).toBe("integer or boolean or null");
    expect(typeOf({ anyOf: [{ type: "integer" }, {}] }).kind).toBe("any");
  });
});

describe("constructs agp refuses (AGP407, AGP413, AGP416) or ignores with a warning (AGP408)", () => {
  it.each([
    [{ allOf: [{ type: "string" }] }, "AGP407"],
    [{ not: { type: "string" } }, "AGP407"],
    [{ if: { type: "string" }, then: { maxLength: 1 } }, "AGP407"],
    [{ type: "array", prefixItems: [{ type: "string" }] }, "AGP407"],
    [{ $ref: "https://example.com/schema.json" }, "AGP407"],
    [{ $ref: "#/actions/act" }, "AGP407"],
    [{ $ref: "#/$defs/node" }, "AGP407"], // recursive, see extra below
    [{ enum: [{ a: 1 }] }, "AGP407"],
    [{ type: "string", "x-agp-ordered": true }, "AGP407"],
    [{ type: "string", enum: [1, 2] }, "AGP407"],
    [{ type: "array", maxItems: 9, contains: { type: "string" } }, "AGP407"],
    [{ type: "array", maxItems: 9, minContains: 1 }, "AGP407"],
    [{ type: "object", patternProperties: { "^x": {} } }, "AGP407"],
    [{ type: "object", propertyNames: { maxLength: 3 } }, "AGP407"],
    [{ type: "object", dependentSchemas: { a: {} } }, "AGP407"],
    [{ type: "array", items: { type: "object" }, maxItems: 9, uniqueItems: true }, "AGP407"],
    [{ type: "array", maxItems: 9, uniqueItems: true }, "AGP407"],
    [{ type: "array", items: { type: "string" }, uniqueItems: true }, "AGP407"],
    [{ type: "array", items: { type: "string" }, maxItems: 5000, uniqueItems: true }, "AGP407"],
    [{ oneOf: [{}, { type: "string" }] }, "AGP407"],
    [{ type: "string", pattern: "(a)\\1" }, "AGP413"],
    [{ type: "string", pattern: "(?=a)" }, "AGP413"],
    [{ type: "string", pattern: "(a|b)*a(a|b){12}" }, "AGP413"],
    [{ type: "string", maxlength: 9 }, "AGP416"],
    [{ type: "string", "x-agp-orderd": true }, "AGP416"],
    [{ type: "number", multipleof: 2 }, "AGP416"],
    [{ type: "string", nullable: true }, "AGP408"],
    [{ type: "string", example: "x" }, "AGP408"],
  ])("%j → %s", (schema, code) => {
    const defs = { $defs: { node: { type: "object", properties: { next: { $ref: "#/$defs/node" } } } } };
    expect([...new Set(reduceField(schema, defs).codes)]).toEqual([code]);
  });

  it("enforces, and so accepts without a word, every validation keyword it does not refuse", () => {
    expect(reduceField({ type: "string", maxLength: 9, minLength: 1, pattern: "^[a-z]+$" }).codes).toEqual([]);
    expect(reduceField({ type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1, multipleOf: 0.25 }).codes).toEqual([]);
    expect(reduceField({ type: "object", additionalProperties: { type: "string" }, minProperties: 1, maxProperties: 3, dependentRequired: { a: ["b"] } }).codes).toEqual([]);
    expect(reduceField({ type: "array", items: { enum: ["a", "b"] }, maxItems: 2, minItems: 1, uniqueItems: true }).codes).toEqual([]);
  });

  it("passes vendor extensions and annotations silently", () => {
    expect(reduceField({ type: "string", maxLength: 1, "x-vendor": 1, format: "email", examples: ["a"], deprecated: true }).codes).toEqual([]);
  });

  it("reads keywords as own properties only: `constructor` or `toString` in a schema is an unknown keyword, nothing more", () => {
    const { codes } = reduceField(JSON.parse('{"type": "string", "maxLength": 3, "constructor": 1, "toString": 2}'));
    expect(codes).toEqual(["AGP408", "AGP408"]);
  });
});
