/**
 * The grammar of conditions (docs/language.md, EBNF `expr` … `literal`), the
 * base of the parser class chain ExprGrammar → PolicyGrammar → TestGrammar →
 * AgpParser (parser.ts). Chevrotain needs one parser class; the chain keeps
 * each part of the grammar in a file of its own.
 *
 * In: tokens (through the parser). Out: CST nodes. A second comparison
 * operator (`a < b < c`) and `=` as an operator are accepted here only so
 * that the AST builder can report them precisely (AGP130, AGP134).
 * `ERR_MSG` values are expectation keys (expectations.ts), never user text.
 * This file must not build AST nodes, decode literals or format messages.
 */
import { CstParser, EOF, tokenMatcher, type IParserConfig, type IToken, type TokenType } from "chevrotain";
import {
  ALL_TOKENS, Colon, Comma, Dot, EqEq, Equals, Greater, GreaterEq, KW, LBrace, LBracket, Less, LessEq, LParen, NameLike, NotEq,
  NumberLit, RBrace, RBracket, RParen, Star, StringLit, Word,
} from "./tokens.js";

/** Words that start a rule or limit clause. */
const CLAUSE_WORDS: ReadonlySet<TokenType> = new Set(
  (["when", "by", "with", "because", "audit", "binds", "cost", "otherwise"] as const).map((w) => KW[w]),
);

/** Words that start a past-time operator when a pattern (or, for `sum`, a value) follows. */
const PAST_WORDS: ReadonlySet<TokenType> = new Set((["earlier", "previous", "count", "no", "only"] as const).map((w) => KW[w]));

/** Words that end a call pattern's status position: what follows the pattern when no status is given. */
const AFTER_PATTERN: ReadonlySet<TokenType> = new Set((["where", "within", "since", "of", "step", "track"] as const).map((w) => KW[w]));

export class ExprGrammar extends CstParser {
  constructor(config: IParserConfig) {
    super(ALL_TOKENS, config);
  }

  /**
   * True when the next tokens read as a clause (`because "x"`, `by 1 of …`,
   * `audit security`) rather than as a name used as an operand: a clause
   * word followed by a string, a number or another name. `when because "x"`
   * then reports a missing condition instead of a constant named `because`.
   */
  protected startsClause(): boolean {
    if (!CLAUSE_WORDS.has(this.LA(1).tokenType)) return false;
    const next = this.LA(2).tokenType;
    return next === StringLit || next === NumberLit || tokenMatcher(this.LA(2), NameLike);
  }

  public expression = this.RULE("expression", () => {
    this.SUBRULE(this.andExpr, { LABEL: "operands" });
    this.MANY(() => {
      this.CONSUME(KW.or);
      this.SUBRULE2(this.andExpr, { LABEL: "operands" });
    });
  });

  protected andExpr = this.RULE("andExpr", () => {
    this.SUBRULE(this.notExpr, { LABEL: "operands" });
    this.MANY(() => {
      this.CONSUME(KW.and);
      this.SUBRULE2(this.notExpr, { LABEL: "operands" });
    });
  });

  protected notExpr = this.RULE("notExpr", () => {
    this.OR({
      ERR_MSG: "operand",
      DEF: [
      {
        ALT: () => {
          this.CONSUME(KW.not);
          this.SUBRULE(this.notExpr);
        },
      },
      { ALT: () => this.SUBRULE(this.comparison) },
      ],
    });
  });

  /** `operand [ op operand ]`; a second `op operand` is parsed only to be reported. */
  protected comparison = this.RULE("comparison", () => {
    this.SUBRULE(this.operand, { LABEL: "operands" });
    this.OPTION(() => {
      this.SUBRULE(this.compareOp, { LABEL: "ops" });
      this.SUBRULE2(this.operand, { LABEL: "operands" });
      this.OPTION2(() => {
        this.SUBRULE2(this.compareOp, { LABEL: "ops" });
        this.SUBRULE3(this.operand, { LABEL: "operands" });
      });
    });
  });

