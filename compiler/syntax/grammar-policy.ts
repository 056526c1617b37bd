/**
 * The grammar of policy statements (docs/language.md, EBNF `package` …
 * `limit_clause`): package, actions, delegation, let, rule, limit.
 *
 * In: tokens (through the parser). Out: CST nodes. `*` is accepted anywhere
 * in an action pattern so the AST builder can say where it may go (AGP121).
 * `ERR_MSG` values are expectation keys (expectations.ts), never user text.
 * This file must not build AST nodes, decode literals or format messages.
 */
import type { IParserConfig } from "chevrotain";
import { closer, ExprGrammar } from "./grammar-expr.js";
import { Colon, Comma, Dot, Equals, KW, LBrace, LParen, NameLike, NumberLit, RBrace, RParen, StringLit } from "./tokens.js";

export class PolicyGrammar extends ExprGrammar {
  constructor(config: IParserConfig) {
    super(config);
  }

  protected packageDecl = this.RULE("packageDecl", () => {
    this.CONSUME(KW.package);
    this.CONSUME(NameLike, { LABEL: "parts", ERR_MSG: "package-name" });
    this.MANY(() => {
      this.CONSUME(Dot);
      this.CONSUME2(NameLike, { LABEL: "parts", ERR_MSG: "package-name" });
    });
  });

  protected actionsDecl = this.RULE("actionsDecl", () => {
    this.CONSUME(KW.actions);
    this.CONSUME(StringLit, { ERR_MSG: "catalog-path" });
  });

  protected delegationDecl = this.RULE("delegationDecl", () => {
    this.CONSUME(KW.delegation);
    this.CONSUME(NameLike, { LABEL: "mode", ERR_MSG: "delegation-mode" });
  });

  /**
   * `let name = value` (a constant when the value is a literal or a set, else
   * a named condition) or `let name(param, …) = condition`.
   */
  protected letDecl = this.RULE("letDecl", () => {
    this.CONSUME(KW.let);
    this.CONSUME(NameLike, { LABEL: "name", ERR_MSG: "let-name" });
    this.OPTION(() => {
      const open = this.CONSUME(LParen);
      this.OPTION2(() => {
        this.CONSUME2(NameLike, { LABEL: "params", ERR_MSG: "param-name" });
        this.MANY(() => {
          this.CONSUME(Comma);
          this.CONSUME3(NameLike, { LABEL: "params", ERR_MSG: "param-name" });
        });
      });
      this.CONSUME(RParen, { ERR_MSG: closer("paren", open) });
    });
    this.CONSUME(Equals, { ERR_MSG: "let-equals" });
    this.OR({
      ERR_MSG: "let-value",
      DEF: [{ ALT: () => this.SUBRULE(this.expression, { LABEL: "value" }) }],
    });
  });

  // ------------------------------------------------------------ rules

  protected ruleDecl = this.RULE("ruleDecl", () => {
    this.CONSUME(KW.rule);
    this.CONSUME(NameLike, { LABEL: "id", ERR_MSG: "rule-id" });
    this.CONSUME(Colon, { ERR_MSG: "rule-colon" });
    this.SUBRULE(this.effect);
    this.SUBRULE(this.patterns);
    this.OPTION(() => {
      this.CONSUME(KW.for);
      this.SUBRULE(this.principal);
    });
    this.MANY(() => this.SUBRULE(this.ruleClause));
  });

  protected effect = this.RULE("effect", () => {
    this.OR({
      ERR_MSG: "effect",
      DEF: [
        { ALT: () => this.CONSUME(KW.allow) },
        { ALT: () => this.CONSUME(KW.approve) },
        { ALT: () => this.CONSUME(KW.deny) },
      ],
    });
  });

  protected principal = this.RULE("principal", () => {
    this.OR({
      ERR_MSG: "principal",
      DEF: [{ ALT: () => this.CONSUME(KW.agent) }, { ALT: () => this.CONSUME(KW.human) }],
    });
  });

  /** One pattern, or `{p, q, …}`: every action any of them matches. */
  protected patterns = this.RULE("patterns", () => {
    this.OR({
      ERR_MSG: "pattern",
      DEF: [
        {
          ALT: () => {
            const open = this.CONSUME(LBrace);
            this.SUBRULE(this.pattern, { LABEL: "listed" });
            this.MANY(() => {
              this.CONSUME(Comma);
              this.SUBRULE2(this.pattern, { LABEL: "listed" });
            });
            this.OPTION(() => this.CONSUME2(Comma));
            this.CONSUME(RBrace, { ERR_MSG: closer("set", open) });
          },
        },
        { ALT: () => this.SUBRULE3(this.pattern, { LABEL: "single" }) },
      ],
    });
  });

