/**
 * CST → AST for policy statements: `package`, `actions`, `delegation`, `let`
 * (constants and named conditions), `rule`, `limit`.
 *
 * In: the CST node of one statement. Out: its AST node, or undefined when
 * the statement cannot be represented (a budget without `cost`). Closed
 * word sets the grammar reads as plain names (delegation modes, audit
 * levels, window units) are checked here, with the same message and
 * did-you-mean a parser mismatch would give. Clauses given twice are AGP124.
 * This file must not consume tokens or call the parser.
 */
import {
  AUDIT_LEVELS, DELEGATION_MODES, WINDOW_UNITS, type AuditLevel, type CapAction, type DelegationMode, type Expr,
  type Identifier, type LabelDecl, type LimitDecl, type Literal, type Obligation, type Principal, type RuleDecl, type SessionDecl, type SetLiteral,
  type Statement, type Window, type WindowUnit,
} from "./ast.js";
import {
  actionPattern, actionPatterns, approval, bracketSet, type Builder, checkCount, ClauseSet, identifier, literal, numberLiteral, setLiteral,
  stringLiteral, word,
} from "./build-common.js";
import { duration, expression, path } from "./build-expr.js";
import type {
  ActionsDeclCstNode, DelegationDeclCstNode, LabelDeclCstNode, LetDeclCstNode, LimitDeclCstNode, ObligationCstNode,
  PackageDeclCstNode, PrincipalCstNode, RuleDeclCstNode, SessionDeclCstNode, WindowCstNode,
} from "./cst.generated.js";
import type { IToken } from "chevrotain";

export function packageDecl(b: Builder, node: PackageDeclCstNode): Statement {
  const parts = node.children.parts;
  const name = {
    kind: "DottedName" as const,
    parts: parts.map((t) => t.image),
    span: { ...b.tokenSpan(parts[0]!), ...endOf(b, parts[parts.length - 1]!) },
  };
  return { kind: "Package", name, span: b.span(node) };
}

export function actionsDecl(b: Builder, node: ActionsDeclCstNode): Statement {
  return { kind: "Actions", path: stringLiteral(b, node.children.StringLit[0]!), span: b.span(node) };
}

export function delegationDecl(b: Builder, node: DelegationDeclCstNode): Statement | undefined {
  const mode = node.children.mode[0]!;
  if (!(DELEGATION_MODES as readonly string[]).includes(mode.image)) {
    b.unexpected("delegation-mode", mode);
    return undefined;
  }
  return { kind: "Delegation", mode: word<DelegationMode>(b, mode), span: b.span(node) };
}

/**
 * `let name = literal-or-set` is a constant; any other value, or a
 * parameter list, makes a named condition. `let c() = …` is AGP172 (read
 * as `let c = …`); a parameter named twice is AGP174.
 */
export function letDecl(b: Builder, node: LetDeclCstNode): Statement {
  const c = node.children;
  const name = identifier(b, c.name[0]!);
  const value = expression(b, c.value![0]!);
  if (c.LParen !== undefined && (c.params ?? []).length === 0) {
    b.report("AGP172", b.tokenSpan(c.LParen[0]!), {}, `write \`let ${name.name} = …\` and use it as \`${name.name}\``);
  }
  const params = (c.params ?? []).map((t) => identifier(b, t));
  const seen = new Map<string, Identifier>();
  for (const param of params) {
    const earlier = seen.get(param.name);
    if (earlier !== undefined) b.report("AGP174", param.span, { name: param.name }, undefined, earlier.span);
    else seen.set(param.name, param);
  }
  if (params.length === 0 && isConstantValue(value)) return { kind: "Let", name, value, span: b.span(node) };
  return { kind: "Condition", name, params, body: value, span: b.span(node) };
}

function isConstantValue(value: Expr): value is Literal | SetLiteral {
  return value.kind === "String" || value.kind === "Number" || value.kind === "Boolean" || value.kind === "Null" || value.kind === "Set";
}

