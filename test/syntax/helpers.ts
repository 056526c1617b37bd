/**
 * Helpers for the syntax tests: parse-and-expect-clean, and a compact
 * S-expression printer for conditions so precedence tests stay readable.
 */
import { expect } from "vitest";
import { renderDiagnostics } from "../../compiler/diagnostics/index.js";
import { parse, stripSpans, type Expr, type RuleDecl, type Statement } from "../../compiler/syntax/index.js";

/** Parses `source`, asserts it has no diagnostics, returns its statements without spans. */
export function statementsOf(source: string): Statement[] {
  const result = parse(source, "test.agp");
  expect(renderDiagnostics(result.diagnostics, new Map([["test.agp", source]]))).toBe("");
  return stripSpans(result.file.statements) as Statement[];
}

/** The one statement of `source`. */
export function only(source: string): Statement {
  const statements = statementsOf(source);
  expect(statements).toHaveLength(1);
  return statements[0]!;
}

/** The condition of `rule r: allow a.b when <condition>`, as an S-expression. */
export function condition(text: string): string {
  const rule = only(`rule r: allow a.b when ${text}`) as RuleDecl;
  return sexpr(rule.condition!);
}

export function sexpr(e: Expr): string {
  switch (e.kind) {
    case "Path":
      return [e.root.name, ...e.fields.map((f) => f.name)].join(".");
    case "String":
      return JSON.stringify(e.value);
    case "Number":
    case "Boolean":
      return String(e.value);
    case "Null":
      return "null";
    case "Set":
      return `{${e.elements.map(sexpr).join(" ")}}`;
    case "Logical":
      return `(${e.op} ${sexpr(e.left)} ${sexpr(e.right)})`;
    case "Not":
      return `(not ${sexpr(e.operand)})`;
    case "Compare":
      return `(${e.op} ${sexpr(e.left)} ${sexpr(e.right)})`;
    case "Has":
      return `(has ${sexpr(e.path)})`;
    case "Quantified":
      return `(${e.quantifier} ${e.variable.name} ${sexpr(e.collection)} ${sexpr(e.body)})`;
    case "LabelTest":
      return `(${e.op} ${e.label.name}${e.window === undefined ? "" : ` ${String(e.window.count)}${e.window.unit}`})`;
    case "Past": {
      const call = (c: NonNullable<typeof e.anchor>) =>
        `(call ${[...c.pattern.segments, ...(c.pattern.wildcard ? ["*"] : [])].join(".")} ${c.status?.value ?? "allowed"}${c.filter === undefined ? "" : ` ${sexpr(c.filter)}`})`;
      const parts = [
        e.op,
        ...(e.value === undefined ? [] : [sexpr(e.value)]),
        call(e.call),
        ...(e.anchor === undefined ? [] : [call(e.anchor)]),
        `${String(e.window.count)}${e.window.unit}`,
        ...(e.step === undefined ? [] : [`step ${String(e.step.count)}${e.step.unit}`]),
        ...(e.track === undefined ? [] : [`track ${String(e.track.value)}`]),
      ];
      return `(${parts.join(" ")})`;
    }
    case "Call":
      return `(call ${e.callee.name} ${e.args.map(sexpr).join(" ")})`;
  }
}

/** Messages of the diagnostics of `source`. */
export function messages(source: string): string[] {
  return parse(source, "test.agp").diagnostics.map((d) => `${d.code} ${String(d.span.line)}:${String(d.span.column)} ${d.message}`);
}
