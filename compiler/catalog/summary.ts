/**
 * What a policy can read, as text: every action of a CatalogSet with its
 * metadata values and argument fields, and the request shape, each field
 * with its type and bounds, marked `optional` when reading it needs a `has`
 * guard. Behind `agp schema show`.
 *
 * In: a CatalogSet. Out: lines of text (no trailing newline handling beyond
 * one per line). Pure; no I/O.
 */
import { describeType } from "./query.js";
import type { ActionEntry, CatalogSet, FieldType, ObjectType } from "./types.js";

interface Row {
  readonly path: string;
  /** "optional" when reading the path needs a `has` guard. */
  readonly flag: string;
  readonly type: string;
}

/** The whole set: the request shape first, then each action (sorted), separated by blank lines. */
export function summarizeCatalogSet(set: CatalogSet, options: { actions?: readonly ActionEntry[] } = {}): string {
  const blocks: string[] = [];
  const request = set.request;
  const requestRows: Row[] = [
    ...fieldRows("agent", request.agent),
    ...fieldRows("human", request.human),
    { path: "env", flag: "", type: typeText(request.env) },
    ...fieldRows("context", request.context),
  ];
  blocks.push(table(`request (from ${request.location.file})`, requestRows));
  for (const action of options.actions ?? [...set.actions.values()]) {
    const title = action.description === undefined ? action.name : `${action.name}: ${action.description}`;
    const rows: Row[] = [...action.metadata].map(([key, { value, type }]) => ({
      path: `action.${key}`,
      flag: "",
      type: type.kind === "string" && type.ordered === true ? `${JSON.stringify(value)} (of ${type.enum?.join(" < ") ?? ""})` : JSON.stringify(value),
    }));
    for (const item of fieldRows("args", action.args)) rows.push(item);
    blocks.push(table(title, rows));
  }
  return `${blocks.join("\n\n")}\n`;
}

function fieldRows(prefix: string, object: ObjectType, optional = false): Row[] {
  const rows: Row[] = [];
  for (const field of object.fields.values()) {
    const path = `${prefix}.${field.name}`;
    const needsHas = optional || !field.required;
    rows.push({ path, flag: needsHas ? "optional" : "", type: typeText(field.type) });
    const inner = objectInside(field.type);
    if (inner !== undefined) for (const item of fieldRows(field.type.kind === "array" ? `${path}[]` : path, inner, needsHas)) rows.push(item);
  }
  return rows;
}

/** The object a path can read into: the field itself, or an array's items. */
function objectInside(type: FieldType): ObjectType | undefined {
  if (type.kind === "object") return type;
  if (type.kind === "array" && type.items.kind === "object") return type.items;
  return undefined;
}

/** "string, at most 140 chars", "integer 1..100", "array of string, at most 20 items", "string (no maxLength)". */
function typeText(type: FieldType): string {
  const name = describeType(type);
  switch (type.kind) {
    case "string":
      if (type.enum !== undefined) return name;
      return type.maxLength === undefined ? `${name} (no maxLength)` : `${name}, at most ${type.maxLength} chars`;
    case "number":
      if (type.enum !== undefined || (type.minimum === undefined && type.maximum === undefined)) return name;
      return `${name} ${type.minimum ?? ""}..${type.maximum ?? ""}`;
    case "array":
      return type.maxItems === undefined ? `${name} (no maxItems)` : `${name}, at most ${type.maxItems} items`;
    default:
      return name;
  }
}

function table(title: string, rows: readonly Row[]): string {
  if (rows.length === 0) return `${title}\n  (no fields)`;
  const pathWidth = rows.reduce((m, r) => Math.max(m, r.path.length), 0);
  const flagWidth = rows.reduce((m, r) => Math.max(m, r.flag.length), 0);
  const lines = rows.map((r) => `  ${r.path.padEnd(pathWidth)}  ${flagWidth === 0 ? "" : `${r.flag.padEnd(flagWidth)}  `}${r.type}`);
  return [title, ...lines].join("\n");
}