export function ruleDecl(b: Builder, node: RuleDeclCstNode): RuleDecl {
  const c = node.children;
  const effectToken = firstToken(c.effect[0]!.children);
  const clauses = new ClauseSet(b, "rule");
  let condition: Expr | undefined;
  let approvalRequirement: RuleDecl["approval"];
  let obligations: Obligation[] = [];
  let reason: RuleDecl["reason"];
  let audit: RuleDecl["audit"];
  let binds: RuleDecl["binds"];
  for (const clause of c.ruleClause ?? []) {
    const k = clause.children;
    if (k.KwWhen && clauses.first(k.KwWhen[0])) condition = expression(b, k.expression![0]!);
    else if (k.KwBy && clauses.first(k.KwBy[0])) approvalRequirement = approval(b, k.approval![0]!);
    else if (k.KwWith && clauses.first(k.KwWith[0])) obligations = (k.obligation ?? []).map((o) => obligation(b, o));
    else if (k.KwBecause && clauses.first(k.KwBecause[0])) reason = stringLiteral(b, k.StringLit![0]!);
    else if (k.KwAudit && clauses.first(k.KwAudit[0])) {
      const level = k.level![0]!;
      if ((AUDIT_LEVELS as readonly string[]).includes(level.image)) audit = word<AuditLevel>(b, level);
      else b.unexpected("audit-level", level);
    } else if (k.KwBinds && clauses.first(k.KwBinds[0])) {
      binds = { kind: "Binds", paths: (k.binds ?? []).map((p) => path(b, p)), span: b.span(clause) };
    }
  }
  return {
    kind: "Rule",
    id: identifier(b, c.id[0]!),
    effect: word(b, effectToken),
    patterns: actionPatterns(b, c.patterns[0]!),
    ...(c.principal ? { principal: principal(b, c.principal[0]!) } : {}),
    ...(condition ? { condition } : {}),
    ...(approvalRequirement ? { approval: approvalRequirement } : {}),
    obligations,
    ...(reason ? { reason } : {}),
    ...(audit ? { audit } : {}),
    ...(binds ? { binds } : {}),
    span: b.span(node),
  };
}

export function principal(b: Builder, node: PrincipalCstNode) {
  return word<Principal>(b, firstToken(node.children));
}

/** `key = value`: a literal, a set of strings, or a constant's name (resolved by the checker). */
function obligation(b: Builder, node: ObligationCstNode): Obligation {
  const c = node.children;
  let value: Obligation["value"];
  if (c.literal) value = literal(b, c.literal[0]!);
  else if (c.setLiteral) value = setLiteral(b, c.setLiteral[0]!);
  else if (c.bracketSet) value = bracketSet(b, c.bracketSet[0]!);
  else {
    const root = identifier(b, c.constant![0]!);
    value = { kind: "Path", root, fields: [], span: root.span };
  }
  return { kind: "Obligation", key: identifier(b, c.key[0]!), value, span: b.span(node) };
}

