/**
 * The checker never throws for user input: any well-formed policy set (random
 * ASTs from test/support/arbitrary-ast.ts, which need not type-check) comes
 * back as diagnostics, each with a code from the table and a one-line
 * message, and strict mode only changes severities.
 */
import fc from "fast-check";
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadCatalogFiles } from "../../compiler/catalog/index.js";
import { check } from "../../compiler/check/index.js";
import { CODES } from "../../compiler/diagnostics/index.js";
import type { ActionPattern } from "../../compiler/syntax/index.js";
import { policyFile } from "../support/arbitrary-ast.js";

const schemas = readdirSync("examples/schemas").filter((f) => f.endsWith(".json")).sort().map((f) => `examples/schemas/${f}`);
const loaded = await loadCatalogFiles(schemas);
const RUNS = Number(process.env["AGP_PROPERTY_RUNS"] ?? 150);

describe("checker robustness", () => {
  it("returns diagnostics, never throws, for any well-formed policy set", () => {
    fc.assert(
      fc.property(fc.array(policyFile("a.agp"), { minLength: 1, maxLength: 3 }), fc.nat(), (files, pick) => {
        // Point half of the patterns at real actions, so conditions are typed against real schemas.
        const actions = [...loaded.set.actions.keys()];
        let n = pick;
        const real = (pattern: ActionPattern): ActionPattern =>
          n++ % 2 === 0 ? pattern : { ...pattern, segments: actions[n % actions.length]!.split("."), wildcard: n % 3 === 0 };
        const named = files.map((f, i) => ({
          ...f,
          file: `f${i}.agp`,
          statements: f.statements.map((s) => (s.kind === "Rule" || s.kind === "Limit" ? { ...s, patterns: s.patterns.map(real) } : s)),
        }));
        const result = check({ files: named, catalogs: loaded.set });
        const strict = check({ files: named, catalogs: loaded.set }, { strict: true });
        for (const d of result.diagnostics) {
          expect(d.code in CODES).toBe(true);
          expect(d.message).not.toMatch(/\n|undefined|\[object/);
        }
        expect(strict.diagnostics.map((d) => `${d.code}@${d.span.offset}`)).toEqual(result.diagnostics.map((d) => `${d.code}@${d.span.offset}`));
      }),
      { seed: 99, numRuns: RUNS },
    );
  });
});
