/**
 * Reading a policy set for the analysis verbs (`agp analyze`, `agp diff`,
 * `agp replay`): check the `.agp` files under some paths, load the catalogs
 * their packages name, and know how to point at a catalog's action.
 *
 * In: paths relative to a directory. Out: the checked set, its catalogs,
 * the texts read (for excerpts) and a locator for schema pointers; or the
 * diagnostics that stop it. Must not analyze anything.
 */
import { hasErrors, type Diagnostic, type Span } from "../diagnostics/index.js";
import { checkPaths, type CheckedPolicySet } from "../check/index.js";
import { parseJsonSource, type CatalogSet, type SchemaLocation } from "../catalog/index.js";
import { loadCatalogsOf } from "../compile/index.js";

export interface LoadedPolicySet {
  readonly checked: CheckedPolicySet;
  readonly catalogs: CatalogSet;
  readonly sources: Map<string, string>;
  readonly files: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
  locate(location: SchemaLocation): Span | undefined;
}

/** Checks the policy set under `paths`; the diagnostics when it has errors. */
export async function loadPolicySet(paths: readonly string[], cwd: string): Promise<LoadedPolicySet | { readonly diagnostics: readonly Diagnostic[]; readonly sources: Map<string, string> }> {
  const result = await checkPaths(paths, { cwd });
  if (result.checked === undefined || hasErrors(result.diagnostics)) return { diagnostics: result.diagnostics, sources: result.sources };
  const catalogs = await loadCatalogsOf(result.checked, cwd);
  return { checked: result.checked, catalogs, sources: result.sources, files: result.files, diagnostics: result.diagnostics, locate: locator(result.sources) };
}

/** Finds a schema pointer in the catalog texts read. */
export function locator(sources: ReadonlyMap<string, string>): (location: SchemaLocation) => Span | undefined {
  const parsed = new Map<string, ReturnType<typeof parseJsonSource>>();
  return (location) => {
    const text = sources.get(location.file);
    if (text === undefined) return undefined;
    let json = parsed.get(location.file);
    if (json === undefined) {
      json = parseJsonSource(location.file, text);
      parsed.set(location.file, json);
    }
    return json.spanOf(location.pointer, { key: true });
  };
}
