/**
 * Every JSON Schema 2020-12 keyword a catalog may contain, and what agp does
 * with it: an annotation (no validation meaning, accepted and ignored), a
 * keyword every engine enforces, or a keyword refused at load with a reason
 * and a fix. Nothing with validation meaning is accepted unenforced
 * (docs/decisions/0010-catalog-keywords.md has the table and the reasons).
 *
 * In: a schema object and where it is. Out: AGP407 (refused keyword),
 * AGP416 (a misspelled validation keyword) and AGP408 (an unknown keyword,
 * ignored) diagnostics. Must not read a keyword's value through a plain
 * object lookup keyed by user text (a key named `constructor` or
 * `__proto__` must not find Object.prototype's members).
 */
import { closestMatch, diagnostic } from "../diagnostics/index.js";
import { toPointer } from "./json-source.js";
import type { JsonValue } from "./types.js";

/** What reduction needs to report through. */
export interface KeywordContext {
  spanOf(pointer: string, options?: { key?: boolean }): import("../diagnostics/index.js").Span;
  readonly diagnostics: import("../diagnostics/index.js").Diagnostic[];
}

/** Keywords that describe and never constrain (2020-12's meta-data, content and format-annotation vocabularies, and core keywords with no validation meaning). */
export const ANNOTATION_KEYWORDS: ReadonlySet<string> = new Set([
  "title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly", "$comment",
  "format", "contentMediaType", "contentEncoding", "contentSchema", "$anchor", "$schema",
  // agp's own annotation: the property's value is a secret, never written to the audit log or a ticket (reduce.ts).
  "x-agp-secret",
]);

/** Keywords every engine enforces on requests (or, for `$ref` and the combinators, that shape the type). */
export const ENFORCED_KEYWORDS: ReadonlySet<string> = new Set([
  "type", "enum", "const",
  "maxLength", "minLength", "pattern",
  "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
  "items", "maxItems", "minItems", "uniqueItems",
  "properties", "required", "additionalProperties", "minProperties", "maxProperties", "dependentRequired",
  "oneOf", "anyOf", "$ref", "x-agp-ordered",
]);

/** Keywords refused at load: why, and what to write instead. */
export const REFUSED_KEYWORDS: ReadonlyMap<string, { readonly reason: string; readonly help?: string }> = new Map([
  ["allOf", { reason: "a field's type would be the intersection of schemas", help: "merge the subschemas into one schema" }],
  ["not", { reason: "a policy type cannot be the complement of a schema", help: "list what is allowed (`enum`, bounds) instead" }],
  ["if", { reason: "conditional schemas give a field no single type", help: "use `oneOf` of complete schemas" }],
  ["then", { reason: "conditional schemas give a field no single type", help: "use `oneOf` of complete schemas" }],
  ["else", { reason: "conditional schemas give a field no single type", help: "use `oneOf` of complete schemas" }],
  ["dependentSchemas", { reason: "conditional schemas give a field no single type", help: "use `dependentRequired`, or `oneOf` of complete schemas" }],
  ["prefixItems", { reason: "tuples are not supported", help: "use an object with named fields" }],
  ["contains", { reason: "agp does not check `contains` on requests", help: "test it in a rule: `any x in args.list: …`" }],
  ["minContains", { reason: "agp does not check `contains` on requests", help: "test it in a rule: `any x in args.list: …`" }],
  ["maxContains", { reason: "agp does not check `contains` on requests", help: "test it in a rule: `any x in args.list: …`" }],
  ["patternProperties", { reason: "agp does not check properties by the pattern of their names", help: "declare the properties, or use `additionalProperties` with a schema" }],
  ["propertyNames", { reason: "agp does not check property names on requests", help: "declare the properties and set `additionalProperties: false`" }],
  ["unevaluatedProperties", { reason: "agp does not track evaluated properties", help: "use `additionalProperties` instead" }],
  ["unevaluatedItems", { reason: "agp does not track evaluated items", help: "use `items` instead" }],
  ["$dynamicRef", { reason: "only local `$ref` to `#/$defs/…` is supported" }],
  ["$dynamicAnchor", { reason: "only local `$ref` to `#/$defs/…` is supported" }],
  ["$recursiveRef", { reason: "only local `$ref` to `#/$defs/…` is supported" }],
  ["$recursiveAnchor", { reason: "only local `$ref` to `#/$defs/…` is supported" }],
  ["$vocabulary", { reason: "a catalog is not a meta-schema" }],
  ["$id", { reason: "a catalog is one schema resource", help: "remove the nested `$id`" }],
  ["$defs", { reason: "definitions live at the top of the catalog", help: "put shared definitions in the `$defs` at the top of the catalog" }],
  ["definitions", { reason: "definitions live at the top of the catalog", help: "put shared definitions in the `$defs` at the top of the catalog" }],
]);

const KNOWN = [...ANNOTATION_KEYWORDS, ...ENFORCED_KEYWORDS, ...REFUSED_KEYWORDS.keys()];

/** `x-…` keywords are vendor extensions and pass silently, except misspelled `x-agp-` ones. */
export function isVendor(keyword: string): boolean {
  return keyword.startsWith("x-") && !keyword.startsWith("x-agp-");
}

/** Reports every refused, misspelled or unknown keyword of one schema object. */
export function checkKeywords(schema: { readonly [key: string]: JsonValue }, pointer: string, ctx: KeywordContext): void {
  for (const keyword of Object.keys(schema)) {
    if (ANNOTATION_KEYWORDS.has(keyword) || ENFORCED_KEYWORDS.has(keyword) || isVendor(keyword)) continue;
    const keyPointer = `${pointer}${toPointer([keyword])}`;
    const refused = REFUSED_KEYWORDS.get(keyword);
    if (refused !== undefined) {
      refuseKeyword(ctx, keyword, keyPointer, refused.reason, refused.help);
      continue;
    }
    const near = closestMatch(keyword, KNOWN);
    if (near !== undefined && (ENFORCED_KEYWORDS.has(near) || REFUSED_KEYWORDS.has(near))) {
      // A misspelled constraint (`maxlength`) would silently not be enforced: an error, not a guess.
      ctx.diagnostics.push(diagnostic("AGP416", ctx.spanOf(keyPointer, { key: true }), { keyword, pointer: keyPointer, near }));
      continue;
    }
    ctx.diagnostics.push(
      diagnostic(
        "AGP408",
        ctx.spanOf(keyPointer, { key: true }),
        { keyword, pointer: keyPointer, reason: "it is not a JSON Schema 2020-12 keyword" },
        near === undefined ? { help: "agp ignores keywords JSON Schema does not define; prefix your own with `x-`" } : { help: `did you mean \`${near}\`?` },
      ),
    );
  }
}

/** Reports AGP407 at a keyword (underlining the keyword itself). */
export function refuseKeyword(ctx: KeywordContext, keyword: string, pointer: string, reason: string, help?: string): void {
  ctx.diagnostics.push(
    diagnostic("AGP407", ctx.spanOf(pointer, { key: true }), { keyword, pointer, reason }, help === undefined ? {} : { help }),
  );
}
