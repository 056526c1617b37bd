/**
 * AGP4xx: action catalog errors, reported when catalogs are loaded or imported
 * (compiler/catalog). Each points into the catalog file at the JSON value the
 * problem is about and names its JSON pointer. docs/errors.md has an example,
 * the rendered message and the fix for every code.
 */
import type { CodeEntry } from "./entry.js";

export const CATALOG_CODES = {
  AGP400: {
    title: "catalog not readable",
    severity: "error",
    message: "cannot read catalog `{path}`: {reason}",
    help: "check the path in the `actions` statement; it is relative to the .agp file",
  },
  AGP401: {
    title: "catalog is not JSON",
    severity: "error",
    message: "invalid JSON: {reason}",
  },
  AGP402: {
    title: "catalog format violation",
    severity: "error",
    message: "invalid catalog at {where}: {reason}",
    help: "see docs/catalogs.md for the catalog format",
  },
  AGP403: {
    title: "invalid JSON Schema",
    severity: "error",
    message: "the schema at `{pointer}` is not valid JSON Schema 2020-12: {reason}",
  },
  AGP404: {
    title: "metadata value of the wrong type",
    severity: "error",
    message: "metadata `{key}` of action `{action}` must be {expected}, found `{found}`",
    help: "the catalog's `metadata` section declares the type of `{key}`",
  },
  AGP405: {
    title: "undeclared metadata key",
    severity: "error",
    message: "action `{action}` sets metadata `{key}`, which the catalog does not declare",
    help: "declare `{key}` and its type in the catalog's top-level `metadata` section",
  },
  AGP406: {
    title: "missing metadata value",
    severity: "error",
    message: "action `{action}` has no value for metadata `{key}`",
    help: "set `{key}` in the action's `metadata`, or give the declaration a `default`",
  },
  AGP407: {
    title: "unsupported JSON Schema construct",
    severity: "error",
    message: "`{keyword}` at `{pointer}` is not supported in catalogs: {reason}",
  },
  AGP408: {
    title: "schema keyword not enforced",
    severity: "warning",
    message: "`{keyword}` at `{pointer}` is ignored: {reason}",
  },
  AGP409: {
    title: "actions without a family",
    severity: "error",
    message: "the catalog declares `actions` but no `family`",
    help: 'add `"family": "<name>"`: action names in policies are `<family>.<action>`',
  },
  AGP410: {
    title: "duplicate action",
    severity: "error",
    message: "action `{action}` is declared by two catalogs",
    help: "each action belongs to one catalog; rename it or drop one of the catalogs",
  },
  AGP411: {
    title: "request shape declared twice",
    severity: "error",
    message: "the request shape is declared by two catalogs",
    help: "keep `request` in one project catalog (e.g. schemas/project.json)",
  },
  AGP412: {
    title: "duplicate JSON key",
    severity: "error",
    message: "key `{key}` appears twice in the same object",
    help: "JSON readers disagree on which value wins; keep one",
  },
} as const satisfies Record<string, CodeEntry>;
