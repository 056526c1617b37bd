/**
 * Test support for the runtime: engines over fake modules built on the
 * reference interpreter's test catalogs (test/interpret/harness.ts), so the
 * same requests give the same texts.
 *
 * In: rules, limits, slots, a results function. Out: `PolicyEngine`s.
 */
import { loadPolicySync, type PolicyEngine } from "../../runtime/index.js";
import type { Manifest } from "../../runtime/manifest.js";
import { catalogSet } from "../interpret/harness.js";
import { fakeModule, type FakeModuleOptions } from "./fake-module.js";
import { manifestOf, rule, type ManifestParts } from "./schema-of.js";

export { AGENT, ALICE, request, shell } from "../interpret/harness.js";

/** The interpreter tests' catalogs (github, shell, aws, deploy). */
export const CATALOGS = catalogSet();

/** A manifest over the test catalogs. */
export function testManifest(parts: ManifestParts = {}): Manifest {
  return manifestOf(CATALOGS, parts);
}

/** An engine over a fake module. */
export function engine(manifest: Manifest, options: Omit<FakeModuleOptions, "manifest"> = {}): PolicyEngine {
  return loadPolicySync(fakeModule({ manifest, ...options }));
}

/** Rules `any_<family>: allow <family>.*`, one per family, in source order. */
export const OPEN_RULES = ["aws", "deploy", "github", "shell"].map((family, i) => rule(`any_${family}`, "allow", { line: i + 2 }));

/** An engine that allows every valid request by its family's `any_…` rule: any deny comes from validation. */
export function openEngine(): PolicyEngine {
  const manifest = testManifest({ rules: OPEN_RULES });
  return engine(manifest, {
    results: (action) => {
      const family = manifest.actions[action]!.family;
      return { effect: "allow", deciding: [OPEN_RULES.findIndex((r) => r.id === `any_${family}`)] };
    },
  });
}
