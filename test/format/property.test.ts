/**
 * Property tests of the front end: for random well-formed ASTs (every
 * construct of the language, see test/support/arbitrary-ast.ts),
 * - printing then parsing gives the same tree back (spans aside), and
 * - `format` leaves printed text unchanged (the canonical form is a fixed
 *   point, and the round-trip check inside `format` passes).
 * The seed is fixed so the suite is reproducible; AGP_PROPERTY_RUNS raises
 * the number of runs and AGP_PROPERTY_SEED picks another seed for long runs.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { format, printFile } from "../../compiler/format/index.js";
import { parse, stripSpans } from "../../compiler/syntax/index.js";
import { expr, policyFile, testValue } from "../support/arbitrary-ast.js";

const numRuns = Number(process.env["AGP_PROPERTY_RUNS"] ?? 300);
const seed = Number(process.env["AGP_PROPERTY_SEED"] ?? 20261121);
const FILE = "generated.agp";

describe("front-end properties", () => {
  it("parse(printFile(ast)) gives back ast", () => {
    fc.assert(
      fc.property(policyFile(FILE), (ast) => {
        const text = printFile(ast, []);
        const parsed = parse(text, FILE);
        expect(parsed.diagnostics, text).toEqual([]);
        expect(stripSpans(parsed.file), text).toEqual(stripSpans(ast));
      }),
      { seed, numRuns },
    );
  });

  it("format leaves printed text unchanged", () => {
    fc.assert(
      fc.property(policyFile(FILE), (ast) => {
        const text = printFile(ast, []);
        const result = format(text, FILE);
        expect(result.text).toBe(text);
        expect(result.changed).toBe(false);
      }),
      { seed, numRuns },
    );
  });

  it("deep expressions and test data round-trip", () => {
    const deep = fc.tuple(expr(7), testValue(6)).map(([condition, value]) => ({ condition, value }));
    fc.assert(
      fc.property(deep, ({ condition, value }) => {
        const source = printFile(
          {
            kind: "File",
            file: FILE,
            statements: [
              { kind: "Rule", id: idOf("r"), effect: { kind: "Word", value: "allow", span: condition.span }, pattern: { kind: "ActionPattern", segments: ["a"], wildcard: true, span: condition.span }, condition, obligations: [], span: condition.span },
              { kind: "Fixture", name: idOf("f"), value, span: condition.span },
            ],
            span: condition.span,
          },
          [],
        );
        const parsed = parse(source, FILE);
        expect(parsed.diagnostics, source).toEqual([]);
        const [rule, fixture] = parsed.file.statements;
        expect(rule?.kind === "Rule" ? stripSpans(rule.condition) : undefined, source).toEqual(stripSpans(condition));
        expect(fixture?.kind === "Fixture" ? stripSpans(fixture.value) : undefined, source).toEqual(stripSpans(value));
      }),
      { seed, numRuns: Math.max(1, Math.floor(numRuns / 3)) },
    );
  });
});

function idOf(name: string) {
  return { kind: "Identifier" as const, name, span: { file: FILE, line: 1, column: 1, endLine: 1, endColumn: 1, offset: 0, endOffset: 0 } };
}
