/**
 * What the grammar accepts at a cursor: the question an editor's completion
 * asks while the statement under the cursor is still half-typed.
 *
 * In: a file's text and a cursor offset. Out: the word being typed (it is
 * replaced by a completion), the keywords the grammar accepts there, the
 * other kinds of token it accepts with the grammar rules they would belong
 * to (`pattern`, `path`, `window`, …), and the tokens of the statement
 * before the word, so a caller can tell `args.` from `allow `.
 * The answer comes from the parser itself (Chevrotain's content assist over
 * the statement's tokens), so it follows the grammar as it changes.
 * Must not build AST nodes or report diagnostics; never throws for any input.
 */
import type { IToken, TokenType } from "chevrotain";
import { lex } from "./lexer.js";
import { parser } from "./parser.js";
import { splitStatements, STARTERS } from "./segment.js";
import { sourceLines } from "./spans.js";
import { KEYWORD_TYPES, Name, NameLike, NumberLit, Placeholder, Star, StringLit, Word } from "./tokens.js";

/** A kind of token other than a keyword that may come next, and the grammar rules it would belong to (outermost first). */
export interface ExpectedSlot {
  readonly token: "name" | "word" | "string" | "number" | "placeholder" | "star";
  readonly rules: readonly string[];
}

/** A token before the cursor, as a completion provider needs it. */
export interface AssistToken {
  readonly image: string;
  /** 0-based offset of its first character. */
  readonly offset: number;
  /** `keyword`, `name`, `string`, `number`, `placeholder` or the punctuation itself (`.`, `==`, `{`). */
  readonly kind: string;
}

/** What may be typed at a cursor. */
export interface Expected {
  /** The word being typed (letters, digits, `_`, `-`) just before the cursor; "" when none. */
  readonly word: string;
  /** Offset where that word starts (the cursor when there is none). */
  readonly wordStart: number;
  /** Keywords the grammar accepts here, each once. */
  readonly keywords: readonly string[];
  /** Other tokens the grammar accepts here. */
  readonly slots: readonly ExpectedSlot[];
  /** The tokens of the statement before the word. */
  readonly before: readonly AssistToken[];
  /** The word is the first token on its line: a new statement may start here. */
  readonly lineStart: boolean;
  /** The cursor is inside a comment or a string: nothing to complete. */
  readonly inside?: "comment" | "string";
}

const SLOT_TOKENS: ReadonlyMap<TokenType, ExpectedSlot["token"]> = new Map([
  [NameLike, "name"],
  [Name, "name"],
  [Word, "word"],
  [StringLit, "string"],
  [NumberLit, "number"],
  [Placeholder, "placeholder"],
  [Star, "star"],
]);

const KEYWORD_BY_TYPE: ReadonlyMap<TokenType, string> = new Map([...KEYWORD_TYPES].map(([word, type]) => [type, word]));

/** What the grammar accepts at `offset` in `source`. Never throws. */
export function expectedAt(source: string, offset: number): Expected {
  const cursor = Math.max(0, Math.min(offset, source.length));
  const prefix = source.slice(0, cursor);
  const lexed = lex(prefix, sourceLines("", prefix));
  const inside = insideOf(prefix, lexed.comments.at(-1)?.span.endOffset, lexed.tokens.at(-1));
  const tokens = lexed.tokens;
  let wordStart = cursor;
  const last = tokens.at(-1);
  // A word touching the cursor is the one being typed: the grammar is asked what may stand in its place.
  if (last !== undefined && (last.endOffset ?? -2) + 1 === cursor && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(last.image)) {
    tokens.pop();
    wordStart = last.startOffset;
  }
  const lineStart = !/\S/.test(prefix.slice(prefix.lastIndexOf("\n", wordStart - 1) + 1, wordStart));
  const groups = splitStatements(tokens);
  const statement = groups.at(-1) ?? [];
  // At the start of a line a statement keyword may open a new statement, besides what would continue this one.
  const fresh = lineStart && statement.length > 0;
  const keywords = new Set<string>();
  const slots: ExpectedSlot[] = [];
  const seen = new Set<string>();
  const collect = (paths: ReturnType<typeof parser.computeContentAssist>) => {
    for (const path of paths) {
      const keyword = KEYWORD_BY_TYPE.get(path.nextTokenType);
      if (keyword !== undefined) {
        keywords.add(keyword);
        continue;
      }
      const token = SLOT_TOKENS.get(path.nextTokenType);
      if (token === undefined) continue;
      const key = `${token}|${path.ruleStack.join(">")}`;
      if (seen.has(key)) continue;
      seen.add(key);
      slots.push({ token, rules: [...path.ruleStack] });
    }
  };
  if (inside === undefined) {
    try {
      collect(parser.computeContentAssist("statement", statement));
      if (fresh) {
        for (const starter of STARTERS) keywords.add(KEYWORD_BY_TYPE.get(starter)!);
      }
    } catch {
      // INVARIANT: content assist over any token list either answers or throws a recognition error; neither may crash a caller.
    }
  }
  return {
    word: source.slice(wordStart, cursor),
    wordStart,
    keywords: [...keywords],
    slots,
    before: statement.map(assistToken),
    lineStart,
    ...(inside === undefined ? {} : { inside }),
  };
}

function assistToken(token: IToken): AssistToken {
  const kind = KEYWORD_BY_TYPE.has(token.tokenType)
    ? "keyword"
    : token.tokenType === Name
      ? "name"
      : token.tokenType === NumberLit
        ? "number"
        : token.tokenType === Placeholder
          ? "placeholder"
          : token.tokenType === StringLit || token.tokenType.name === "UnterminatedString"
            ? "string"
            : token.image;
  return { image: token.image, offset: token.startOffset, kind };
}

/** Whether the end of `prefix` is inside a comment or a string not closed yet. */
function insideOf(prefix: string, commentEnd: number | undefined, last: IToken | undefined): "comment" | "string" | undefined {
  if (commentEnd !== undefined && commentEnd === prefix.length && (last === undefined || (last.endOffset ?? -1) < commentEnd)) return "comment";
  if (last !== undefined && (last.endOffset ?? -2) + 1 === prefix.length && last.image.startsWith('"') && !closed(last.image)) return "string";
  return undefined;
}

/** `"abc"` is closed; `"abc`, `"` and `"abc\"` are not. */
function closed(image: string): boolean {
  if (image.length < 2 || !image.endsWith('"')) return false;
  let backslashes = 0;
  for (let i = image.length - 2; i > 0 && image[i] === "\\"; i--) backslashes++;
  return backslashes % 2 === 0;
}
