/**
 * Public face of compiler/syntax: .agp text in, AST + comments + syntax
 * diagnostics out.
 *
 * In: one file's text and name. Out: a `ParseResult`. `parse` never throws
 * for any input; an exception from here is our bug (an internal error).
 * Pipeline: lex (lexer.ts) → split into statements (segment.ts) → parse each
 * statement alone, going on after a complete statement when a statement
 * keyword follows on the same line (parser.ts; first error per statement, see
 * docs/decisions/0001-syntax-error-recovery.md) → build AST nodes
 * (build-*.ts) → file-level checks (`package` given twice).
 * `expectedAt(source, offset)` (assist.ts) answers what the grammar accepts
 * at a cursor, for editors' completion.
 * Other stages import compiler/syntax only through this file.
 */
import type { CstNode, IToken } from "chevrotain";
import { diagnostic, sortDiagnostics, type Diagnostic } from "../diagnostics/index.js";
import type { Comment, PolicyFile, Span, Statement } from "./ast.js";
import { Builder } from "./build-common.js";
import { actionsDecl, delegationDecl, labelDecl, letDecl, limitDecl, packageDecl, ruleDecl, sessionDecl } from "./build-policy.js";
import { defaultsDecl, fixtureDecl, testDecl } from "./build-tests.js";
import type { StatementCstNode } from "./cst.generated.js";
import { recognitionDiagnostic, type StatementTokens } from "./errors.js";
import { lex } from "./lexer.js";
import { parser } from "./parser.js";
import { MAX_TREE_DEPTH, nodeBeyond } from "./depth.js";
import { MAX_NESTING, STARTERS, splitStatements, tooDeep } from "./segment.js";
import { offsetSpan, sourceLines, tokenSpan } from "./spans.js";

export type * from "./ast.js";
export {
  AUDIT_LEVELS, CALL_STATUSES, COMPARE_OPS, DELEGATION_MODES, EFFECTS, GIVEN_PARTS, OUTCOME_KINDS, PAST_OPS, PRINCIPALS, WINDOW_UNITS,
} from "./ast.js";
export { HARD_KEYWORDS, SOFT_KEYWORDS, STATEMENT_KEYWORDS } from "./tokens.js";
export { stripSpans } from "./strip-spans.js";
export { expectedAt, type AssistToken, type Expected, type ExpectedSlot } from "./assist.js";
export { MAX_TREE_DEPTH } from "./depth.js";
export { CHAIN_RUN } from "./build-expr.js";

/** What `parse` returns: the statements that parsed, every comment, every syntax diagnostic (sorted). */
export interface ParseResult {
  readonly file: PolicyFile;
  readonly comments: Comment[];
  readonly diagnostics: Diagnostic[];
}

/**
 * Parses one .agp file. Never throws for any input; an exception from here
 * is a bug in agp and says so.
 */
export function parse(source: string, file: string): ParseResult {
  try {
    return parseFile(source, file);
  } catch (error) {
    const detail = (error instanceof Error ? error.message : String(error)).replace(/^internal error: /, "");
    throw new Error(`internal error while parsing ${file}: ${detail}; please file an issue with this file`, {
      cause: error,
    });
  }
}

function parseFile(source: string, file: string): ParseResult {
  const lines = sourceLines(file, source);
  const lexed = lex(source, lines);
  const diagnostics: Diagnostic[] = [...lexed.diagnostics];
  const statements: Statement[] = [];
  const groups = splitStatements(lexed.tokens);
  const unexpected = firstPerStatement(lexed.unexpected, groups);
  for (const item of unexpected.values()) diagnostics.push(item);
  groups.forEach((tokens, i) => {
    const next = groups[i + 1]?.[0];
    if (unexpected.has(i)) return;
    let rest: readonly IToken[] = tokens;
    while (rest.length > 0) {
      const statement: StatementTokens = { file, lines, source, tokens: rest, next };
      const parsed = parseStatement(statement, diagnostics);
      if (parsed.statement !== undefined) statements.push(parsed.statement);
      rest = parsed.rest;
    }
  });
  checkPackages(statements, diagnostics);
  const policyFile: PolicyFile = { kind: "File", file, statements, span: offsetSpan(lines, 0, source.length) };
  return { file: policyFile, comments: lexed.comments, diagnostics: sortDiagnostics(diagnostics) };
}

/**
 * Parses the first statement of `statement.tokens`. A complete statement
 * followed on the same line by a statement keyword is valid (line breaks
 * carry no meaning): the tokens from that keyword on come back as `rest`,
 * to be parsed as the next statement.
 */
