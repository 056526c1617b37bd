/**
 * Test support for compiler/analyze: check policy text against catalogs
 * given as JSON, run `analyze` or `diff` on one shared solver, and render
 * findings exactly as the CLI prints them.
 *
 * In: .agp texts and catalog JSON. Out: findings and their text.
 */
import { analyze, confirmerFor, diff, QueryRunner, renderFinding, type Confirmer, type Finding, type Solver } from "../../compiler/analyze/index.js";
import type { CatalogSet } from "../../compiler/catalog/index.js";
import type { CheckedPolicySet } from "../../compiler/check/index.js";
import { loadCatalog, mergeCatalogs, type Catalog, type SchemaLocation } from "../../compiler/catalog/index.js";
import { check } from "../../compiler/check/index.js";
import type { Span } from "../../compiler/diagnostics/index.js";
import { parse } from "../../compiler/syntax/index.js";
import { locator } from "../../compiler/cli/policy-set.js";

export const SCHEMA = "https://json-schema.org/draft/2020-12/schema";

/** A small catalog: tickets with an enum, bounded numbers and strings, an array, an optional field. */
export const DEMO = {
  "demo.json": {
    $schema: SCHEMA,
    family: "demo",
    metadata: { costClass: { type: "string", enum: ["low", "medium", "high"], "x-agp-ordered": true, default: "low" } },
    actions: {
      "ticket.open": {
        args: {
          type: "object",
          properties: {
            severity: { type: "string", enum: ["sev1", "sev2", "sev3"] },
            priority: { type: "integer", minimum: 1, maximum: 10 },
            draft: { type: "boolean" },
            title: { type: "string", minLength: 1, maxLength: 64 },
            labels: { type: "array", items: { type: "string", maxLength: 16 }, maxItems: 8 },
            assignee: { type: "string", maxLength: 32 },
          },
          required: ["severity", "priority", "draft", "title", "labels"],
          additionalProperties: false,
        },
      },
      "ticket.close": {
        metadata: { costClass: "high" },
        args: { type: "object", properties: { id: { type: "integer", minimum: 1 } }, required: ["id"], additionalProperties: false },
      },
    },
  },
} as const;

export interface Checked {
  readonly checked: CheckedPolicySet;
  readonly catalogs: CatalogSet;
  readonly confirmer: Confirmer;
  readonly sources: Map<string, string>;
  readonly locate: (location: SchemaLocation) => Span | undefined;
}

/** Checks and compiles `text` as `policy.agp` against `catalogs` (written out as indented JSON). */
export function checked(text: string, catalogJson: Readonly<Record<string, object>> = DEMO): Checked {
  const header = text.includes("package ") ? "" : `package demo\nactions "${Object.keys(catalogJson)[0]}"\n\n`;
  const full = header + text;
  const sources = new Map([["policy.agp", full]]);
  const catalogs: Catalog[] = [];
  for (const [file, json] of Object.entries(catalogJson)) {
    const source = `${JSON.stringify(json, null, 2)}\n`;
    sources.set(file, source);
    const loaded = loadCatalog(file, source);
    if (loaded.catalog === undefined) throw new Error(`catalog ${file}: ${loaded.diagnostics.map((d) => d.message).join("; ")}`);
    catalogs.push(loaded.catalog);
  }
  const set = mergeCatalogs(catalogs).set;
  const parsed = parse(full, "policy.agp");
  if (parsed.diagnostics.length > 0) throw new Error(parsed.diagnostics.map((d) => d.message).join("; "));
  const pkg = parsed.file.statements.find((st) => st.kind === "Package");
  const name = pkg?.kind === "Package" ? pkg.name.parts.join(".") : "";
  const result = check({ files: [parsed.file], catalogs: set, packageCatalogs: new Map([[name, Object.keys(catalogJson)]]) });
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0 || result.checked === undefined) throw new Error(`does not check: ${errors.map((d) => `${d.code} ${d.message}`).join("; ")}`);
  const confirmer = confirmerFor(result.checked, set);
  if (!("decide" in confirmer)) throw new Error(`does not compile: ${confirmer.diagnostics.map((d) => d.message).join("; ")}`);
  return { checked: result.checked, catalogs: set, confirmer, sources, locate: locator(sources) };
}

/** Analyzes a policy; findings and their rendered text. */
export async function analyzeText(solver: Solver, text: string, catalogs?: Readonly<Record<string, object>>): Promise<{ findings: readonly Finding[]; text: string; set: Checked }> {
  const set = checked(text, catalogs);
  const runner = new QueryRunner(solver, 10_000);
  const result = await analyze({ checked: set.checked, catalogs: set.catalogs, runner, confirmer: set.confirmer, locate: set.locate });
  return { findings: result.findings, text: result.findings.map((f) => renderFinding(f, set.sources)).join("\n\n"), set };
}

/** Diffs two policies over the same catalogs. */
export async function diffTexts(solver: Solver, before: string, after: string, catalogs?: Readonly<Record<string, object>>) {
  const b = checked(before, catalogs);
  const a = checked(after, catalogs);
  const runner = new QueryRunner(solver, 10_000);
  const result = await diff({ before: { ...b }, after: { ...a }, runner });
  return { result, before: b, after: a, text: result.findings.map((f) => renderFinding(f, f.side === "before" ? b.sources : a.sources)).join("\n\n") };
}
