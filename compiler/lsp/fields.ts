/**
 * What a request path means under the actions a rule or limit matches: the
 * catalog facts hover, completion and go-to-definition share.
 *
 * In: a snapshot's catalogs, a request root (`args`, `agent`, `action`, …),
 * a field chain and action names. Out: per action, the field's type,
 * whether it is required, its description and its schema location; the
 * fields that may follow a chain; how to name a type with its bounds.
 * Must not read files or know about the protocol.
 */
import { describeType, lookupField, toPointer, type ActionEntry, type CatalogSet, type FieldType, type JsonValue, type ObjectType, type SchemaLocation } from "../catalog/index.js";
import { REQUEST_ROOTS, type RequestRoot } from "../check/index.js";

/** A field under one action (or under every action, for `agent`, `human`, `env`, `context`). */
export interface FieldFact {
  /** The action it was read under; absent for parts of the request that do not depend on the action. */
  readonly action?: string;
  readonly type: FieldType;
  readonly required: boolean;
  readonly description?: string;
  readonly location: SchemaLocation;
  /** Where the field is declared: the key in its parent's `properties` (its type may be a `$ref` elsewhere). */
  readonly declared: SchemaLocation;
  /** For `action.<key>`: the action's metadata value. */
  readonly value?: JsonValue;
}

/** Whether `name` is a request root. */
export function isRequestRoot(name: string): name is RequestRoot {
  return (REQUEST_ROOTS as readonly string[]).includes(name);
}

/** The actions named, as catalog entries (all actions when none are named). */
export function entriesOf(catalogs: CatalogSet, actions: readonly string[] | undefined): ActionEntry[] {
  if (actions === undefined || actions.length === 0) return [...catalogs.actions.values()];
  return actions.map((a) => catalogs.actions.get(a)).filter((a): a is ActionEntry => a !== undefined);
}

/** The facts of `root.fields…` under each of `actions` (empty when the path names nothing). */
export function fieldFacts(catalogs: CatalogSet, root: RequestRoot, fields: readonly string[], actions: readonly string[] | undefined): FieldFact[] {
  const request = catalogs.request;
  if (root === "env") return fields.length === 0 ? [{ type: request.env, required: true, location: request.env.location, declared: request.env.location }] : [];
  if (root === "agent" || root === "human" || root === "context") {
    const shape = request[root];
    if (fields.length === 0) return [{ type: shape, required: root !== "human", location: shape.location, declared: shape.location }];
    const found = lookupField(shape, fields);
    return found.found ? [fact(undefined, shape, fields, found.type, found.optional.length === 0 && root !== "human", found.field.description)] : [];
  }
  const out: FieldFact[] = [];
  for (const entry of entriesOf(catalogs, actions)) {
    if (root === "args") {
      if (fields.length === 0) {
        out.push({ action: entry.name, type: entry.args, required: true, location: entry.args.location, declared: { file: entry.location.file, pointer: `${entry.location.pointer}/args` } });
        continue;
      }
      const found = lookupField(entry.args, fields);
      if (found.found) out.push(fact(entry.name, entry.args, fields, found.type, found.optional.length === 0, found.field.description));
      continue;
    }
    // root === "action": `action.<key>` reads the action's metadata.
    const key = fields[0];
    if (key === undefined) continue;
    const metadata = entry.metadata.get(key);
    if (metadata === undefined) continue;
    const rest = fields.slice(1);
    if (rest.length === 0) {
      const declared = { file: entry.location.file, pointer: `${entry.location.pointer}/metadata${toPointer([key])}` };
      out.push({ action: entry.name, type: metadata.type, required: true, location: metadata.type.location, declared, value: metadata.value });
      continue;
    }
    const found = lookupField(metadata.type, rest);
    if (found.found) out.push(fact(entry.name, metadata.type, rest, found.type, true, found.field.description));
  }
  return out;
}

