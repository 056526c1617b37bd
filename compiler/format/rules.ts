/**
 * Layout of rules and limits.
 *
 * In: RuleDecl and LimitDecl nodes. Out: their lines.
 * A rule is always a head line, an effect line and one line per clause, in
 * the order when, by, with, because, audit, binds. A limit is one line when it fits
 * in the line width and holds no comment; otherwise a head line (everything
 * up to `on <pattern>`) and one line per clause, in the order cost, when,
 * otherwise, because.
 * This file must not place comments (comments.ts does, from the anchors).
 */
import type { ActionPattern, ApprovalRequirement, LimitDecl, Obligation, RuleDecl, Window } from "../syntax/index.js";
import type { LayoutContext } from "./context.js";
import { expression, expressionClause, path, setLiteral } from "./expressions.js";
import { decimal, literal, numberLiteral, stringLiteral } from "./literals.js";
import { INDENT, concat, fits, join, line, opening, spanned, text, type Inline, type Line } from "./text.js";

/** `github.pull_request.*`, `*` */
export function actionPattern(node: ActionPattern): Inline {
  return spanned([...node.segments, ...(node.wildcard ? ["*"] : [])].join("."), node.span);
}

/** One pattern, or `{deploy.*, aws.*}` for several. */
export function actionPatterns(patterns: readonly ActionPattern[]): Inline {
  if (patterns.length === 1) return actionPattern(patterns[0]!);
  return concat(text("{"), join(patterns.map(actionPattern), ", "), text("}"));
}

/** `requester and 1 of group "a" and 2 of groups "b", "c" (same person allowed)` (without the leading `by`). */
export function approval(node: ApprovalRequirement): Inline {
  const quorums = node.quorums.map((quorum) =>
    concat(
      numberLiteral(quorum.count),
      text(quorum.groups.length === 1 ? " of group " : " of groups "),
      join(quorum.groups.map(stringLiteral), ", "),
    ),
  );
  const approvers = node.requester === undefined ? quorums : [spanned("requester", node.requester.span), ...quorums];
  const joined = join(approvers, " and ");
  return node.samePerson === undefined ? joined : concat(joined, text(" ("), spanned("same person allowed", node.samePerson.span), text(")"));
}

function obligation(node: Obligation): Inline {
  const value = node.value;
  const shown = value.kind === "Path" ? path(value) : value.kind === "Set" ? setLiteral(value) : literal(value);
  return concat(spanned(node.key.name, node.key.span), text(" = "), shown);
}

/** A rule: head line, effect line, then its clauses in canonical order. */
export function ruleLines(rule: RuleDecl, context: LayoutContext): Line[] {
  const body = INDENT;
  const head = concat(opening("rule ", rule.span), spanned(rule.id.name, rule.id.span), text(":"));
  const effectParts = [spanned(rule.effect.value, rule.effect.span), text(" "), actionPatterns(rule.patterns)];
  if (rule.principal !== undefined) effectParts.push(text(" for "), spanned(rule.principal.value, rule.principal.span));
  const lines: Line[] = [line(0, head), line(body, concat(...effectParts))];
  if (rule.condition !== undefined) for (const item of expressionClause("when", rule.condition, body, context)) lines.push(item);
  if (rule.approval !== undefined) lines.push(line(body, concat(text("by "), approval(rule.approval))));
  if (rule.obligations.length > 0) {
    lines.push(line(body, concat(text("with "), join(rule.obligations.map(obligation), ", "))));
  }
  if (rule.reason !== undefined) lines.push(line(body, concat(text("because "), stringLiteral(rule.reason))));
  if (rule.audit !== undefined) lines.push(line(body, concat(text("audit "), spanned(rule.audit.value, rule.audit.span))));
  if (rule.binds !== undefined) lines.push(line(body, concat(text("binds "), join(rule.binds.paths.map(path), ", "))));
  return lines;
}

/** `per hour`, `per 10 minutes`. */
export function windowText(window: Window): Inline {
  const words = window.count === 1 ? `per ${window.unit}` : `per ${decimal(window.count)} ${window.unit}s`;
  return spanned(words, window.span);
}

function limitHead(limit: LimitDecl): Inline {
  const measure =
    limit.measure.kind === "Rate"
      ? numberLiteral(limit.measure.count)
      : concat(
          text("budget "),
          numberLiteral(limit.measure.amount),
          ...(limit.measure.unit === undefined ? [] : [text(" "), spanned(limit.measure.unit.name, limit.measure.unit.span)]),
        );
  const keys = limit.keys.length === 0 ? [] : [text(" per "), join(limit.keys.map(path), ", ")];
  return concat(
    opening("limit ", limit.span),
    spanned(limit.id.name, limit.id.span),
    text(": "),
    measure,
    text(" "),
    windowText(limit.window),
    ...keys,
    text(" on "),
    actionPatterns(limit.patterns),
  );
}

/** The clauses of a limit, each as it prints on one line, in canonical order. */
function limitClauses(limit: LimitDecl): { keyword: string; body: Inline; expr?: LimitDecl["condition"] }[] {
  const clauses: { keyword: string; body: Inline; expr?: LimitDecl["condition"] }[] = [];
  if (limit.measure.kind === "Budget") {
    clauses.push({ keyword: "cost", body: expression(limit.measure.cost), expr: limit.measure.cost });
  }
  if (limit.condition !== undefined) {
    clauses.push({ keyword: "when", body: expression(limit.condition), expr: limit.condition });
  }
  if (limit.otherwise !== undefined) {
    const body =
      limit.otherwise.kind === "CapDeny"
        ? spanned("deny", limit.otherwise.span)
        : concat(opening("approve by ", limit.otherwise.span), approval(limit.otherwise.approval));
    clauses.push({ keyword: "otherwise", body });
  }
  if (limit.reason !== undefined) clauses.push({ keyword: "because", body: stringLiteral(limit.reason) });
  return clauses;
}

/** A limit: one line if it fits and holds no comment, else head plus one line per clause. */
export function limitLines(limit: LimitDecl, context: LayoutContext): Line[] {
  const head = limitHead(limit);
  const clauses = limitClauses(limit);
  const oneLine = concat(head, ...clauses.map((c) => concat(text(` ${c.keyword} `), c.body)));
  if (fits(0, oneLine) && !context.commentWithin(limit.span)) return [line(0, oneLine)];
  const lines: Line[] = [line(0, head)];
  for (const clause of clauses) {
    if (clause.expr !== undefined) for (const item of expressionClause(clause.keyword, clause.expr, INDENT, context)) lines.push(item);
    else lines.push(line(INDENT, concat(text(`${clause.keyword} `), clause.body)));
  }
  return lines;
}
