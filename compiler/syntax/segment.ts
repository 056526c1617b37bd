/**
 * Splitting a file's tokens into statements, so each can be parsed alone.
 *
 * In: the tokens of one file. Out: consecutive runs of tokens, one per
 * statement (the first run may be stray input before any statement).
 * A statement starts at a statement keyword (`package actions delegation let
 * rule limit defaults fixture test`) that is the first token on its line and
 * outside any bracket, or at column 1 whatever the bracket depth (an unclosed
 * bracket must not swallow the rest of the file). See
 * docs/decisions/0001-syntax-error-recovery.md.
 * This file must not parse or report anything.
 */
import type { IToken, TokenType } from "chevrotain";
import { KW, LBrace, LBracket, LParen, RBrace, RBracket, RParen, STATEMENT_KEYWORDS } from "./tokens.js";

/** The token types of the statement keywords. */
export const STARTERS: ReadonlySet<TokenType> = new Set(STATEMENT_KEYWORDS.map((w) => KW[w]));
const OPENERS: ReadonlySet<TokenType> = new Set([LParen, LBrace, LBracket]);
const CLOSERS: ReadonlySet<TokenType> = new Set([RParen, RBrace, RBracket]);

export function splitStatements(tokens: readonly IToken[]): IToken[][] {
  const statements: IToken[][] = [];
  let current: IToken[] = [];
  let depth = 0;
  let previousLine = 0;
  for (const token of tokens) {
    const line = token.startLine ?? 0;
    const firstOnLine = line > previousLine;
    const starts =
      STARTERS.has(token.tokenType) && ((firstOnLine && depth === 0) || (firstOnLine && token.startColumn === 1));
    if (starts && current.length > 0) {
      statements.push(current);
      current = [];
      depth = 0;
    }
    if (OPENERS.has(token.tokenType)) depth++;
    else if (CLOSERS.has(token.tokenType)) depth = Math.max(0, depth - 1);
    current.push(token);
    previousLine = line; // INVARIANT: tokens never span lines
  }
  if (current.length > 0) statements.push(current);
  return statements;
}

/** How deep brackets may nest in one statement; deeper is AGP154 (and would exhaust the parser's stack). */
export const MAX_NESTING = 64;

/** The first opening bracket nested deeper than MAX_NESTING, if any. */
export function tooDeep(tokens: readonly IToken[]): IToken | undefined {
  let depth = 0;
  for (const token of tokens) {
    if (OPENERS.has(token.tokenType)) {
      depth++;
      if (depth > MAX_NESTING) return token;
    } else if (CLOSERS.has(token.tokenType)) depth = Math.max(0, depth - 1);
  }
  return undefined;
}
