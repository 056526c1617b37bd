/**
 * CST → AST, the pieces every statement shares: names, literals, sets,
 * action patterns, approval requirements, and the "each clause at most once"
 * bookkeeping.
 *
 * In: CST nodes of one statement (cst.generated.d.ts) and a `Builder` that
 * collects diagnostics. Out: AST nodes (ast.ts) with spans. Problems the
 * grammar lets through on purpose (duplicate set elements, `*` in the middle
 * of a pattern, counts that are not positive whole numbers, …) are reported
 * here as AGP1xx diagnostics; the node is still built when it can be.
 * This file must not consume tokens or call the parser.
 */
import type { CstNode, IToken } from "chevrotain";
import { diagnostic, joinSpans, type Diagnostic, type DiagnosticCode, type TemplateValues } from "../diagnostics/index.js";
import type {
  ActionPattern, ApprovalRequirement, Identifier, Literal, NumberLiteral, Quorum, SetLiteral, Span, StringLiteral, Word,
} from "./ast.js";
import type {
  ApprovalCstNode, BracketSetCstNode, LiteralCstNode, PatternCstNode, PatternsCstNode, QuorumCstNode, SetLiteralCstNode,
} from "./cst.generated.js";
import { expectedDiagnostic, type StatementTokens } from "./errors.js";
import { decodeString } from "./lexer.js";
import { locationSpan, tokenSpan } from "./spans.js";
import { KW, Star } from "./tokens.js";

/** What the builders of one statement share: where they are and where problems go. */
export class Builder {
  constructor(
    readonly statement: StatementTokens,
    readonly diagnostics: Diagnostic[],
  ) {}

  get file(): string {
    return this.statement.file;
  }

  span(node: CstNode): Span {
    return locationSpan(this.statement.lines, node.location);
  }

  tokenSpan(token: IToken): Span {
    return tokenSpan(this.statement.lines, token);
  }

  report(code: DiagnosticCode, span: Span, values: TemplateValues = {}, help?: string, related?: Span): void {
    const extras = {
      ...(help === undefined ? {} : { help }),
      ...(related === undefined ? {} : { related: [{ span: related, message: "first given here" }] }),
    };
    this.diagnostics.push(diagnostic(code, span, values, extras));
  }

  /** Reports `token` as not what `key` expected, exactly as a parser mismatch would. */
  unexpected(key: string, token: IToken): void {
    const i = this.statement.tokens.indexOf(token);
    this.diagnostics.push(expectedDiagnostic(key, token, this.statement.tokens[i - 1], this.statement));
  }

  /** The source text of a node, whitespace collapsed (for help texts). */
  text(node: CstNode): string {
    const span = this.span(node);
    return this.statement.source.slice(span.offset, span.endOffset).replace(/\s+/g, " ");
  }
}

/**
 * "Each clause at most once": remembers the first keyword of each clause and
 * reports AGP124 for a repeat. Returns true the first time.
 */
export class ClauseSet {
  private readonly seen = new Map<string, IToken>();

  constructor(
    private readonly builder: Builder,
    private readonly statementKind: string,
  ) {}

  first(keyword: IToken | undefined, clause = keyword?.image ?? ""): boolean {
    if (keyword === undefined) return false;
    const earlier = this.seen.get(clause);
    if (earlier === undefined) {
      this.seen.set(clause, keyword);
      return true;
    }
    const b = this.builder;
    b.report("AGP124", b.tokenSpan(keyword), { clause, statement: this.statementKind }, undefined, b.tokenSpan(earlier));
    return false;
  }
}

export function identifier(b: Builder, token: IToken): Identifier {
  return { kind: "Identifier", name: token.image, span: b.tokenSpan(token) };
}

export function word<T extends string>(b: Builder, token: IToken): Word<T> {
  return { kind: "Word", value: token.image as T, span: b.tokenSpan(token) };
}

export function stringLiteral(b: Builder, token: IToken): StringLiteral {
  return { kind: "String", value: decodeString(token.image), span: b.tokenSpan(token) };
}

const NUMBER = /^-?[0-9]+(?:\.[0-9]+)?$/;

/** A number token's value; out-of-range values are reported (AGP106), malformed ones were reported by the lexer. */
export function numberLiteral(b: Builder, token: IToken): NumberLiteral {
  const value = NUMBER.test(token.image) ? Number(token.image) : NaN;
  if (Math.abs(value) > Number.MAX_SAFE_INTEGER) b.report("AGP106", b.tokenSpan(token), { number: token.image });
  return { kind: "Number", value, span: b.tokenSpan(token) };
}

/** Reports a count that is not a positive whole number; returns true when it is one. */
export function checkCount(b: Builder, count: NumberLiteral, token: IToken, what: string | undefined): boolean {
  if (!NUMBER.test(token.image) || Math.abs(count.value) > Number.MAX_SAFE_INTEGER) return false;
  if (Number.isInteger(count.value) && count.value > 0) return true;
  if (what === undefined) b.report("AGP128", count.span, { count: token.image });
  else b.report("AGP138", count.span, { what, count: token.image });
  return false;
}

export function literal(b: Builder, node: LiteralCstNode): Literal {
  const c = node.children;
  if (c.StringLit) return stringLiteral(b, c.StringLit[0]!);
  if (c.NumberLit) return numberLiteral(b, c.NumberLit[0]!);
  if (c.KwTrue) return { kind: "Boolean", value: true, span: b.span(node) };
  if (c.KwFalse) return { kind: "Boolean", value: false, span: b.span(node) };
  return { kind: "Null", span: b.span(node) };
}

const TYPE_NAMES: Record<Literal["kind"], string> = { String: "a string", Number: "a number", Boolean: "a boolean", Null: "null" };

