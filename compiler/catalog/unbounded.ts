/**
 * The strings and arrays of a catalog's actions that have no `maxLength` /
 * `maxItems`: what `agp schema import-mcp` lists when it writes a catalog,
 * and what `agp schema check` reports as AGP430 warnings (errors under
 * `--strict`), so the bounds an import warned about are not forgotten.
 *
 * In: a loaded catalog set and a way to place a schema pointer. Out: one
 * entry (or diagnostic) per field and missing bound, a union's alternatives
 * counted once. Must not change any catalog.
 */
import { diagnostic, type Diagnostic, type Span } from "../diagnostics/index.js";
import { walkType } from "./query.js";
import type { Catalog, SchemaLocation } from "./types.js";

/** A field policies cannot inspect until its schema gets a bound. */
export interface UnboundedField {
  /** The action's full name, e.g. `mail.send`. */
  readonly action: string;
  /** The field path inside the arguments: `recipients`, `attachments[].name`. */
  readonly field: string;
  readonly type: "string" | "array";
  readonly missing: "maxLength" | "maxItems";
  /** Where the bound belongs. */
  readonly location: SchemaLocation;
}

/** Every unbounded string and array in the actions of `catalogs`. */
export function unboundedFields(catalogs: readonly Catalog[]): UnboundedField[] {
  const found = new Map<string, UnboundedField>();
  for (const catalog of catalogs) {
    for (const action of catalog.actions) {
      walkType(action.args, (type, field) => {
        if (type.kind === "string" && type.maxLength === undefined) {
          found.set(`${action.name}|${field}|maxLength`, { action: action.name, field, type: "string", missing: "maxLength", location: type.location });
        } else if (type.kind === "array" && type.maxItems === undefined) {
          found.set(`${action.name}|${field}|maxItems`, { action: action.name, field, type: "array", missing: "maxItems", location: type.location });
        }
      });
    }
  }
  return [...found.values()];
}

/** AGP430 for each unbounded field, placed by `locate`. */
export function unboundedDiagnostics(catalogs: readonly Catalog[], locate: (location: SchemaLocation) => Span): Diagnostic[] {
  return unboundedFields(catalogs).map((f) =>
    diagnostic("AGP430", locate(f.location), {
      field: f.field,
      action: f.action,
      type: f.type,
      missing: f.missing,
      flag: f.missing === "maxLength" ? "max-length" : "max-items",
      consequence: f.missing === "maxItems" ? "policies cannot quantify over it" : "policies cannot use `startsWith`, `endsWith`, `contains` or `matches` on it",
    }),
  );
}
