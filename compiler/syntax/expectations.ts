/**
 * What the grammar expected, in the policy author's words.
 *
 * In: an expectation key (the parser's ERR_MSG, or `token:<Name>` /
 * `rule:<name>` from its message provider). Out: the diagnostic code, the
 * phrase for "expected …", the closed set of words a did-you-mean may pick
 * from, and, when a name was expected, what kind of name (for AGP109).
 * This file must not look at tokens or source text.
 */
import type { DiagnosticCode } from "../diagnostics/index.js";
import { AUDIT_LEVELS, DELEGATION_MODES, EFFECTS, PRINCIPALS, WINDOW_UNITS } from "./ast.js";
import { STATEMENT_KEYWORDS } from "./tokens.js";

export interface Expectation {
  readonly code: DiagnosticCode;
  /** "a rule effect (allow, approve or deny)" */
  readonly expected: string;
  /** Words a misspelling may be corrected to. */
  readonly candidates?: readonly string[];
  /** Set when a name was expected: "a rule id", for "cannot be used as a rule id". */
  readonly name?: string;
}

/** Words accepted as window units: the singular forms and their plurals. */
export const WINDOW_WORDS: readonly string[] = [...WINDOW_UNITS, ...WINDOW_UNITS.map((u) => `${u}s`)];

export const RULE_CLAUSES = ["when", "by", "with", "because", "audit", "binds"] as const;
export const LIMIT_CLAUSES = ["cost", "when", "otherwise", "because"] as const;
export const TEST_CLAUSES = ["request", "agent", "human", "env", "context", "state", "expect", "where", "step"] as const;
export const EXPECT_CLAUSES = ["from", "because", "by", "with", "charge", "blocked", "audit"] as const;
export const GIVEN_WORDS = ["agent", "human", "env", "context", "state"] as const;

/** Units a session window may be written in. */
const DURATION_WORDS = ["second", "minute", "hour", "day", "week"] as const;

const E = (code: DiagnosticCode, expected: string, more: Omit<Expectation, "code" | "expected"> = {}): Expectation => ({
  code,
  expected,
  ...more,
});

