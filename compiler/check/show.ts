/**
 * Prints an expression the way an author would write it, for messages:
 * `args.repo`, `"acme/payments"`, `{"a", "b"}`, `has args.labels`.
 *
 * In: an AST expression. Out: one line of .agp text (long sets are elided).
 * Must not be used to format files (that is compiler/format's job).
 */
import type { Expr, Literal } from "../syntax/index.js";

export function showExpr(expr: Expr): string {
  switch (expr.kind) {
    case "Path":
      return [expr.root.name, ...expr.fields.map((f) => f.name)].join(".");
    case "String":
    case "Number":
    case "Boolean":
    case "Null":
      return showLiteral(expr);
    case "Set": {
      const shown = expr.elements.slice(0, 4).map(showLiteral);
      return `{${shown.join(", ")}${expr.elements.length > 4 ? ", …" : ""}}`;
    }
    case "Logical":
      return `${inner(expr.left)} ${expr.op} ${inner(expr.right)}`;
    case "Not":
      return `not ${inner(expr.operand)}`;
    case "Compare":
      return `${inner(expr.left)} ${expr.op} ${inner(expr.right)}`;
    case "Has":
      return `has ${showExpr(expr.path)}`;
    case "Quantified":
      return `${expr.quantifier} ${expr.variable.name} in ${showExpr(expr.collection)}: ${showExpr(expr.body)}`;
    case "Call":
      return `${expr.callee.name}(${expr.args.map(showExpr).join(", ")})`;
  }
}

function inner(expr: Expr): string {
  const text = showExpr(expr);
  return expr.kind === "Logical" || expr.kind === "Compare" || expr.kind === "Quantified" || expr.kind === "Not"
    ? `(${text})`
    : text;
}

export function showLiteral(literal: Literal): string {
  switch (literal.kind) {
    case "String":
      return JSON.stringify(literal.value);
    case "Number":
      return String(literal.value);
    case "Boolean":
      return String(literal.value);
    case "Null":
      return "null";
  }
}
