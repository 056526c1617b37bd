/**
 * Test data to JSON: fixtures, `name with { … }` merges, `$column`
 * placeholders, and the deep merge that puts `defaults:` under each test.
 *
 * In: `TestValue` AST nodes, the file's fixtures, a table row's bindings.
 * Out: plain JSON values. Names that resolve to nothing (unknown fixtures,
 * which the checker already reports as AGP231) resolve to `undefined`, and
 * callers skip such cases. Must not read catalogs or decide anything.
 */
import type { FixtureDecl, TestValue } from "../syntax/index.js";

/** A JSON value as tests produce it. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Column name → the row's cell. */
export type RowBindings = ReadonlyMap<string, TestValue>;

/** What resolving a value needs: the file's fixtures and, in a table test, the row. */
export interface ValueScope {
  readonly fixtures: ReadonlyMap<string, FixtureDecl>;
  readonly row?: RowBindings;
}

/** Resolves test data; undefined when something in it names no fixture or column. */
export function resolveValue(value: TestValue, scope: ValueScope, seen: ReadonlySet<string> = new Set()): Json | undefined {
  switch (value.kind) {
    case "String":
    case "Number":
    case "Boolean":
      return value.value;
    case "Null":
      return null;
    case "Placeholder": {
      const cell = scope.row?.get(value.name);
      // INVARIANT: a cell is data from the table itself; it never sees the row again.
      return cell === undefined ? undefined : resolveValue(cell, { fixtures: scope.fixtures }, seen);
    }
    case "Name": {
      const fixture = scope.fixtures.get(value.name);
      if (fixture === undefined || seen.has(value.name)) return undefined;
      return resolveValue(fixture.value, { fixtures: scope.fixtures }, new Set([...seen, value.name]));
    }
    case "Merge": {
      const base = resolveValue(value.base, scope, seen);
      const overrides = resolveValue(value.overrides, scope, seen);
      if (base === undefined || overrides === undefined) return undefined;
      return deepMerge(base, overrides);
    }
    case "Object": {
      const result: { [key: string]: Json } = {};
      for (const entry of value.entries) {
        const v = resolveValue(entry.value, scope, seen);
        if (v === undefined) return undefined;
        setOwn(result, entry.key, v);
      }
      return result;
    }
    case "Array": {
      const result: Json[] = [];
      for (const item of value.items) {
        const v = resolveValue(item, scope, seen);
        if (v === undefined) return undefined;
        result.push(v);
      }
      return result;
    }
  }
}

/** `over` deep-merged onto `under`: objects key by key, anything else replaced by `over`. */
export function deepMerge(under: Json | undefined, over: Json): Json {
  if (!isJsonObject(under) || !isJsonObject(over)) return over;
  const result: { [key: string]: Json } = { ...under };
  for (const [key, value] of Object.entries(over)) setOwn(result, key, deepMerge(Object.hasOwn(under, key) ? under[key] : undefined, value));
  return result;
}

/**
 * Sets an own, enumerable property whatever the key: test data may name a
 * field `__proto__`, which plain assignment would turn into a prototype
 * change and so drop from the request.
 */
export function setOwn(target: { [key: string]: Json }, key: string, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** True for a JSON object (not an array, not null). */
export function isJsonObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A cell as a case name shows it: literals as JSON, names bare, objects and arrays compact. */
export function cellText(value: TestValue): string {
  switch (value.kind) {
    case "String":
      return JSON.stringify(value.value);
    case "Number":
    case "Boolean":
      return String(value.value);
    case "Null":
      return "null";
    case "Name":
      return value.name;
    case "Placeholder":
      return `$${value.name}`;
    case "Merge":
      return `${value.base.name} with ${cellText(value.overrides)}`;
    case "Object":
      return value.entries.length === 0 ? "{}" : `{ ${value.entries.map((e) => `${e.key}: ${cellText(e.value)}`).join(", ")} }`;
    case "Array":
      return `[${value.items.map(cellText).join(", ")}]`;
  }
}
