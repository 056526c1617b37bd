/**
 * Catalog field types → the manifest's reduced schemas (`SchemaNode`), which
 * hosts validate requests against.
 *
 * In: a catalog `FieldType`. Out: a `SchemaNode` (runtime/manifest.ts),
 * object properties in schema order. Must not drop anything validation
 * checks (ADR 0006, "Validation"; ADR 0010 lists the keywords): type,
 * integer, enum, string length bounds and pattern (as its automaton), number
 * bounds (inclusive or exclusive) and multipleOf, array bounds and
 * uniqueItems, required, additionalProperties (false or a schema), property
 * counts, dependentRequired, unions (and whether a oneOf is exclusive).
 */
import type { CompiledPattern, FieldType } from "../catalog/index.js";
import type { PatternAutomaton, SchemaNode } from "../../runtime/manifest.js";

/** The reduced schema of a catalog field type. */
export function schemaOf(type: FieldType): SchemaNode {
  switch (type.kind) {
    case "any":
    case "null":
    case "boolean":
      return { type: type.kind };
    case "string":
      return {
        type: "string",
        ...(type.maxLength === undefined ? {} : { maxLength: type.maxLength }),
        ...(type.minLength === undefined || type.minLength === 0 ? {} : { minLength: type.minLength }),
        ...(type.enum === undefined ? {} : { enum: type.enum }),
        ...(type.pattern === undefined ? {} : { pattern: automatonOf(type.pattern) }),
      };
    case "number":
      return {
        type: "number",
        integer: type.integer,
        ...(type.minimum === undefined ? {} : { minimum: type.minimum }),
        ...(type.exclusiveMinimum === undefined ? {} : { exclusiveMinimum: type.exclusiveMinimum }),
        ...(type.maximum === undefined ? {} : { maximum: type.maximum }),
        ...(type.exclusiveMaximum === undefined ? {} : { exclusiveMaximum: type.exclusiveMaximum }),
        ...(type.multipleOf === undefined ? {} : { multipleOf: type.multipleOf }),
        ...(type.enum === undefined ? {} : { enum: type.enum }),
      };
    case "array":
      return {
        type: "array",
        items: schemaOf(type.items),
        ...(type.maxItems === undefined ? {} : { maxItems: type.maxItems }),
        ...(type.minItems === undefined || type.minItems === 0 ? {} : { minItems: type.minItems }),
        ...(type.uniqueItems === true ? { uniqueItems: true as const } : {}),
      };
    case "object":
      return {
        type: "object",
        properties: [...type.fields.values()].map((f) => ({ name: f.name, required: f.required, schema: schemaOf(f.type), ...(f.secret === true ? { secret: true as const } : {}) })),
        additionalProperties: type.additionalProperties,
        ...(type.additional === undefined ? {} : { additional: schemaOf(type.additional) }),
        ...(type.minProperties === undefined || type.minProperties === 0 ? {} : { minProperties: type.minProperties }),
        ...(type.maxProperties === undefined ? {} : { maxProperties: type.maxProperties }),
        ...(type.dependentRequired === undefined ? {} : { dependentRequired: type.dependentRequired }),
      };
    case "union":
      return { type: "union", options: type.options.map(schemaOf), ...(type.oneOf === true ? { oneOf: true as const } : {}) };
  }
}

/** A compiled pattern's DFA as plain JSON. */
function automatonOf(pattern: CompiledPattern): PatternAutomaton {
  const dfa = pattern.dfa;
  const accepting: number[] = [];
  for (let s = 0; s < dfa.stateCount; s++) if (dfa.accepting[s] === 1) accepting.push(s);
  return {
    source: pattern.source,
    classOf: Array.from(dfa.classOf),
    classCount: dfa.classCount,
    start: dfa.start,
    dead: dfa.dead,
    transitions: Array.from(dfa.transitions),
    accepting,
  };
}
