/**
 * The JSON entry point on generated policies (test/compile/generate-policy.ts):
 * every slot shape the lowering makes (sym, str, num, bool, state, arrays of
 * items with their own slots, human-side reads) encoded by the module from
 * JSON bytes must decide as the runtime's JS encoder does, on generated
 * requests, valid and broken, with and without runtime state.
 */
import fc from "fast-check";
import { expect, it } from "vitest";
import { loadCatalogFiles } from "../../compiler/catalog/index.js";
import { check } from "../../compiler/check/index.js";
import { parse } from "../../compiler/syntax/index.js";
import { loadJsonDeciderSync } from "../../runtime/index.js";
import { generateCompilable } from "../compile/generate-policy.js";
import { pairOf } from "../compile/harness.js";
import { generatedCases } from "./requests.js";
import { GENERATED_SCHEMAS } from "../support/schemas.js";

const loaded = await loadCatalogFiles(GENERATED_SCHEMAS);
const POLICIES = 24;

it(`agrees with the JS-object path on ${POLICIES} generated policies`, () => {
  let compiled = 0;
  let decided = 0;
  for (let seed = 100; seed < 100 + POLICIES; seed++) {
    const generated = generateCompilable(seed, loaded.set);
    const parsed = parse(generated.text, "gen.agp");
    if (parsed.diagnostics.length > 0) continue;
    const result = check({ files: [parsed.file], catalogs: loaded.set });
    if (result.checked === undefined || result.diagnostics.some((d) => d.severity === "error")) continue;
    const pair = pairOf(result.checked, loaded.set);
    const json = loadJsonDeciderSync(pair.engine);
    compiled++;
    const limits = pair.compiled.manifest.limits.map((l) => l.id);
    const state = fc.record(
      {
        trust: fc.integer({ min: 0, max: 4 }),
        counters: fc.dictionary(fc.constantFrom("none", ...limits), fc.constantFrom(0, 1, 4, 99, 1000), { maxKeys: 2 }),
        approvals: fc.array(fc.record({ id: fc.constantFrom("u1", "u2"), groups: fc.constant(["infra-reviewers", "reviewers", "cloud-owners"]) }), { maxLength: 2 }),
        killed: fc.array(fc.constantFrom("github", "aws", "shell", "nobody"), { maxLength: 1 }),
      },
      { requiredKeys: [] },
    );
    const states = fc.sample(fc.option(state, { nil: undefined }), { seed, numRuns: 80 });
    generatedCases(pair.catalogs, generated.interesting, seed, 40, 40).forEach((c, i) => {
      const state = states[i];
      const expected = pair.engine.decide(c.request, state);
      if (expected.error === undefined) decided++;
      expect(json.decideJson(JSON.stringify(c.request), state), `policy seed ${seed}\n${generated.text}\n${JSON.stringify(c)} state ${JSON.stringify(state)}`).toEqual(expected);
    });
  }
  expect(compiled).toBeGreaterThan(POLICIES / 2);
  expect(decided).toBeGreaterThan(200);
}, 180_000);

it("state.trust replaces agent.trust on the JSON path too", () => {
  const parsed = parse("package t\n\nrule trusted:\n  allow github.pull_request.open\n  when agent.trust >= 2\n", "t.agp");
  const result = check({ files: [parsed.file], catalogs: loaded.set });
  if (result.checked === undefined) throw new Error(result.diagnostics.map((d) => d.message).join("; "));
  const pair = pairOf(result.checked, loaded.set);
  const json = loadJsonDeciderSync(pair.engine);
  const request = {
    agent: { id: "ci-fixer", kind: "coding", groups: ["coding-bots"], trust: 4 },
    action: "github.pull_request.open",
    args: { repo: "acme/tools", title: "Fix CI", head: "fix/ci", base: "main" },
    env: "production",
    context: { session: "s-42" },
  };
  const effects = [0, 1, 2, 3, 1.5, -1].map((trust) => {
    const expected = pair.engine.decide(request, { trust });
    expect(json.decideJson(JSON.stringify(request), { trust })).toEqual(expected);
    return expected.effect;
  });
  expect(effects.slice(0, 4)).toEqual(["deny", "deny", "allow", "allow"]);
  expect(json.decideJson(JSON.stringify(request)).effect).toBe("allow");
});
