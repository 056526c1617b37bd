/**
 * Syntax errors in the author's terms.
 *
 * In: a Chevrotain recognition error (or an expectation key and the token
 * found, from the AST builder) and the statement it happened in. Out: one
 * `Diagnostic` whose message reads
 *   expected <what> after `<the statement so far>`, found <what was there>
 * with a did-you-mean when the found word is close to an expected one.
 * Token class names and grammar rule names never reach the message.
 * This file must not parse or build AST nodes.
 */
import type { IRecognitionException, IToken } from "chevrotain";
import { diagnostic, didYouMean, type Diagnostic } from "../diagnostics/index.js";
import type { Span } from "./ast.js";
import {
  EXPECT_CLAUSES, GIVEN_WORDS, LIMIT_CLAUSES, RULE_CLAUSES, TEST_CLAUSES, expectation, list, openerOffset,
  type Expectation,
} from "./expectations.js";
import { decodeString } from "./lexer.js";
import { afterToken, tokenSpan, type SourceLines } from "./spans.js";
import { Dot, HARD_KEYWORDS, KW, NumberLit, Placeholder, StringLit, Word, STATEMENT_KEYWORDS } from "./tokens.js";

/** One statement's tokens, and what follows it, for describing errors inside it. */
export interface StatementTokens {
  readonly file: string;
  readonly lines: SourceLines;
  readonly source: string;
  readonly tokens: readonly IToken[];
  /** The first token of the next statement, if any. */
  readonly next: IToken | undefined;
}

const HARD: ReadonlySet<string> = new Set(HARD_KEYWORDS);
const CLOSERS: ReadonlySet<string> = new Set([")", "}", "]"]);
const OPERATOR_NAMES = new Set(["EqEq", "NotEq", "LessEq", "GreaterEq", "Less", "Greater", "Equals", "KwIn",
  "KwStartsWith", "KwEndsWith", "KwContains", "KwMatches"]);

/** The diagnostic for the parser's first error in a statement. */
export function recognitionDiagnostic(error: IRecognitionException, statement: StatementTokens): Diagnostic {
  const found = isEof(error.token) ? undefined : error.token;
  const previous = found === undefined ? statement.tokens[statement.tokens.length - 1] : tokenBefore(statement, found);
  let key = error.message;
  if (found?.tokenType === Dot && previous !== undefined && isObligationValue(previous, statement)) return requestObligation(previous, statement);
  if (error.name === "NotAllInputParsedException") return extraInput(found, previous, statement);
  if (key === "row-pipe" && found?.tokenType === Dot && previous !== undefined && isWord(previous)) return unquotedAction(previous, statement);
  if (key === "operand") key = operandKey(previous, statement);
  if (key === "path" && statement.tokens[0]?.tokenType === KW.limit && previous?.tokenType !== KW.has) key = "limit-key";
  return expectedDiagnostic(key, found, previous, statement);
}

/** Whether `token` is the value of a rule's `with k = …` (after `=`, after a name after `with` or `,`). */
function isObligationValue(token: IToken, statement: StatementTokens): boolean {
  const tokens = statement.tokens;
  const i = tokens.indexOf(token);
  if (statement.tokens[0]?.tokenType !== KW.rule || i < 3 || !isWord(token)) return false;
  const before = tokens[i - 3]!;
  return tokens[i - 1]!.image === "=" && isWord(tokens[i - 2]!) && (before.tokenType === KW.with || before.image === ",")
    && tokens.slice(0, i).some((t) => t.tokenType === KW.with);
}

/**
 * `with max_runtime_seconds = args.timeout`: an obligation's value is fixed
 * when the policy is compiled, so a path read from the request is not one
 * (AGP175, instead of "expected a rule clause, found `.`").
 */
function requestObligation(first: IToken, statement: StatementTokens): Diagnostic {
  const tokens = statement.tokens;
  let end = tokens.indexOf(first);
  while (tokens[end + 1]?.tokenType === Dot && tokens[end + 2] !== undefined && isWord(tokens[end + 2]!)) end += 2;
  const path = tokens.slice(tokens.indexOf(first), end + 1).map((t) => t.image).join("");
  const span = { ...tokenSpan(statement.lines, first), ...endOfToken(statement, tokens[end]!) };
  return diagnostic("AGP175", span, { path });
}

