/**
 * Test support for the compile pipeline: compile paths or policy text (with
 * catalogs) through the real checker, and load the result in the real
 * runtime next to the reference interpreter, so tests compare the two.
 *
 * In: paths, or .agp text + catalog JSON. Out: `Pair`: the compiled policy,
 * an engine (runtime/) and an interpreter (compiler/interpret) over the same
 * checked policy set.
 */
import { loadCatalog, mergeCatalogs, type Catalog, type CatalogSet } from "../../compiler/catalog/index.js";
import { check, type CheckedPolicySet } from "../../compiler/check/index.js";
import { compilePolicy, loadCatalogsOf, type CompiledPolicy } from "../../compiler/compile/index.js";
import { checkPaths } from "../../compiler/check/index.js";
import { interpretChecked, type Interpreter } from "../../compiler/interpret/index.js";
import { parse } from "../../compiler/syntax/index.js";
import { loadPolicySync, type PolicyEngine } from "../../runtime/index.js";

export interface Pair {
  readonly compiled: CompiledPolicy;
  readonly engine: PolicyEngine;
  readonly interpreter: Interpreter;
  readonly catalogs: CatalogSet;
  readonly checked: CheckedPolicySet;
}

/** Compiles `paths` (relative to the repo root) and loads both engines. */
export async function pairFromPaths(paths: readonly string[]): Promise<Pair> {
  const result = await checkPaths(paths);
  if (result.checked === undefined) throw new Error(`does not check: ${result.diagnostics.map((d) => d.message).join("; ")}`);
  const catalogs = await loadCatalogsOf(result.checked, process.cwd());
  return pairOf(result.checked, catalogs);
}

/** Checks `.agp` texts against catalogs given as JSON objects (file name → catalog). */
export function checkText(files: Readonly<Record<string, string>>, catalogJson: Readonly<Record<string, object>>): { checked: CheckedPolicySet; catalogs: CatalogSet } {
  const catalogs: Catalog[] = [];
  for (const [file, json] of Object.entries(catalogJson)) {
    const loaded = loadCatalog(file, JSON.stringify(json));
    if (loaded.catalog === undefined) throw new Error(`catalog ${file}: ${loaded.diagnostics.map((d) => d.message).join("; ")}`);
    catalogs.push(loaded.catalog);
  }
  const set = mergeCatalogs(catalogs).set;
  const parsed = Object.entries(files).map(([file, text]) => {
    const p = parse(text, file);
    if (p.diagnostics.length > 0) throw new Error(`${file}: ${p.diagnostics.map((d) => d.message).join("; ")}`);
    return p.file;
  });
  const packageCatalogs = new Map<string, string[]>();
  for (const ast of parsed) {
    const pkg = ast.statements.find((s) => s.kind === "Package");
    const name = pkg?.kind === "Package" ? pkg.name.parts.join(".") : "";
    packageCatalogs.set(name, Object.keys(catalogJson));
  }
  const result = check({ files: parsed, catalogs: set, packageCatalogs });
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0 || result.checked === undefined) throw new Error(`does not check: ${errors.map((d) => `${d.code} ${d.message}`).join("; ")}`);
  return { checked: result.checked, catalogs: set };
}

/** Compiles a checked policy set and loads it in the runtime, next to the interpreter. */
export function pairOf(checked: CheckedPolicySet, catalogs: CatalogSet): Pair {
  const out = compilePolicy(checked, catalogs, { version: "1.2.3" });
  if (out.compiled === undefined) throw new Error(`does not compile: ${out.diagnostics.map((d) => `${d.code} ${d.message}`).join("; ")}`);
  const engine = loadPolicySync(out.compiled.wasm);
  const interpreter = interpretChecked(checked, catalogs, { policy: { hash: out.compiled.manifest.policy.hash, version: "1.2.3" } });
  return { compiled: out.compiled, engine, interpreter, catalogs, checked };
}