  protected compareOp = this.RULE("compareOp", () => {
    this.OR([
      { ALT: () => this.CONSUME(EqEq, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(NotEq, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(LessEq, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(GreaterEq, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(Less, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(Greater, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(Equals, { LABEL: "op" }) },
      {
        ALT: () => {
          this.CONSUME(KW.not, { LABEL: "op" });
          this.CONSUME(KW.in, { LABEL: "op", ERR_MSG: "not-in" });
        },
      },
      { ALT: () => this.CONSUME2(KW.in, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(KW.startsWith, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(KW.endsWith, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(KW.contains, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(KW.matches, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(KW.under, { LABEL: "op" }) },
    ]);
  });

  /**
   * True when the next tokens start a session operator rather than a path:
   * `earlier web.fetch …`, `sum args.amount of …`, `exposed untrusted …`.
   * A constant named `count` is still a constant in `count == 1`.
   */
  protected startsPast(): boolean {
    const first = this.LA(1).tokenType;
    const second = this.LA(2);
    // `when count by 1 of …` and `sum count of …` keep `count` a name: a clause word or a word
    // that follows a pattern cannot start one.
    const name = tokenMatcher(second, NameLike) && !CLAUSE_WORDS.has(second.tokenType) && !AFTER_PATTERN.has(second.tokenType);
    // `earlier * within …`: a past call of any action of the package's catalogs.
    if (PAST_WORDS.has(first)) return name || second.tokenType === Star;
    if (first === KW.exposed || first === KW.carries) return name;
    if (first === KW.sum) {
      // The summed value is any operand; a path `sum` is never followed by one.
      const t = second.tokenType;
      // `sum(x)` is a use of a condition named `sum`; `sum (args.a) of …` a sum: look past the parentheses for `of`.
      if (t === LParen) return this.ofAfterParens();
      const operandStart = t === NumberLit || t === StringLit || t === LBrace || t === KW.has || t === KW.all || t === KW.any || t === KW.true || t === KW.false || t === KW.null;
      return operandStart || (tokenMatcher(second, NameLike) && !CLAUSE_WORDS.has(t) && t !== KW.of);
    }
    return false;
  }

  /** With `(` at LA(2): whether `of` follows its matching `)` (the end of the input ends the search). */
  private ofAfterParens(): boolean {
    let depth = 0;
    for (let k = 2; ; k++) {
      const token = this.LA(k);
      if (token.tokenType === EOF) return false;
      if (token.tokenType === LParen) depth++;
      else if (token.tokenType === RParen && --depth === 0) return this.LA(k + 1).tokenType === KW.of;
    }
  }

  protected operand = this.RULE("operand", () => {
    this.OR({
      ERR_MSG: "operand",
      DEF: [
        { GATE: () => this.startsPast(), ALT: () => this.SUBRULE(this.pastExpr) },
        { GATE: () => this.LA(2).tokenType === LParen, ALT: () => this.SUBRULE(this.call) },
        { GATE: () => !this.startsClause(), ALT: () => this.SUBRULE(this.path) },
        { ALT: () => this.SUBRULE(this.literal) },
        { ALT: () => this.SUBRULE(this.setLiteral) },
        { ALT: () => this.SUBRULE(this.bracketSet) },
        {
          ALT: () => {
            this.CONSUME(KW.has);
            this.SUBRULE2(this.path, { LABEL: "hasPath" });
          },
        },
        { ALT: () => this.SUBRULE(this.quantifier) },
        {
          ALT: () => {
            const open = this.CONSUME(LParen);
            this.SUBRULE(this.expression);
            this.CONSUME(RParen, { ERR_MSG: closer("paren", open) });
          },
        },
      ],
    });
  });

  /** `name(arg, …)`: a built-in view or a named condition; `name()` is parsed only to be reported (AGP172). */
  protected call = this.RULE("call", () => {
    this.CONSUME(NameLike, { LABEL: "callee" });
    const open = this.CONSUME(LParen);
    this.OPTION(() => {
      this.SUBRULE(this.expression, { LABEL: "args" });
      this.MANY(() => {
        this.CONSUME(Comma);
        this.SUBRULE2(this.expression, { LABEL: "args" });
      });
    });
    this.CONSUME(RParen, { ERR_MSG: closer("paren", open) });
  });

  protected quantifier = this.RULE("quantifier", () => {
    this.OR([{ ALT: () => this.CONSUME(KW.all) }, { ALT: () => this.CONSUME(KW.any) }]);
    this.CONSUME(NameLike, { LABEL: "variable", ERR_MSG: "quantifier-variable" });
    this.CONSUME(KW.in, { ERR_MSG: "quantifier-in" });
    this.SUBRULE(this.operand, { LABEL: "collection" });
    this.CONSUME(Colon, { ERR_MSG: "quantifier-colon" });
    this.SUBRULE(this.expression, { LABEL: "body" });
  });

  // ------------------------------------------------------------ session operators

  protected pastExpr = this.RULE("pastExpr", () => {
    this.OR([
      {
        ALT: () => {
          this.OR2([
            { ALT: () => this.CONSUME(KW.earlier, { LABEL: "op" }) },
            { ALT: () => this.CONSUME(KW.previous, { LABEL: "op" }) },
            { ALT: () => this.CONSUME(KW.count, { LABEL: "op" }) },
          ]);
          this.SUBRULE(this.callPattern, { LABEL: "call" });
          this.SUBRULE(this.within);
          this.OPTION(() => this.SUBRULE(this.trackClause));
        },
      },
      {
        ALT: () => {
          this.CONSUME(KW.sum, { LABEL: "op" });
          this.SUBRULE(this.operand, { LABEL: "value" });
          this.CONSUME(KW.of, { ERR_MSG: "sum-of" });
          this.SUBRULE2(this.callPattern, { LABEL: "call" });
          this.SUBRULE2(this.within);
          this.OPTION2(() => {
            this.CONSUME(KW.step);
            this.SUBRULE(this.duration, { LABEL: "step" });
          });
          this.OPTION3(() => this.SUBRULE2(this.trackClause));
        },
      },
      {
        ALT: () => {
          this.OR3([
            { ALT: () => this.CONSUME(KW.no, { LABEL: "op" }) },
            { ALT: () => this.CONSUME(KW.only, { LABEL: "op" }) },
          ]);
          this.SUBRULE3(this.callPattern, { LABEL: "call" });
          this.CONSUME(KW.since, { ERR_MSG: "since" });
          this.SUBRULE4(this.callPattern, { LABEL: "anchor" });
          this.SUBRULE3(this.within);
        },
      },
      {
        ALT: () => {
          this.CONSUME(KW.exposed, { LABEL: "op" });
          this.CONSUME(NameLike, { LABEL: "label", ERR_MSG: "label-name" });
          this.SUBRULE4(this.within);
        },
      },
      {
        ALT: () => {
          this.CONSUME(KW.carries, { LABEL: "op" });
          this.CONSUME2(NameLike, { LABEL: "label", ERR_MSG: "label-name" });
        },
      },
    ]);
  });

  /** `<pattern> [status] [where <expr>]`; the status word is checked by the builder. */
  protected callPattern = this.RULE("callPattern", () => {
    this.SUBRULE(this.pattern, { LABEL: "pattern" });
    this.OPTION({
      GATE: () => !AFTER_PATTERN.has(this.LA(1).tokenType),
      DEF: () => this.CONSUME(NameLike, { LABEL: "status" }),
    });
    this.OPTION2(() => {
      this.CONSUME(KW.where);
      this.SUBRULE(this.expression, { LABEL: "filter" });
    });
  });

  /** `name { "." word } [ "." "*" ]` or `*`; `*` is accepted anywhere and checked by the builder.
   * Rules, limits and session call patterns share it (PolicyGrammar extends this class). */
  protected pattern = this.RULE("pattern", () => {
    this.OR({
      ERR_MSG: "pattern",
      DEF: [
        { ALT: () => this.CONSUME(NameLike, { LABEL: "segments" }) },
        { ALT: () => this.CONSUME(Star, { LABEL: "segments" }) },
      ],
    });
    this.MANY(() => {
      this.CONSUME(Dot);
      this.OR2({
        ERR_MSG: "pattern-segment",
        DEF: [
          { ALT: () => this.CONSUME(Word, { LABEL: "segments" }) },
          { ALT: () => this.CONSUME2(Star, { LABEL: "segments" }) },
        ],
      });
    });
  });

  /** `within 1 hour`: every session operator's mandatory window. */
  protected within = this.RULE("within", () => {
    this.CONSUME(KW.within, { ERR_MSG: "within" });
    this.SUBRULE(this.duration);
  });

  protected trackClause = this.RULE("trackClause", () => {
    this.CONSUME(KW.track);
    this.CONSUME(NumberLit, { LABEL: "count", ERR_MSG: "track-count" });
  });

  /** `10 minutes`, `1 hour`. */
  public duration = this.RULE("duration", () => {
    this.CONSUME(NumberLit, { LABEL: "count", ERR_MSG: "duration" });
    this.CONSUME(NameLike, { LABEL: "unit", ERR_MSG: "duration-unit" });
  });

  public path = this.RULE("path", () => {
    this.CONSUME(NameLike, { LABEL: "root", ERR_MSG: "path" });
    this.MANY(() => {
      this.CONSUME(Dot);
      this.CONSUME(Word, { LABEL: "fields", ERR_MSG: "field-name" });
    });
  });

  protected setLiteral = this.RULE("setLiteral", () => {
    const open = this.CONSUME(LBrace);
    this.OPTION(() => {
      this.SUBRULE(this.literal, { LABEL: "elements" });
      this.MANY(() => {
        this.CONSUME(Comma);
        this.SUBRULE2(this.literal, { LABEL: "elements" });
      });
      this.OPTION2(() => this.CONSUME2(Comma));
    });
    this.CONSUME(RBrace, { ERR_MSG: closer("set", open) });
  });

  /** `["a", "b"]`: a set written with brackets, parsed only to be reported (AGP171) and read as `{"a", "b"}`. */
  protected bracketSet = this.RULE("bracketSet", () => {
    const open = this.CONSUME(LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.literal, { LABEL: "elements" });
      this.MANY(() => {
        this.CONSUME(Comma);
        this.SUBRULE2(this.literal, { LABEL: "elements" });
      });
      this.OPTION2(() => this.CONSUME2(Comma));
    });
    this.CONSUME(RBracket, { ERR_MSG: closer("array", open) });
  });

  public literal = this.RULE("literal", () => {
    this.OR({
      ERR_MSG: "literal",
      DEF: [
        { ALT: () => this.CONSUME(StringLit) },
        { ALT: () => this.CONSUME(NumberLit) },
        { ALT: () => this.CONSUME(KW.true) },
        { ALT: () => this.CONSUME(KW.false) },
        { ALT: () => this.CONSUME(KW.null) },
      ],
    });
  });
}

/** The ERR_MSG of a closing bracket: which bracket, and where its opener is. */
export function closer(kind: "paren" | "set" | "object" | "array", open: IToken): string {
  return `close:${kind}:${String(open.startOffset)}`;
}
