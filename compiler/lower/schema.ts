/**
 * Catalog field types → the manifest's reduced schemas (`SchemaNode`), which
 * hosts validate requests against.
 *
 * In: a catalog `FieldType`. Out: a `SchemaNode` (runtime/manifest.ts),
 * object properties in schema order. Must not drop anything validation
 * checks (ADR 0006, "Validation"): type, integer, enum, maxLength, maxItems,
 * minimum, maximum, required, additionalProperties, unions.
 */
import type { FieldType } from "../catalog/index.js";
import type { SchemaNode } from "../../runtime/manifest.js";

/** The reduced schema of a catalog field type. */
export function schemaOf(type: FieldType): SchemaNode {
  switch (type.kind) {
    case "any":
    case "null":
    case "boolean":
      return { type: type.kind };
    case "string":
      return { type: "string", ...(type.maxLength === undefined ? {} : { maxLength: type.maxLength }), ...(type.enum === undefined ? {} : { enum: type.enum }) };
    case "number":
      return {
        type: "number",
        integer: type.integer,
        ...(type.minimum === undefined ? {} : { minimum: type.minimum }),
        ...(type.maximum === undefined ? {} : { maximum: type.maximum }),
        ...(type.enum === undefined ? {} : { enum: type.enum }),
      };
    case "array":
      return { type: "array", items: schemaOf(type.items), ...(type.maxItems === undefined ? {} : { maxItems: type.maxItems }) };
    case "object":
      return {
        type: "object",
        properties: [...type.fields.values()].map((f) => ({ name: f.name, required: f.required, schema: schemaOf(f.type) })),
        additionalProperties: type.additionalProperties,
      };
    case "union":
      return { type: "union", options: type.options.map(schemaOf) };
  }
}
