/**
 * The catalog model: what the checker (and later the compiler) knows about
 * actions and about the request, after catalogs are loaded and validated.
 *
 * In: nothing (pure types). Out: the shapes compiler/catalog produces from
 * JSON Schema documents and compiler/check consumes. JSON Schema is reduced
 * here to the types a policy can observe; everything keeps the file and JSON
 * pointer it came from so errors can name them.
 */

import type { CompiledPattern } from "./pattern-automata.js";

export type { CompiledPattern } from "./pattern-automata.js";

/** Where in which catalog file a schema fragment lives. */
export interface SchemaLocation {
  /** The catalog file as the user named it (relative to the working directory). */
  readonly file: string;
  /** RFC 6901 JSON pointer into that file, e.g. "/actions/pull_request.merge/args/properties/repo". */
  readonly pointer: string;
}

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** A value type as a policy sees it. */
export type FieldType =
  | StringType
  | NumberType
  | BooleanType
  | NullType
  | ArrayType
  | ObjectType
  | UnionType
  | AnyType;

export interface StringType {
  readonly kind: "string";
  /** Absent when the schema gives no `maxLength`: byte-wise tests are then refused. */
  readonly maxLength?: number;
  /** From `minLength` (code points); absent means 0. Enforced on requests. */
  readonly minLength?: number;
  /** From `pattern`: the regular expression every value must match somewhere (JSON Schema search semantics). */
  readonly pattern?: CompiledPattern;
  /** From `enum` or `const`. */
  readonly enum?: readonly string[];
  /** True when the schema says `"x-agp-ordered": true`: members compare by position. */
  readonly ordered?: boolean;
  readonly location: SchemaLocation;
}

export interface NumberType {
  readonly kind: "number";
  /** True for JSON Schema `integer`. */
  readonly integer: boolean;
  /**
   * The lower bound: at most one of `minimum` (inclusive) and
   * `exclusiveMinimum` is set, the stricter of the two the schema gives.
   */
  readonly minimum?: number;
  readonly exclusiveMinimum?: number;
  /** The upper bound: at most one of `maximum` and `exclusiveMaximum`, as for the lower. */
  readonly maximum?: number;
  readonly exclusiveMaximum?: number;
  /** From `multipleOf`: the IEEE double quotient `value / multipleOf` must be an integer (ADR 0010). */
  readonly multipleOf?: number;
  readonly enum?: readonly number[];
  readonly location: SchemaLocation;
}

export interface BooleanType {
  readonly kind: "boolean";
  readonly location: SchemaLocation;
}

export interface NullType {
  readonly kind: "null";
  readonly location: SchemaLocation;
}

export interface ArrayType {
  readonly kind: "array";
  readonly items: FieldType;
  /** Absent when the schema gives no `maxItems`: quantifiers are then refused. */
  readonly maxItems?: number;
  /** From `minItems`; absent means 0. Enforced on requests. */
  readonly minItems?: number;
  /** From `uniqueItems: true`; only on arrays of scalars with a `maxItems` (the loader refuses others). */
  readonly uniqueItems?: true;
  readonly location: SchemaLocation;
}

export interface ObjectType {
  readonly kind: "object";
  readonly fields: ReadonlyMap<string, Field>;
  /** False for `additionalProperties: false`; requests with other keys are then rejected. */
  readonly additionalProperties: boolean;
  /**
   * From `additionalProperties: <schema>`: the type every undeclared
   * property's value must have. Policies cannot read such properties.
   */
  readonly additional?: FieldType;
  /** From `minProperties` / `maxProperties`: bounds on the number of properties, declared or not. */
  readonly minProperties?: number;
  readonly maxProperties?: number;
  /** From `dependentRequired`, in schema order: when `name` is present, every one of `requires` must be. */
  readonly dependentRequired?: readonly DependentRequired[];
  readonly location: SchemaLocation;
}

/** One entry of `dependentRequired`. */
export interface DependentRequired {
  readonly name: string;
  readonly requires: readonly string[];
}

/** `oneOf` / `anyOf` / `type: [...]`, e.g. a string or null. */
export interface UnionType {
  readonly kind: "union";
  readonly options: readonly FieldType[];
  /**
   * True for a `oneOf` whose options can overlap: a value must match exactly
   * one. Absent for `anyOf`, `type: [...]`, and a `oneOf` whose options
   * admit different JSON kinds (where "exactly one" and "any" agree).
   */
  readonly oneOf?: true;
  readonly location: SchemaLocation;
}

