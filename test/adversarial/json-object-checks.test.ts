/**
 * The module checks an object's members in one walk over its keys, and only
 * when that walk finds something wrong does it walk again in ADR 0006's
 * order to find and record the first problem (ADR 0048). Both walks must
 * give exactly what the object path and the reference interpreter give:
 * generated `args` objects, valid and not, with declared keys present or
 * missing, undeclared keys, failing values at several depths, unmet
 * dependencies and property counts out of bounds, their keys in any order
 * at every level; decideJson(bytes) ≡ decide(JSON.parse(bytes)) ≡ the
 * interpreter's decision.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadJsonDeciderSync } from "../../runtime/index.js";
import { checkText, pairOf } from "../compile/harness.js";

const SCHEMA = "https://json-schema.org/draft/2020-12/schema";

const CATALOG = {
  $schema: SCHEMA,
  family: "obj",
  actions: {
    put: {
      args: {
        type: "object",
        properties: {
          a: { type: "string", maxLength: 4 },
          b: { type: "integer", minimum: 0 },
          c: {
            type: "object",
            properties: {
              x: { type: "string", minLength: 1, maxLength: 8 },
              y: { type: "array", items: { type: "string" }, maxItems: 2 },
              z: { type: "object", properties: { p: { type: "boolean" } }, additionalProperties: false },
            },
            required: ["x"],
            additionalProperties: false,
            dependentRequired: { y: ["z"] },
          },
          d: { type: "object", properties: { k: { type: "string" } }, additionalProperties: { type: "integer" }, maxProperties: 3, minProperties: 1 },
          e: {
            anyOf: [
              { type: "object", properties: { u: { type: "string" } }, required: ["u"], additionalProperties: false },
              { type: "object", properties: { v: { type: "number" } }, required: ["v"] },
            ],
          },
          f: { type: "object", properties: { m: { type: "number" }, n: { type: "string" } } },
        },
        required: ["a", "c"],
        additionalProperties: false,
      },
    },
  },
};

const POLICY = 'package p\n\nrule short:\n  allow obj.put\n  when args.a == "ab" and args.c.x startsWith "s"\n';

/** A small pool of values, mostly wrong for any property. */
const scalar = fc.constantFrom<unknown>("ab", "abcdef", "", "s1", 0, -1, 2.5, true, null, [], ["q"], ["q", "r", "t"]);
/** Mostly `valid`, sometimes `wrong`: most requests pass, and the rest fail in one or two places. */
const mostly = <T>(valid: fc.Arbitrary<T>, wrong: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof({ arbitrary: valid, weight: 8 }, { arbitrary: wrong, weight: 1 });
const z = mostly(fc.record({ p: mostly(fc.boolean(), fc.constant(1)) }, { requiredKeys: [] }), fc.oneof(fc.constant({ p: true, w: 1 }), scalar));
const c = mostly(
  fc.oneof(
    fc.record({ x: mostly(fc.constantFrom("s", "sx", "t"), fc.constantFrom("", 3, "toolong-x")), z }, { requiredKeys: ["x"] }),
    fc.record({ z, y: fc.constant(["a"]) }, { requiredKeys: [] }),
    fc.record({ x: fc.constantFrom("s", "t"), y: mostly(fc.constantFrom(["a"], ["a", "b"]), fc.constantFrom(["a", "b", "c"], [1], "y")), z }, { requiredKeys: ["x", "y", "z"] }),
  ),
  fc.oneof(scalar, fc.record({ x: fc.constant("s"), y: fc.constant(["a"]), w: fc.constant(1) }, { requiredKeys: [] })),
);
const d = mostly(
  fc.dictionary(fc.constantFrom("k", "g", "h", "\u00e9", "\u{1f600}", "Z"), fc.constantFrom<unknown>(1, 2), { minKeys: 1, maxKeys: 3 }),
  fc.oneof(fc.dictionary(fc.constantFrom("k", "g", "h", "i", "\u00e9"), fc.constantFrom<unknown>(1, "s", 2.5, null), { maxKeys: 5 }), scalar),
);
const e = mostly(
  fc.oneof(fc.record({ u: fc.constant("s") }), fc.record({ v: fc.constantFrom(1, 2.5), o: fc.constant(0) }, { requiredKeys: ["v"] })),
  fc.oneof(fc.record({ u: fc.constantFrom<unknown>("s", 1), v: fc.constantFrom<unknown>(1, "s"), o: fc.constant(0) }, { requiredKeys: [] }), scalar),
);
const f = mostly(
  fc.record({ m: fc.constant(1), n: fc.constant("n"), other: fc.constant([]) }, { requiredKeys: [] }),
  fc.oneof(fc.record({ m: fc.constant("m"), n: fc.constant(2) }, { requiredKeys: [] }), scalar),
);
const members = { a: mostly(fc.constantFrom("ab", "s", "abcd"), scalar), b: mostly(fc.constantFrom(0, 3), scalar), c, d, e, f };
// Sometimes a required member is missing while every other one passes.
const valid = fc.oneof({ arbitrary: fc.record(members, { requiredKeys: ["a", "c"] }), weight: 6 }, { arbitrary: fc.record(members, { requiredKeys: [] }), weight: 1 });
const args = fc.oneof(
  { arbitrary: valid, weight: 4 },
  { arbitrary: fc.record({ a: scalar, b: scalar, c, d, e, f, q: scalar, "\u00e9": scalar }, { requiredKeys: [] }), weight: 1 },
);

/** The same value with its keys in an order set by `seeds`, at every level. */
function reorder(value: unknown, seeds: readonly number[], at = { i: 0 }): unknown {
  if (Array.isArray(value)) return value.map((v) => reorder(v, seeds, at));
  if (typeof value !== "object" || value === null) return value;
  const seed = seeds[at.i++ % seeds.length] ?? 0;
  const keys = Object.keys(value).map((k, i) => ({ k, rank: (Math.imul(i + 7, 2654435761) ^ seed) >>> 0 }));
  keys.sort((p, q) => p.rank - q.rank);
  const out: Record<string, unknown> = {};
  for (const { k } of keys) out[k] = reorder((value as Record<string, unknown>)[k], seeds, at);
  return out;
}

describe("the module's one-walk object checks (ADR 0048)", () => {
  const { checked, catalogs } = checkText({ "p.agp": POLICY }, { "obj.json": CATALOG });
  const pair = pairOf(checked, catalogs);
  const json = loadJsonDeciderSync(pair.engine);
  const base = { agent: { id: "bot", groups: [], trust: 2 }, action: "obj.put", env: "dev" };

  it("decide, decideJson and the interpreter agree on generated objects with keys in any order", () => {
    let allowed = 0;
    let refused = 0;
    fc.assert(
      fc.property(args, fc.array(fc.integer(), { minLength: 1, maxLength: 5 }), (a, seeds) => {
        const request = reorder({ ...base, args: a }, seeds) as Record<string, unknown>;
        const text = JSON.stringify(request);
        const viaObject = pair.engine.decide(JSON.parse(text) as object);
        expect(json.decideJson(new TextEncoder().encode(text)), text).toEqual(viaObject);
        expect(viaObject, text).toEqual(pair.interpreter.decide(JSON.parse(text) as object));
        if (viaObject.error === undefined) allowed++;
        else refused++;
      }),
      { numRuns: 400, seed: 48 },
    );
    // Both walks were taken: requests that pass and requests refused.
    expect(allowed).toBeGreaterThan(10);
    expect(refused).toBeGreaterThan(10);
  });

  it("a failure deep in a request and a passing sibling after it still report the first problem in the schema's order", () => {
    const cases = [
      { a: "ab", c: { x: "s", y: ["a"] } }, // dependency unmet: y needs z
      { c: { x: "" }, a: "abcdef" }, // a (schema-first) is too long, c.x too short
      { d: { g: 1, h: 2, i: 3, k: "s" }, c: { x: "s" }, a: "ab" }, // too many properties in d
      { e: { u: "s", o: 0 }, c: { x: "s" }, a: "ab" }, // union: no option accepts
      { f: { other: [] }, c: { w: 1, x: "s" }, a: "ab" }, // c closed: w undeclared
      { a: "ab", c: { x: "s" }, q: 1, "\u00e9": 2 }, // two undeclared root keys of args
      { c: { x: "s" }, b: 1 }, // a required member missing, every present one valid
      { a: "ab", c: { z: { p: true } } }, // the same one level down
    ];
    for (const a of cases) {
      const text = JSON.stringify({ ...base, args: a });
      const viaObject = pair.engine.decide(JSON.parse(text) as object);
      expect(viaObject.error, text).toBeDefined();
      expect(json.decideJson(text), text).toEqual(viaObject);
      expect(viaObject, text).toEqual(pair.interpreter.decide(JSON.parse(text) as object));
    }
  });

  it("a failure at the bottom of a deep request is found after at most two walks per level, not one per level and walk", () => {
    // 24 nested objects, each with a passing member before the failing one: without the per-call
    // switch to the ordered walk this would take about 2^28 walks (the test would time out).
    const depth = 28;
    let schema: object = { type: "object", properties: { leaf: { type: "integer" } }, required: ["leaf"], additionalProperties: false };
    for (let i = 0; i < depth; i++) {
      schema = { type: "object", properties: { s: { type: "string", maxLength: 4 }, n: schema }, required: ["n"], additionalProperties: false };
    }
    const catalog = { $schema: SCHEMA, family: "deep", actions: { go: { args: schema } } };
    const deep = checkText({ "p.agp": "package p\n\nrule open: allow deep.*\n" }, { "deep.json": catalog });
    const engines = pairOf(deep.checked, deep.catalogs);
    const deepJson = loadJsonDeciderSync(engines.engine);
    for (const leaf of [1, "x", 1.5]) {
      let args: object = { leaf };
      for (let i = 0; i < depth; i++) args = { s: "ok", n: args };
      const text = JSON.stringify({ ...base, action: "deep.go", args });
      const viaObject = engines.engine.decide(JSON.parse(text) as object);
      expect(viaObject.error === undefined, text).toBe(leaf === 1);
      expect(deepJson.decideJson(text)).toEqual(viaObject);
      expect(viaObject).toEqual(engines.interpreter.decide(JSON.parse(text) as object));
    }
  });
});