/** A set literal; duplicates (AGP116) and mixed types (AGP117) are reported. */
export function setLiteral(b: Builder, node: SetLiteralCstNode | BracketSetCstNode): SetLiteral {
  const elements = (node.children.elements ?? []).map((e) => literal(b, e));
  const seen = new Map<string, Literal>();
  const first = elements[0];
  for (const element of elements) {
    const key = `${element.kind}:${element.kind === "Null" ? "" : String(element.value)}`;
    const earlier = seen.get(key);
    const shown = `\`${sourceOf(b, element.span)}\``;
    if (earlier !== undefined) b.report("AGP116", element.span, { element: shown }, undefined, earlier.span);
    else seen.set(key, element);
    if (first !== undefined && element.kind !== first.kind) {
      b.report("AGP117", element.span, { element: shown, type: TYPE_NAMES[element.kind], firstType: TYPE_NAMES[first.kind] });
    }
  }
  return { kind: "Set", elements, span: b.span(node) };
}

function sourceOf(b: Builder, span: Span): string {
  return b.statement.source.slice(span.offset, span.endOffset);
}

/**
 * `github.pull_request.*`, or `*` alone (every action of the package's
 * catalogs); a `*` anywhere but last is AGP121.
 */
export function actionPattern(b: Builder, node: PatternCstNode): ActionPattern {
  return patternOf(b, node.children.segments ?? [], b.span(node), "github");
}

/**
 * An action pattern from its tokens, for rules, limits and session call
 * patterns alike; `family` names the example the AGP121 help suggests.
 */
export function patternOf(b: Builder, tokens: readonly IToken[], span: Span, family: string): ActionPattern {
  const segments: string[] = [];
  let wildcard = false;
  tokens.forEach((token, i) => {
    if (token.tokenType !== Star) {
      segments.push(token.image);
      return;
    }
    if (i === tokens.length - 1) {
      wildcard = true;
      return;
    }
    const help =
      i === 0
        ? `\`*\` alone matches every action; to match a family, name it first, such as \`${family}.*\``
        : `end the pattern at the \`*\`: \`${[...segments, "*"].join(".")}\``;
    b.report("AGP121", b.tokenSpan(token), {}, help);
  });
  return { kind: "ActionPattern", segments, wildcard, span };
}

/** The author's spelling of a pattern: `*`, `aws.*`, `github.pull_request.merge`. */
export function patternSpelling(pattern: ActionPattern): string {
  return pattern.wildcard ? [...pattern.segments, "*"].join(".") : pattern.segments.join(".");
}

/** A pattern or a `{p, q}` list; a pattern listed twice is AGP173. */
export function actionPatterns(b: Builder, node: PatternsCstNode): ActionPattern[] {
  const c = node.children;
  const patterns = (c.listed ?? c.single ?? []).map((p) => actionPattern(b, p));
  const seen = new Map<string, ActionPattern>();
  for (const pattern of patterns) {
    const text = patternSpelling(pattern);
    const earlier = seen.get(text);
    if (earlier !== undefined) b.report("AGP173", pattern.span, { pattern: text }, undefined, earlier.span);
    else seen.set(text, pattern);
  }
  return patterns;
}

/** `["a", "b"]` in a condition or a `let`: AGP171, read as the set it was meant to be. */
export function bracketSet(b: Builder, node: BracketSetCstNode): SetLiteral {
  const shown = `{${(node.children.elements ?? []).map((e) => b.text(e)).join(", ")}}`;
  b.report("AGP171", b.span(node), {}, `write \`${shown.length > 60 ? "{…}" : shown}\``);
  return setLiteral(b, node);
}

/** `by …`: quorums, `requester` (AGP180 for another name, AGP182 twice) and `(same person allowed)` (AGP181). */
export function approval(b: Builder, node: ApprovalCstNode): ApprovalRequirement {
  const quorums: Quorum[] = [];
  let requester: Word<"requester"> | undefined;
  for (const approver of node.children.approver) {
    const c = approver.children;
    if (c.quorum !== undefined) quorums.push(quorum(b, c.quorum[0]!));
    const name = c.requester?.[0];
    if (name === undefined) continue;
    if (name.image !== "requester") b.unexpected("approver", name);
    else if (requester !== undefined) b.report("AGP182", b.tokenSpan(name), {}, undefined, requester.span);
    else requester = word<"requester">(b, name);
  }
  let samePerson: Word<"same person allowed"> | undefined;
  const words = node.children.samePerson ?? [];
  if (words.length > 0) {
    const expected = ["same", "person", "allowed"];
    const wrong = words.findIndex((w, i) => w.image !== expected[i]);
    if (wrong >= 0 || words.length !== expected.length) b.unexpected("same-person", words[wrong >= 0 ? wrong : expected.length] ?? words[words.length - 1]!);
    else {
      samePerson = { kind: "Word", value: "same person allowed", span: joinSpans(b.tokenSpan(words[0]!), b.tokenSpan(words[2]!)) };
    }
  }
  return {
    kind: "Approval",
    quorums,
    ...(requester === undefined ? {} : { requester }),
    ...(samePerson === undefined ? {} : { samePerson }),
    span: b.span(node),
  };
}


function quorum(b: Builder, node: QuorumCstNode): Quorum {
  const token = node.children.count[0]!;
  const count = numberLiteral(b, token);
  checkCount(b, count, token, undefined);
  const groups = node.children.groups.map((g) => stringLiteral(b, g));
  return { kind: "Quorum", count, groups, span: b.span(node) };
}

/** True when the token is the given keyword (soft keywords arrive as their own token types). */
export function isKeyword(token: IToken | undefined, word: keyof typeof KW): boolean {
  return token !== undefined && token.tokenType === KW[word];
}