/** A schema that constrains nothing (`{}` or `true`): a policy cannot read into it. */
export interface AnyType {
  readonly kind: "any";
  readonly location: SchemaLocation;
}

export interface Field {
  readonly name: string;
  readonly type: FieldType;
  /** Listed in the parent's `required`. Reading an optional field needs a `has` guard. */
  readonly required: boolean;
  /** `"x-agp-secret": true` on the property: its value never reaches the audit log or an approval ticket. */
  readonly secret?: true;
  readonly description?: string;
}

/** One action of a catalog, e.g. `github.pull_request.merge`. */
export interface ActionEntry {
  /** The full name a request and a rule pattern use: family + "." + the catalog's key. */
  readonly name: string;
  readonly family: string;
  readonly description?: string;
  /** The type of `args`. Always an object type. */
  readonly args: ObjectType;
  /** The values a policy reads through `action.<key>`, with their declared types. */
  readonly metadata: ReadonlyMap<string, MetadataValue>;
  /**
   * Session labels every call of this action carries (`"x-agp-labels"`),
   * such as `untrusted`: see docs/decisions/0024-session-rules.md.
   */
  readonly labels?: readonly string[];
  readonly location: SchemaLocation;
}

export interface MetadataValue {
  readonly value: JsonValue;
  readonly type: FieldType;
}

/** The shapes of the request parts other than `action` and `args`. */
export interface RequestShape {
  readonly agent: ObjectType;
  /** Absent in a request means "no human"; this is its shape when present. */
  readonly human: ObjectType;
  readonly env: FieldType;
  readonly context: ObjectType;
  /** Where these shapes came from: a project catalog, or agp's built-in default. */
  readonly location: SchemaLocation;
}

/** The value an obligation takes: a number, an integer, a boolean, a string, or a set of strings. */
export type ObligationType = "number" | "integer" | "boolean" | "string" | "set";

/**
 * How the values several rules give one obligation merge into the one the
 * gateway enforces ("strictest wins", docs/catalogs.md): `min` / `max`
 * (numbers; strings of a declared `enum`, by its order), `or` / `and`
 * (booleans), `same` (every rule must give the same value), `union` /
 * `intersection` (sets).
 */
export type ObligationMerge = "min" | "max" | "or" | "and" | "same" | "union" | "intersection";

/** An obligation a catalog declares in its top-level `obligations` section. */
export interface ObligationDecl {
  readonly name: string;
  readonly type: ObligationType;
  readonly merge: ObligationMerge;
  /** Strings and sets: the values allowed, in order (the order `min` / `max` use). */
  readonly enum?: readonly string[];
  readonly description?: string;
  readonly location: SchemaLocation;
}

/** One loaded catalog file. */
export interface Catalog {
  readonly file: string;
  readonly family?: string;
  readonly actions: readonly ActionEntry[];
  /** Present when the file declares the request shape (a project catalog). */
  readonly request?: RequestShape;
  /** Approver groups the file declares (`"groups": [...]`), usually in the project catalog. */
  readonly groups?: readonly string[];
  /** Obligations the file declares (`"obligations": {…}`), by name; absent without the section. */
  readonly obligations?: ReadonlyMap<string, ObligationDecl>;
  /** The declared type of every metadata key (e.g. `costClass`: ordered enum). */
  readonly metadataTypes: ReadonlyMap<string, FieldType>;
}

/** Every catalog a policy set names, merged: what the checker resolves names against. */
export interface CatalogSet {
  readonly catalogs: readonly Catalog[];
  /** By full action name. */
  readonly actions: ReadonlyMap<string, ActionEntry>;
  readonly request: RequestShape;
  /**
   * Every approver group any catalog declares, in order, each once; undefined
   * when none declares any (then policies may name any group).
   */
  readonly groups?: readonly string[];
  /**
   * Every obligation any catalog declares, by name (the first declaration
   * of a name wins; a different second one is AGP402); undefined when none
   * declares any (then obligations are unchecked names, AGP315).
   */
  readonly obligations?: ReadonlyMap<string, ObligationDecl>;
}
