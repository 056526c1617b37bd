/**
 * The grammar of test statements and test data (docs/language.md, EBNF
 * `defaults` … `array`): defaults, fixture, test, and JSON-like values.
 *
 * In: tokens (through the parser). Out: CST nodes. `ERR_MSG` values are
 * expectation keys (expectations.ts), never user text.
 * This file must not build AST nodes, decode literals or format messages.
 */
import type { IParserConfig, TokenType } from "chevrotain";
import { closer } from "./grammar-expr.js";
import { PolicyGrammar } from "./grammar-policy.js";
import {
  Colon, Comma, Dot, Equals, KW, LBrace, LBracket, NameLike, NumberLit, Pipe, Placeholder, RBrace, RBracket, StringLit, Word,
} from "./tokens.js";

/** Words that start a test clause: never taken as the args of `request`. */
const TEST_CLAUSE_WORDS: ReadonlySet<TokenType> = new Set(
  (["request", "agent", "human", "env", "context", "state", "expect", "where", "step"] as const).map((w) => KW[w]),
);

export class TestGrammar extends PolicyGrammar {
  constructor(config: IParserConfig) {
    super(config);
  }

  protected fixtureDecl = this.RULE("fixtureDecl", () => {
    this.CONSUME(KW.fixture);
    this.CONSUME(NameLike, { LABEL: "name", ERR_MSG: "fixture-name" });
    this.CONSUME(Equals, { ERR_MSG: "fixture-equals" });
    this.SUBRULE(this.value);
  });

  // ------------------------------------------------------------ tests

  protected defaultsDecl = this.RULE("defaultsDecl", () => {
    this.CONSUME(KW.defaults);
    this.CONSUME(Colon, { ERR_MSG: "defaults-colon" });
    this.MANY(() => this.SUBRULE(this.given));
  });

  protected given = this.RULE("given", () => {
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

  protected testDecl = this.RULE("testDecl", () => {
    this.CONSUME(KW.test);
    this.CONSUME(StringLit, { LABEL: "name", ERR_MSG: "test-name" });
    this.CONSUME(Colon, { ERR_MSG: "test-colon" });
    this.MANY(() => this.SUBRULE(this.testClause));
  });

  protected testClause = this.RULE("testClause", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(KW.request);
          this.OR2({
            ERR_MSG: "request-action",
            DEF: [
              { GATE: () => !TEST_CLAUSE_WORDS.has(this.LA(1).tokenType), ALT: () => this.SUBRULE(this.actionName) },
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
          this.CONSUME(KW.step);
          this.SUBRULE(this.testStep);
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

  /** `[after <duration>] request … [given…] expect …` or `[after <duration>] outcome <kind> [of step N]`. */
  protected testStep = this.RULE("testStep", () => {
    this.OPTION(() => {
      this.CONSUME(KW.after);
      this.SUBRULE(this.duration, { LABEL: "after" });
    });
    this.OR({
      ERR_MSG: "step",
      DEF: [
        {
          ALT: () => {
            this.CONSUME(KW.request);
            this.OR2({
              ERR_MSG: "request-action",
              DEF: [
                { GATE: () => !TEST_CLAUSE_WORDS.has(this.LA(1).tokenType), ALT: () => this.SUBRULE(this.actionName) },
                { ALT: () => this.CONSUME(Placeholder, { LABEL: "actionPlaceholder" }) },
              ],
            });
            this.OPTION2({
              GATE: () => !TEST_CLAUSE_WORDS.has(this.LA(1).tokenType),
              DEF: () => this.SUBRULE(this.value, { LABEL: "args" }),
            });
            this.MANY(() => this.SUBRULE(this.given));
            this.CONSUME(KW.expect, { ERR_MSG: "step-expect" });
            this.SUBRULE(this.expectation);
          },
        },
        {
          ALT: () => {
            this.CONSUME(KW.outcome);
            this.CONSUME(NameLike, { LABEL: "outcome", ERR_MSG: "outcome-kind" });
            this.OPTION3(() => {
              this.CONSUME(KW.of);
              this.CONSUME2(KW.step, { ERR_MSG: "of-step" });
              this.CONSUME(NumberLit, { LABEL: "of", ERR_MSG: "step-number" });
            });
          },
        },
      ],
    });
  });

  protected actionName = this.RULE("actionName", () => {
    this.CONSUME(NameLike, { LABEL: "segments" });
    this.MANY(() => {
      this.CONSUME(Dot);
      this.CONSUME(Word, { LABEL: "segments", ERR_MSG: "action-segment" });
    });
  });

  protected expectation = this.RULE("expectation", () => {
    this.OR({
      ERR_MSG: "expect-effect",
      DEF: [
        { ALT: () => this.SUBRULE(this.effect) },
        { ALT: () => this.CONSUME(Placeholder, { LABEL: "effectPlaceholder" }) },
      ],
    });
    this.MANY(() => this.SUBRULE(this.expectClause));
  });

  protected expectClause = this.RULE("expectClause", () => {
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
      {
        // `audit security`: the decision's audit level (issue 15).
        ALT: () => {
          this.CONSUME(KW.audit);
          this.CONSUME(NameLike, { LABEL: "level", ERR_MSG: "audit-level" });
        },
      },
    ]);
  });

  protected ruleRef = this.RULE("ruleRef", () => {
    this.OR({
      ERR_MSG: "rule-ref",
      DEF: [{ ALT: () => this.CONSUME(NameLike) }, { ALT: () => this.CONSUME(Placeholder) }],
    });
  });

  protected expectedObligation = this.RULE("expectedObligation", () => {
    this.CONSUME(NameLike, { LABEL: "key", ERR_MSG: "obligation-key" });
    this.CONSUME(Equals, { ERR_MSG: "obligation-equals" });
    this.SUBRULE(this.value);
  });

  protected charge = this.RULE("charge", () => {
    this.CONSUME(NameLike, { LABEL: "limit", ERR_MSG: "charge-limit" });
    this.OPTION(() => {
      this.CONSUME(Equals);
      this.SUBRULE(this.value, { LABEL: "amount" });
    });
  });

  protected row = this.RULE("row", () => {
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

  protected object = this.RULE("object", () => {
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

  protected entry = this.RULE("entry", () => {
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

  protected array = this.RULE("array", () => {
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
