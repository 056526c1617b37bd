/**
 * Operands: what a typed expression is, for one action, before it becomes a
 * test — a compile-time constant (literals, constants, enum members,
 * `action.*` metadata, quantifier variables over literal sets), or a request
 * field (or a quantifier item's field) with its type under this action.
 *
 * In: a `TypedExpr` and the lowering scope (action, slots, bindings).
 * Out: an `Operand` (views of literals fold to literals; views of fields
 * stay views the module computes); slot helpers that allocate the right
 * slot kind for a field (sym, str, num, bool, state, array). Must not build tests
 * (./expr.ts does) or know about rules.
 */
import type { ActionEntry, JsonValue } from "../catalog/index.js";
import { applyView, type LiteralValue, type Type, type TypedExpr, type ViewKind } from "../check/index.js";
import type { Span } from "../diagnostics/index.js";
import type { IrExpr, IrSlotRef } from "../ir/index.js";
import type { SlotTable } from "./slots.js";
import type { SessionContext } from "./session.js";

/** A value as lowering sees it. */
export type Operand =
  | { readonly k: "const"; readonly value: LiteralValue; readonly type: Type }
  | { readonly k: "set"; readonly values: readonly LiteralValue[] }
  /** A field read through `binding` (0: the request; k: the k-th quantifier's item), `parent` its array slot (-1 top). */
  | { readonly k: "field"; readonly binding: number; readonly parent: number; readonly path: readonly string[]; readonly type: Type; readonly text: string }
  /** A string view (`lower`, `domain`, `normpath`) of a field or of another view, computed by the module. */
  | { readonly k: "view"; readonly view: ViewKind; readonly of: Extract<Operand, { k: "field" | "view" }>; readonly text: string }
  /** A condition already lowered: an argument of a named condition that is not a value. */
  | { readonly k: "cond"; readonly expr: IrExpr }
  /** Anything else: evaluate as a condition. */
  | { readonly k: "expr" };

/** A quantifier variable, or a named condition's parameter, in scope. */
export type Binding =
  | { readonly name: string; readonly kind: "item"; readonly depth: number; readonly array: number }
  | { readonly name: string; readonly kind: "const"; readonly value: LiteralValue }
  /** A parameter of a named condition bound to its argument, lowered in the caller's scope. */
  | { readonly name: string; readonly kind: "operand"; readonly operand: Operand };

/** A problem lowering found: reported as AGP601/AGP602 at `span`. */
export interface LowerProblem {
  readonly code: "AGP601" | "AGP602";
  readonly span: Span;
  readonly values: Readonly<Record<string, string | number>>;
  readonly help?: string;
}

/** Everything lowering one action's expressions needs. */
export interface Scope {
  readonly action: ActionEntry;
  readonly slots: SlotTable;
  readonly bindings: readonly Binding[];
  readonly problems: LowerProblem[];
  /** Glob id for a pattern (program-wide), or undefined after reporting it. */
  readonly glob: (pattern: string, span: Span) => number | undefined;
  /** Session monitors, when the program has session rules (./session.ts). */
  readonly session?: SessionContext;
  /** The package of the rule being lowered: a session operator's monitor is per package. */
  readonly pkg?: string;
}

/** The operand an expression denotes under the scope's action. */
export function operandOf(e: TypedExpr, scope: Scope): Operand {
  switch (e.kind) {
    case "Literal":
      return { k: "const", value: e.value, type: e.type };
    case "Set":
      return { k: "set", values: e.values };
    case "Path":
      return pathOperand(e, scope);
    case "View": {
      const of = operandOf(e.arg, scope);
      const text = `${e.view}(${of.k === "field" || of.k === "view" ? of.text : "…"})`;
      if (of.k === "const") return { k: "const", value: typeof of.value === "string" ? applyView(e.view, of.value) : null, type: e.type };
      if (of.k === "field" || of.k === "view") return { k: "view", view: e.view, of, text };
      return { k: "expr" };
    }
    default:
      return { k: "expr" };
  }
}

