/**
 * `catalogDrift` (agp schema diff): a catalog compared with itself has no
 * drift, whatever it holds; every change a server can make to what policies
 * depend on is named; and no JSON — cycles through `$ref`, deep nesting,
 * values where schemas belong — makes it throw.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catalogDrift, type JsonValue } from "../../compiler/catalog/index.js";

const catalog = (args: JsonValue, extra: Record<string, JsonValue> = {}): JsonValue => ({ family: "f", actions: { tool: { args, ...extra } }, ...extra });

describe("catalogDrift", () => {
  it("finds no drift between any JSON and itself, and never throws", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.jsonValue({ maxDepth: 6 }), (a, b) => {
        expect(catalogDrift(catalog(a as JsonValue), catalog(a as JsonValue))).toEqual([]);
        expect(Array.isArray(catalogDrift(a as JsonValue, b as JsonValue))).toBe(true);
        expect(Array.isArray(catalogDrift(catalog(a as JsonValue), catalog(b as JsonValue)))).toBe(true);
      }),
      { seed: 1804, numRuns: 300 },
    );
  });

  it("follows a $ref cycle only so far", () => {
    const looped: JsonValue = { family: "f", $defs: { a: { $ref: "#/$defs/a", properties: { x: { $ref: "#/$defs/a" } } } }, actions: { t: { args: { $ref: "#/$defs/a" } } } };
    expect(catalogDrift(looped, looped)).toEqual([]);
    // A diamond of shared references doubles the walk at every level: 2^40 paths, cut by the visit budget.
    const defs: Record<string, JsonValue> = {};
    for (let i = 0; i < 40; i++) defs[`d${i}`] = { type: "object", properties: { x: { $ref: `#/$defs/d${i + 1}` }, y: { $ref: `#/$defs/d${i + 1}` } } };
    const diamond: JsonValue = { family: "f", $defs: defs, actions: { t: { args: { $ref: "#/$defs/d0" } } } };
    expect(catalogDrift(diamond, diamond)).toEqual([]);
  });

  it("names each kind of change, and ignores bounds and descriptions", () => {
    const before = catalog({ type: "object", properties: { a: { type: "string" }, b: { enum: ["x", "y"] }, c: { type: "integer" } }, required: ["a"] }, {});
    const after = catalog({ type: "object", description: "new", properties: { a: { type: "string", maxLength: 9 }, b: { enum: ["x", "z"] }, c: { type: "string" }, d: { type: "boolean" } }, required: ["a", "c"] }, {});
    expect(catalogDrift(before, after).map((c) => c.message)).toEqual([
      "argument `b`: values \"x\", \"y\" → \"x\", \"z\"",
      "argument `c` is required now",
      "argument `c`: integer → string",
      "argument `d` added (boolean, optional)",
    ]);
    expect(catalogDrift({ actions: { a: { args: {} } } }, { actions: { b: { args: {} }, a: { args: {}, metadata: { readOnly: true } } } }).map((c) => [c.action, c.kind])).toEqual([
      ["a", "metadata"],
      ["b", "tool added"],
    ]);
  });
});
