/**
 * Questions the checker asks of a CatalogSet: which actions a pattern
 * covers, what type a field path has, and how to name a type to a user.
 *
 * In: the catalog model (types.ts). Out: plain answers; no diagnostics —
 * the checker turns a failed lookup into its own error with its own span.
 */
import type { ActionEntry, CatalogSet, Field, FieldType } from "./types.js";

/**
 * The actions a rule pattern covers, sorted by name: `github.pull_request.merge`
 * (exact), `aws.*` or `github.pull_request.*` (every action under the prefix),
 * or `*` (every action).
 */
export function matchActions(set: CatalogSet, pattern: string): ActionEntry[] {
  if (pattern === "*") return [...set.actions.values()];
  if (pattern.endsWith(".*")) {
    const prefix = pattern.slice(0, -1); // keep the dot: `aws.*` must not match `awsx.foo`
    return [...set.actions.values()].filter((a) => a.name.startsWith(prefix));
  }
  const exact = set.actions.get(pattern);
  return exact === undefined ? [] : [exact];
}

/** The result of reading a field path (`["labels"]`, `["reviewer", "login"]`) from a type. */
export type FieldLookup =
  | {
      readonly found: true;
      readonly type: FieldType;
      /** The last field, with its description. */
      readonly field: Field;
      /** The path prefixes (as dotted strings) that are optional: each needs a `has` guard. */
      readonly optional: readonly string[];
    }
  | {
      readonly found: false;
      /** Index into the path of the segment that could not be read. */
      readonly at: number;
      /** `unknown-field`: the object has no such field; `not-an-object`: the value there cannot be read into. */
      readonly reason: "unknown-field" | "not-an-object";
      /** The type that was being read into. */
      readonly parent: FieldType;
      /** Field names the parent does have (for did-you-mean); empty when it is not an object. */
      readonly candidates: readonly string[];
    };

/** Reads a path of field names from an object type. An empty path is refused (nothing to read). */
export function lookupField(type: FieldType, path: readonly string[]): FieldLookup {
  let current = type;
  let field: Field | undefined;
  const optional: string[] = [];
  for (let i = 0; i < path.length; i++) {
    const name = path[i]!;
    if (current.kind !== "object") {
      return { found: false, at: i, reason: "not-an-object", parent: current, candidates: [] };
    }
    field = current.fields.get(name);
    if (field === undefined) {
      return { found: false, at: i, reason: "unknown-field", parent: current, candidates: [...current.fields.keys()] };
    }
    if (!field.required) optional.push(path.slice(0, i + 1).join("."));
    current = field.type;
  }
  if (field === undefined) return { found: false, at: 0, reason: "unknown-field", parent: type, candidates: [] };
  return { found: true, type: current, field, optional };
}

/**
 * The user-facing name of a type: "string", "integer", "one of low, medium,
 * high", "array of string", "string or null", "object", "any value".
 * Never an internal kind name.
 */
export function describeType(type: FieldType): string {
  switch (type.kind) {
    case "string":
      return type.enum === undefined ? "string" : enumPhrase(type.enum.map(String));
    case "number":
      if (type.enum !== undefined) return enumPhrase(type.enum.map(String));
      return type.integer ? "integer" : "number";
    case "boolean":
    case "null":
    case "object":
      return type.kind;
    case "array": {
      const inner = describeType(type.items);
      return `array of ${type.items.kind === "union" || type.items.kind === "array" || inner.startsWith("one of") ? `(${inner})` : inner}`;
    }
    case "union":
      return type.options.map(describeType).join(" or ");
    case "any":
      return "any value";
  }
}

function enumPhrase(members: readonly string[]): string {
  return members.length === 1 ? `the constant ${members[0]!}` : `one of ${members.join(", ")}`;
}

/** Walks a type and calls `visit` with each nested type and its dotted path (for bound checks). */
export function walkType(type: FieldType, visit: (type: FieldType, path: string) => void, path = ""): void {
  visit(type, path);
  if (type.kind === "object") {
    for (const field of type.fields.values()) walkType(field.type, visit, path === "" ? field.name : `${path}.${field.name}`);
  } else if (type.kind === "array") {
    walkType(type.items, visit, `${path}[]`);
  } else if (type.kind === "union") {
    for (const option of type.options) walkType(option, visit, path);
  }
}
