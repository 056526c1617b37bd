/**
 * The grammar of the .agp language as a Chevrotain CstParser, following the
 * EBNF of docs/language.md rule by rule.
 *
 * In: the tokens of ONE statement (see segment.ts). Out: a concrete syntax
 * tree (types in cst.generated.d.ts) and at most one recognition error:
 * error recovery is off, so the first mismatch ends the statement and no
 * error cascades. `ERR_MSG` values are expectation keys (expectations.ts),
 * never user text; errors.ts turns them into diagnostics.
 *
 * Three places accept a little more than the EBNF so the AST builder can
 * give a precise error instead of a generic one: a second comparison
 * operator (`a < b < c`), `=` as a comparison operator, and `*` anywhere in
 * an action pattern. The builder rejects all three.
 *
 * This file must not build AST nodes, decode literals or format messages.
 */
import { CstParser, tokenMatcher, type IParserErrorMessageProvider, type IToken, type TokenType } from "chevrotain";
import {
  ALL_TOKENS, Colon, Comma, Dot, EqEq, Equals, Greater, GreaterEq, KW, LBrace, LBracket, Less, LessEq, LParen,
  NameLike, NotEq, NumberLit, Pipe, Placeholder, RBrace, RBracket, RParen, Star, StringLit, Word,
} from "./tokens.js";

/**
 * Turns Chevrotain's error callbacks into expectation keys: the ERR_MSG the
 * grammar gave, or `token:<TokenName>` / `rule:<ruleName>` / `extra`.
 */
const expectationKeys: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected }) => `token:${expected.name}`,
  buildNotAllInputParsedMessage: () => "extra",
  buildNoViableAltMessage: ({ customUserDescription, ruleName }) => customUserDescription ?? `rule:${ruleName}`,
  buildEarlyExitMessage: ({ customUserDescription, ruleName }) => customUserDescription ?? `rule:${ruleName}`,
};

/** Words that start a rule or limit clause. */
const CLAUSE_WORDS: ReadonlySet<TokenType> = new Set(
  (["when", "by", "with", "because", "audit", "cost", "otherwise"] as const).map((w) => KW[w]),
);

/** Words that start a test clause: never taken as the args of `request`. */
const TEST_CLAUSE_WORDS: ReadonlySet<TokenType> = new Set(
  (["request", "agent", "human", "env", "context", "state", "expect", "where"] as const).map((w) => KW[w]),
);

export class AgpParser extends CstParser {
  constructor() {
    super(ALL_TOKENS, {
      maxLookahead: 3,
      nodeLocationTracking: "onlyOffset",
      recoveryEnabled: false,
      errorMessageProvider: expectationKeys,
    });
    this.performSelfAnalysis();
  }

  // ------------------------------------------------------------ statements

  public statement = this.RULE("statement", () => {
    this.OR({
      ERR_MSG: "statement",
      DEF: [
        { ALT: () => this.SUBRULE(this.packageDecl) },
        { ALT: () => this.SUBRULE(this.actionsDecl) },
        { ALT: () => this.SUBRULE(this.delegationDecl) },
        { ALT: () => this.SUBRULE(this.letDecl) },
        { ALT: () => this.SUBRULE(this.ruleDecl) },
        { ALT: () => this.SUBRULE(this.limitDecl) },
        { ALT: () => this.SUBRULE(this.defaultsDecl) },
        { ALT: () => this.SUBRULE(this.fixtureDecl) },
        { ALT: () => this.SUBRULE(this.testDecl) },
      ],
    });
  });

  private packageDecl = this.RULE("packageDecl", () => {
    this.CONSUME(KW.package);
    this.CONSUME(NameLike, { LABEL: "parts", ERR_MSG: "package-name" });
    this.MANY(() => {
      this.CONSUME(Dot);
      this.CONSUME2(NameLike, { LABEL: "parts", ERR_MSG: "package-name" });
    });
  });

  private actionsDecl = this.RULE("actionsDecl", () => {
    this.CONSUME(KW.actions);
    this.CONSUME(StringLit, { ERR_MSG: "catalog-path" });
  });

  private delegationDecl = this.RULE("delegationDecl", () => {
    this.CONSUME(KW.delegation);
    this.CONSUME(NameLike, { LABEL: "mode", ERR_MSG: "delegation-mode" });
  });

