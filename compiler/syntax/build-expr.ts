/**
 * CST → AST for conditions: `or`, `and`, `not`, comparisons, operands,
 * quantifiers, calls (`lower(args.repo)`, `unknown(r)`), paths.
 *
 * In: an `expression` CST node. Out: an `Expr` (ast.ts). `and`/`or` fold to
 * the left (long chains: a balanced tree of left folds, see `chain`);
 * parentheses leave no node behind. A chained comparison
 * (`a < b < c`, AGP130) and `=` used as a comparison (AGP134) are reported
 * here; the grammar accepts them only so that these messages can be precise.
 * This file must not consume tokens or call the parser.
 */
import type { IToken } from "chevrotain";
import type { CompareOp, Expr, Path } from "./ast.js";
import { bracketSet, type Builder, identifier, literal, setLiteral } from "./build-common.js";
import type {
  AndExprCstNode, CallCstNode, ComparisonCstNode, CompareOpCstNode, ExpressionCstNode, NotExprCstNode, OperandCstNode, PathCstNode,
  QuantifierCstNode,
} from "./cst.generated.js";
import { joinSpans } from "../diagnostics/index.js";

export function expression(b: Builder, node: ExpressionCstNode): Expr {
  return chain("or", node.children.operands.map((n) => andExpr(b, n)));
}

function andExpr(b: Builder, node: AndExprCstNode): Expr {
  return chain("and", node.children.operands.map((n) => notExpr(b, n)));
}

/** Chains up to this many operands fold to the left; longer ones become a balanced tree of such runs. */
export const CHAIN_RUN = 32;

/**
 * `a op b op c …` as a tree: a left fold when short (the tree every reader
 * expects), a balanced tree of left-folded runs when long, so that a
 * 5,000-term condition is 40 levels deep rather than 5,000 and no later
 * stage recurses that deep (issue 11). Every node of a long chain is marked
 * `balanced`, so the formatter can print it back flat, as written.
 */
function chain(op: "and" | "or", operands: readonly Expr[]): Expr {
  return operands.length <= CHAIN_RUN ? operands.reduce((left, right) => logical(op, left, right)) : longChain(op, operands);
}

function longChain(op: "and" | "or", operands: readonly Expr[]): Expr {
  if (operands.length <= CHAIN_RUN) return operands.reduce((left, right) => logical(op, left, right, true));
  const middle = Math.ceil(operands.length / 2);
  return logical(op, longChain(op, operands.slice(0, middle)), longChain(op, operands.slice(middle)), true);
}

function logical(op: "and" | "or", left: Expr, right: Expr, balanced = false): Expr {
  return { kind: "Logical", op, left, right, ...(balanced ? { balanced: true as const } : {}), span: joinSpans(left.span, right.span) };
}

function notExpr(b: Builder, node: NotExprCstNode): Expr {
  const c = node.children;
  if (c.notExpr !== undefined) return { kind: "Not", operand: notExpr(b, c.notExpr[0]!), span: b.span(node) };
  return comparison(b, c.comparison![0]!);
}

function comparison(b: Builder, node: ComparisonCstNode): Expr {
  const [first, second, third] = node.children.operands;
  const [op1, op2] = node.children.ops ?? [];
  const left = operand(b, first!);
  if (op1 === undefined || second === undefined) return left;
  if (op2 !== undefined && third !== undefined) {
    const opText = (op: CompareOpCstNode): string => (op.children.op ?? []).map((t) => t.image).join(" ");
    b.report("AGP130", b.span(op2), {
      left: b.text(first!), op1: opText(op1), middle: b.text(second), op2: opText(op2), right: b.text(third),
    });
  }
  const right = operand(b, second);
  return { kind: "Compare", op: compareOp(b, op1), left, right, span: joinSpans(left.span, right.span) };
}

function compareOp(b: Builder, node: CompareOpCstNode): CompareOp {
  const tokens: IToken[] = node.children.op ?? [];
  const text = tokens.map((t) => t.image).join(" ");
  if (text === "=") {
    b.report("AGP134", b.span(node));
    return "==";
  }
  return text as CompareOp;
}

function operand(b: Builder, node: OperandCstNode): Expr {
  const c = node.children;
  if (c.call) return call(b, c.call[0]!);
  if (c.path) return path(b, c.path[0]!);
  if (c.literal) return literal(b, c.literal[0]!);
  if (c.setLiteral) return setLiteral(b, c.setLiteral[0]!);
  if (c.bracketSet) return bracketSet(b, c.bracketSet[0]!);
  if (c.hasPath) return { kind: "Has", path: path(b, c.hasPath[0]!), span: b.span(node) };
  if (c.quantifier) return quantifier(b, c.quantifier[0]!);
  return expression(b, c.expression![0]!);
}

/** `name(arg, …)`; `name()` is AGP172 and reads as the bare name. */
function call(b: Builder, node: CallCstNode): Expr {
  const c = node.children;
  const callee = identifier(b, c.callee[0]!);
  const args = (c.args ?? []).map((a) => expression(b, a));
  if (args.length === 0) {
    b.report("AGP172", b.span(node), {}, `a condition without parameters is used by its name: write \`${callee.name}\``);
    return { kind: "Path", root: callee, fields: [], span: b.span(node) };
  }
  return { kind: "Call", callee, args, span: b.span(node) };
}

function quantifier(b: Builder, node: QuantifierCstNode): Expr {
  const c = node.children;
  return {
    kind: "Quantified",
    quantifier: c.KwAll ? "all" : "any",
    variable: identifier(b, c.variable[0]!),
    collection: operand(b, c.collection[0]!),
    body: expression(b, c.body[0]!),
    span: b.span(node),
  };
}

export function path(b: Builder, node: PathCstNode): Path {
  return {
    kind: "Path",
    root: identifier(b, node.children.root[0]!),
    fields: (node.children.fields ?? []).map((t) => identifier(b, t)),
    span: b.span(node),
  };
}
