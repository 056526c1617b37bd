/**
 * Property: random well-typed policies over the example catalogs check
 * without errors; each single mutation of one (renaming a field, changing
 * a literal's type, using an enum member that does not exist) is caught
 * with the expected code. Fixed seed; AGP_PROPERTY_RUNS raises the number
 * of runs (default sized for a few seconds).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadCatalogFiles } from "../../compiler/catalog/index.js";
import { check } from "../../compiler/check/index.js";
import { renderDiagnostics } from "../../compiler/diagnostics/index.js";
import { parse } from "../../compiler/syntax/index.js";
import { generatePolicy, Random } from "./generate.js";
import { GENERATED_SCHEMAS } from "../support/schemas.js";

const loaded = await loadCatalogFiles(GENERATED_SCHEMAS);
const HEADER = "package gen\n\n";
const RUNS = Number(process.env["AGP_PROPERTY_RUNS"] ?? 150);

function checkText(text: string) {
  const parsed = parse(text, "gen.agp");
  const result = check({ files: [parsed.file], catalogs: loaded.set });
  return { parsed, diagnostics: [...parsed.diagnostics, ...result.diagnostics] };
}

describe("checker property", () => {
  it("loads the example catalogs cleanly", () => {
    expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(loaded.set.actions.size).toBeGreaterThan(10);
  });

  it("random well-typed policies check clean, and every single mutation is caught", () => {
    let mutantsChecked = 0;
    const seen = { quantifier: 0, guard: 0, family: 0, stringTest: 0, enumMember: 0, limit: 0, budget: 0, humanRule: 0, humanGuard: 0 };
    fc.assert(
      fc.property(fc.noShrink(fc.integer({ min: 1, max: 2 ** 31 - 1 })), (seed) => {
        const generated = generatePolicy(new Random(seed), loaded.set, HEADER);
        if (/(any|all) x in/.test(generated.text)) seen.quantifier++;
        if (/\(has /.test(generated.text)) seen.guard++;
        if (/\.\*\n/.test(generated.text)) seen.family++;
        if (/ (startsWith|endsWith|matches|contains) "/.test(generated.text)) seen.stringTest++;
        if (generated.mutants.some((m) => m.code === "AGP212")) seen.enumMember++;
        if (/^limit /m.test(generated.text)) seen.limit++;
        if (/ cost args\./.test(generated.text)) seen.budget++;
        if (/ for human\n/.test(generated.text)) seen.humanRule++;
        if (/has human and/.test(generated.text)) seen.humanGuard++;
        const clean = checkText(generated.text);
        const errors = clean.diagnostics.filter((d) => d.severity === "error");
        if (errors.length > 0) {
          throw new Error(`seed ${seed}: a well-typed policy was rejected\n${generated.text}\n${renderDiagnostics(errors, new Map([["gen.agp", generated.text]]))}`);
        }
        for (const mutant of generated.mutants) {
          mutantsChecked++;
          const codes = checkText(mutant.text).diagnostics.filter((d) => d.severity === "error").map((d) => d.code);
          if (!codes.includes(mutant.code as never)) {
            throw new Error(`seed ${seed}: mutation "${mutant.what}" not caught as ${mutant.code} (got ${codes.join(", ") || "nothing"})\n${mutant.text}`);
          }
        }
      }),
      { seed: 20261121, numRuns: RUNS },
    );
    expect(mutantsChecked).toBeGreaterThan(RUNS);
    // The generator reaches every kind of test it knows, so a pass means something.
    for (const [kind, count] of Object.entries(seen)) expect(count, `generated policies with a ${kind}`).toBeGreaterThan(0);
  });
});
