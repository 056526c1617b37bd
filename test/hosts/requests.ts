/**
 * The request set every host test decides: the example suites' requests
 * (with their runtime states), generated requests that fit the catalogs, and
 * the same requests broken in every way validation must catch (a value
 * replaced by one of the wrong kind, too long, out of range, a lone
 * surrogate; a field removed; an unknown key added).
 *
 * In: a catalog set, the example suite's cases, a seed. Out: plain JSON
 * (request, optional state) pairs, deterministic for a seed.
 * Must not depend on any engine: the tests compare engines on this set.
 */
import fc from "fast-check";
import type { CatalogSet } from "../../compiler/catalog/index.js";
import { arbitraryRequest } from "../interpret/arbitrary-request.js";

/** One request to decide, with the runtime state to decide it in. */
export interface HostCase {
  readonly request: unknown;
  readonly state?: Record<string, unknown>;
}

/** Values that break a field: wrong kinds, bounds, lone surrogates, deep and large shapes. */
export const BREAKERS: readonly unknown[] = [
  null,
  true,
  1.5,
  -1,
  0,
  1e300,
  -0.25,
  "",
  "production",
  "x".repeat(5000),
  "é".repeat(300),
  "a\ud800b",
  "\udc00",
  "😀".repeat(3),
  [],
  [1, "two", null],
  Array.from({ length: 40 }, (_, i) => `/workspace/${i}`),
  {},
  { id: "x" },
  { "odd key": 1, é: 2, "😀": 3, "\uffff": 4 },
];

/** Every (path to a container, key) of a JSON value, depth-first. */
function places(value: unknown, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (Array.isArray(value)) value.forEach((v, i) => (out.push([...path, i]), places(v, [...path, i], out)));
  else if (typeof value === "object" && value !== null) for (const [k, v] of Object.entries(value)) out.push([...path, k]), places(v, [...path, k], out);
  return out;
}

/** The request with one change: replace the value at a place, delete it, or add a key beside it. */
export function broken(request: Record<string, unknown>, pick: number, op: number, breaker: unknown): unknown {
  const copy = structuredClone(request);
  const all = places(copy);
  if (all.length === 0) return copy;
  const path = all[pick % all.length]!;
  let parent: Record<string | number, unknown> = copy;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (op % 3 === 0) parent[last] = breaker;
  else if (op % 3 === 1 && !Array.isArray(parent)) delete parent[last];
  else if (!Array.isArray(parent)) parent[typeof breaker === "string" && breaker.length < 20 ? `${breaker}_extra` : "zz_extra"] = breaker;
  else parent[last] = breaker;
  return copy;
}

/** Generated cases: `valid` requests that fit the catalogs, and `invalid` broken ones. */
export function generatedCases(catalogs: CatalogSet, interesting: readonly string[], seed: number, valid: number, invalid: number): HostCase[] {
  const requests = arbitraryRequest(catalogs, { interesting });
  const good = fc.sample(requests, { seed, numRuns: valid }).map((request) => ({ request }));
  const bad = fc
    .sample(fc.tuple(requests, fc.nat(), fc.nat(), fc.constantFrom(...BREAKERS)), { seed: seed + 1, numRuns: invalid })
    .map(([request, pick, op, breaker]) => ({ request: broken(request, pick, op, breaker) }));
  return [...good, ...bad];
}