  private letDecl = this.RULE("letDecl", () => {
    this.CONSUME(KW.let);
    this.CONSUME(NameLike, { LABEL: "name", ERR_MSG: "let-name" });
    this.CONSUME(Equals, { ERR_MSG: "let-equals" });
    this.OR({
      ERR_MSG: "let-value",
      DEF: [{ ALT: () => this.SUBRULE(this.literal) }, { ALT: () => this.SUBRULE(this.setLiteral) }],
    });
  });

  private fixtureDecl = this.RULE("fixtureDecl", () => {
    this.CONSUME(KW.fixture);
    this.CONSUME(NameLike, { LABEL: "name", ERR_MSG: "fixture-name" });
    this.CONSUME(Equals, { ERR_MSG: "fixture-equals" });
    this.SUBRULE(this.value);
  });

  // ------------------------------------------------------------ rules

  private ruleDecl = this.RULE("ruleDecl", () => {
    this.CONSUME(KW.rule);
    this.CONSUME(NameLike, { LABEL: "id", ERR_MSG: "rule-id" });
    this.CONSUME(Colon, { ERR_MSG: "rule-colon" });
    this.SUBRULE(this.effect);
    this.SUBRULE(this.pattern);
    this.OPTION(() => {
      this.CONSUME(KW.for);
      this.SUBRULE(this.principal);
    });
    this.MANY(() => this.SUBRULE(this.ruleClause));
  });

  private effect = this.RULE("effect", () => {
    this.OR({
      ERR_MSG: "effect",
      DEF: [
        { ALT: () => this.CONSUME(KW.allow) },
        { ALT: () => this.CONSUME(KW.approve) },
        { ALT: () => this.CONSUME(KW.deny) },
      ],
    });
  });

  private principal = this.RULE("principal", () => {
    this.OR({
      ERR_MSG: "principal",
      DEF: [{ ALT: () => this.CONSUME(KW.agent) }, { ALT: () => this.CONSUME(KW.human) }],
    });
  });

