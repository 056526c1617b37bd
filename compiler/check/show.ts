/**
 * Prints an expression the way an author would write it, for messages:
 * `args.repo`, `"acme/payments"`, `{"a", "b"}`, `has args.labels`.
 *
 * In: an AST expression. Out: one line of .agp text (long sets are elided).
 * Must not be used to format files (that is compiler/format's job).
 */
import type { CallPattern, Duration, Expr, Literal } from "../syntax/index.js";

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
    case "LabelTest":
      return expr.op === "carries" ? `carries ${expr.label.name}` : `exposed ${expr.label.name} within ${showDuration(expr.window!)}`;
    case "Past": {
      const track = expr.track === undefined ? "" : ` track ${String(expr.track.value)}`;
      const window = `within ${showDuration(expr.window)}`;
      switch (expr.op) {
        case "sum":
          return `sum ${showExpr(expr.value!)} of ${showCall(expr.call)} ${window}${expr.step === undefined ? "" : ` step ${showDuration(expr.step)}`}${track}`;
        case "no_since":
        case "only_since":
          return `${expr.op === "no_since" ? "no" : "only"} ${showCall(expr.call)} since ${showCall(expr.anchor!)} ${window}`;
        default:
          return `${expr.op} ${showCall(expr.call)} ${window}${track}`;
      }
    }
    case "Call":
      return `${expr.callee.name}(${expr.args.map(showExpr).join(", ")})`;
  }
}

/** `bank.send_money succeeded where args.amount > 100` */
export function showCall(call: CallPattern): string {
  const pattern = call.pattern.wildcard ? [...call.pattern.segments, "*"].join(".") : call.pattern.segments.join(".");
  const status = call.status === undefined ? "" : ` ${call.status.value}`;
  return `${pattern}${status}${call.filter === undefined ? "" : ` where ${showExpr(call.filter)}`}`;
}

/** `1 hour`, `10 minutes` */
export function showDuration(d: Duration): string {
  return `${String(d.count)} ${d.unit}${d.count === 1 ? "" : "s"}`;
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
