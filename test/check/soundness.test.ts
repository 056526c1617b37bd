/**
 * The checker against the reference interpreter (compiler/interpret), on
 * the example catalogs:
 * - well-typed policies do not go wrong: a policy the checker accepts never
 *   makes the interpreter fail on a valid request (no `evaluation_error`:
 *   every optional or absent value it reads was guarded);
 * - "can never match" (AGP301) is a proof: a rule it flags never matches a
 *   valid request.
 * Fixed seed; AGP_PROPERTY_RUNS raises the number of runs.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadCatalogFiles } from "../../compiler/catalog/index.js";
import { check } from "../../compiler/check/index.js";
import { interpretChecked } from "../../compiler/interpret/index.js";
import { parse } from "../../compiler/syntax/index.js";
import { generateConjunction, generatePolicy, Random } from "./generate.js";
import { poolsOf, randomRequest } from "./requests.js";
import { GENERATED_SCHEMAS } from "../support/schemas.js";

const loaded = await loadCatalogFiles(GENERATED_SCHEMAS);
const set = loaded.set;
const RUNS = Number(process.env["AGP_PROPERTY_RUNS"] ?? 150);
const REQUESTS = 25;
const VALIDATION = new Set(["wrong_type", "missing_field", "unknown_field", "too_long", "too_many_items", "out_of_range", "not_in_enum", "invalid_string"]);

function checked(text: string) {
  const parsed = parse(text, "gen.agp");
  expect(parsed.diagnostics).toEqual([]);
  return check({ files: [parsed.file], catalogs: set });
}

describe("checker soundness against the reference interpreter", () => {
  it("well-typed policies never fail to evaluate on a valid request", () => {
    let decided = 0;
    fc.assert(
      fc.property(fc.noShrink(fc.integer({ min: 1, max: 2 ** 31 - 1 })), (seed) => {
        const random = new Random(seed);
        const policy = generatePolicy(random, set, "package gen\n\n");
        const result = checked(policy.text);
        if (result.diagnostics.some((d) => d.severity === "error")) return; // the property test reports these
        const interpreter = interpretChecked(result.checked, set);
        const pools = poolsOf(policy.text);
        const actions = [...new Set([...result.checked.rules, ...result.checked.limits].flatMap((r) => r.actions))];
        for (let i = 0; i < REQUESTS; i++) {
          const request = randomRequest(random, set.actions.get(random.pick(actions))!, set, pools);
          const decision = interpreter.decide(request);
          if (decision.error !== undefined && VALIDATION.has(decision.error.code)) continue;
          decided++;
          if (decision.error !== undefined) {
            throw new Error(`seed ${seed}: ${decision.error.code}: ${decision.error.message}\n${policy.text}\n${JSON.stringify(request)}`);
          }
        }
      }),
      { seed: 424242, numRuns: RUNS },
    );
    expect(decided).toBeGreaterThan(RUNS * REQUESTS * 0.8);
  });

  it("a rule flagged as never matching never matches", () => {
    let flagged = 0;
    fc.assert(
      fc.property(fc.noShrink(fc.integer({ min: 1, max: 2 ** 31 - 1 })), (seed) => {
        const random = new Random(seed);
        const policy = generateConjunction(random, set, "package gen\n\n");
        const result = checked(policy.text);
        expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        if (!result.diagnostics.some((d) => d.code === "AGP301")) return;
        flagged++;
        const interpreter = interpretChecked(result.checked, set);
        const pools = poolsOf(policy.text);
        for (let i = 0; i < 200; i++) {
          const request = randomRequest(random, set.actions.get(policy.action)!, set, pools);
          const decision = interpreter.decide(request);
          if (decision.rules.some((r) => r.id === "r0")) {
            throw new Error(`seed ${seed}: AGP301 flagged a rule that matches\n${policy.text}\n${JSON.stringify(request)}`);
          }
        }
      }),
      { seed: 777, numRuns: RUNS * 4 },
    );
    expect(flagged).toBeGreaterThan(RUNS / 10);
  });
});