  /** `name { "." word } [ "." "*" ]`; `*` is accepted anywhere and checked by the builder. */
  private pattern = this.RULE("pattern", () => {
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

  private ruleClause = this.RULE("ruleClause", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(KW.when);
          this.SUBRULE(this.expression);
        },
      },
      {
        ALT: () => {
          this.CONSUME(KW.by);
          this.SUBRULE(this.approval);
        },
      },
      {
        ALT: () => {
          this.CONSUME(KW.with);
          this.SUBRULE(this.obligation);
          this.MANY(() => {
            this.CONSUME(Comma);
            this.SUBRULE2(this.obligation);
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(KW.because);
          this.CONSUME(StringLit, { ERR_MSG: "because-string" });
        },
      },
      {
        ALT: () => {
          this.CONSUME(KW.audit);
          this.CONSUME(NameLike, { LABEL: "level", ERR_MSG: "audit-level" });
        },
      },
    ]);
  });

  private approval = this.RULE("approval", () => {
    this.SUBRULE(this.quorum);
    this.MANY(() => {
      this.CONSUME(KW.and);
      this.SUBRULE2(this.quorum);
    });
  });

  private quorum = this.RULE("quorum", () => {
    this.CONSUME(NumberLit, { LABEL: "count", ERR_MSG: "approval-count" });
    this.CONSUME(KW.of, { ERR_MSG: "approval-of" });
    this.OR({
      ERR_MSG: "approval-group",
      DEF: [{ ALT: () => this.CONSUME(KW.group) }, { ALT: () => this.CONSUME(KW.groups) }],
    });
    this.CONSUME(StringLit, { LABEL: "groups", ERR_MSG: "approval-group-name" });
    this.MANY(() => {
      this.CONSUME(Comma);
      this.CONSUME2(StringLit, { LABEL: "groups", ERR_MSG: "approval-group-name" });
    });
  });

  private obligation = this.RULE("obligation", () => {
    this.CONSUME(NameLike, { LABEL: "key", ERR_MSG: "obligation-key" });
    this.CONSUME(Equals, { ERR_MSG: "obligation-equals" });
    this.OR({
      ERR_MSG: "obligation-value",
      DEF: [{ ALT: () => this.SUBRULE(this.literal) }],
    });
  });

  // ------------------------------------------------------------ limits

  private limitDecl = this.RULE("limitDecl", () => {
    this.CONSUME(KW.limit);
    this.CONSUME(NameLike, { LABEL: "id", ERR_MSG: "limit-id" });
    this.CONSUME(Colon, { ERR_MSG: "limit-colon" });
    this.SUBRULE(this.measure);
    this.SUBRULE(this.window);
    this.OPTION(() => {
      this.CONSUME(KW.per);
      this.SUBRULE(this.path, { LABEL: "keys" });
      this.MANY(() => {
        this.CONSUME(Comma);
        this.SUBRULE2(this.path, { LABEL: "keys" });
      });
    });
    this.CONSUME(KW.on, { ERR_MSG: "limit-on" });
    this.SUBRULE(this.pattern);
    this.MANY2(() => this.SUBRULE(this.limitClause));
  });

  private measure = this.RULE("measure", () => {
    this.OR({
      ERR_MSG: "limit-measure",
      DEF: [
        { ALT: () => this.CONSUME(NumberLit, { LABEL: "count" }) },
        {
          ALT: () => {
            this.CONSUME(KW.budget);
            this.CONSUME2(NumberLit, { LABEL: "amount", ERR_MSG: "budget-amount" });
            this.OPTION(() => this.CONSUME(NameLike, { LABEL: "unit" }));
          },
        },
      ],
    });
  });

  private window = this.RULE("window", () => {
    this.CONSUME(KW.per, { ERR_MSG: "window-per" });
    this.OPTION(() => this.CONSUME(NumberLit, { LABEL: "count" }));
    this.CONSUME(NameLike, { LABEL: "unit", ERR_MSG: "window-unit" });
  });

  private limitClause = this.RULE("limitClause", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(KW.cost);
          this.SUBRULE(this.expression);
        },
      },
      {
        ALT: () => {
          this.CONSUME(KW.when);
          this.SUBRULE2(this.expression);
        },
      },
      {
        ALT: () => {
          this.CONSUME(KW.otherwise);
          this.OR2({
            ERR_MSG: "otherwise",
            DEF: [
              { ALT: () => this.CONSUME(KW.deny) },
              {
                ALT: () => {
                  this.CONSUME(KW.approve);
                  this.CONSUME(KW.by, { ERR_MSG: "otherwise-by" });
                  this.SUBRULE(this.approval);
                },
              },
            ],
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(KW.because);
          this.CONSUME(StringLit, { ERR_MSG: "because-string" });
        },
      },
    ]);
  });

  // ------------------------------------------------------------ expressions

  /**
   * True when the next tokens read as a clause (`because "x"`, `by 1 of …`,
   * `audit security`) rather than as a name used as an operand: a clause
   * word followed by a string, a number or another name. `when because "x"`
   * then reports a missing condition instead of a constant named `because`.
   */
  private startsClause(): boolean {
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

  private andExpr = this.RULE("andExpr", () => {
    this.SUBRULE(this.notExpr, { LABEL: "operands" });
    this.MANY(() => {
      this.CONSUME(KW.and);
      this.SUBRULE2(this.notExpr, { LABEL: "operands" });
    });
  });

  private notExpr = this.RULE("notExpr", () => {
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
  private comparison = this.RULE("comparison", () => {
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

  private compareOp = this.RULE("compareOp", () => {
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
    ]);
  });

  private operand = this.RULE("operand", () => {
    this.OR({
      ERR_MSG: "operand",
      DEF: [
        { GATE: () => !this.startsClause(), ALT: () => this.SUBRULE(this.path) },
        { ALT: () => this.SUBRULE(this.literal) },
        { ALT: () => this.SUBRULE(this.setLiteral) },
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

  private quantifier = this.RULE("quantifier", () => {
    this.OR([{ ALT: () => this.CONSUME(KW.all) }, { ALT: () => this.CONSUME(KW.any) }]);
    this.CONSUME(NameLike, { LABEL: "variable", ERR_MSG: "quantifier-variable" });
    this.CONSUME(KW.in, { ERR_MSG: "quantifier-in" });
    this.SUBRULE(this.operand, { LABEL: "collection" });
    this.CONSUME(Colon, { ERR_MSG: "quantifier-colon" });
    this.SUBRULE(this.expression, { LABEL: "body" });
  });

  public path = this.RULE("path", () => {
    this.CONSUME(NameLike, { LABEL: "root", ERR_MSG: "path" });
    this.MANY(() => {
      this.CONSUME(Dot);
      this.CONSUME(Word, { LABEL: "fields", ERR_MSG: "field-name" });
    });
  });

  private setLiteral = this.RULE("setLiteral", () => {
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

  // ------------------------------------------------------------ tests

  private defaultsDecl = this.RULE("defaultsDecl", () => {
    this.CONSUME(KW.defaults);
    this.CONSUME(Colon, { ERR_MSG: "defaults-colon" });
    this.MANY(() => this.SUBRULE(this.given));
  });

  private given = this.RULE("given", () => {
    this.OR([
      { ALT: () => this.CONSUME(KW.agent, { LABEL: "part" }) },
      { ALT: () => this.CONSUME(KW.human, { LABEL: "part" }) },
      { ALT: () => this.CONSUME(KW.env, { LABEL: "part" }) },
      { ALT: () => this.CONSUME(KW.context, { LABEL: "part" }) },
      { ALT: () => this.CONSUME(KW.state, { LABEL: "part" }) },
    ]);
    // A clause word right after `agent`/`env`/… means the value is missing, not a fixture named `expect`.
    this.OR2({
      ERR_MSG: "value",
      DEF: [{ GATE: () => !TEST_CLAUSE_WORDS.has(this.LA(1).tokenType), ALT: () => this.SUBRULE(this.value) }],
    });
  });

  private testDecl = this.RULE("testDecl", () => {
    this.CONSUME(KW.test);
    this.CONSUME(StringLit, { LABEL: "name", ERR_MSG: "test-name" });
    this.CONSUME(Colon, { ERR_MSG: "test-colon" });
    this.MANY(() => this.SUBRULE(this.testClause));
  });

  private testClause = this.RULE("testClause", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(KW.request);
          this.OR2({
            ERR_MSG: "request-action",
            DEF: [
              { ALT: () => this.SUBRULE(this.actionName) },
              { ALT: () => this.CONSUME(Placeholder, { LABEL: "actionPlaceholder" }) },
            ],
          });
          this.OPTION({
            GATE: () => !TEST_CLAUSE_WORDS.has(this.LA(1).tokenType),
            DEF: () => this.SUBRULE(this.value, { LABEL: "args" }),
          });
        },
      },
      { ALT: () => this.SUBRULE(this.given) },
      {
        ALT: () => {
          this.CONSUME(KW.expect);
          this.SUBRULE(this.expectation);
        },
      },
      {
        ALT: () => {
          this.CONSUME(KW.where);
          this.SUBRULE(this.row, { LABEL: "rows" });
          this.AT_LEAST_ONE({ ERR_MSG: "table-row", DEF: () => this.SUBRULE2(this.row, { LABEL: "rows" }) });
        },
      },
    ]);
  });

  private actionName = this.RULE("actionName", () => {
    this.CONSUME(NameLike, { LABEL: "segments" });
    this.MANY(() => {
      this.CONSUME(Dot);
      this.CONSUME(Word, { LABEL: "segments", ERR_MSG: "action-segment" });
    });
  });

  private expectation = this.RULE("expectation", () => {
    this.OR({
      ERR_MSG: "expect-effect",
      DEF: [
        { ALT: () => this.SUBRULE(this.effect) },
        { ALT: () => this.CONSUME(Placeholder, { LABEL: "effectPlaceholder" }) },
      ],
    });
    this.MANY(() => this.SUBRULE(this.expectClause));
  });

  private expectClause = this.RULE("expectClause", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(KW.from);
          this.SUBRULE(this.ruleRef, { LABEL: "rules" });
          this.MANY(() => {
            this.CONSUME(Comma);
            this.SUBRULE2(this.ruleRef, { LABEL: "rules" });
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(KW.because);
          this.OR2({
            ERR_MSG: "because-string",
            DEF: [
              { ALT: () => this.CONSUME(StringLit, { LABEL: "reason" }) },
              { ALT: () => this.CONSUME(Placeholder, { LABEL: "reason" }) },
            ],
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(KW.by);
          this.SUBRULE(this.approval);
        },
      },
      {
        ALT: () => {
          this.CONSUME(KW.with);
          this.SUBRULE(this.expectedObligation, { LABEL: "obligations" });
          this.MANY2(() => {
            this.CONSUME2(Comma);
            this.SUBRULE2(this.expectedObligation, { LABEL: "obligations" });
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(KW.charge);
          this.SUBRULE(this.charge, { LABEL: "charges" });
          this.MANY3(() => {
            this.CONSUME3(Comma);
            this.SUBRULE2(this.charge, { LABEL: "charges" });
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(KW.blocked);
          this.CONSUME2(KW.by, { ERR_MSG: "blocked-by" });
          this.SUBRULE(this.principal);
        },
      },
    ]);
  });

  private ruleRef = this.RULE("ruleRef", () => {
    this.OR({
      ERR_MSG: "rule-ref",
      DEF: [{ ALT: () => this.CONSUME(NameLike) }, { ALT: () => this.CONSUME(Placeholder) }],
    });
  });

  private expectedObligation = this.RULE("expectedObligation", () => {
    this.CONSUME(NameLike, { LABEL: "key", ERR_MSG: "obligation-key" });
    this.CONSUME(Equals, { ERR_MSG: "obligation-equals" });
    this.SUBRULE(this.value);
  });

  private charge = this.RULE("charge", () => {
    this.CONSUME(NameLike, { LABEL: "limit", ERR_MSG: "charge-limit" });
    this.OPTION(() => {
      this.CONSUME(Equals);
      this.SUBRULE(this.value, { LABEL: "amount" });
    });
  });

  private row = this.RULE("row", () => {
    this.CONSUME(Pipe, { ERR_MSG: "table-row" });
    this.AT_LEAST_ONE({
      ERR_MSG: "value",
      DEF: () => {
        this.SUBRULE(this.value, { LABEL: "cells" });
        this.CONSUME2(Pipe, { ERR_MSG: "row-pipe" });
      },
    });
  });

  // ------------------------------------------------------------ test data

  public value = this.RULE("value", () => {
    this.OR({
      ERR_MSG: "value",
      DEF: [
        { ALT: () => this.SUBRULE(this.literal) },
        { ALT: () => this.SUBRULE(this.object) },
        { ALT: () => this.SUBRULE(this.array) },
        { ALT: () => this.CONSUME(Placeholder) },
        {
          ALT: () => {
            this.CONSUME(NameLike, { LABEL: "name" });
            this.OPTION(() => {
              this.CONSUME(KW.with);
              this.SUBRULE2(this.object, { LABEL: "overrides" });
            });
          },
        },
      ],
    });
  });

  private object = this.RULE("object", () => {
    const open = this.CONSUME(LBrace, { ERR_MSG: "overrides" });
    this.OPTION(() => {
      this.SUBRULE(this.entry, { LABEL: "entries" });
      this.MANY(() => {
        this.CONSUME(Comma);
        this.SUBRULE2(this.entry, { LABEL: "entries" });
      });
      this.OPTION2(() => this.CONSUME2(Comma));
    });
    this.CONSUME(RBrace, { ERR_MSG: closer("object", open) });
  });

  private entry = this.RULE("entry", () => {
    this.OR({
      ERR_MSG: "entry-key",
      DEF: [
        { ALT: () => this.CONSUME(NameLike, { LABEL: "key" }) },
        { ALT: () => this.CONSUME(StringLit, { LABEL: "key" }) },
      ],
    });
    this.CONSUME(Colon, { ERR_MSG: "entry-colon" });
    this.SUBRULE(this.value);
  });

  private array = this.RULE("array", () => {
    const open = this.CONSUME(LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.value, { LABEL: "items" });
      this.MANY(() => {
        this.CONSUME(Comma);
        this.SUBRULE2(this.value, { LABEL: "items" });
      });
      this.OPTION2(() => this.CONSUME2(Comma));
    });
    this.CONSUME(RBracket, { ERR_MSG: closer("array", open) });
  });
}

/** The ERR_MSG of a closing bracket: which bracket, and where its opener is. */
function closer(kind: "paren" | "set" | "object" | "array", open: IToken): string {
  return `close:${kind}:${String(open.startOffset)}`;
}

/** The one parser instance; building it runs Chevrotain's grammar analysis once. */
export const parser = new AgpParser();
