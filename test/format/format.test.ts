/**
 * The contract of `format` a caller (the `agp fmt` command) relies on: files
 * with syntax errors come back untouched with their errors, `changed` says
 * whether the text differs, and numbers and strings print so the lexer reads
 * back the same value.
 */
import { describe, expect, it } from "vitest";
import { format, printFile } from "../../compiler/format/index.js";
import { parse, type PolicyFile } from "../../compiler/syntax/index.js";
import { GENERATED_SPAN } from "../support/arbitrary-ast.js";

const span = GENERATED_SPAN;

describe("format", () => {
  it("refuses a file with syntax errors: same text, not changed, the errors returned", () => {
    const source = "rule r:\n    allow a.b\n  when (a and\n";
    const result = format(source, "broken.agp");
    expect(result.text).toBe(source);
    expect(result.changed).toBe(false);
    expect(result.diagnostics.length).toBeGreaterThan(0);
    expect(result.diagnostics.every((d) => d.span.file === "broken.agp")).toBe(true);
    expect(result.diagnostics.some((d) => d.severity === "error")).toBe(true);
  });

  it("reports changed only when the text differs", () => {
    const canonical = "rule r:\n  allow a.b\n";
    expect(format(canonical, "a.agp")).toMatchObject({ text: canonical, changed: false, diagnostics: [] });
    expect(format("rule r: allow a.b", "a.agp")).toMatchObject({ text: canonical, changed: true });
  });

  it("ends every line with \\n, whatever the source used, and trims trailing spaces", () => {
    expect(format("let a = 1   \r\nlet b = 2\r\n", "a.agp").text).toBe("let a = 1\nlet b = 2\n");
    expect(format("let a = 1", "a.agp").text).toBe("let a = 1\n");
  });
});

describe("printFile", () => {
  /** A file of one `let` per value, printed. */
  function lets(values: readonly number[]): string {
    const file: PolicyFile = {
      kind: "File",
      file: "n.agp",
      statements: values.map((value, i) => ({
        kind: "Let",
        name: { kind: "Identifier", name: `n${i}`, span },
        value: { kind: "Number", value, span },
        span,
      })),
      span,
    };
    return printFile(file, []);
  }

  it("prints numbers as plain decimals, never with an exponent", () => {
    expect(lets([1e21, 1e-7, 1.5e-10, 123.456, -2.5e22, 0.1, 100])).toBe(
      [
        "let n0 = 1000000000000000000000",
        "let n1 = 0.0000001",
        "let n2 = 0.00000000015",
        "let n3 = 123.456",
        "let n4 = -25000000000000000000000",
        "let n5 = 0.1",
        "let n6 = 100",
        "",
      ].join("\n"),
    );
  });

  it("prints numbers that parse back to exactly the same value", () => {
    // The lexer takes numbers up to 2^53 - 1 in magnitude (AGP106).
    const values = [5e-324, 1e-7, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 0.30000000000000004, -1e-300, 4503599627370495.5, -0];
    const text = lets(values);
    for (const line of text.trim().split("\n")) expect(line).toMatch(/^let n\d = -?\d+(\.\d+)?$/);
    const parsed = parse(text, "n.agp");
    expect(parsed.diagnostics).toEqual([]);
    const read = parsed.file.statements.map((s) => (s.kind === "Let" && s.value.kind === "Number" ? s.value.value : NaN));
    read.forEach((value, i) => expect(Object.is(value, values[i])).toBe(true));
    expect(format(text, "n.agp").changed).toBe(false);
  });
});
