/**
 * Loads one catalog file: JSON text in, a Catalog and its diagnostics out.
 *
 * Order: parse with positions (AGP401, AGP412) → catalog meta-schema
 * (AGP402, AGP409) → every embedded schema is valid JSON Schema (AGP403) →
 * reduce schemas to FieldTypes (AGP407, AGP408) → metadata values against
 * their declarations (AGP404–AGP406) → the `obligations` section (AGP402
 * for a merge that does not fit its type). A stage that fails stops only what
 * depends on it: an action with a broken `args` schema is left out, the
 * others load. Nothing here reads files or throws for user input.
 */
import { closestMatch, diagnostic, type Diagnostic } from "../diagnostics/index.js";
import { BUILT_IN_FILE, DEFAULT_REQUEST_SHAPE } from "./default-request.js";
import { parseJsonSource, toPointer, valueAt, type JsonSource } from "./json-source.js";
import { reduceAt, reduceObjectAt, type ReduceContext } from "./reduce.js";
import type { ActionEntry, Catalog, FieldType, JsonValue, MetadataValue, RequestShape } from "./types.js";
import { readObligations } from "./obligations.js";
import { checkCatalogShape, checkSchema, metadataValidator } from "./validate.js";

export interface LoadedCatalog {
  /** Absent when the file is not JSON or does not have the catalog format. */
  readonly catalog?: Catalog;
  readonly diagnostics: readonly Diagnostic[];
}

/** `readOnly` is metadata every action has: a boolean, false unless the action says otherwise. */
const READ_ONLY_SCHEMA = { type: "boolean", default: false } as const;
const READ_ONLY_TYPE: FieldType = { kind: "boolean", location: { file: BUILT_IN_FILE, pointer: "/metadata/readOnly" } };

type Obj = Readonly<Record<string, JsonValue>>;

/** Parses and validates one catalog. `file` is the name used in spans and locations. */
export function loadCatalog(file: string, text: string): LoadedCatalog {
  const source = parseJsonSource(file, text);
  const diagnostics: Diagnostic[] = source.problems.map((p) =>
    p.duplicateKey !== undefined
      ? diagnostic("AGP412", source.spanAt(p.offset, p.endOffset), { key: p.duplicateKey })
      : diagnostic("AGP401", source.spanAt(p.offset, p.endOffset), { reason: p.message }),
  );
  const document = source.value;
  if (document === undefined) return { diagnostics };
  const shapeErrors = checkCatalogShape(document, source);
  if (shapeErrors.length > 0) return { diagnostics: [...diagnostics, ...shapeErrors] };

  const root = document as Obj;
  // Definitions are checked once here; a broken one becomes `true` (anything) for the schemas that
  // name it, so it is not re-reported, or mis-reduced, at every use.
  // Two passes: definitions may name each other, so references are resolved only once all are valid JSON Schema.
  const defs: Record<string, JsonValue> = { ...((root.$defs ?? {}) as Obj) };
  for (const pass of [{ resolveRefs: false }, { resolveRefs: true }]) {
    for (const name of Object.keys(defs)) {
      if (defs[name] === true) continue;
      const found = checkSchema(`/$defs${toPointer([name])}`, source, { ...defs }, pass);
      if (found.length > 0) defs[name] = true;
      for (const item of found) diagnostics.push(item);
    }
  }
  const ctx: ReduceContext = { file, document: { ...root, $defs: defs }, spanOf: (p, o) => source.spanOf(p, o), diagnostics };
  const usable = (pointer: string): boolean => {
    const found = checkSchema(pointer, source, defs);
    for (const item of found) diagnostics.push(item);
    return found.length === 0;
  };

  const metadataTypes = new Map<string, FieldType>([["readOnly", READ_ONLY_TYPE]]);
  const declarations = new Map<string, { schema: JsonValue; validate?: (v: JsonValue) => boolean }>([
    ["readOnly", { schema: READ_ONLY_SCHEMA, validate: (v) => typeof v === "boolean" }],
  ]);
  // A declaration with a broken schema is reported once; actions setting that key are not blamed for it.
  const brokenKeys = new Set<string>();
  for (const [key, schema] of Object.entries((root.metadata ?? {}) as Obj)) {
    const pointer = `/metadata${toPointer([key])}`;
    if (!usable(pointer)) {
      brokenKeys.add(key);
      continue;
    }
    metadataTypes.set(key, reduceAt(pointer, ctx));
    const validate = metadataValidator(schema, defs);
    declarations.set(key, { schema, ...(validate === undefined ? {} : { validate }) });
  }

  const family = typeof root.family === "string" ? root.family : undefined;
  const actions: ActionEntry[] = [];
  for (const [key, action] of Object.entries((root.actions ?? {}) as Obj)) {
    const pointer = `/actions${toPointer([key])}`;
    const entry = action as Obj;
    const argsOk = usable(`${pointer}/args`);
    const metadata = actionMetadata(`${family}.${key}`, entry, pointer, declarations, brokenKeys, metadataTypes, source, diagnostics);
    if (!argsOk || family === undefined) continue;
    const description = typeof entry.description === "string" ? entry.description : undefined;
    // The meta-schema checks the shape: an array of distinct label names.
    const labels = Array.isArray(entry["x-agp-labels"]) ? (entry["x-agp-labels"] as string[]).filter((l) => typeof l === "string") : [];
    actions.push({
      name: `${family}.${key}`,
      family,
      ...(description === undefined ? {} : { description }),
      args: reduceObjectAt(`${pointer}/args`, ctx),
      metadata,
      ...(labels.length === 0 ? {} : { labels }),
      location: { file, pointer },
    });
  }

  const request = root.request === undefined ? undefined : requestShape(root.request as Obj, usable, ctx);
  const groups = Array.isArray(root.groups) ? (root.groups as string[]) : undefined;
  const obligations =
    root.obligations === undefined ? undefined : readObligations(file, root.obligations as Obj, (p) => source.spanOf(p, { key: false }), diagnostics);
  const catalog: Catalog = {
    file,
    ...(family === undefined ? {} : { family }),
    actions,
    ...(request === undefined ? {} : { request }),
    ...(groups === undefined ? {} : { groups }),
    ...(obligations === undefined ? {} : { obligations }),
    metadataTypes,
  };
  return { catalog, diagnostics };
}