/**
 * A dotted name in a table cell (`| github.pull_request.merge | deny |`):
 * a cell holds data, and an action name there is a string (AGP170).
 */
function unquotedAction(first: IToken, statement: StatementTokens): Diagnostic {
  const tokens = statement.tokens;
  let end = tokens.indexOf(first);
  while (tokens[end + 1]?.tokenType === Dot && tokens[end + 2] !== undefined && isWord(tokens[end + 2]!)) end += 2;
  const last = tokens[end]!;
  const name = tokens.slice(tokens.indexOf(first), end + 1).map((t) => t.image).join("");
  const span = { ...tokenSpan(statement.lines, first), ...endOfToken(statement, last) };
  return diagnostic("AGP170", span, { name, first: first.image });
}

function endOfToken(statement: StatementTokens, token: IToken) {
  const s = tokenSpan(statement.lines, token);
  return { endLine: s.endLine, endColumn: s.endColumn, endOffset: s.endOffset };
}

/** "expected <key's phrase> after `…`, found …" at `found` (or just after `previous` at the end). */
export function expectedDiagnostic(
  key: string,
  found: IToken | undefined,
  previous: IToken | undefined,
  statement: StatementTokens,
): Diagnostic {
  const wanted = expectation(key);
  const span = found !== undefined ? tokenSpan(statement.lines, found) : endSpan(statement, previous);
  if (wanted.name !== undefined && found !== undefined && HARD.has(found.image) && isKeyword(found)) {
    return diagnostic("AGP109", span, { word: found.image, what: wanted.name });
  }
  let expected = wanted.expected;
  const opener = openerOffset(key);
  if (opener !== undefined) {
    const open = statement.tokens.find((t) => t.startOffset === opener);
    if (open !== undefined) expected += ` on line ${String(open.startLine)}, column ${String(open.startColumn)}`;
  }
  const values = { expected, after: afterText(statement, previous), found: describe(found, statement) };
  if (opener !== undefined && found !== undefined && !CLOSERS.has(found.image)) {
    const missing = key.startsWith("close:paren:") ? "an `and` or `or`" : "a `,`";
    return diagnostic(wanted.code, span, values, { help: `is ${missing} missing before it?` });
  }
  return diagnostic(wanted.code, span, values, helpFor(wanted, found));
}

/** Tokens left over after a complete statement: name what could have come next. */
function extraInput(found: IToken | undefined, previous: IToken | undefined, statement: StatementTokens): Diagnostic {
  const first = statement.tokens[0];
  const kind = first?.image ?? "";
  const inExpect = statement.tokens.some((t) => t.tokenType === KW.expect);
  const clauses: Record<string, { expected: string; words: readonly string[] }> = {
    rule: { expected: `a rule clause (${list(RULE_CLAUSES)})`, words: RULE_CLAUSES },
    limit: { expected: `a limit clause (${list(LIMIT_CLAUSES)})`, words: LIMIT_CLAUSES },
    defaults: { expected: `a request part (${list(GIVEN_WORDS)})`, words: GIVEN_WORDS },
    test: inExpect
      ? { expected: `a test clause (${list(TEST_CLAUSES)}) or an expect clause (${list(EXPECT_CLAUSES)})`,
          words: [...TEST_CLAUSES, ...EXPECT_CLAUSES] }
      : { expected: `a test clause (${list(TEST_CLAUSES)})`, words: TEST_CLAUSES },
  };
  let { expected, words } = clauses[kind] ?? { expected: "the end of the statement", words: [] };
  // A word that begins a line may be a misspelled statement keyword (`rul`) as well as a clause word.
  if (found !== undefined && previous !== undefined && (found.startLine ?? 0) > (previous.startLine ?? 0)) {
    expected = expected === "the end of the statement" ? "a new statement" : `${expected} or a new statement`;
    words = [...words, ...STATEMENT_KEYWORDS];
  }
  const span = found !== undefined ? tokenSpan(statement.lines, found) : endSpan(statement, previous);
  const values = { expected, after: afterText(statement, previous), found: describe(found, statement) };
  let help = found !== undefined && isWord(found) ? didYouMean(found.image, words) : undefined;
  if (found?.image === "|" && (kind === "rule" || kind === "limit")) help = "use `or` to accept either condition";
  return diagnostic("AGP108", span, values, help === undefined ? {} : { help });
}