function pathOperand(e: Extract<TypedExpr, { kind: "Path" }>, scope: Scope): Operand {
  const r = e.resolution;
  const text = [e.node.root.name, ...e.node.fields.map((f) => f.name)].join(".");
  switch (r.kind) {
    case "constant":
      return r.value.kind === "set" ? { k: "set", values: r.value.values } : { k: "const", value: r.value.value, type: e.type };
    case "enumMember":
      return { k: "const", value: r.value, type: e.type };
    case "variable": {
      const binding = [...scope.bindings].reverse().find((b) => b.name === r.name);
      if (binding === undefined) throw new Error(`internal error: unbound variable \`${r.name}\``);
      if (binding.kind === "const") {
        if (r.fields.length > 0) return { k: "const", value: null, type: e.type };
        return { k: "const", value: binding.value, type: e.type };
      }
      if (binding.kind === "operand") {
        const bound = binding.operand;
        if (r.fields.length === 0) return bound.k === "field" ? { ...bound, type: e.type } : bound;
        if (bound.k === "field") return { ...bound, path: [...bound.path, ...r.fields], type: e.type, text: `${bound.text}.${r.fields.join(".")}` };
        return { k: "const", value: null, type: e.type };
      }
      return { k: "field", binding: binding.depth, parent: binding.array, path: r.fields, type: e.type, text };
    }
    case "field": {
      const entry = r.perAction.find((a) => a.action === scope.action.name);
      const type = entry?.type ?? e.type;
      if (r.root === "action") return { k: "const", value: metadataValue(scope.action, r.fields), type };
      return { k: "field", binding: 0, parent: -1, path: [r.root, ...r.fields], type, text };
    }
    case "error":
      throw new Error("internal error: an unresolved path reached lowering");
  }
}

/** `action.<key>…` for this action: catalog metadata, `name` and `family` always. */
function metadataValue(action: ActionEntry, fields: readonly string[]): LiteralValue {
  const [key, ...rest] = fields;
  let value: JsonValue | undefined = key === undefined ? undefined : action.metadata.get(key)?.value;
  if (value === undefined && key === "name") value = action.name;
  if (value === undefined && key === "family") value = action.family;
  for (const field of rest) {
    value = typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, JsonValue>)[field] : undefined;
  }
  if (value === undefined || (typeof value === "object" && value !== null)) return null;
  return value;
}

/** A type without its null option, and whether null was one. */
export function splitNull(type: Type): { base: Type; nullable: boolean } {
  if (type.kind !== "union") return { base: type, nullable: type.kind === "null" };
  const options = type.options.filter((o) => o.kind !== "null");
  const nullable = options.length !== type.options.length;
  if (options.length === 0) return { base: { kind: "null" }, nullable: true };
  if (options.length === 1) return { base: options[0]!, nullable };
  return { base: { kind: "union", options }, nullable };
}

/** The members of an ordered string enum a type declares, if any. */
export function enumOrder(type: Type | undefined): readonly string[] | undefined {
  if (type === undefined) return undefined;
  if (type.kind === "string") return type.ordered === true && type.enum !== undefined ? type.enum : undefined;
  if (type.kind === "union") {
    for (const option of type.options) {
      const order = enumOrder(option);
      if (order !== undefined) return order;
    }
  }
  return undefined;
}

type Field = Extract<Operand, { k: "field" }>;

function ref(slot: number, f: Field): IrSlotRef {
  return { slot, binding: f.binding };
}

/** The state slot of a field (absent / present / null). */
export function stateRef(f: Field, scope: Scope): IrSlotRef {
  return ref(scope.slots.slot("state", f.path, f.parent), f);
}

/** The sym slot of a string field; its dictionary starts with the field's enum, if any. */
export function symRef(f: Field, scope: Scope): IrSlotRef {
  const base = splitNull(f.type).base;
  const dictionary = base.kind === "string" ? base.enum : undefined;
  return ref(scope.slots.slot("sym", f.path, f.parent, dictionary === undefined ? {} : { dictionary }), f);
}

/** The str slot of a string field; undefined (reported) when it has no maxLength. */
export function strRef(f: Field, scope: Scope, span: Span): IrSlotRef | undefined {
  const base = splitNull(f.type).base;
  if (base.kind !== "string" || base.maxLength === undefined) {
    unsupported(scope, span, f.text, "it is read byte-wise but has no `maxLength`");
    return undefined;
  }
  return ref(scope.slots.slot("str", f.path, f.parent, { maxBytes: 4 * base.maxLength }), f);
}

export function numRef(f: Field, scope: Scope): IrSlotRef {
  return ref(scope.slots.slot("num", f.path, f.parent), f);
}

export function boolRef(f: Field, scope: Scope): IrSlotRef {
  return ref(scope.slots.slot("bool", f.path, f.parent), f);
}

/** The array slot of an array field; undefined (reported) without maxItems. */
export function arrayRef(f: Field, scope: Scope, span: Span): IrSlotRef | undefined {
  const base = splitNull(f.type).base;
  if (base.kind !== "array" || base.maxItems === undefined) {
    unsupported(scope, span, f.text, "it is read item by item but has no `maxItems`");
    return undefined;
  }
  return ref(scope.slots.slot("array", f.path, f.parent, { maxItems: base.maxItems }), f);
}

/** Reports AGP602 for `path` in this action. */
export function unsupported(scope: Scope, span: Span, path: string, why: string): void {
  scope.problems.push({ code: "AGP602", span, values: { path, action: scope.action.name, why } });
}
