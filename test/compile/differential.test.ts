/**
 * Differential: the compiled module run by the real runtime against the
 * reference interpreter, decision for decision (every field of the
 * `Decision`: effect, rules, reasons, obligations, approval, limits,
 * blockedBy, audit, policy, error), on the shipped examples and on
 * generated policies × generated requests and runtime states.
 * Fixed seeds in the suite; AGP_DIFF_SEEDS=n runs n more policies.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadCatalogFiles, type CatalogSet } from "../../compiler/catalog/index.js";
import { check } from "../../compiler/check/index.js";
import { parse } from "../../compiler/syntax/index.js";
import { arbitraryRequest } from "../interpret/arbitrary-request.js";
import { generateCompilable } from "./generate-policy.js";
import { pairFromPaths, pairOf, type Pair } from "./harness.js";
import { GENERATED_SCHEMAS } from "../support/schemas.js";

const loaded = await loadCatalogFiles(GENERATED_SCHEMAS);
const EXTRA = Number(process.env["AGP_DIFF_SEEDS"] ?? 0);
const POLICIES = 30 + EXTRA;
const REQUESTS = 60;

/** Runtime states: none, or counters near the caps and approvals from the reviewers. */
function arbitraryState(pair: Pair): fc.Arbitrary<Record<string, unknown> | undefined> {
  const limits = pair.compiled.manifest.limits;
  const counters = fc.dictionary(fc.constantFrom("none", ...limits.map((l) => l.id)), fc.constantFrom(0, 1, 4, 99, 499, 1000), { maxKeys: 3 });
  const approvals = fc.array(fc.record({ id: fc.constantFrom("u1", "u2", "a"), groups: fc.constant([...(pair.catalogs.groups ?? []), "reviewers"]) }), { maxLength: 2 });
  const trust = fc.integer({ min: 0, max: 4 });
  return fc.option(fc.record({ counters, approvals, trust }, { requiredKeys: [] }), { nil: undefined });
}

function agree(pair: Pair, interesting: readonly string[], seed: number, runs: number): void {
  fc.assert(
    fc.property(arbitraryRequest(pair.catalogs, { interesting }), arbitraryState(pair), (request, state) => {
      const expected = pair.interpreter.decide(request, state as never);
      const actual = pair.engine.decide(request, state as never);
      expect(actual, JSON.stringify({ request, state })).toEqual(expected);
    }),
    { seed, numRuns: runs },
  );
}

describe("differential: wasm + runtime vs the reference interpreter", () => {
  it("agrees on the example policies", async () => {
    const pair = await pairFromPaths(["examples/platform"]);
    const interesting = ["acme/payments", "acme/tools", "111111111111", "/workspace/a", "/workspace/../x", "rm -rf /", "production"];
    agree(pair, interesting, 2026, 1500);
  }, 180_000);

  it(`agrees on ${POLICIES} generated policies × ${REQUESTS} requests`, () => {
    let compiled = 0;
    const effects = new Set<string>();
    for (let seed = 1; seed <= POLICIES; seed++) {
      const generated = generateCompilable(seed, loaded.set);
      const pair = checked(generated.text, loaded.set);
      if (pair === undefined) continue;
      compiled++;
      try {
        agree(pair, generated.interesting, seed, REQUESTS);
      } catch (error) {
        throw new Error(`policy seed ${seed}:\n${generated.text}\n${error instanceof Error ? error.message : String(error)}`);
      }
      for (let i = 0; i < 20; i++) effects.add(pair.interpreter.decide(fc.sample(arbitraryRequest(pair.catalogs, { interesting: generated.interesting }), { seed: i, numRuns: 1 })[0]).effect);
    }
    expect(compiled).toBeGreaterThan(POLICIES / 2);
    expect([...effects].sort()).toEqual(["allow", "approve", "deny"]);
  }, 180_000 + EXTRA * 2_000);
});

function checked(text: string, set: CatalogSet): Pair | undefined {
  const parsed = parse(text, "gen.agp");
  if (parsed.diagnostics.length > 0) return undefined;
  const result = check({ files: [parsed.file], catalogs: set });
  if (result.checked === undefined || result.diagnostics.some((d) => d.severity === "error")) return undefined;
  return pairOf(result.checked, set);
}