export function limitDecl(b: Builder, node: LimitDeclCstNode): LimitDecl | undefined {
  const c = node.children;
  const id = identifier(b, c.id[0]!);
  const m = c.measure[0]!;
  const clauses = new ClauseSet(b, "limit");
  let cost: { expr: Expr; keyword: IToken } | undefined;
  let condition: Expr | undefined;
  let otherwise: CapAction | undefined;
  let reason: LimitDecl["reason"];
  for (const clause of c.limitClause ?? []) {
    const k = clause.children;
    if (k.KwCost && clauses.first(k.KwCost[0])) cost = { expr: expression(b, k.expression![0]!), keyword: k.KwCost[0]! };
    else if (k.KwWhen && clauses.first(k.KwWhen[0])) condition = expression(b, k.expression![0]!);
    else if (k.KwOtherwise && clauses.first(k.KwOtherwise[0])) {
      otherwise = k.approval
        ? { kind: "CapApprove", approval: approval(b, k.approval[0]!), span: b.span(clause) }
        : { kind: "CapDeny", span: b.span(clause) };
    } else if (k.KwBecause && clauses.first(k.KwBecause[0])) reason = stringLiteral(b, k.StringLit![0]!);
  }
  let measure: LimitDecl["measure"];
  if (m.children.count) {
    const token = m.children.count[0]!;
    const count = numberLiteral(b, token);
    checkCount(b, count, token, "the number of actions a limit allows");
    if (cost !== undefined) b.report("AGP142", b.tokenSpan(cost.keyword), { id: id.name, count: token.image });
    measure = { kind: "Rate", count, span: b.span(m) };
  } else {
    const amount = numberLiteral(b, m.children.amount![0]!);
    if (cost === undefined) {
      b.report("AGP141", id.span, { id: id.name });
      return undefined;
    }
    const unit = m.children.unit ? { unit: identifier(b, m.children.unit[0]!) } : {};
    measure = { kind: "Budget", amount, ...unit, cost: cost.expr, span: b.span(m) };
  }
  const window = timeWindow(b, c.window[0]!);
  if (window === undefined) return undefined;
  return {
    kind: "Limit",
    id,
    measure,
    window,
    keys: (c.keys ?? []).map((k) => path(b, k)),
    patterns: actionPatterns(b, c.patterns[0]!),
    ...(condition ? { condition } : {}),
    ...(otherwise ? { otherwise } : {}),
    ...(reason ? { reason } : {}),
    span: b.span(node),
  };
}

/** `session [key] [retain D] [track N]`; a clause given twice is AGP124. */
export function sessionDecl(b: Builder, node: SessionDeclCstNode): SessionDecl {
  const c = node.children;
  const clauses = new ClauseSet(b, "session");
  let retain: SessionDecl["retain"];
  let track: SessionDecl["track"];
  for (const clause of c.sessionClause ?? []) {
    const k = clause.children;
    if (k.KwRetain && clauses.first(k.KwRetain[0])) retain = duration(b, k.retain![0]!);
    else if (k.KwTrack && clauses.first(k.KwTrack[0])) {
      const token = k.track![0]!;
      const count = numberLiteral(b, token);
      if (checkCount(b, count, token, "a `track` capacity")) track = count;
    }
  }
  return {
    kind: "Session",
    ...(c.key ? { key: path(b, c.key[0]!) } : {}),
    ...(retain ? { retain } : {}),
    ...(track ? { track } : {}),
    span: b.span(node),
  };
}

/** `label <name> on <pattern>, … [when <expr>]`. */
export function labelDecl(b: Builder, node: LabelDeclCstNode): LabelDecl {
  const c = node.children;
  return {
    kind: "Label",
    name: identifier(b, c.name[0]!),
    patterns: c.patterns.map((p) => actionPattern(b, p)),
    ...(c.expression ? { condition: expression(b, c.expression[0]!) } : {}),
    span: b.span(node),
  };
}

function timeWindow(b: Builder, node: WindowCstNode): Window | undefined {
  const c = node.children;
  const unitToken = c.unit[0]!;
  const singular = unitToken.image.endsWith("s") ? unitToken.image.slice(0, -1) : unitToken.image;
  if (!(WINDOW_UNITS as readonly string[]).includes(singular)) {
    b.unexpected("window-unit", unitToken);
    return undefined;
  }
  let count = 1;
  if (c.count) {
    const literalCount = numberLiteral(b, c.count[0]!);
    if (checkCount(b, literalCount, c.count[0]!, "a window's length")) count = literalCount.value;
  }
  return { kind: "Window", count, unit: singular as WindowUnit, span: b.span(node) };
}

/** The one token of a node whose children are alternatives of single tokens. */
export function firstToken(children: Readonly<Record<string, IToken[] | undefined>>): IToken {
  for (const tokens of Object.values(children)) if (tokens !== undefined && tokens[0] !== undefined) return tokens[0];
  throw new Error("internal error: a CST node without tokens");
}

function endOf(b: Builder, token: IToken) {
  const s = b.tokenSpan(token);
  return { endLine: s.endLine, endColumn: s.endColumn, endOffset: s.endOffset };
}
