/**
 * The .agp parser: the statement rule on top of the grammar class chain
 * ExprGrammar (grammar-expr.ts) → PolicyGrammar (grammar-policy.ts) →
 * TestGrammar (grammar-tests.ts) → AgpParser, which follows the EBNF of
 * docs/language.md rule by rule, and the one parser instance.
 *
 * In: the tokens of ONE statement (see segment.ts). Out: a concrete syntax
 * tree (types in cst.generated.d.ts) and at most one recognition error:
 * error recovery is off, so the first mismatch ends the statement and no
 * error cascades. Chevrotain's error callbacks return expectation keys
 * (expectations.ts), never user text; errors.ts turns them into diagnostics.
 * This file must not build AST nodes, decode literals or format messages.
 */
import type { IParserErrorMessageProvider } from "chevrotain";
import { TestGrammar } from "./grammar-tests.js";

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

export class AgpParser extends TestGrammar {
  constructor() {
    super({
      maxLookahead: 3,
      nodeLocationTracking: "onlyOffset",
      recoveryEnabled: false,
      errorMessageProvider: expectationKeys,
    });
    this.performSelfAnalysis();
  }

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
        { ALT: () => this.SUBRULE(this.sessionDecl) },
        { ALT: () => this.SUBRULE(this.labelDecl) },
        { ALT: () => this.SUBRULE(this.defaultsDecl) },
        { ALT: () => this.SUBRULE(this.fixtureDecl) },
        { ALT: () => this.SUBRULE(this.testDecl) },
      ],
    });
  });
}

/** The one parser instance; building it runs Chevrotain's grammar analysis once. */
export const parser = new AgpParser();