const EXPECTATIONS: Readonly<Record<string, Expectation>> = {
  statement: E("AGP107", `a statement (${list(STATEMENT_KEYWORDS)})`, { candidates: STATEMENT_KEYWORDS }),
  "package-name": E("AGP111", "a package name (such as `platform.github`)", { name: "a package name" }),
  "catalog-path": E("AGP112", 'the catalog path as a string (such as `"../schemas/github.json"`)'),
  "delegation-mode": E("AGP113", `a delegation mode (${list(DELEGATION_MODES)})`, {
    candidates: DELEGATION_MODES,
    name: "a delegation mode",
  }),
  "let-name": E("AGP135", "a constant name", { name: "a constant name" }),
  "let-equals": E("AGP115", "`=`"),
  "let-value": E("AGP114", "a value (a literal, a set or a condition)"),
  "param-name": E("AGP135", "a parameter name", { name: "a parameter name" }),
  "fixture-name": E("AGP135", "a fixture name", { name: "a fixture name" }),
  "fixture-equals": E("AGP115", "`=`"),
  "rule-id": E("AGP118", "a rule id", { name: "a rule id" }),
  "rule-colon": E("AGP119", "`:`"),
  effect: E("AGP104", `a rule effect (${list(EFFECTS)})`, { candidates: EFFECTS }),
  "expect-effect": E("AGP104", `an effect (${list(EFFECTS)}) or a \`$column\``, { candidates: EFFECTS }),
  principal: E("AGP122", `a principal (${list(PRINCIPALS)})`, { candidates: PRINCIPALS }),
  "blocked-by": E("AGP122", "`by`", { candidates: ["by"] }),
  pattern: E("AGP120", "an action pattern (such as `github.pull_request.merge` or `aws.*`)", {
    name: "an action name",
  }),
  "pattern-segment": E("AGP120", "a name or `*`"),
  "request-action": E("AGP120", "an action name (such as `github.pull_request.merge`) or a `$column`", {
    name: "an action name",
  }),
  "action-segment": E("AGP120", "a name (a request names one exact action)"),
  "because-string": E("AGP125", 'the reason as a string (such as `"humans merge"`)'),
  "audit-level": E("AGP126", `an audit level (${list(AUDIT_LEVELS)})`, { candidates: AUDIT_LEVELS, name: "an audit level" }),
  "approval-count": E("AGP127", "the number of approvers (such as `1`) or `requester`", { candidates: ["requester"] }),
  approver: E("AGP180", "`requester` or the number of approvers (such as `1`)", { candidates: ["requester"] }),
  "same-person": E("AGP181", "`same person allowed` inside the parentheses", { candidates: ["same", "person", "allowed"] }),
  "same-person-close": E("AGP181", "`)` after `same person allowed`"),
  "approval-of": E("AGP127", "`of`", { candidates: ["of"] }),
  "approval-group": E("AGP127", "`group` or `groups`", { candidates: ["group", "groups"] }),
  "approval-group-name": E("AGP127", 'a group name as a string (such as `"sre"`)'),
  "otherwise-by": E("AGP127", "`by`", { candidates: ["by"] }),
  "obligation-key": E("AGP129", "an obligation name", { name: "an obligation name" }),
  "obligation-equals": E("AGP129", "`=`"),
  "obligation-value": E("AGP129", "the obligation's value (a string, number, boolean, null, set or constant)"),
  "limit-id": E("AGP135", "a limit id", { name: "a limit id" }),
  "limit-colon": E("AGP119", "`:`"),
  "limit-measure": E("AGP136", "a count (such as `5`) or `budget`", { candidates: ["budget"] }),
  "budget-amount": E("AGP136", "the budget amount (such as `500`)"),
  "window-per": E("AGP137", "a time window (such as `per hour`)", { candidates: ["per"] }),
  "window-unit": E("AGP137", `a time window unit (${list(WINDOW_UNITS)})`, {
    candidates: WINDOW_WORDS,
    name: "a time window unit",
  }),
  "limit-on": E("AGP139", "`on` and an action pattern", { candidates: ["on", "per"] }),
  otherwise: E("AGP140", "`deny` or `approve by …`", { candidates: ["deny", "approve"] }),
  condition: E("AGP123", "a condition"),
  cost: E("AGP123", "a cost expression (such as `args.estimated_cost_usd`)"),
  operand: E("AGP131", "a condition"),
  "compare-operand": E("AGP131", "a value to compare with (a field, a constant, a literal or a set)"),
  collection: E("AGP133", "an array field or a set to range over"),
  body: E("AGP133", "the quantifier's condition"),
  "limit-key": E("AGP131", "a counter key (such as `agent` or `args.service`)", { name: "a counter key" }),
  path: E("AGP131", "a field (such as `args.labels`)", { name: "a field" }),
  "field-name": E("AGP135", "a field name"),
  "quantifier-variable": E("AGP133", "a variable name", { name: "a variable name" }),
  "quantifier-in": E("AGP133", "`in`"),
  "quantifier-colon": E("AGP133", "`:` before the quantifier's condition"),
  literal: E("AGP145", "a literal (a string, number, boolean or null)"),
  "defaults-colon": E("AGP119", "`:`"),
  "test-name": E("AGP143", 'the test name as a string (such as `"merging is denied"`)'),
  "test-colon": E("AGP119", "`:`"),
  "rule-ref": E("AGP135", "a rule id", { name: "a rule id" }),
  "charge-limit": E("AGP135", "a limit id", { name: "a limit id" }),
  value: E("AGP145", "a value (a string, number, boolean, null, object, array, fixture name or `$column`)", {
    name: "a fixture name",
  }),
  "not-in": E("AGP153", "`in`"),
  overrides: E("AGP145", "the fields to override as an object (such as `{ number: 8 }`)"),
  "entry-key": E("AGP146", "a key (a name or a string)", { name: "a key" }),
  "entry-colon": E("AGP146", "`:`"),
  "table-row": E("AGP148", "a table row (such as `| account | effect |`)"),
  "row-pipe": E("AGP148", "`|`"),
  within: E("AGP160", "a window (such as `within 1 hour`)", { candidates: ["within"] }),
  duration: E("AGP160", "the window's length (such as `1 hour` or `10 minutes`)"),
  "duration-unit": E("AGP161", `a unit (${list(DURATION_WORDS)})`, { candidates: [...DURATION_WORDS, ...DURATION_WORDS.map((u) => `${u}s`)], name: "a unit" }),
  "sum-of": E("AGP163", "`of` and the calls to sum over (such as `sum args.amount of bank.send_money …`)", { candidates: ["of"] }),
  since: E("AGP163", "`since` and the call that starts the stretch (such as `no files.write since review.approve …`)", { candidates: ["since"] }),
  "label-name": E("AGP164", "a label name (such as `untrusted`)", { name: "a label name" }),
  "track-count": E("AGP163", "the capacity (such as `track 32`)"),
  "session-clause": E("AGP164", "`retain <window>` or `track <capacity>`", { candidates: ["retain", "track"] }),
  "label-on": E("AGP164", "`on` and the actions that carry the label", { candidates: ["on"] }),
  step: E("AGP165", "`request <action> … expect …` or `outcome <succeeded|failed|rolled_back>`", { candidates: ["request", "outcome", "after"] }),
  "step-expect": E("AGP165", "`expect` and the decision this step should get", { candidates: ["expect"] }),
  "outcome-kind": E("AGP165", "an outcome (succeeded, failed or rolled_back)", { name: "an outcome" }),
  "of-step": E("AGP165", "`step` (as in `of step 2`)", { candidates: ["step"] }),
  "step-number": E("AGP165", "a step number (such as `2`)"),
};


