/**
 * Lexing one .agp file: Chevrotain's lexer plus the checks it cannot do.
 *
 * In: the source text and its file name. Out: the significant tokens, the
 * comments (as AST `Comment`s), lexical diagnostics (AGP102, AGP103, AGP105),
 * and apart from them the unexpected characters (AGP101), so the caller can
 * report one per statement and skip those statements instead of reporting
 * cascades.
 * Unterminated strings and malformed numbers are reported here and then
 * handed to the parser as an ordinary string or number token, so the rest of
 * their statement is still checked.
 *
 * This file must not parse or build AST nodes other than comments.
 */
import type { IToken, TokenType } from "chevrotain";
import { diagnostic, type Diagnostic } from "../diagnostics/index.js";
import type { Comment } from "./ast.js";
import { offsetSpan, tokenSpan, type SourceLines } from "./spans.js";
import { BadNumber, KEYWORD_TYPES, Name, NumberLit, StringLit, UnterminatedString, lexer } from "./tokens.js";

export interface LexResult {
  readonly tokens: IToken[];
  readonly comments: Comment[];
  readonly diagnostics: Diagnostic[];
  /**
   * Characters the lexer could not read (AGP101), in source order. The caller
   * reports the first of each statement and does not parse that statement.
   */
  readonly unexpected: Diagnostic[];
}

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t",
};

/** What an author who typed these characters probably meant. */
const CHAR_HELP: Readonly<Record<string, string>> = {
  "&": "use `and` to require both conditions",
  "!": "use `not` to negate a condition, or `!=` to compare",
  "'": 'strings use double quotes: `"…"`',
  "-": "a number starts with `-` directly before its digits, such as `-1`",
  "%": "agp has no arithmetic; compare the value itself",
};

export function lex(source: string, lines: SourceLines): LexResult {
  const result = lexer.tokenize(source);
  const diagnostics: Diagnostic[] = [];
  const unexpected: Diagnostic[] = [];
  for (const error of result.errors) {
    const char = String.fromCodePoint(source.codePointAt(error.offset) ?? 0xfffd);
    const span = offsetSpan(lines, error.offset, error.offset + char.length);
    const help = CHAR_HELP[char];
    unexpected.push(diagnostic("AGP101", span, { char: describeChar(char) }, help === undefined ? {} : { help }));
  }
  for (const token of result.tokens) {
    if (token.tokenType === Name) {
      const keyword = KEYWORD_TYPES.get(token.image);
      if (keyword !== undefined) retype(token, keyword);
    } else if (token.tokenType === UnterminatedString) {
      diagnostics.push(diagnostic("AGP102", tokenSpan(lines, token)));
      retype(token, StringLit);
      checkEscapes(token, lines, diagnostics);
    } else if (token.tokenType === StringLit) {
      checkEscapes(token, lines, diagnostics);
    } else if (token.tokenType === BadNumber) {
      diagnostics.push(diagnostic("AGP105", tokenSpan(lines, token), { number: token.image }));
      retype(token, NumberLit);
    }
  }
  const commentTokens = (result.groups["comments"] ?? []) as IToken[];
  const comments = commentTokens.map((token): Comment => ({
    kind: "Comment",
    text: token.image.slice(1),
    ownLine: ownLine(source, token.startOffset),
    span: tokenSpan(lines, token),
  }));
  return { tokens: result.tokens, comments, diagnostics, unexpected };
}

/** The decoded value of a string token (escapes resolved; a bad escape keeps its character). */
export function decodeString(image: string): string {
  const body = image.slice(1, isClosed(image) ? -1 : undefined);
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const next = body[i + 1];
    if (next === undefined) break;
    if (next === "u" && /^[0-9a-fA-F]{4}$/.test(body.slice(i + 2, i + 6))) {
      out += String.fromCharCode(parseInt(body.slice(i + 2, i + 6), 16));
      i += 5;
      continue;
    }
    out += ESCAPES[next] ?? next;
    i += 1;
  }
  return out;
}

/** True when the string image ends with a closing quote (not an escaped one). */
function isClosed(image: string): boolean {
  if (image.length < 2 || !image.endsWith('"')) return false;
  let backslashes = 0;
  for (let i = image.length - 2; i > 0 && image[i] === "\\"; i--) backslashes++;
  return backslashes % 2 === 0;
}

function checkEscapes(token: IToken, lines: SourceLines, diagnostics: Diagnostic[]): void {
  const image = token.image;
  for (let i = 1; i < image.length; i++) {
    if (image[i] !== "\\") continue;
    const next = image[i + 1];
    const valid =
      next !== undefined && (ESCAPES[next] !== undefined || (next === "u" && /^[0-9a-fA-F]{4}$/.test(image.slice(i + 2, i + 6))));
    if (!valid) {
      const text = next === undefined ? "\\" : next === "u" ? image.slice(i, i + 6).replace(/"$/, "") : `\\${next}`;
      const span = offsetSpan(lines, token.startOffset + i, token.startOffset + i + text.length);
      diagnostics.push(diagnostic("AGP103", span, { escape: text }));
    }
    i += 1;
  }
}

function retype(token: IToken, type: TokenType): void {
  const mutable = token as { tokenType: TokenType; tokenTypeIdx: number };
  mutable.tokenType = type;
  mutable.tokenTypeIdx = type.tokenTypeIdx!;
}

function ownLine(source: string, offset: number): boolean {
  for (let i = offset - 1; i >= 0; i--) {
    const c = source[i];
    if (c === "\n" || c === "\r") return true;
    if (c !== " " && c !== "\t") return false;
  }
  return true;
}

function describeChar(char: string): string {
  if (char === "`") return "` ` `";
  const code = char.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f || (code >= 0x80 && /\s/u.test(char))) {
    return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  }
  return `\`${char}\``;
}
