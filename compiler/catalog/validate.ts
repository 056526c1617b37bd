/**
 * The ajv side of catalog loading: the catalog meta-schema, JSON Schema
 * validity of every embedded schema (with its references and regular
 * expressions), and validators for metadata declarations.
 *
 * In: a parsed catalog document and its located source. Out: AGP402, AGP403,
 * AGP407 (references leaving the file) and AGP409 diagnostics pointing at
 * the offending JSON value, and validator functions. Only this file imports
 * ajv, so the rest of compiler/catalog speaks agp terms.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { closestMatch, diagnostic, type Diagnostic } from "../diagnostics/index.js";
import catalogMetaSchema from "./catalog.schema.json" with { type: "json" };
import type { JsonSource } from "./json-source.js";
import { toPointer, valueAt } from "./json-source.js";
import type { JsonValue } from "./types.js";

/** One ajv instance: non-strict, because catalogs carry `x-agp-*` and vendor keywords that reduce.ts judges. */
const ajv = new Ajv2020({ allErrors: true, strict: false, verbose: true, validateFormats: false });
const validateCatalogShape: ValidateFunction = ajv.compile(catalogMetaSchema);

/** Reserved metadata keys, and why (for AGP402 messages). */
const RESERVED_METADATA: Record<string, string> = {
  name: "`action.name` is the action's full name",
  family: "`action.family` is the catalog's family",
  readOnly: "`readOnly` is built in (a boolean, false unless an action says otherwise)",
};

/** Checks a document against compiler/catalog/catalog.schema.json. */
export function checkCatalogShape(document: JsonValue, source: JsonSource): Diagnostic[] {
  if (validateCatalogShape(document)) return [];
  // Wrapper errors (`propertyNames`) and the branches of an `anyOf` are described by one message each.
  const errors = (validateCatalogShape.errors ?? []).filter((e) => e.keyword !== "propertyNames" && !e.schemaPath.includes("/anyOf/"));
  const diagnostics: Diagnostic[] = [];
  for (const error of firstPerPointer(errors)) {
    if (error.keyword === "dependentRequired" && error.params.missingProperty === "family") {
      diagnostics.push(diagnostic("AGP409", source.spanOf("/actions", { key: true })));
      continue;
    }
    const { pointer, key, reason, help } = describeShapeError(error);
    const span = source.spanOf(pointer, { key });
    const where = pointer === "" ? "the top level" : `\`${pointer}\``;
    diagnostics.push(diagnostic("AGP402", span, { where, reason }, help === undefined ? {} : { help }));
  }
  return diagnostics;
}

function describeShapeError(error: ErrorObject): { pointer: string; key: boolean; reason: string; help?: string } {
  const at = error.instancePath;
  const params = error.params as Record<string, unknown>;
  const propertyName = (error as ErrorObject & { propertyName?: string }).propertyName;
  if (propertyName !== undefined) {
    const pointer = `${at}${toPointer([propertyName])}`;
    if (error.schemaPath.startsWith("#/$defs/metadataKey/not")) {
      return { pointer, key: true, reason: `\`${propertyName}\` is reserved: ${RESERVED_METADATA[propertyName] ?? "agp defines it"}` };
    }
    if (error.schemaPath.startsWith("#/$defs/obligationName/not")) {
      return { pointer, key: true, reason: `\`${propertyName}\` cannot name an obligation: gateways read obligations as object keys` };
    }
    const what = error.schemaPath.startsWith("#/$defs/actionKey")
      ? "an action name"
      : error.schemaPath.startsWith("#/$defs/obligationName")
        ? "an obligation name"
        : "a metadata key";
    return {
      pointer,
      key: true,
      reason: `\`${propertyName}\` is not ${what}`,
      help: "use letters, digits, `_` and inner `-`, starting with a letter or `_`" + (what === "an action name" ? ", with `.` between words (`pull_request.open`)" : ""),
    };
  }
  switch (error.keyword) {
    case "additionalProperty":
    case "additionalProperties": {
      const name = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const near = closestMatch(name, allowed);
      return {
        pointer: `${at}${toPointer([name])}`,
        key: true,
        reason: `unknown property \`${name}\``,
        help: near !== undefined ? `did you mean \`${near}\`?` : `allowed here: ${allowed.map((a) => `\`${a}\``).join(", ")}`,
      };
    }
    case "required":
      return { pointer: at, key: false, reason: `missing property \`${String(params.missingProperty)}\`` };
    case "dependentRequired":
      return { pointer: at === "" ? "/family" : at, key: true, reason: "`family` needs `actions` beside it" };
    case "anyOf":
      // The meta-schema has two `anyOf`s: the catalog root, and object schemas (args, agent, human, context).
      return error.schemaPath === "#/anyOf"
        ? { pointer: at, key: false, reason: "a catalog declares `actions` (with a `family`), a `request` shape, approver `groups`, `obligations`, or several of these" }
        : { pointer: at, key: false, reason: 'this schema must say `"type": "object"` (or be a `$ref` to a definition)' };
    case "type":
      return { pointer: at, key: false, reason: `must be ${article(String(params.type))}` };
    case "const":
      return { pointer: at, key: false, reason: `must be \`${JSON.stringify(params.allowedValue)}\`` };
    case "pattern":
      return { pointer: at, key: false, reason: `\`${String(error.data)}\` is not a valid family name`, help: "use letters, digits, `_` and inner `-`, starting with a letter or `_`" };
    default:
      return { pointer: at, key: false, reason: error.message ?? error.keyword };
  }
}

