/**
 * What evaluation needs from schema types: walking a field chain, and the
 * order of an ordered enum (`"x-agp-ordered": true`).
 *
 * In: catalog `FieldType`s. Out: field types, member orders, comparisons.
 * Must not read request values.
 */
import type { FieldType } from "../catalog/index.js";

/** The type reached by following `fields` from `type`; unions are searched for an object option that has the field. */
export function typeOfPath(type: FieldType | undefined, fields: readonly string[]): FieldType | undefined {
  let current = type;
  for (const field of fields) {
    if (current === undefined) return undefined;
    current = fieldOf(current, field);
  }
  return current;
}

function fieldOf(type: FieldType, name: string): FieldType | undefined {
  if (type.kind === "object") return type.fields.get(name)?.type;
  if (type.kind === "union") {
    for (const option of type.options) {
      const found = fieldOf(option, name);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The members of an ordered string enum, lowest first; undefined when the type is not one. */
export function enumOrderOf(type: FieldType | undefined): readonly string[] | undefined {
  if (type === undefined) return undefined;
  if (type.kind === "string") return type.ordered === true && type.enum !== undefined ? type.enum : undefined;
  if (type.kind === "union") {
    for (const option of type.options) {
      const order = enumOrderOf(option);
      if (order !== undefined) return order;
    }
  }
  return undefined;
}

/** Compares two members by position; a message when either is not a member. */
export function compareOrdered(order: readonly string[], left: string, right: string): number | string {
  const a = order.indexOf(left);
  const b = order.indexOf(right);
  const members = order.map((m) => JSON.stringify(m)).join(" < ");
  if (a < 0) return `${JSON.stringify(left)} is not a member of the ordered enum ${members}`;
  if (b < 0) return `${JSON.stringify(right)} is not a member of the ordered enum ${members}`;
  return a - b;
}
