/**
 * import-mcp's schema adaptation (ADR 0038) changes no meaning: a tuple
 * read as an array and a merged `allOf` accept exactly the values the
 * server's schema accepts (checked with ajv, draft-07 before, 2020-12 after,
 * on generated schemas and values); what cannot be rewritten exactly stays
 * refused at load, located; added bounds and closed objects only narrow.
 */
import { Ajv } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { adaptSchema, emptyCounts, importMcp, type JsonValue } from "../../compiler/catalog/index.js";

const draft07 = new Ajv({ strict: false, allErrors: false });
const v2020 = new Ajv2020({ strict: false, allErrors: false });

const leaf = fc.constantFrom<JsonValue>({ type: "string", maxLength: 3 }, { type: "integer" }, { enum: [1, 2] }, { type: "boolean" }, {});
const value = fc.oneof(fc.constantFrom<JsonValue>("a", "abcd", 1, 2, 3.5, true, null, [], {}), fc.string({ maxLength: 4 }), fc.integer({ min: -2, max: 3 }));

describe("draft-07 tuples", () => {
  it("read as an array exactly when every position has one schema and extra items are refused or the same", () => {
    fc.assert(
      fc.property(leaf, fc.integer({ min: 1, max: 3 }), fc.constantFrom("false", "same", "absent", "true", "other"), fc.array(fc.array(value, { maxLength: 5 }), { maxLength: 12 }), (item, n, extra, instances) => {
        const items = Array.from({ length: n }, () => item);
        const additional = { false: false, same: item, absent: undefined, true: true, other: { type: "null" } }[extra];
        const schema: JsonValue = { type: "array", items, ...(additional === undefined ? {} : { additionalItems: additional }) };
        const counts = emptyCounts();
        const adapted = adaptSchema(schema, {}, counts) as Record<string, JsonValue>;
        if (extra === "false" || extra === "same") {
          expect(counts.tuples).toBe(1);
          expect(Object.hasOwn(adapted, "prefixItems") || Object.hasOwn(adapted, "additionalItems")).toBe(false);
          const before = draft07.compile(schema as object);
          const after = v2020.compile(adapted);
          for (const instance of instances) expect(after(instance)).toBe(before(instance));
        } else {
          // Not exactly an array of one type: the 2020-12 spelling, which the loader refuses at its place.
          expect(counts.tuplesRefused).toBe(1);
          expect(adapted.prefixItems).toEqual(items);
        }
      }),
      { seed: 1801, numRuns: 150 },
    );
  });
});

describe("allOf", () => {
  const part = fc.record(
    { properties: fc.dictionary(fc.constantFrom("a", "b", "c"), leaf, { maxKeys: 2 }), required: fc.subarray(["a", "b", "c"]) },
    { requiredKeys: [] },
  );
  it("merged only into a schema that accepts exactly the same objects; anything else stays allOf", () => {
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 3 }), fc.array(fc.dictionary(fc.constantFrom("a", "b", "c", "d"), value, { maxKeys: 4 }), { maxLength: 15 }), (parts, instances) => {
        const schema: JsonValue = { type: "object", allOf: parts as JsonValue[] };
        const counts = emptyCounts();
        const adapted = adaptSchema(schema, {}, counts) as Record<string, JsonValue>;
        if (counts.allOfMerged === 1) {
          expect(Object.hasOwn(adapted, "allOf")).toBe(false);
          const before = draft07.compile(schema as object);
          const after = v2020.compile(adapted);
          for (const instance of instances) expect(after(instance)).toBe(before(instance));
        } else expect(adapted.allOf).toEqual(parts);
      }),
      { seed: 1802, numRuns: 200 },
    );
  });

  it("is never merged when a part closes its object (closing changes which properties the others may add)", () => {
    const counts = emptyCounts();
    const schema: JsonValue = { type: "object", allOf: [{ properties: { a: { type: "string" } }, additionalProperties: false }, { properties: { b: { type: "integer" } } }] };
    expect(adaptSchema(schema, { closeObjects: true }, counts)).toEqual(schema);
    expect(counts.allOfKept).toBe(1);
  });
});

describe("bounds and closed objects", () => {
  it("are added only where missing, never below a minimum, and only narrow what is accepted", () => {
    const schema: JsonValue = {
      type: "object",
      properties: {
        name: { type: "string" },
        code: { type: "string", minLength: 300 },
        kind: { type: "string", enum: ["a", "b"] },
        tags: { type: "array", items: { type: "string", maxLength: 10 } },
        bounded: { type: "string", maxLength: 8 },
        nested: { type: "object", properties: { x: { type: ["string", "null"] } }, additionalProperties: true },
      },
    };
    const counts = emptyCounts();
    const adapted = adaptSchema(schema, { maxLength: 256, maxItems: 50, closeObjects: true }, counts) as { properties: Record<string, Record<string, JsonValue>>; additionalProperties?: boolean };
    expect(adapted.properties["name"]!.maxLength).toBe(256);
    expect(adapted.properties["code"]!.maxLength).toBe(300);
    expect(adapted.properties["kind"]!.maxLength).toBeUndefined();
    expect(adapted.properties["tags"]!.maxItems).toBe(50);
    expect(adapted.properties["bounded"]!.maxLength).toBe(8);
    expect((adapted.properties["nested"]!.properties as Record<string, Record<string, JsonValue>>)["x"]!.maxLength).toBe(256);
    expect(adapted.properties["nested"]!.additionalProperties).toBe(true);
    expect(adapted.additionalProperties).toBe(false);
    expect(counts).toMatchObject({ maxLength: 3, maxItems: 1, closed: 1 });
  });

  it("never read values as schemas, and never throw on any JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (json) => {
        const out = adaptSchema(json as JsonValue, { maxLength: 5, maxItems: 5, closeObjects: true }, emptyCounts());
        expect(out).toBeDefined();
      }),
      { seed: 1803, numRuns: 300 },
    );
    const withValues: JsonValue = { enum: [{ type: "string" }], const: { properties: { a: {} } }, default: { items: [{}] } };
    expect(adaptSchema(withValues, { maxLength: 5, closeObjects: true }, emptyCounts())).toEqual(withValues);
  });
});

describe("an imported catalog compiles without hand edits", () => {
  it("with --max-length, --max-items and --close-objects, nothing is left to bound and the catalog loads clean", () => {
    const tools = [
      { name: "write", inputSchema: { $schema: "http://json-schema.org/draft-07/schema#", type: "object", properties: { path: { type: "string" }, lines: { type: "array", items: { type: "string" } }, pair: { type: "array", items: [{ type: "integer" }, { type: "integer" }], additionalItems: false } }, required: ["path"] } },
      { name: "tagged", inputSchema: { type: "object", allOf: [{ properties: { id: { type: "string" } }, required: ["id"] }, { properties: { tag: { type: "string" } } }] } },
    ];
    const imported = importMcp(tools, "fs", "fs.json", { maxLength: 1024, maxItems: 100, closeObjects: true });
    expect(imported.diagnostics).toEqual([]);
    expect(imported.missingBounds).toEqual([]);
    expect(imported.adapted).toMatchObject({ tuples: 1, allOfMerged: 1, closed: 2 });
    expect((imported.catalog as { $comment?: string }).$comment).toBe("agp schema import-mcp --max-length 1024 --max-items 100 --close-objects");
  });
});
