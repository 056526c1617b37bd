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
import { CALL_STATUSES, type CallPattern, type ActionPattern, type CallStatus, type CompareOp, type Duration, type Expr, type Path, type PastOp, type WindowUnit } from "./ast.js";
import { bracketSet, type Builder, checkCount, identifier, literal, numberLiteral, patternOf, setLiteral, word } from "./build-common.js";
import type {
  AndExprCstNode, CallCstNode, CallPatternCstNode, ComparisonCstNode, CompareOpCstNode, DurationCstNode, ExpressionCstNode,
  NotExprCstNode, OperandCstNode, PastExprCstNode, PathCstNode, PatternCstNode, QuantifierCstNode,
} from "./cst.generated.js";
import { didYouMean, joinSpans } from "../diagnostics/index.js";

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
  if (c.pastExpr) return pastExpr(b, c.pastExpr[0]!);
  return expression(b, c.expression![0]!);
}

/**
 * A session operator (docs/decisions/0024-session-rules.md). `track` on
 * `previous` is AGP166; unknown statuses AGP162; units AGP161.
 */
function pastExpr(b: Builder, node: PastExprCstNode): Expr {
  const c = node.children;
  const opToken = c.op![0]!;
  const word0 = opToken.image;
  if (word0 === "exposed" || word0 === "carries") {
    const label = identifier(b, c.label![0]!);
    if (word0 === "carries") return { kind: "LabelTest", op: "carries", label, span: b.span(node) };
    return { kind: "LabelTest", op: "exposed", label, window: duration(b, c.within![0]!.children.duration[0]!), span: b.span(node) };
  }
  const op: PastOp = word0 === "no" ? "no_since" : word0 === "only" ? "only_since" : (word0 as PastOp);
  const window = duration(b, c.within![0]!.children.duration[0]!);
  const track = c.trackClause?.[0];
  let trackCount;
  if (track !== undefined) {
    const token = track.children.count[0]!;
    if (op === "previous") {
      b.report("AGP166", b.span(track), {}, "`previous` asks only about the last call; remove `track`");
    } else {
      trackCount = numberLiteral(b, token);
      checkCount(b, trackCount, token, "a `track` capacity");
    }
  }
  return {
    kind: "Past",
    op,
    ...(c.value ? { value: operand(b, c.value[0]!) } : {}),
    call: callPattern(b, c.call![0]!),
    ...(c.anchor ? { anchor: callPattern(b, c.anchor[0]!) } : {}),
    window,
    ...(c.step ? { step: duration(b, c.step[0]!) } : {}),
    ...(trackCount === undefined ? {} : { track: trackCount }),
    span: b.span(node),
  };
}

function callPattern(b: Builder, node: CallPatternCstNode): CallPattern {
  const c = node.children;
  const statusToken = c.status?.[0];
  let status;
  if (statusToken !== undefined) {
    if ((CALL_STATUSES as readonly string[]).includes(statusToken.image)) status = word<CallStatus>(b, statusToken);
    else {
      const help = didYouMean(statusToken.image, CALL_STATUSES);
      b.report("AGP162", b.tokenSpan(statusToken), { status: statusToken.image }, help);
    }
  }
  return {
    kind: "Call",
    pattern: callActions(b, c.pattern[0]!),
    ...(status === undefined ? {} : { status }),
    ...(c.filter ? { filter: expression(b, c.filter[0]!) } : {}),
    span: b.span(node),
  };
}

/** The action pattern of a call pattern (`*` alone: every action); `*` anywhere but last is AGP121, as in rules. */
function callActions(b: Builder, node: PatternCstNode): ActionPattern {
  return patternOf(b, node.children.segments ?? [], b.span(node), "web");
}

/** Session windows are fixed lengths: seconds to weeks (a month is not). */
const DURATION_UNITS: readonly WindowUnit[] = ["second", "minute", "hour", "day", "week"];

/** `10 minutes`; an unknown unit or `month` is AGP161, a count that is not a positive whole number AGP138. */
export function duration(b: Builder, node: DurationCstNode): Duration {
  const c = node.children;
  const unitToken = c.unit[0]!;
  const singular = unitToken.image.endsWith("s") ? unitToken.image.slice(0, -1) : unitToken.image;
  let unit: WindowUnit = "hour";
  if ((DURATION_UNITS as readonly string[]).includes(singular)) unit = singular as WindowUnit;
  else {
    const words = [...DURATION_UNITS, ...DURATION_UNITS.map((u) => `${u}s`)];
    const help = singular === "month"
      ? "a session window is a fixed length: write it in days or weeks, such as `30 days`"
      : (didYouMean(unitToken.image, words) ?? `use ${DURATION_UNITS.map((u) => `\`${u}s\``).join(", ")}`);
    b.report("AGP161", b.tokenSpan(unitToken), { unit: unitToken.image }, help);
  }
  const countToken = c.count[0]!;
  const count = numberLiteral(b, countToken);
  const ok = checkCount(b, count, countToken, "a window's length");
  return { kind: "Duration", count: ok ? count.value : 1, unit, span: b.span(node) };
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
