/** The caret view and JSON form every verb prints. */
import { describe, expect, it } from "vitest";
import {
  diagnostic,
  diagnosticToJson,
  renderDiagnostics,
  sortDiagnostics,
  strict,
  type Span,
} from "../../compiler/diagnostics/index.js";

function span(line: number, column: number, endColumn: number, offset = 0): Span {
  return { file: "p.agp", line, column, endLine: line, endColumn, offset, endOffset: offset + endColumn - column };
}

const source = "package demo\n\nrule x:\n  merge github.pull_request.merge\n";

describe("renderDiagnostics", () => {
  it("shows location, severity, code, message, the line and a caret under the span", () => {
    const d = diagnostic("AGP901", span(4, 3, 8), { path: "x", reason: "no such file or directory" });
    expect(renderDiagnostics([d], new Map([["p.agp", source]]))).toBe(
      [
        "p.agp:4:3: error AGP901: cannot read `x`: no such file or directory",
        "  4 |   merge github.pull_request.merge",
        "    |   ^^^^^",
        "",
        "1 error, 0 warnings",
        "",
      ].join("\n"),
    );
  });

  it("prints help and related locations", () => {
    const d = diagnostic(
      "AGP901",
      span(4, 3, 8),
      { path: "x", reason: "r" },
      { help: "did you mean `deny`?", related: [{ span: span(3, 1, 5), message: "the rule starts here" }] },
    );
    expect(renderDiagnostics([d], new Map([["p.agp", source]]))).toBe(
      [
        "p.agp:4:3: error AGP901: cannot read `x`: r",
        "  4 |   merge github.pull_request.merge",
        "    |   ^^^^^",
        "  p.agp:3:1: note: the rule starts here",
        "    3 | rule x:",
        "      | ^^^^",
        "  help: did you mean `deny`?",
        "",
        "1 error, 0 warnings",
        "",
      ].join("\n"),
    );
  });

  it("renders without an excerpt when the source text is unknown", () => {
    const d = diagnostic("AGP901", span(4, 3, 8), { path: "x", reason: "r" });
    expect(renderDiagnostics([d], new Map())).toBe("p.agp:4:3: error AGP901: cannot read `x`: r\n\n1 error, 0 warnings\n");
  });

  it("renders nothing for no diagnostics", () => {
    expect(renderDiagnostics([], new Map())).toBe("");
  });
});

describe("diagnostic data", () => {
  it("refuses a template value that is missing (our bug, not the user's)", () => {
    expect(() => diagnostic("AGP901", span(1, 1, 2), { path: "x" })).toThrow(
      "internal error: AGP901 template needs {reason}",
    );
  });

  it("sorts by position and drops exact repeats", () => {
    const a = diagnostic("AGP901", span(2, 1, 2, 10), { path: "a", reason: "r" });
    const b = diagnostic("AGP901", span(1, 1, 2, 0), { path: "b", reason: "r" });
    expect(sortDiagnostics([a, b, a]).map((d) => d.message)).toEqual([b.message, a.message]);
  });

  it("turns warnings into errors under strict", () => {
    const w = { ...diagnostic("AGP901", span(1, 1, 2), { path: "a", reason: "r" }), severity: "warning" as const };
    expect(strict([w])[0]?.severity).toBe("error");
  });

  it("has a stable JSON form", () => {
    const d = diagnostic("AGP901", span(4, 3, 8), { path: "x", reason: "r" }, { help: "h" });
    expect(diagnosticToJson(d)).toEqual({
      code: "AGP901",
      severity: "error",
      message: "cannot read `x`: r",
      file: "p.agp",
      line: 4,
      column: 3,
      endLine: 4,
      endColumn: 8,
      help: "h",
    });
  });
});
