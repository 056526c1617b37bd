/**
 * Compiles a scenario with agp, in memory: parse, check, compile (what
 * `agp compile` does, minus file I/O), against the scenario's catalogs.
 *
 * In: a `Scenario`. Out: `AgpCompiled` (the text, the checked policy set,
 * the catalogs, the compiled module); throws on any diagnostic error (a
 * benchmark policy must be valid). Must not load the runtime or Cedar, so
 * the compile worker stays light.
 */
import { loadCatalog, mergeCatalogs, type Catalog, type CatalogSet } from "../../compiler/catalog/index.js";
import { check, type CheckedPolicySet } from "../../compiler/check/index.js";
import { compilePolicy, type CompiledPolicy } from "../../compiler/compile/index.js";
import { parse } from "../../compiler/syntax/index.js";
import type { Scenario } from "./description.js";
import { toAgp } from "./to-agp.js";

/** A scenario compiled by agp, in memory. */
export interface AgpCompiled {
  readonly text: string;
  readonly checked: CheckedPolicySet;
  readonly catalogs: CatalogSet;
  readonly compiled: CompiledPolicy;
}

/** Parses, checks and compiles a scenario's .agp text against its catalogs; throws on any error. */
export function compileScenario(scenario: Scenario): AgpCompiled {
  const text = toAgp(scenario);
  const loaded: Catalog[] = [];
  for (const [file, json] of Object.entries(scenario.catalogs)) {
    const catalog = loadCatalog(file, JSON.stringify(json));
    if (catalog.catalog === undefined) throw new Error(`catalog ${file}: ${catalog.diagnostics.map((d) => d.message).join("; ")}`);
    loaded.push(catalog.catalog);
  }
  const catalogs = mergeCatalogs(loaded).set;
  const file = `${scenario.name}.agp`;
  const parsed = parse(text, file);
  if (parsed.diagnostics.length > 0) throw new Error(`${file}: ${parsed.diagnostics.map((d) => d.message).join("; ")}`);
  const checkedResult = check({ files: [parsed.file], catalogs });
  const errors = checkedResult.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0 || checkedResult.checked === undefined) throw new Error(`${file} does not check: ${errors.map((d) => `${d.code} ${d.message}`).join("; ")}`);
  const result = compilePolicy(checkedResult.checked, catalogs);
  if (result.compiled === undefined) throw new Error(`${file} does not compile: ${result.diagnostics.map((d) => `${d.code} ${d.message}`).join("; ")}`);
  return { text, checked: checkedResult.checked, catalogs, compiled: result.compiled };
}