  protected ruleClause = this.RULE("ruleClause", () => {
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
      {
        ALT: () => {
          this.CONSUME(KW.binds);
          this.SUBRULE(this.path, { LABEL: "binds" });
          this.MANY2(() => {
            this.CONSUME2(Comma);
            this.SUBRULE2(this.path, { LABEL: "binds" });
          });
        },
      },
    ]);
  });

  /** `approver { "and" approver } [ "(" same person allowed ")" ]`; the words are checked by the builder (AGP180, AGP181). */
  protected approval = this.RULE("approval", () => {
    this.SUBRULE(this.approver);
    this.MANY(() => {
      this.CONSUME(KW.and);
      this.SUBRULE2(this.approver);
    });
    this.OPTION(() => {
      this.CONSUME(LParen);
      this.AT_LEAST_ONE(() => this.CONSUME(NameLike, { LABEL: "samePerson", ERR_MSG: "same-person" }));
      this.CONSUME(RParen, { ERR_MSG: "same-person-close" });
    });
  });

  /** A quorum, or `requester` (any other name is reported by the builder). */
  protected approver = this.RULE("approver", () => {
    this.OR({
      ERR_MSG: "approval-count",
      DEF: [{ ALT: () => this.SUBRULE(this.quorum) }, { ALT: () => this.CONSUME(NameLike, { LABEL: "requester" }) }],
    });
  });

  protected quorum = this.RULE("quorum", () => {
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

  protected obligation = this.RULE("obligation", () => {
    this.CONSUME(NameLike, { LABEL: "key", ERR_MSG: "obligation-key" });
    this.CONSUME(Equals, { ERR_MSG: "obligation-equals" });
    this.OR({
      ERR_MSG: "obligation-value",
      DEF: [
        { ALT: () => this.SUBRULE(this.literal) },
        { ALT: () => this.SUBRULE(this.setLiteral) },
        { ALT: () => this.SUBRULE(this.bracketSet) },
        { ALT: () => this.CONSUME2(NameLike, { LABEL: "constant" }) },
      ],
    });
  });

  // ------------------------------------------------------------ sessions

  protected sessionDecl = this.RULE("sessionDecl", () => {
    this.CONSUME(KW.session);
    this.OPTION({
      GATE: () => this.LA(1).tokenType !== KW.retain && this.LA(1).tokenType !== KW.track,
      DEF: () => this.SUBRULE(this.path, { LABEL: "key" }),
    });
    this.MANY(() => this.SUBRULE(this.sessionClause));
  });

  protected sessionClause = this.RULE("sessionClause", () => {
    this.OR({
      ERR_MSG: "session-clause",
      DEF: [
        {
          ALT: () => {
            this.CONSUME(KW.retain);
            this.SUBRULE(this.duration, { LABEL: "retain" });
          },
        },
        {
          ALT: () => {
            this.CONSUME(KW.track);
            this.CONSUME(NumberLit, { LABEL: "track", ERR_MSG: "track-count" });
          },
        },
      ],
    });
  });

  protected labelDecl = this.RULE("labelDecl", () => {
    this.CONSUME(KW.label);
    this.CONSUME(NameLike, { LABEL: "name", ERR_MSG: "label-name" });
    this.CONSUME(KW.on, { ERR_MSG: "label-on" });
    this.SUBRULE(this.pattern, { LABEL: "patterns" });
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.pattern, { LABEL: "patterns" });
    });
    this.OPTION(() => {
      this.CONSUME(KW.when);
      this.SUBRULE(this.expression);
    });
  });

  // ------------------------------------------------------------ limits

  protected limitDecl = this.RULE("limitDecl", () => {
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
    this.SUBRULE(this.patterns);
    this.MANY2(() => this.SUBRULE(this.limitClause));
  });

  protected measure = this.RULE("measure", () => {
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

  protected window = this.RULE("window", () => {
    this.CONSUME(KW.per, { ERR_MSG: "window-per" });
    this.OPTION(() => this.CONSUME(NumberLit, { LABEL: "count" }));
    this.CONSUME(NameLike, { LABEL: "unit", ERR_MSG: "window-unit" });
  });

  protected limitClause = this.RULE("limitClause", () => {
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

}
