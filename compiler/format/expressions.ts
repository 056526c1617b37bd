/**
 * Layout of expressions: conditions, costs, paths, sets, calls.
 *
 * In: Expr nodes. Out: inline runs with the fewest parentheses that parse
 * back to the same tree, and, for a condition too long for one line, one
 * line per top-level `and`/`or` operand.
 *
 * Precedence, loosest first: or (1) < and (2) < not (3) < comparison (4) <
 * operand (5). `and`/`or` are left-associative, so a right operand of the
 * same operator keeps its parentheses; a long chain stored balanced
 * (`balanced` nodes) prints flat, as it was written. A quantifier's body extends as far
 * right as it can, so a quantifier that is not a whole condition or a whole
 * body is always parenthesized.
 * This file must not place comments or decide blank lines.
 */
import type { CallPattern, Duration, Expr, Path, SetLiteral } from "../syntax/index.js";
import type { LayoutContext } from "./context.js";
import { decimal, literal, numberLiteral } from "./literals.js";
import { INDENT, concat, covering, fits, join, line, spanned, text, type Inline, type Line } from "./text.js";

const OR = 1;
const AND = 2;
const NOT = 3;
const COMPARISON = 4;
const OPERAND = 5;

function precedence(expr: Expr): number {
  switch (expr.kind) {
    case "Logical":
      return expr.op === "or" ? OR : AND;
    case "Not":
      return NOT;
    case "Compare":
      return COMPARISON;
    default:
      return OPERAND;
  }
}

/** A dotted path: `args.repo`, `production_repos`. */
export function path(node: Path): Inline {
  return spanned([node.root.name, ...node.fields.map((f) => f.name)].join("."), node.span);
}

/** A set literal: `{"dev", "staging"}`. */
export function setLiteral(node: SetLiteral): Inline {
  return concat(
    spanned("{", { ...node.span, endOffset: node.span.offset }),
    join(node.elements.map(literal), ", "),
    spanned("}", { ...node.span, offset: node.span.endOffset }),
  );
}

/** An expression in a position where it stands alone (a whole condition or body). */
export function expression(expr: Expr): Inline {
  return covering(bare(expr), expr.span);
}

/** An expression that must bind at least as tightly as `minimum`. */
function operand(expr: Expr, minimum: number): Inline {
  if (expr.kind === "Quantified" || precedence(expr) < minimum) {
    return covering(concat(text("("), bare(expr), text(")")), expr.span);
  }
  return covering(bare(expr), expr.span);
}

function bare(expr: Expr): Inline {
  switch (expr.kind) {
    case "Path":
      return path(expr);
    case "String":
    case "Number":
    case "Boolean":
    case "Null":
      return literal(expr);
    case "Set":
      return setLiteral(expr);
    case "Has":
      return concat(text("has "), path(expr.path));
    case "Not":
      return concat(text("not "), operand(expr.operand, NOT));
    case "Compare":
      return concat(operand(expr.left, OPERAND), text(` ${expr.op} `), operand(expr.right, OPERAND));
    case "Logical":
      // Flat, as written, without recursing along the chain (long chains are stored balanced).
      return join(chain(expr), ` ${expr.op} `);
    case "Quantified":
      return concat(
        text(`${expr.quantifier} `),
        spanned(expr.variable.name, expr.variable.span),
        text(" in "),
        operand(expr.collection, OPERAND),
        text(": "),
        expression(expr.body),
      );
    case "LabelTest":
      return expr.op === "carries"
        ? concat(text("carries "), spanned(expr.label.name, expr.label.span))
        : concat(text("exposed "), spanned(expr.label.name, expr.label.span), text(" within "), duration(expr.window!));
    case "Past": {
      const tail = [text(" within "), duration(expr.window)];
      if (expr.step !== undefined) tail.push(text(" step "), duration(expr.step));
      if (expr.track !== undefined) tail.push(text(" track "), numberLiteral(expr.track));
      switch (expr.op) {
        case "sum":
          return concat(text("sum "), operand(expr.value!, OPERAND), text(" of "), call(expr.call), ...tail);
        case "no_since":
        case "only_since":
          return concat(text(expr.op === "no_since" ? "no " : "only "), call(expr.call), text(" since "), call(expr.anchor!), ...tail);
        default:
          return concat(text(`${expr.op} `), call(expr.call), ...tail);
      }
    }
    case "Call":
      return concat(spanned(expr.callee.name, expr.callee.span), text("("), join(expr.args.map(expression), ", "), text(")"));
  }
}

/** `bank.send_money succeeded where args.amount > 100`: the filter runs up to the operator's `within`. */
function call(node: CallPattern): Inline {
  const pattern = spanned([...node.pattern.segments, ...(node.pattern.wildcard ? ["*"] : [])].join("."), node.pattern.span);
  const parts = [pattern];
  if (node.status !== undefined) parts.push(text(" "), spanned(node.status.value, node.status.span));
  if (node.filter !== undefined) parts.push(text(" where "), expression(node.filter));
  return concat(...parts);
}

/** `1 hour`, `10 minutes`. */
export function duration(node: Duration): Inline {
  return spanned(node.count === 1 ? `1 ${node.unit}` : `${decimal(node.count)} ${node.unit}s`, node.span);
}

/**
 * The operands of a top-level `and`/`or` chain, left to right, each already
 * parenthesized as its position needs.
 */
function chain(expr: Expr & { kind: "Logical" }): Inline[] {
  const level = precedence(expr);
  const long = expr.balanced === true;
  const operands: Inline[] = [];
  // Which nodes are the written chain's own: in a long (balanced) chain, its marked nodes; in a
  // short one, unmarked left operands of the same operator. Every other operand of the same
  // operator was a parenthesized group and keeps its parentheses. An explicit stack: a chain may be long.
  const own = (node: Expr, right: boolean): boolean =>
    node.kind === "Logical" && node.op === expr.op && (long ? node.balanced === true : !right && node.balanced !== true);
  const stack: { node: Expr; right: boolean }[] = [{ node: expr.right, right: true }, { node: expr.left, right: false }];
  while (stack.length > 0) {
    const { node, right } = stack.pop()!;
    if (own(node, right) && node.kind === "Logical") {
      stack.push({ node: node.right, right: true }, { node: node.left, right: false });
      continue;
    }
    const sameOp = node.kind === "Logical" && node.op === expr.op;
    operands.push(operand(node, right || long || sameOp ? level + 1 : level));
  }
  return operands;
}

/**
 * A clause holding an expression (`when <expr>`, `cost <expr>`) at `indent`.
 * On one line when it fits and no comment sits inside it; otherwise a
 * top-level `and`/`or` chain breaks before each operator, the operators
 * indented one step further than the clause.
 */
export function expressionClause(keyword: string, expr: Expr, indent: number, context: LayoutContext): Line[] {
  return headedExpression(text(`${keyword} `), expr, indent, context);
}

/** `head expr`, broken as `expressionClause` breaks (`let name(x) = …` uses it too). */
export function headedExpression(head: Inline, expr: Expr, indent: number, context: LayoutContext): Line[] {
  const whole = concat(head, expression(expr));
  const mustBreak = context.commentWithin(expr.span);
  if (expr.kind !== "Logical" || (!mustBreak && fits(indent, whole))) return [line(indent, whole)];
  const [first, ...rest] = chain(expr);
  if (first === undefined) return [line(indent, whole)];
  return [
    line(indent, concat(head, first)),
    ...rest.map((part) => line(indent + INDENT, concat(text(`${expr.op} `), part))),
  ];
}