/**
 * Checks that a schema embedded in a catalog is valid JSON Schema 2020-12
 * (ajv's meta-schema check), that its regular expressions compile, and, with
 * `resolveRefs`, that its references stay in the file and name a definition
 * in `defs` (the catalog's top-level `$defs`).
 */
export function checkSchema(
  pointer: string,
  source: JsonSource,
  defs: JsonValue | undefined,
  options: { resolveRefs: boolean } = { resolveRefs: true },
): Diagnostic[] {
  const schema = valueAt(source.value, pointer);
  if (typeof schema === "boolean") return [];
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) {
    return [diagnostic("AGP403", source.spanOf(pointer), { pointer, reason: "a schema is an object or a boolean" })];
  }
  if (!ajv.validateSchema(schema)) {
    return firstPerPointer(ajv.errors ?? []).map((error) => {
      const at = `${pointer}${error.instancePath}`;
      return diagnostic("AGP403", source.spanOf(at), { pointer: at, reason: describeSchemaError(error) }, hint(error));
    });
  }
  if (!options.resolveRefs) return [];
  const foreign = foreignRefs(schema, pointer);
  if (foreign.length > 0) {
    // ajv would say "can't resolve"; the real limit is agp's: one file, references into `$defs` only.
    return foreign.map((at) =>
      diagnostic("AGP407", source.spanOf(at), {
        keyword: "$ref",
        pointer: at,
        reason: "only references into the catalog's own `$defs` (`#/$defs/…`) are supported",
      }),
    );
  }
  const patterns = badPatterns(schema, pointer);
  if (patterns.length > 0) {
    return patterns.map(({ at, reason }) => diagnostic("AGP403", source.spanOf(at), { pointer: at, reason }));
  }
  // What compiling with ajv would add to validateSchema is reference resolution (and the regular
  // expressions above); checked here directly, because ajv.compile costs ~10 ms per schema and says
  // only which schema failed, not where.
  return danglingRefs(schema, pointer, defs).map((at) => {
    const ref = String(valueAt(source.value, at));
    return diagnostic("AGP403", source.spanOf(at), { pointer: at, reason: `\`$ref\` \`${ref}\` names nothing in this catalog's \`$defs\`` });
  });
}

/** A validator for one metadata declaration, or undefined when it does not compile (already reported). */
export function metadataValidator(schema: JsonValue, defs: JsonValue | undefined): ((value: JsonValue) => boolean) | undefined {
  if (typeof schema === "boolean") return () => schema;
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) return undefined;
  const prepared = standalone(schema, defs);
  const key = JSON.stringify(prepared);
  // Compiling is the slow part of loading; the same declaration (costClass) recurs across catalogs and loads.
  let validate = compiled.get(key);
  if (validate === undefined) {
    try {
      validate = ajv.compile(prepared);
    } catch {
      return undefined;
    }
    compiled.set(key, validate);
  }
  const run = validate;
  return (value) => run(value) === true;
}

const compiled = new Map<string, ValidateFunction>();

