/**
 * The sample file (test/fixtures/syntax/sample/input.agp) uses every
 * construct of the language; its AST, without spans, is a golden file
 * (UPDATE_GOLDEN=1 rewrites it), so any change to what the parser produces
 * shows up in review.
 */
import { describe, expect, it } from "vitest";
import { parse, stripSpans } from "../../compiler/syntax/index.js";
import { expectGolden, read } from "./golden.js";

const DIR = "test/fixtures/syntax/sample";

describe("sample file", () => {
  it("parses to the expected AST", () => {
    const result = parse(read(DIR, "input.agp"), "input.agp");
    expect(result.diagnostics).toEqual([]);
    expectGolden(`${DIR}/expected.ast.json`, `${JSON.stringify(stripSpans(result.file), null, 2)}\n`);
  });
});
