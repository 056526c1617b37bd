/**
 * The AST generator covers the whole language: a sample of generated files
 * holds every node kind declared in compiler/syntax/ast.ts (so a new kind
 * fails here until the generator makes it), every operator, nested
 * quantifiers, both window forms and every given clause. Property tests that
 * use the generator are only as strong as this coverage.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { COMPARE_OPS, GIVEN_PARTS, WINDOW_UNITS } from "../../compiler/syntax/index.js";
import { policyFile } from "./arbitrary-ast.js";

/** Every `kind` of an AST node, from the AST's own source (comments are not generated). */
const declaredKinds = [...readFileSync("compiler/syntax/ast.ts", "utf8").matchAll(/kind: "(\w+)"/g)]
  .map((m) => m[1]!)
  .filter((kind) => kind !== "Comment");

/** Features seen in a tree: node kinds, plus `Kind:detail` for operators and forms. */
function features(node: unknown, seen: Set<string>, insideQuantifier = false): void {
  if (Array.isArray(node)) {
    for (const item of node) features(item, seen, insideQuantifier);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const record = node as Record<string, unknown>;
  const kind = record["kind"];
  if (typeof kind === "string") seen.add(kind);
  if (kind === "Compare" || kind === "Logical") seen.add(`${kind}:${String(record["op"])}`);
  if (kind === "Quantified") {
    seen.add(`Quantified:${String(record["quantifier"])}`);
    if (insideQuantifier) seen.add("Quantified:nested");
  }
  if (kind === "Window") seen.add(record["count"] === 1 ? "Window:one" : "Window:many");
  if (kind === "Window") seen.add(`Window:${String(record["unit"])}`);
  if (kind === "Given") seen.add(`Given:${String((record["part"] as { value: string }).value)}`);
  for (const [key, value] of Object.entries(record)) {
    if (key !== "span" && key !== "keySpan") features(value, seen, insideQuantifier || kind === "Quantified");
  }
}

describe("arbitrary AST generator", () => {
  it("generates every node kind, operator and form of the language", () => {
    const seen = new Set<string>();
    for (const file of fc.sample(policyFile(), { numRuns: 400, seed: 7 })) features(file, seen);
    const wanted = [
      ...declaredKinds,
      ...COMPARE_OPS.map((op) => `Compare:${op}`),
      "Logical:and",
      "Logical:or",
      "Quantified:all",
      "Quantified:any",
      "Quantified:nested",
      "Window:one",
      "Window:many",
      ...WINDOW_UNITS.map((unit) => `Window:${unit}`),
      ...GIVEN_PARTS.map((part) => `Given:${part}`),
    ];
    expect(declaredKinds.length).toBeGreaterThan(40);
    expect(wanted.filter((feature) => !seen.has(feature))).toEqual([]);
  });
});
