/**
 * Property tests of the front end, on random well-formed ASTs (every
 * construct of the language, see test/support/arbitrary-ast.ts):
 * - printing then parsing gives the same tree back (spans aside);
 * - `format` leaves printed text unchanged (the canonical form is a fixed
 *   point, and the round-trip check inside `format` passes);
 * - comments inserted anywhere (own lines, line ends, after blank lines, in
 *   statements squeezed onto one line) all survive, and the result is stable;
 * - the canonical text does not depend on the source's spaces, tabs and
 *   line breaks.
 * The seed is fixed so the suite is reproducible; AGP_PROPERTY_RUNS raises
 * the number of runs and AGP_PROPERTY_SEED picks another seed for long runs.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { format, printFile } from "../../compiler/format/index.js";
import { parse, stripSpans } from "../../compiler/syntax/index.js";
import { expr, policyFile, testValue } from "../support/arbitrary-ast.js";

const numRuns = Number(process.env["AGP_PROPERTY_RUNS"] ?? 200);
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

  it("format keeps every comment, wherever it is written among blank lines, and is idempotent", () => {
    const commented = fc.tuple(policyFile(FILE), fc.boolean()).chain(([ast, joined]) => {
      const text = joined ? joinLines(printFile(ast, [])) : printFile(ast, []);
      const lineCount = text.split("\n").length;
      const insert = fc.record({
        line: fc.nat(lineCount - 1),
        ownLine: fc.boolean(),
        indent: fc.nat(6),
        blankBefore: fc.boolean(),
      });
      return fc.array(insert, { maxLength: 8 }).map((inserts) => withComments(text, inserts));
    });
    fc.assert(
      fc.property(commented, ({ source, count }) => {
        const result = format(source, FILE);
        expect(result.diagnostics, source).toEqual([]);
        for (let i = 0; i < count; i++) expect(result.text.split(`# c${i}\n`).length, result.text).toBe(2);
        expect(format(result.text, FILE).text, source).toBe(result.text);
      }),
      { seed, numRuns },
    );
  });

  it("the canonical text does not depend on how the source was laid out", () => {
    const reflowed = policyFile(FILE).chain((ast) => {
      const text = printFile(ast, []);
      const gaps = text.split("").filter((c) => c === " ").length;
      const breaks = fc.array(fc.constantFrom(" ", "  ", "\n", "\n    ", "\n\t"), { minLength: gaps, maxLength: gaps });
      return breaks.map((choices) => ({ text, source: reflow(text, choices) }));
    });
    let checked = 0;
    fc.assert(
      fc.property(reflowed, ({ text, source }) => {
        // A line break before a statement keyword starts a new statement: such sources are not this policy.
        if (parse(source, FILE).diagnostics.length > 0) return;
        checked++;
        expect(format(source, FILE).text, source).toBe(text);
      }),
      { seed, numRuns },
    );
    expect(checked).toBeGreaterThan(numRuns / 4);
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
              { kind: "Rule", id: idOf("r"), effect: { kind: "Word", value: "allow", span: condition.span }, patterns: [{ kind: "ActionPattern", segments: ["a"], wildcard: true, span: condition.span }], condition, obligations: [], span: condition.span },
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

/**
 * `text` with each space outside string literals replaced by the next of
 * `choices` (spaces, tabs, line breaks), blank lines never added.
 */
function reflow(text: string, choices: readonly string[]): string {
  let out = "";
  let inString = false;
  let next = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' && (!inString || !escaped(text, i))) inString = !inString;
    if (c === " " && !inString && text[i - 1] !== "\n" && text[i - 1] !== " ") out += choices[next++] ?? " ";
    else if (c === " " && !inString) next++;
    else out += c;
  }
  return out;
}

/** True when the character at `i` is preceded by an odd number of backslashes. */
function escaped(text: string, i: number): boolean {
  let count = 0;
  for (let j = i - 1; j >= 0 && text[j] === "\\"; j--) count++;
  return count % 2 === 1;
}

/**
 * The same policy written with each statement's indented lines joined onto
 * the line before (line breaks carry no meaning), except table rows.
 */
function joinLines(text: string): string {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const previous = out[out.length - 1];
    const row = line.trimStart().startsWith("|") || previous?.trimEnd().endsWith("where") === true;
    if (previous !== undefined && previous !== "" && line.startsWith(" ") && !row) out[out.length - 1] = `${previous} ${line.trim()}`;
    else out.push(line);
  }
  return out.join("\n");
}

/** Source text with `# cN` comments inserted on their own lines (maybe after a blank line) or at line ends. */
function withComments(
  text: string,
  inserts: readonly { line: number; ownLine: boolean; indent: number; blankBefore: boolean }[],
): { source: string; count: number } {
  const lines = text.split("\n");
  const above: string[][] = lines.map(() => []);
  const after: string[] = lines.map(() => "");
  inserts.forEach((insert, i) => {
    // One end-of-line comment per line: a second `#` would be part of the first comment.
    if (insert.ownLine || lines[insert.line] === "" || after[insert.line] !== "") {
      if (insert.blankBefore) above[insert.line]!.push("");
      above[insert.line]!.push(`${" ".repeat(insert.indent)}# c${i}`);
    }
    else after[insert.line] += ` # c${i}`;
  });
  const source = lines.flatMap((line, i) => [...above[i]!, line + after[i]!]).join("\n");
  return { source: source.endsWith("\n") ? source : `${source}\n`, count: inserts.length };
}

function idOf(name: string) {
  return { kind: "Identifier" as const, name, span: { file: FILE, line: 1, column: 1, endLine: 1, endColumn: 1, offset: 0, endOffset: 0 } };
}