/** Pointers of every `#/$defs/…` reference that names nothing in `defs`. */
function danglingRefs(schema: JsonValue, pointer: string, defs: JsonValue | undefined): string[] {
  if (Array.isArray(schema)) return schema.flatMap((item, i) => danglingRefs(item as JsonValue, `${pointer}/${i}`, defs));
  if (schema === null || typeof schema !== "object") return [];
  return Object.entries(schema).flatMap(([key, value]) => {
    const at = `${pointer}${toPointer([key])}`;
    if (key === "$ref" && typeof value === "string") {
      const target = safeDecode(value.slice(1));
      return target !== undefined && valueAt({ $defs: defs ?? {} }, target) !== undefined ? [] : [at];
    }
    return key === "enum" || key === "const" || key === "default" || key === "examples" ? [] : danglingRefs(value, at, defs);
  });
}

function safeDecode(fragment: string): string | undefined {
  try {
    return decodeURIComponent(fragment);
  } catch {
    return undefined;
  }
}

/** Pointers of every `$ref` in a schema that does not point into the catalog's `$defs`. */
function foreignRefs(schema: JsonValue, pointer: string): string[] {
  if (Array.isArray(schema)) return schema.flatMap((item, i) => foreignRefs(item as JsonValue, `${pointer}/${i}`));
  if (schema === null || typeof schema !== "object") return [];
  return Object.entries(schema).flatMap(([key, value]) => {
    const at = `${pointer}${toPointer([key])}`;
    if (key === "$ref" && typeof value === "string") return value.startsWith("#/$defs/") ? [] : [at];
    return key === "enum" || key === "const" || key === "default" || key === "examples" ? [] : foreignRefs(value, at);
  });
}

/** Every `pattern` that is not a valid (Unicode) regular expression, located exactly; ajv would only say which schema. */
function badPatterns(schema: JsonValue, pointer: string): { at: string; reason: string }[] {
  if (Array.isArray(schema)) return schema.flatMap((item, i) => badPatterns(item as JsonValue, `${pointer}/${i}`));
  if (schema === null || typeof schema !== "object") return [];
  return Object.entries(schema).flatMap(([key, value]) => {
    const at = `${pointer}${toPointer([key])}`;
    if (key === "pattern" && typeof value === "string") {
      try {
        new RegExp(value, "u");
        return [];
      } catch (error) {
        return [{ at, reason: compileReason(error) }];
      }
    }
    return key === "enum" || key === "const" || key === "default" || key === "examples" ? [] : badPatterns(value, at);
  });
}

function standalone(schema: object, defs: JsonValue | undefined): object {
  const copy: Record<string, unknown> = { ...schema };
  // Nested `$schema`/`$id` would make ajv treat the fragment as a separate resource; reduce.ts reports `$id`.
  delete copy.$schema;
  delete copy.$id;
  if (defs !== undefined) copy.$defs = defs;
  return copy;
}

function describeSchemaError(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === "enum") {
    const allowed = (params.allowedValues as unknown[]).map((v) => `\`${String(v)}\``).join(", ");
    return `\`${String(error.data)}\` must be one of ${allowed}`;
  }
  if (error.keyword === "type") return `must be ${article(String(params.type))}`;
  return error.message ?? error.keyword;
}

function hint(error: ErrorObject): { help?: string } {
  if (error.keyword !== "enum" || typeof error.data !== "string") return {};
  const near = closestMatch(error.data, (error.params as { allowedValues: string[] }).allowedValues);
  return near === undefined ? {} : { help: `did you mean \`${near}\`?` };
}

function compileReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const regex = /Invalid regular expression: \/(.*)\/u?: (.*)/.exec(message);
  if (regex !== null) return `\`${regex[1]}\` is not a valid regular expression (${regex[2]!.toLowerCase()})`;
  return message;
}

/** Ajv reports a failed `anyOf` as every branch's error; keep the first, most specific, error per location. */
function firstPerPointer(errors: readonly ErrorObject[]): ErrorObject[] {
  const byPointer = new Map<string, ErrorObject>();
  for (const error of errors) {
    const propertyName = (error as ErrorObject & { propertyName?: string }).propertyName ?? "";
    const detail = error.params.additionalProperty ?? error.params.missingProperty ?? "";
    const key = `${error.instancePath}|${propertyName}|${String(detail)}`;
    const seen = byPointer.get(key);
    if (seen === undefined || (isCombinator(seen) && !isCombinator(error))) byPointer.set(key, error);
  }
  return [...byPointer.values()];
}

function isCombinator(error: ErrorObject): boolean {
  return error.keyword === "anyOf" || error.keyword === "oneOf";
}

function article(type: string): string {
  const names = type.split(",").map((t) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`));
  return names.join(" or ");
}
