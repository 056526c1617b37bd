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
    title: "unknown schema keyword",
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
  AGP413: {
    title: "pattern agp cannot enforce",
    severity: "error",
    message: "the pattern at `{pointer}` cannot be enforced: {reason}",
    help: "agp enforces patterns a finite automaton decides (no back-references, lookaround, `\\b` or `\\p{…}`); rewrite it, or test the value with `matches` in a rule",
  },
  AGP414: {
    title: "schema nested too deeply",
    severity: "error",
    message: "the schema at `{pointer}` nests more than {limit} levels deep (counting `$ref`s)",
    help: "flatten the schema; a request field nested this deep cannot be read by a policy anyway",
  },
  AGP415: {
    title: "enum too large",
    severity: "error",
    message: "`{keyword}` at `{pointer}` lists {count} members; a catalog enum may list at most {limit}",
    help: "use a `pattern` or a bounded string instead, and test membership in a rule if it matters",
  },
  AGP416: {
    title: "misspelled schema keyword",
    severity: "error",
    message: "`{keyword}` at `{pointer}` is not a JSON Schema 2020-12 keyword",
    help: "did you mean `{near}`? a misspelled constraint would not be enforced, so agp refuses it",
  },
  AGP420: {
    title: "`x-agp-secret` is not a boolean",
    severity: "error",
    message: "`x-agp-secret` at `{pointer}` must be `true` or `false`",
    help: "write `\"x-agp-secret\": true` on a property whose value must never reach the audit log or an approval ticket",
  },
  AGP421: {
    title: "`x-agp-secret` marks nothing",
    severity: "warning",
    message: "`x-agp-secret` at `{pointer}` is ignored: it marks a property (or a `$defs` definition a property references), not this schema",
    help: "move it onto the property whose value is secret, e.g. `\"password\": { \"type\": \"string\", \"x-agp-secret\": true }`",
  },
  AGP430: {
    title: "unbounded string or array",
    severity: "warning",
    message: "`{field}` of `{action}` ({type}) has no {missing}: {consequence}",
    help: "add `\"{missing}\": N` to its schema (bounded-time evaluation reads at most N); `agp schema import-mcp --{flag} N` adds one where a tool gives none",
  },
} as const satisfies Record<string, CodeEntry>;