/** Which "missing operand" this is, from the token before it. */
function operandKey(previous: IToken | undefined, statement: StatementTokens): string {
  const name = previous?.tokenType.name ?? "";
  if (name === "KwWhen") return "condition";
  if (name === "KwCost") return "cost";
  if (name === "Colon") return "body";
  if (previous !== undefined && previous.tokenType === KW.in && isQuantifierIn(previous, statement)) return "collection";
  if (OPERATOR_NAMES.has(name)) return "compare-operand";
  return "operand";
}

/** A quantifier's `in` follows `all x` / `any x`; a comparison's `in` follows an operand. */
function isQuantifierIn(token: IToken, statement: StatementTokens): boolean {
  const q = statement.tokens[statement.tokens.indexOf(token) - 2];
  return q !== undefined && (q.tokenType === KW.all || q.tokenType === KW.any);
}

function helpFor(wanted: Expectation, found: IToken | undefined): { help?: string } {
  if (wanted.candidates === undefined || found === undefined || !isWord(found)) return {};
  const help = didYouMean(found.image, wanted.candidates);
  return help === undefined ? {} : { help };
}

/** How the author sees a token: "`merge`", "the string \"x\"", "the end of the file". */
export function describe(token: IToken | undefined, statement: StatementTokens): string {
  if (token === undefined) {
    const next = statement.next;
    return next === undefined
      ? "the end of the file"
      : `the next statement (\`${next.image}\` on line ${String(next.startLine)})`;
  }
  if (token.tokenType === StringLit) return `the string ${JSON.stringify(shorten(decodeString(token.image), 30))}`;
  if (token.tokenType === NumberLit) return `the number \`${shorten(token.image, 40)}\``;
  if (token.tokenType === Placeholder) return `\`${token.image}\``;
  return `\`${shorten(token.image, 40)}\``;
}

/** The statement's text up to and including `last`: whitespace collapsed, comments gone, long middles elided. */
export function afterText(statement: StatementTokens, last: IToken | undefined): string {
  const tokens = statement.tokens;
  const end = last === undefined ? -1 : tokens.indexOf(last);
  if (end < 0) return "";
  const full = joinTokens(tokens, 0, end + 1);
  if (full.length <= 60) return full;
  const colon = tokens.slice(0, 4).findIndex((t) => t.image === ":");
  const headEnd = colon >= 0 && colon < end ? colon + 1 : Math.min(2, end);
  let tailStart = end;
  while (tailStart - 1 > headEnd && joinTokens(tokens, tailStart - 1, end + 1).length <= 30) tailStart--;
  // Never start the tail inside a dotted name (`… .merge when`): skip to the next whole word.
  while (tailStart < end && (tokens[tailStart]!.image === "." || tokens[tailStart - 1]?.image === ".")) tailStart++;
  return `${joinTokens(tokens, 0, headEnd)} … ${joinTokens(tokens, tailStart, end + 1)}`;
}

function joinTokens(tokens: readonly IToken[], from: number, to: number): string {
  let out = "";
  for (let i = from; i < to; i++) {
    const t = tokens[i]!;
    const before = tokens[i - 1];
    if (i > from && before !== undefined && (before.endOffset ?? 0) + 1 < t.startOffset) out += " ";
    out += t.image;
  }
  return out;
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function endSpan(statement: StatementTokens, previous: IToken | undefined): Span {
  const last = previous ?? statement.tokens[statement.tokens.length - 1];
  if (last === undefined) throw new Error("internal error: an empty statement has an error");
  return afterToken(statement.lines, last);
}

function tokenBefore(statement: StatementTokens, token: IToken): IToken | undefined {
  const i = statement.tokens.indexOf(token);
  return i > 0 ? statement.tokens[i - 1] : undefined;
}

function isEof(token: IToken | undefined): boolean {
  return token === undefined || token.tokenType.name === "EOF" || Number.isNaN(token.startOffset);
}

function isKeyword(token: IToken): boolean {
  return token.tokenType.name.startsWith("Kw");
}

function isWord(token: IToken): boolean {
  return (token.tokenType.CATEGORIES ?? []).includes(Word) || token.tokenType.name === "Name" || isKeyword(token);
}