function actionMetadata(
  action: string,
  entry: Obj,
  pointer: string,
  declarations: ReadonlyMap<string, { schema: JsonValue; validate?: (v: JsonValue) => boolean }>,
  brokenKeys: ReadonlySet<string>,
  types: ReadonlyMap<string, FieldType>,
  source: JsonSource,
  diagnostics: Diagnostic[],
): Map<string, MetadataValue> {
  const given = (entry.metadata ?? {}) as Obj;
  const metadataPointer = `${pointer}/metadata`;
  for (const name of Object.keys(given)) {
    if (declarations.has(name) || brokenKeys.has(name)) continue;
    const near = closestMatch(name, declarations.keys());
    diagnostics.push(
      diagnostic(
        "AGP405",
        source.spanOf(`${metadataPointer}${toPointer([name])}`, { key: true }),
        { action, key: name },
        near === undefined ? {} : { help: `did you mean \`${near}\`?` },
      ),
    );
  }
  const metadata = new Map<string, MetadataValue>();
  for (const [name, declaration] of declarations) {
    const type = types.get(name);
    if (type === undefined) continue;
    const fallback = typeof declaration.schema === "object" && declaration.schema !== null ? valueAt(declaration.schema, "/default") : undefined;
    const value = Object.hasOwn(given, name) ? given[name] : fallback;
    if (value === undefined) {
      const at = entry.metadata === undefined ? pointer : metadataPointer;
      diagnostics.push(diagnostic("AGP406", source.spanOf(at, { key: true }), { action, key: name }));
      continue;
    }
    if (declaration.validate !== undefined && !declaration.validate(value)) {
      const valuePointer = `${metadataPointer}${toPointer([name])}`;
      diagnostics.push(
        diagnostic(
          "AGP404",
          source.spanOf(valuePointer),
          { action, key: name, expected: describeExpected(type), found: JSON.stringify(value) },
          name === "readOnly" ? { help: "`readOnly` is built in: `true` for actions that change nothing, else `false`" } : {},
        ),
      );
      continue;
    }
    metadata.set(name, { value, type });
  }
  return metadata;
}

function requestShape(request: Obj, usable: (pointer: string) => boolean, ctx: ReduceContext): RequestShape {
  const part = <K extends "agent" | "human" | "context">(name: K) =>
    request[name] !== undefined && usable(`/request/${name}`) ? reduceObjectAt(`/request/${name}`, ctx) : DEFAULT_REQUEST_SHAPE[name];
  return {
    agent: part("agent"),
    human: part("human"),
    env: request.env !== undefined && usable("/request/env") ? reduceAt("/request/env", ctx) : DEFAULT_REQUEST_SHAPE.env,
    context: part("context"),
    location: { file: ctx.file, pointer: "/request" },
  };
}

/** "a boolean", "one of low, medium, high": the expected-type phrase of AGP404. */
function describeExpected(type: FieldType): string {
  if (type.kind === "string" && type.enum !== undefined) return `one of ${type.enum.join(", ")}`;
  if (type.kind === "number" && type.enum !== undefined) return `one of ${type.enum.join(", ")}`;
  if (type.kind === "number") {
    const name = type.integer ? "an integer" : "a number";
    if (type.minimum !== undefined && type.maximum !== undefined) return `${name} from ${type.minimum} to ${type.maximum}`;
    return name;
  }
  if (type.kind === "union") return type.options.map(describeExpected).join(" or ");
  if (type.kind === "array") return "an array";
  if (type.kind === "object") return "an object";
  if (type.kind === "any") return "a valid value";
  if (type.kind === "null") return "null";
  return `a ${type.kind}`;
}
