/**
 * The JSON path and the object path must agree whatever the order of the
 * keys: the object path reads keys in the host's order and reports
 * problems in the schema's; the module looks members up by name. The
 * generated texts of ./json-texts.ts always keep the schema's order, so
 * here generated requests have their keys in any order at every level,
 * with keys missing, undeclared or of the wrong type, and
 * decideJson(bytes) ≡ decide(JSON.parse(bytes)) (ADR 0045).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { adversarialFixture } from "./fixture.js";

const encoder = new TextEncoder();

/** A value with its keys in the order of `order` (a permutation seed per object). */
function reorder(value: unknown, seeds: readonly number[], at = { i: 0 }): unknown {
  if (Array.isArray(value)) return value.map((v) => reorder(v, seeds, at));
  if (typeof value !== "object" || value === null) return value;
  const seed = seeds[at.i++ % Math.max(1, seeds.length)] ?? 0;
  const keys = Object.keys(value).map((k, i) => ({ k, rank: (Math.imul(i + 1, 2654435761) ^ seed) >>> 0 }));
  keys.sort((a, b) => a.rank - b.rank);
  const out: Record<string, unknown> = {};
  for (const { k } of keys) out[k] = reorder((value as Record<string, unknown>)[k], seeds, at);
  return out;
}

const argsValue = fc.record(
  {
    path: fc.constantFrom("src/a.ts", "etc/passwd", 7),
    paths: fc.array(fc.constantFrom("src/b.ts", "tmp/x"), { maxLength: 3 }),
    amount: fc.constantFrom(0, 10, 1001, "10"),
    n: fc.constantFrom(1, 9007199254740991),
    mode: fc.constantFrom("read", "write", "admin"),
    force: fc.boolean(),
    meta: fc.constantFrom({ a: 1, b: [2] }, null, "m"),
    extra: fc.constant(1),
  },
  { requiredKeys: [] },
);

const request = fc.record(
  {
    agent: fc.record({ id: fc.constantFrom("bot", "alice"), groups: fc.constant(["writers"]), trust: fc.constantFrom(2, 5) }, { requiredKeys: ["id"] }),
    action: fc.constantFrom("files.write", "files.note"),
    args: argsValue,
    env: fc.constant("dev"),
    context: fc.constantFrom({}, { session: "s" }),
  },
  { requiredKeys: ["agent", "action", "args", "env"] },
);

describe("JSON member lookups do not depend on key order", () => {
  it("decideJson ≡ decide for requests with keys in any order at every level", () => {
    const { engine, json } = adversarialFixture();
    fc.assert(
      fc.property(request, fc.array(fc.integer(), { minLength: 1, maxLength: 6 }), (r, seeds) => {
        const shuffled = reorder(r, seeds);
        const text = JSON.stringify(shuffled);
        expect(json.decideJson(encoder.encode(text))).toEqual(engine.decide(JSON.parse(text)));
        // The same request in the schema's order decides the same.
        expect(json.decideJson(encoder.encode(JSON.stringify(r)))).toEqual(engine.decide(r));
      }),
      { numRuns: 200, seed: 45 },
    );
  });
});