/** Fallbacks for tokens and rules the grammar gave no ERR_MSG for. */
const TOKEN_WORDS: Readonly<Record<string, string>> = {
  Colon: "`:`", Comma: "`,`", Dot: "`.`", Equals: "`=`", LParen: "`(`", RParen: "`)`", LBrace: "`{`",
  RBrace: "`}`", LBracket: "`[`", RBracket: "`]`", Pipe: "`|`", StringLit: "a string", NumberLit: "a number",
  NameLike: "a name", Word: "a name", Placeholder: "a `$column`",
};

export function expectation(key: string): Expectation {
  const known = EXPECTATIONS[key];
  if (known !== undefined) return known;
  if (key.startsWith("close:")) return closing(key);
  if (key.startsWith("token:")) {
    const name = key.slice("token:".length);
    const word = name.startsWith("Kw") ? `\`${name[2]!.toLowerCase()}${name.slice(3)}\`` : TOKEN_WORDS[name];
    return E("AGP199", word ?? "something else");
  }
  return E("AGP199", "something else");
}

/** `close:paren:<offset>`: which closing bracket; the caller adds where it was opened. */
function closing(key: string): Expectation {
  const kind = key.split(":")[1];
  const pair = kind === "paren" ? "`)` to close the `(`" : kind === "array" ? "`]` to close the `[`" : "`}` to close the `{`";
  return E("AGP132", pair);
}

/** The offset of the opening bracket named by a `close:` key. */
export function openerOffset(key: string): number | undefined {
  if (!key.startsWith("close:")) return undefined;
  const offset = Number(key.split(":")[2]);
  return Number.isFinite(offset) ? offset : undefined;
}

/** "a, b or c" */
export function list(words: readonly string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]!}`;
}
