/**
 * Drift between a catalog imported from an MCP server and the server's
 * tools today (`agp schema diff`): tools added or removed, and per tool
 * the arguments added or removed, now required or optional, of another
 * type, with other enum values, and hint metadata that changed.
 *
 * In: two catalog documents (parsed JSON): the one in the repository and
 * the one a fresh import of the new tool list gives (same family, same
 * options). Out: the changes, sorted by action then argument. Bounds,
 * descriptions and titles are not compared: authors add bounds by hand
 * after an import, and that is not drift.
 * Must not throw or run long on any JSON: a `$ref` cycle is followed once,
 * nesting past MAX_DEPTH or past MAX_VISITS nodes is compared as far as it
 * goes.
 */
import type { JsonValue } from "./types.js";

/** One difference. */
export interface DriftChange {
  /** The action key (in the family), e.g. `write_file`. */
  readonly action: string;
  readonly kind: "tool added" | "tool removed" | "argument added" | "argument removed" | "required" | "type" | "enum" | "metadata";
  /** The argument path (`edits[].oldText`), or the metadata key; absent for a whole tool. */
  readonly field?: string;
  /** One line: `argument \`mode\` added (string, optional)`. */
  readonly message: string;
}

type Obj = { [key: string]: JsonValue };

/** How deep a schema is followed (refs included). */
const MAX_DEPTH = 64;
/** How many schema nodes one args schema may cost: `$ref`s shared by many properties multiply the walk. */
const MAX_VISITS = 20_000;

interface FieldShape {
  readonly types: Set<string>;
  required: boolean;
  enum?: Set<string>;
}

/** The changes from `before` (the catalog in the repository) to `after` (a fresh import). */
export function catalogDrift(before: JsonValue, after: JsonValue): DriftChange[] {
  const changes: DriftChange[] = [];
  const oldActions = actionsOf(before);
  const newActions = actionsOf(after);
  for (const key of [...new Set([...oldActions.keys(), ...newActions.keys()])].sort()) {
    const was = oldActions.get(key);
    const now = newActions.get(key);
    if (was === undefined) {
      changes.push({ action: key, kind: "tool added", message: "tool added" });
      continue;
    }
    if (now === undefined) {
      changes.push({ action: key, kind: "tool removed", message: "tool removed (the server no longer lists it)" });
      continue;
    }
    const oldFields = fieldsOf(was.args, defsOf(before));
    const newFields = fieldsOf(now.args, defsOf(after));
    for (const field of [...new Set([...oldFields.keys(), ...newFields.keys()])].sort()) {
      const a = oldFields.get(field);
      const b = newFields.get(field);
      if (a === undefined) changes.push({ action: key, field, kind: "argument added", message: `argument \`${field}\` added (${typeText(b!)}, ${b!.required ? "required" : "optional"})` });
      else if (b === undefined) changes.push({ action: key, field, kind: "argument removed", message: `argument \`${field}\` removed` });
      else {
        if (a.required !== b.required) changes.push({ action: key, field, kind: "required", message: `argument \`${field}\` is ${b.required ? "required" : "optional"} now` });
        if (typeText(a) !== typeText(b)) changes.push({ action: key, field, kind: "type", message: `argument \`${field}\`: ${typeText(a)} → ${typeText(b)}` });
        const ea = a.enum === undefined ? "" : [...a.enum].sort().join(", ");
        const eb = b.enum === undefined ? "" : [...b.enum].sort().join(", ");
        if (ea !== eb) changes.push({ action: key, field, kind: "enum", message: `argument \`${field}\`: values ${ea === "" ? "any" : ea} → ${eb === "" ? "any" : eb}` });
      }
    }
    const oldMeta = isObject(was.metadata) ? was.metadata : {};
    const newMeta = isObject(now.metadata) ? now.metadata : {};
    for (const name of [...new Set([...Object.keys(oldMeta), ...Object.keys(newMeta)])].sort()) {
      const x = JSON.stringify(oldMeta[name] ?? null);
      const y = JSON.stringify(newMeta[name] ?? null);
      if (x !== y) changes.push({ action: key, field: name, kind: "metadata", message: `metadata \`${name}\`: ${x} → ${y}` });
    }
  }
  return changes;
}

function actionsOf(catalog: JsonValue): Map<string, Obj> {
  const actions = isObject(catalog) && isObject(catalog.actions) ? catalog.actions : {};
  const out = new Map<string, Obj>();
  for (const [key, value] of Object.entries(actions)) if (isObject(value)) out.set(key, value);
  return out;
}

function defsOf(catalog: JsonValue): Obj {
  return isObject(catalog) && isObject(catalog.$defs) ? catalog.$defs : {};
}

/** Every argument path of an args schema, with its types, whether it is required and its enum. */
function fieldsOf(schema: JsonValue | undefined, defs: Obj): Map<string, FieldShape> {
  const fields = new Map<string, FieldShape>();
  let visits = 0;
  // The `$defs` being followed: a reference back into one of them is a cycle, not a new field.
  const following = new Set<string>();
  const visit = (node: JsonValue | undefined, path: string, required: boolean, depth: number): void => {
    if (!isObject(node) || depth > MAX_DEPTH || ++visits > MAX_VISITS) return;
    if (typeof node.$ref === "string") {
      const name = /^#\/\$defs\/(.+)$/.exec(node.$ref)?.[1]?.replace(/~1/g, "/").replace(/~0/g, "~");
      if (name !== undefined && Object.hasOwn(defs, name) && !following.has(name)) {
        following.add(name);
        visit(defs[name], path, required, depth + 1);
        following.delete(name);
      }
    }
    if (path !== "") {
      const shape = fields.get(path) ?? { types: new Set<string>(), required };
      shape.required ||= required;
      for (const type of typesOf(node)) shape.types.add(type);
      const values = Array.isArray(node.enum) ? node.enum : node.const !== undefined ? [node.const] : undefined;
      if (values !== undefined) {
        shape.enum ??= new Set();
        for (const v of values) shape.enum.add(JSON.stringify(v));
      }
      fields.set(path, shape);
    }
    for (const key of ["anyOf", "oneOf", "allOf"]) {
      const list = node[key];
      if (Array.isArray(list)) for (const alternative of list) visit(alternative, path, required, depth + 1);
    }
    if (isObject(node.properties)) {
      const needed = new Set(Array.isArray(node.required) ? node.required.filter((r): r is string => typeof r === "string") : []);
      for (const [name, inner] of Object.entries(node.properties)) visit(inner, path === "" ? name : `${path}.${name}`, needed.has(name), depth + 1);
    }
    if (isObject(node.items)) visit(node.items, `${path}[]`, false, depth + 1);
  };
  visit(schema, "", true, 0);
  return fields;
}

function typesOf(node: Obj): string[] {
  if (typeof node.type === "string") return [node.type];
  if (Array.isArray(node.type)) return node.type.filter((t): t is string => typeof t === "string");
  return [];
}

function typeText(shape: FieldShape): string {
  return shape.types.size === 0 ? "any type" : [...shape.types].sort().join(" or ");
}

function isObject(value: unknown): value is Obj {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