function fact(action: string | undefined, base: FieldType, fields: readonly string[], type: FieldType, required: boolean, description: string | undefined): FieldFact {
  // The parent object's location is where its `properties` are written (after any `$ref`).
  const parentLookup = fields.length > 1 ? lookupField(base, fields.slice(0, -1)) : undefined;
  const parent = parentLookup === undefined ? base : parentLookup.found ? parentLookup.type : undefined;
  const object = parent === undefined ? undefined : objectOf(parent);
  const declared = object === undefined ? type.location : { file: object.location.file, pointer: `${object.location.pointer}/properties${toPointer([fields.at(-1)!])}` };
  return {
    ...(action === undefined ? {} : { action }),
    type,
    required,
    ...(description === undefined ? {} : { description }),
    location: type.location,
    declared,
  };
}

/** A field that may follow a chain, with its type under the actions that have it. */
export interface NextField {
  readonly name: string;
  readonly type: FieldType;
  readonly description?: string;
  /** How many of the actions have it, of how many. */
  readonly actions: number;
  readonly of: number;
  readonly required: boolean;
}

/** The fields that may follow `root.fields…` (metadata keys after `action`). */
export function nextFields(catalogs: CatalogSet, root: RequestRoot, fields: readonly string[], actions: readonly string[] | undefined): NextField[] {
  const parents = fieldFacts(catalogs, root, fields, actions);
  const byName = new Map<string, { type: FieldType; description?: string; count: number; required: boolean }>();
  const add = (name: string, type: FieldType, required: boolean, description?: string) => {
    const seen = byName.get(name);
    if (seen === undefined) byName.set(name, { type, count: 1, required, ...(description === undefined ? {} : { description }) });
    else byName.set(name, { ...seen, count: seen.count + 1, required: seen.required && required });
  };
  if (root === "action" && fields.length === 0) {
    const entries = entriesOf(catalogs, actions);
    for (const entry of entries) for (const [key, value] of entry.metadata) add(key, value.type, true);
    return [...byName].map(([name, v]) => ({ name, type: v.type, actions: v.count, of: entries.length, required: v.required, ...(v.description === undefined ? {} : { description: v.description }) }));
  }
  for (const parent of parents) {
    const object = objectOf(parent.type);
    if (object === undefined) continue;
    for (const field of object.fields.values()) add(field.name, field.type, field.required, field.description);
  }
  return [...byName].map(([name, v]) => ({ name, type: v.type, actions: v.count, of: parents.length, required: v.required, ...(v.description === undefined ? {} : { description: v.description }) }));
}

function objectOf(type: FieldType): ObjectType | undefined {
  if (type.kind === "object") return type;
  if (type.kind === "union") {
    const objects = type.options.filter((o): o is ObjectType => o.kind === "object");
    return objects.length === 1 ? objects[0] : undefined;
  }
  return undefined;
}

/** Enum members of a type (strings of an enum, or of a nullable enum), if it has any. */
export function enumMembers(type: FieldType): readonly string[] | undefined {
  if (type.kind === "string" && type.enum !== undefined) return type.enum;
  if (type.kind === "union") {
    for (const option of type.options) {
      const members = enumMembers(option);
      if (members !== undefined) return members;
    }
  }
  return undefined;
}

/** "string (at most 100 characters)", "integer from 1 to 10", "one of low, medium, high (ordered)". */
export function typeText(type: FieldType): string {
  const base = describeType(type);
  if (type.kind === "string" && type.enum === undefined) {
    const bits = [type.maxLength === undefined ? "" : `at most ${type.maxLength} characters`, type.ordered === true ? "ordered" : ""].filter(Boolean);
    return bits.length === 0 ? base : `${base} (${bits.join(", ")})`;
  }
  if (type.kind === "number" && type.enum === undefined && (type.minimum !== undefined || type.maximum !== undefined)) {
    if (type.minimum !== undefined && type.maximum !== undefined) return `${base} from ${type.minimum} to ${type.maximum}`;
    return type.minimum !== undefined ? `${base} ≥ ${type.minimum}` : `${base} ≤ ${type.maximum}`;
  }
  if (type.kind === "array" && type.maxItems !== undefined) return `${base} (at most ${type.maxItems} items)`;
  return base;
}