function parseStatement(
  statement: StatementTokens,
  diagnostics: Diagnostic[],
): { statement: Statement | undefined; rest: readonly IToken[] } {
  const deep = tooDeep(statement.tokens);
  if (deep !== undefined) {
    diagnostics.push(diagnostic("AGP154", tokenSpan(statement.lines, deep), { limit: MAX_NESTING }));
    return { statement: undefined, rest: [] };
  }
  try {
    const parsed = parseAndBuild(statement, diagnostics);
    if (parsed.statement === undefined) return parsed;
    // Every later stage recurses over expressions: a tree deeper than this is refused here.
    const deep = nodeBeyond(parsed.statement, MAX_TREE_DEPTH);
    if (deep !== undefined) {
      diagnostics.push(diagnostic("AGP156", deep.span ?? tokenSpan(statement.lines, statement.tokens[0]!), { limit: MAX_TREE_DEPTH }));
      return { statement: undefined, rest: parsed.rest };
    }
    return parsed;
  } catch (error) {
    // INVARIANT: only a pathological chain of `not`s or quantifiers (hundreds deep) gets here.
    if (!(error instanceof RangeError)) throw error;
    diagnostics.push(diagnostic("AGP155", tokenSpan(statement.lines, statement.tokens[0]!)));
    return { statement: undefined, rest: [] };
  }
}

function parseAndBuild(
  statement: StatementTokens,
  diagnostics: Diagnostic[],
): { statement: Statement | undefined; rest: readonly IToken[] } {
  parser.input = statement.tokens as IToken[];
  const cst = parser.statement() as StatementCstNode;
  const error = parser.errors[0];
  if (error !== undefined && error.name === "NotAllInputParsedException" && STARTERS.has(error.token.tokenType)) {
    const cut = statement.tokens.indexOf(error.token);
    const head = { ...statement, tokens: statement.tokens.slice(0, cut), next: error.token };
    return { statement: buildStatement(cst, head, diagnostics), rest: statement.tokens.slice(cut) };
  }
  if (error !== undefined) {
    diagnostics.push(recognitionDiagnostic(error, statement));
    return { statement: undefined, rest: [] };
  }
  return { statement: buildStatement(cst, statement, diagnostics), rest: [] };
}

function buildStatement(cst: StatementCstNode, statement: StatementTokens, diagnostics: Diagnostic[]): Statement | undefined {
  const b = new Builder(statement, diagnostics);
  const c = cst.children;
  if (c.packageDecl) return packageDecl(b, c.packageDecl[0]!);
  if (c.actionsDecl) return actionsDecl(b, c.actionsDecl[0]!);
  if (c.delegationDecl) return delegationDecl(b, c.delegationDecl[0]!);
  if (c.letDecl) return letDecl(b, c.letDecl[0]!);
  if (c.ruleDecl) return ruleDecl(b, c.ruleDecl[0]!);
  if (c.limitDecl) return limitDecl(b, c.limitDecl[0]!);
  if (c.sessionDecl) return sessionDecl(b, c.sessionDecl[0]!);
  if (c.labelDecl) return labelDecl(b, c.labelDecl[0]!);
  if (c.defaultsDecl) return defaultsDecl(b, c.defaultsDecl[0]!);
  if (c.fixtureDecl) return fixtureDecl(b, c.fixtureDecl[0]!);
  if (c.testDecl) return testDecl(b, c.testDecl[0]!);
  throw new Error(`internal error: a statement with no known kind (${Object.keys(c as CstNode["children"]).join()})`);
}

/**
 * The first unexpected character of each statement, by statement index
 * (-1 when the file has no tokens at all); the others would only repeat the news.
 */
function firstPerStatement(unexpected: readonly Diagnostic[], groups: readonly IToken[][]): Map<number, Diagnostic> {
  const first = new Map<number, Diagnostic>();
  let group = -1;
  for (const d of unexpected) {
    while (group + 1 < groups.length && groups[group + 1]![0]!.startOffset <= d.span.offset) group++;
    // Before the first token: it belongs with the first statement (or with nothing, in a file of no tokens).
    const owner = group === -1 && groups.length > 0 ? 0 : group;
    if (!first.has(owner)) first.set(owner, d);
  }
  return first;
}

function checkPackages(statements: readonly Statement[], diagnostics: Diagnostic[]): void {
  const packages = statements.filter((s) => s.kind === "Package");
  const first = packages[0];
  for (const again of packages.slice(1)) {
    const related = first === undefined ? [] : [{ span: first.span, message: "first given here" }];
    diagnostics.push(diagnostic("AGP110", again.span, {}, { related }));
  }
}
