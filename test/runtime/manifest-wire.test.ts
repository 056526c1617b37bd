/**
 * The compact manifest (ADR 0044): what a module's `agp.manifest` section
 * carries unpacks to exactly the manifest the compiler built, for any rule
 * table and for generated policies; and damaged or truncated section bytes
 * are refused with a `PolicyLoadError`, never a crash, never a module that
 * loads with rules it does not have.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadCatalogFiles } from "../../compiler/catalog/index.js";
import { check } from "../../compiler/check/index.js";
import { listSections } from "../../compiler/codegen/index.js";
import { compilePolicy } from "../../compiler/compile/index.js";
import { parse } from "../../compiler/syntax/index.js";
import { loadPolicySync, PolicyLoadError } from "../../runtime/index.js";
import { checkManifest } from "../../runtime/load/check-manifest.js";
import { packManifest, unpackManifest } from "../../runtime/load/manifest-wire.js";
import { MANIFEST_SECTION, type Manifest, type ManifestRule } from "../../runtime/manifest.js";
import { generateCompilable } from "../compile/generate-policy.js";
import { GENERATED_SCHEMAS } from "../support/schemas.js";
import { fakeModule } from "./fake-module.js";
import { OPEN_RULES, testManifest } from "./harness.js";

const loaded = await loadCatalogFiles(GENERATED_SCHEMAS);

/** A manifest as JSON carries it: `undefined` members gone. */
const plain = (m: unknown): unknown => JSON.parse(JSON.stringify(m));
/** Through the section and back: pack, JSON text, parse, unpack, check. */
const throughSection = (m: Manifest): Manifest => checkManifest(unpackManifest(JSON.parse(JSON.stringify(packManifest(m)))));

const word = fc.string({ maxLength: 12 });
const obligationValue = fc.oneof(fc.constant(null), word, fc.integer({ min: -1e6, max: 1e6 }), fc.boolean(), fc.uniqueArray(word, { maxLength: 3 }).map((a) => a.sort()));
const quorum = fc.record({ count: fc.integer({ min: 1, max: 5 }), groups: fc.array(word, { minLength: 1, maxLength: 3 }) });
const arbitraryRule: fc.Arbitrary<ManifestRule> = fc.record(
  {
    id: word,
    file: fc.constantFrom("a.agp", "dir/b.agp", "ü.agp", ""),
    line: fc.nat({ max: 1e6 }),
    effect: fc.constantFrom("allow", "approve", "deny"),
    principal: fc.constantFrom("agent", "human"),
    reason: fc.string({ maxLength: 30 }),
    audit: fc.constantFrom("info", "notice", "security"),
    obligations: fc.array(fc.record({ key: word, value: obligationValue }), { maxLength: 3 }),
    quorums: fc.array(quorum, { maxLength: 2 }),
    requester: fc.constant(true as const),
    samePerson: fc.constant(true as const),
    binds: fc.array(word, { maxLength: 2 }),
  },
  { requiredKeys: ["id", "file", "line", "effect", "principal", "audit", "obligations", "quorums"] },
);

describe("the compact manifest", () => {
  it("unpacks to exactly the rules it was packed from, whatever they hold", () => {
    const base = testManifest({ rules: OPEN_RULES });
    fc.assert(
      fc.property(fc.array(arbitraryRule, { maxLength: 20 }), (rules) => {
        const manifest = { ...base, rules };
        expect(plain(throughSection(manifest))).toEqual(plain(manifest));
      }),
      { seed: 44, numRuns: 300 },
    );
  });

  it("carries exactly the compiler's manifest for generated policies, and less than half its JSON", () => {
    let compared = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const parsed = parse(generateCompilable(seed, loaded.set).text, "gen.agp");
      const checked = check({ files: [parsed.file], catalogs: loaded.set });
      if (parsed.diagnostics.length > 0 || checked.checked === undefined || checked.diagnostics.some((d) => d.severity === "error")) continue;
      const compiled = compilePolicy(checked.checked, loaded.set).compiled!;
      const section = listSections(compiled.wasm).find((s) => s.name === MANIFEST_SECTION)!;
      const text = new TextDecoder().decode(compiled.wasm.subarray(section.start, section.end));
      expect(plain(checkManifest(unpackManifest(JSON.parse(text)))), `seed ${seed}`).toEqual(plain(compiled.manifest));
      // Key for key, in order: `agp inspect --manifest` prints what `agp compile --manifest` wrote.
      expect(JSON.stringify(unpackManifest(JSON.parse(text)).rules), `seed ${seed}`).toBe(JSON.stringify(compiled.manifest.rules));
      expect(plain(loadPolicySync(compiled.wasm).manifest), `seed ${seed}`).toEqual(plain(compiled.manifest));
      const rulesJson = JSON.stringify(compiled.manifest.rules).length;
      const packedJson = JSON.stringify(packManifest(compiled.manifest).rules).length;
      if (compiled.manifest.rules.length >= 4) expect(packedJson, `seed ${seed}`).toBeLessThan(rulesJson / 2);
      compared++;
    }
    expect(compared).toBeGreaterThan(3);
  }, 120_000);

  const manifest = testManifest({ rules: [...OPEN_RULES, { ...OPEN_RULES[0]!, id: "held", effect: "approve", reason: "why", quorums: [{ count: 2, groups: ["ops"] }], samePerson: true }] });
  const section = new TextEncoder().encode(JSON.stringify(packManifest(manifest)));
  const allow = () => ({ effect: "allow" as const, deciding: [0] });

  /** The load's outcome: the engine's manifest, or the load error's message; anything else thrown fails the test. */
  function load(bytes: Uint8Array): Manifest | string {
    try {
      return loadPolicySync(fakeModule({ manifest, section: bytes, results: allow })).manifest;
    } catch (error) {
      expect(error).toBeInstanceOf(PolicyLoadError);
      return (error as Error).message;
    }
  }

  it("refuses every truncation of the section with a clear error", () => {
    for (let end = 0; end < section.length; end += Math.max(1, Math.floor(section.length / 97))) {
      const outcome = load(section.subarray(0, end));
      expect(outcome, `truncated at ${end}`).toMatch(/^corrupt policy manifest: /);
    }
  });

  it("loads damaged bytes only as a manifest that passes every check; otherwise refuses them", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ at: fc.nat({ max: section.length - 1 }), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 }), (flips) => {
        const damaged = section.slice();
        for (const { at, byte } of flips) damaged[at] = byte;
        const outcome = load(damaged);
        if (typeof outcome === "string") {
          expect(outcome).toMatch(/^(corrupt policy manifest: |the policy module was compiled for ABI |not an agp policy module: )/);
          return;
        }
        // A flip that still parses (a digit of a line, a letter of an id) is a different but well-formed manifest:
        // every rule index stays in range and every field has its type, which is what deciding relies on.
        expect(outcome.rules).toHaveLength(manifest.rules.length);
        expect(plain(checkManifest(plain(outcome)))).toEqual(plain(outcome));
      }),
      { seed: 4, numRuns: 300 },
    );
  });
});
