/**
 * The tokens of the .agp language and the one lexer instance.
 *
 * In: nothing. Out: token types, the keyword tables and `lexer`.
 * Three token categories shape the grammar:
 *   - `Word`: anything word-like (names and every keyword); what may follow a `.`;
 *   - `NameLike`: a name or a soft keyword; what the grammar accepts as a name;
 *   - hard keywords (`and or not in has all any true false null startsWith
 *     endsWith contains matches per`) are Words but never names.
 * Words lex as `Name`; the lexer wrapper then retypes the ones spelled like a
 * keyword, so `rules` or `index` stay names.
 * This file must not know about the grammar, the AST or diagnostics.
 */
import { createToken, Lexer, type TokenType } from "chevrotain";

/** Any word: names, soft keywords and hard keywords. Used after `.`. */
export const Word = createToken({ name: "Word", pattern: Lexer.NA });
/** Names and soft keywords: what the grammar accepts where a name goes. */
export const NameLike = createToken({ name: "NameLike", pattern: Lexer.NA, categories: [Word] });

/** A plain name: a letter or `_`, then letters, digits, `_`; inner `-` allowed. */
export const Name = createToken({
  name: "Name",
  pattern: /[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*/,
  categories: [NameLike],
});

function keyword(word: string, category: TokenType): TokenType {
  const name = `Kw${word[0]!.toUpperCase()}${word.slice(1)}`;
  // Never lexed directly (see LEXED_TOKENS): `Name` tokens are retyped by spelling; the label records it.
  return createToken({ name, pattern: Lexer.NA, categories: [category], label: word });
}

/** Keywords that can never be names (docs/language.md, "Files and lexical structure"). */
export const HARD_KEYWORDS = [
  "and", "or", "not", "in", "has", "all", "any", "true", "false", "null",
  "startsWith", "endsWith", "contains", "matches", "per",
] as const;

/** Keywords that are keywords only where the grammar expects them. */
export const SOFT_KEYWORDS = [
  "package", "actions", "delegation", "let", "rule", "limit", "defaults", "fixture", "test",
  "allow", "approve", "deny", "for", "agent", "human", "when", "by", "with", "because", "audit",
  "of", "group", "groups", "budget", "on", "cost", "otherwise", "binds",
  "request", "env", "context", "state", "expect", "from", "charge", "blocked", "where",
  "session", "label", "retain", "track", "earlier", "previous", "count", "sum", "no", "only", "since", "within",
  "step", "exposed", "carries", "after", "outcome",
  "under",
] as const;

export type HardKeyword = (typeof HARD_KEYWORDS)[number];
export type SoftKeyword = (typeof SOFT_KEYWORDS)[number];

/** The words that start a statement; the segmenter splits the file at them. */
export const STATEMENT_KEYWORDS = [
  "package", "actions", "delegation", "let", "rule", "limit", "session", "label", "defaults", "fixture", "test",
] as const;

const hard = Object.fromEntries(HARD_KEYWORDS.map((w) => [w, keyword(w, Word)])) as Record<HardKeyword, TokenType>;
const soft = Object.fromEntries(SOFT_KEYWORDS.map((w) => [w, keyword(w, NameLike)])) as Record<SoftKeyword, TokenType>;

/** Keyword token types by their spelling. */
export const KW = { ...hard, ...soft } as Readonly<Record<HardKeyword | SoftKeyword, TokenType>>;

/** Blanks, line breaks, and a byte-order mark (editors on Windows may write one). */
export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n\f\v\uFEFF]+/, group: Lexer.SKIPPED, line_breaks: true });
export const Comment = createToken({ name: "Comment", pattern: /#[^\r\n]*/, group: "comments" });

/** A complete string; escapes are checked and decoded by the lexer wrapper. */
export const StringLit = createToken({ name: "StringLit", pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*"/ });
/** A string that the line ends inside of; reported, then treated as a string. */
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*\\?/,
});
/** Something that starts like a number but is not one (`1e5`, `10m`, `1.2.3`); reported. */
export const BadNumber = createToken({ name: "BadNumber", pattern: /-?[0-9][A-Za-z0-9_.]*/ });
export const NumberLit = createToken({ name: "NumberLit", pattern: /-?[0-9]+(?:\.[0-9]+)?/, longer_alt: BadNumber });
export const Placeholder = createToken({ name: "Placeholder", pattern: /\$[A-Za-z_][A-Za-z0-9_]*/ });

/* Operators and punctuation. */
export const EqEq = createToken({ name: "EqEq", pattern: /==/ });
export const NotEq = createToken({ name: "NotEq", pattern: /!=/ });
export const LessEq = createToken({ name: "LessEq", pattern: /<=/ });
export const GreaterEq = createToken({ name: "GreaterEq", pattern: />=/ });
export const Less = createToken({ name: "Less", pattern: /</ });
export const Greater = createToken({ name: "Greater", pattern: />/ });
export const Equals = createToken({ name: "Equals", pattern: /=/ });
export const Colon = createToken({ name: "Colon", pattern: /:/ });
export const Comma = createToken({ name: "Comma", pattern: /,/ });
export const Dot = createToken({ name: "Dot", pattern: /\./ });
export const Star = createToken({ name: "Star", pattern: /\*/ });
export const LParen = createToken({ name: "LParen", pattern: /\(/ });
export const RParen = createToken({ name: "RParen", pattern: /\)/ });
export const LBrace = createToken({ name: "LBrace", pattern: /\{/ });
export const RBrace = createToken({ name: "RBrace", pattern: /\}/ });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/ });
export const RBracket = createToken({ name: "RBracket", pattern: /\]/ });
export const Pipe = createToken({ name: "Pipe", pattern: /\|/ });

/** Keyword token types by spelling; the lexer wrapper retypes `Name` tokens with these. */
export const KEYWORD_TYPES: ReadonlyMap<string, TokenType> = new Map(Object.entries(KW));

/**
 * What the lexer matches, in priority order. Keywords are not in it: every
 * word lexes as `Name` (one regex instead of one per keyword) and
 * `retypeKeywords` then gives keywords their own type by a table lookup.
 * That is the same result as keyword tokens with `longer_alt: Name`, at a
 * fraction of the cost.
 */
const LEXED_TOKENS: TokenType[] = [
  WhiteSpace,
  Comment,
  StringLit,
  UnterminatedString,
  NumberLit,
  BadNumber,
  Placeholder,
  EqEq, NotEq, LessEq, GreaterEq, Less, Greater, Equals,
  Colon, Comma, Dot, Star, LParen, RParen, LBrace, RBrace, LBracket, RBracket, Pipe,
  Name,
];

/** Every token type the parser knows (categories and keywords included). */
export const ALL_TOKENS: TokenType[] = [...LEXED_TOKENS, ...Object.values(KW), NameLike, Word];

/** The one lexer instance, reused for every file. */
export const lexer = new Lexer(LEXED_TOKENS, { positionTracking: "full", ensureOptimizations: true });
