/**
 * Golden tests for every syntax error code: each directory under
 * test/fixtures/syntax/_error_/ holds `input.agp`, the exact rendered
 * diagnostics in `expected.diag.txt` (UPDATE_GOLDEN=1 rewrites them), and
 * `fix.txt` (the fix shown in docs/errors.md). A directory is named after the
 * code it demonstrates, and must produce that code.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CODES, renderDiagnostics } from "../../compiler/diagnostics/index.js";
import { expectation } from "../../compiler/syntax/expectations.js";
import { parse } from "../../compiler/syntax/index.js";
import { expectGolden, fixtureDirs, read } from "./golden.js";

const ROOT = "test/fixtures/syntax/_error_";
const KNOWN_FILES = new Set(["input.agp", "expected.diag.txt", "fix.txt"]);

describe("syntax error messages (golden)", () => {
  for (const name of fixtureDirs(ROOT)) {
    it(name, () => {
      const dir = join(ROOT, name);
      const source = read(dir, "input.agp");
      const result = parse(source, "input.agp");
      const code = name.slice(0, 6);
      expect(result.diagnostics.map((d) => d.code)).toContain(code);
      expectGolden(join(dir, "expected.diag.txt"), renderDiagnostics(result.diagnostics, new Map([["input.agp", source]])));
      for (const file of readdirSync(dir)) expect(KNOWN_FILES.has(file), `orphaned file ${join(dir, file)}`).toBe(true);
    });
  }

  it("every AGP1xx code (but the internal fallback AGP199) has a fixture", () => {
    const covered = new Set(fixtureDirs(ROOT).map((n) => n.slice(0, 6)));
    const codes = Object.keys(CODES).filter((c) => /^AGP1\d\d$/.test(c) && c !== "AGP199");
    expect(codes.filter((c) => !covered.has(c))).toEqual([]);
    expect(codes.length).toBeGreaterThanOrEqual(25);
  });

  it("every ERR_MSG key in the grammar has a message of its own (never the AGP199 fallback)", () => {
    const grammar = ["grammar-expr.ts", "grammar-policy.ts", "grammar-tests.ts", "parser.ts"]
      .map((f) => readFileSync(join("compiler/syntax", f), "utf8"))
      .join("\n");
    const keys = [...grammar.matchAll(/ERR_MSG: "([^"]+)"/g)].map((m) => m[1]!);
    expect(keys.length).toBeGreaterThan(40);
    // errors.ts refines "operand" and "path" by context into these:
    keys.push("condition", "cost", "body", "collection", "compare-operand", "limit-key");
    expect(keys.filter((key) => expectation(key).code === "AGP199")).toEqual([]);
    for (const kind of ["paren", "set", "object", "array"]) expect(expectation(`close:${kind}:0`).code).toBe("AGP132");
  });
});
