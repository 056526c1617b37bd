/**
 * The typed AST of the .agp language.
 *
 * In: nothing (pure types). Out: the node shapes every later stage reads.
 * Every node carries a `span`; nodes never hold parser or token objects, so
 * an AST can be built by hand (tests, generators) or serialised to JSON.
 * This file must not import anything but the span type.
 *
 * INVARIANT: two ASTs for the same meaning are deep-equal once spans are
 * stripped (`stripSpans`): parentheses, `group`/`groups`, `per 1 hour` vs
 * `per hour` and the order of rule clauses leave no trace here.
 */
import type { Span } from "../diagnostics/index.js";

export type { Span };

// ---------------------------------------------------------------- words

/** A closed-set word as written, with where it was written. */
export interface Word<T extends string = string> {
  readonly kind: "Word";
  readonly value: T;
  readonly span: Span;
}

/** An author-given name: a rule id, a constant, a limit, a quantifier variable. */
export interface Identifier {
  readonly kind: "Identifier";
  readonly name: string;
  readonly span: Span;
}

export type Effect = "allow" | "approve" | "deny";
export const EFFECTS: readonly Effect[] = ["allow", "approve", "deny"];

/** Whom a rule speaks of. Rules without `for` speak of the agent. */
export type Principal = "agent" | "human";
export const PRINCIPALS: readonly Principal[] = ["agent", "human"];

/**
 * How rules about the agent and rules about the human it acts for combine
 * when a request names a human (see docs/language.md, "Delegation").
 */
export type DelegationMode = "both" | "either" | "agent_only" | "human_only";
export const DELEGATION_MODES: readonly DelegationMode[] = ["both", "either", "agent_only", "human_only"];

export type AuditLevel = "info" | "notice" | "security";
export const AUDIT_LEVELS: readonly AuditLevel[] = ["info", "notice", "security"];

export type WindowUnit = "second" | "minute" | "hour" | "day" | "week" | "month";
export const WINDOW_UNITS: readonly WindowUnit[] = ["second", "minute", "hour", "day", "week", "month"];

/**
 * What happened to a past call (docs/decisions/0024-session-rules.md): the
 * effect the host enforced when it was decided (`allowed`, `parked`,
 * `refused`), or the outcome reported afterwards.
 */
export type CallStatus = "allowed" | "parked" | "refused" | "succeeded" | "failed" | "rolled_back";
export const CALL_STATUSES: readonly CallStatus[] = ["allowed", "parked", "refused", "succeeded", "failed", "rolled_back"];

/** The outcomes a host reports after a call ran. */
export type OutcomeKind = "succeeded" | "failed" | "rolled_back";
export const OUTCOME_KINDS: readonly OutcomeKind[] = ["succeeded", "failed", "rolled_back"];

// ---------------------------------------------------------------- file

/** One parsed .agp file: its statements in source order. */
export interface PolicyFile {
  readonly kind: "File";
  readonly file: string;
  readonly statements: readonly Statement[];
  readonly span: Span;
}

export type Statement =
  | PackageDecl
  | ActionsDecl
  | DelegationDecl
  | LetDecl
  | ConditionDecl
  | RuleDecl
  | LimitDecl
  | SessionDecl
  | LabelDecl
  | DefaultsDecl
  | FixtureDecl
  | TestDecl;

/** `package platform.github` */
export interface PackageDecl {
  readonly kind: "Package";
  /** Dotted name segments, e.g. ["platform", "github"]. */
  readonly name: DottedName;
  readonly span: Span;
}

export interface DottedName {
  readonly kind: "DottedName";
  readonly parts: readonly string[];
  readonly span: Span;
}

/** `actions "../schemas/github.json"`: a catalog this package is checked against. */
export interface ActionsDecl {
  readonly kind: "Actions";
  readonly path: StringLiteral;
  readonly span: Span;
}

/** `delegation both` */
export interface DelegationDecl {
  readonly kind: "Delegation";
  readonly mode: Word<DelegationMode>;
  readonly span: Span;
}

/** `let production_repos = {"acme/infra", "acme/payments"}` */
export interface LetDecl {
  readonly kind: "Let";
  readonly name: Identifier;
  readonly value: Literal | SetLiteral;
  readonly span: Span;
}

/**
 * A named condition: `let unknown_recipient(addr) = not (domain(addr) == "acme.com")`
 * or, without parameters, `let in_production = env == "production"`. A `let`
 * whose value is a literal or a set is a constant (`LetDecl`); any other
 * expression makes it a condition. Uses are expanded at compile time
 * (docs/decisions/0027-patterns-and-named-conditions.md).
 */
export interface ConditionDecl {
  readonly kind: "Condition";
  readonly name: Identifier;
  /** Empty for a condition used by its bare name. */
  readonly params: readonly Identifier[];
  readonly body: Expr;
  readonly span: Span;
}

// ---------------------------------------------------------------- rules

/**
 * `rule id: <effect> <pattern> [for <principal>]` followed by clauses in any
 * order, each at most once: `when`, `by`, `with`, `because`, `audit`, `binds`.
 */
export interface RuleDecl {
  readonly kind: "Rule";
  readonly id: Identifier;
  readonly effect: Word<Effect>;
  /** One pattern, or the members of `{p, q, …}`, in source order (never empty). */
  readonly patterns: readonly ActionPattern[];
  /** Absent means the rule speaks of the agent. */
  readonly principal?: Word<Principal>;
  readonly condition?: Expr;
  readonly approval?: ApprovalRequirement;
  /** `with key = value, ...` in source order. */
  readonly obligations: readonly Obligation[];
  readonly reason?: StringLiteral;
  readonly audit?: Word<AuditLevel>;
  /** `binds context.plan, …` (approve rules). */
  readonly binds?: BindsClause;
  readonly span: Span;
}

/**
 * `github.pull_request.merge` (exact), `aws.*` / `github.pull_request.*`
 * (prefix), or `*` (no segments, wildcard: every action of the package's
 * catalogs).
 */
export interface ActionPattern {
  readonly kind: "ActionPattern";
  /** The name segments before any `*`. */
  readonly segments: readonly string[];
  /** True for `prefix.*`: matches every action whose name starts with the segments. */
  readonly wildcard: boolean;
  readonly span: Span;
}

/**
 * `max_runtime_seconds = 120` inside a `with` clause. The value is a
 * literal, a set of strings, or the name of a constant (a `Path` of one
 * segment), resolved by the checker.
 */
export interface Obligation {
  readonly kind: "Obligation";
  readonly key: Identifier;
  readonly value: Literal | SetLiteral | Path;
  readonly span: Span;
}

/**
 * `by 2 of group "sre" and 1 of groups "security", "platform"`,
 * `by requester and 1 of group "sre"`, `by 1 of group "a" and 1 of group "b" (same person allowed)`.
 */
export interface ApprovalRequirement {
  readonly kind: "Approval";
  /**
   * Every quorum must be met, by distinct people across quorums unless
   * `samePerson` is given. Empty for `by requester` alone.
   */
  readonly quorums: readonly Quorum[];
  /** `requester` among the approvers: the human the agent acts for must confirm. */
  readonly requester?: Word<"requester">;
  /** `(same person allowed)`: one approver may count towards several quorums. */
  readonly samePerson?: Word<"same person allowed">;
  readonly span: Span;
}

/** `binds context.plan, context.ticket_url`: context fields an approval is bound to. */
export interface BindsClause {
  readonly kind: "Binds";
  readonly paths: readonly Path[];
  readonly span: Span;
}

/** `N of group "g"`: N distinct approvers, each a member of at least one listed group. */
export interface Quorum {
  readonly kind: "Quorum";
  readonly count: NumberLiteral;
  readonly groups: readonly StringLiteral[];
  readonly span: Span;
}

// ---------------------------------------------------------------- limits

/**
 * `limit deploy_rate: 5 per hour per args.service on deploy.*`
 * `limit daily_spend: budget 500 usd per day per agent on aws.* cost args.estimated_cost_usd`
 * After `on <pattern>`, the clauses `cost`, `when`, `otherwise` and `because`
 * may come in any order, each at most once.
 */
export interface LimitDecl {
  readonly kind: "Limit";
  readonly id: Identifier;
  readonly measure: RateMeasure | BudgetMeasure;
  readonly window: Window;
  /** `per agent, args.service`; empty means one counter for everyone. */
  readonly keys: readonly Path[];
  /** As for rules: one pattern or the members of a `{…}` list. */
  readonly patterns: readonly ActionPattern[];
  readonly condition?: Expr;
  /** What happens at the cap; absent means deny. */
  readonly otherwise?: CapAction;
  readonly reason?: StringLiteral;
  readonly span: Span;
}

/** `5 per ...`: at most this many matching actions per window and key. */
export interface RateMeasure {
  readonly kind: "Rate";
  readonly count: NumberLiteral;
  readonly span: Span;
}

/** `budget 500 usd per ... cost <expr>`: the sum of the cost per window and key stays within the amount. */
export interface BudgetMeasure {
  readonly kind: "Budget";
  readonly amount: NumberLiteral;
  /** A free label such as `usd` or `tokens`; it carries no arithmetic meaning. */
  readonly unit?: Identifier;
  /** Required by the grammar of budgets; a budget without `cost` is a syntax error. */
  readonly cost: Expr;
  readonly span: Span;
}

/** `per hour`, `per 10 minutes`. Units are stored singular. */
export interface Window {
  readonly kind: "Window";
  readonly count: number;
  readonly unit: WindowUnit;
  readonly span: Span;
}

/** `otherwise deny` or `otherwise approve by 1 of group "finance"`. */
export type CapAction =
  | { readonly kind: "CapDeny"; readonly span: Span }
  | { readonly kind: "CapApprove"; readonly approval: ApprovalRequirement; readonly span: Span };

// ---------------------------------------------------------------- sessions

/**
 * `session context.session retain 24 hours track 64`: which request field
 * names the session, the longest window session rules may use, and the
 * default capacity of correlated sets. Every clause is optional.
 */
export interface SessionDecl {
  readonly kind: "Session";
  /** Absent means `context.session`. */
  readonly key?: Path;
  readonly retain?: Duration;
  readonly track?: NumberLiteral;
  readonly span: Span;
}

/** `label untrusted on web.fetch, email.read_inbox when …`: calls that bring a label into the session. */
export interface LabelDecl {
  readonly kind: "Label";
  readonly name: Identifier;
  readonly patterns: readonly ActionPattern[];
  readonly condition?: Expr;
  readonly span: Span;
}

/** `1 hour`, `10 minutes`: a fixed length of time (units stored singular). */
export interface Duration {
  readonly kind: "Duration";
  readonly count: number;
  readonly unit: WindowUnit;
  readonly span: Span;
}

/** `bank.send_money succeeded where args.amount > 100`: which past events an operator looks at. */
export interface CallPattern {
  readonly kind: "Call";
  readonly pattern: ActionPattern;
  /** Absent means `allowed`. */
  readonly status?: Word<CallStatus>;
  /** Reads the past call; `current.…` and outer quantifier variables read the current request. */
  readonly filter?: Expr;
  readonly span: Span;
}

/** The past-time operators over the session's trace. */
export type PastOp = "earlier" | "previous" | "count" | "sum" | "no_since" | "only_since";
export const PAST_OPS: readonly PastOp[] = ["earlier", "previous", "count", "sum", "no_since", "only_since"];

/**
 * `earlier C within W [track N]`, `previous C within W`, `count C within W
 * [track N]`, `sum X of C within W [step S] [track N]`, `no R since P within
 * W`, `only Q since P within W`.
 */
export interface PastExpr {
  readonly kind: "Past";
  readonly op: PastOp;
  /** `sum` only: the summed value (a number field of the past call, or a number). */
  readonly value?: Expr;
  /** The call pattern (`R` of `no R since P`, `Q` of `only Q since P`). */
  readonly call: CallPattern;
  /** `since` only: `P`. */
  readonly anchor?: CallPattern;
  readonly window: Duration;
  /** `sum` only. */
  readonly step?: Duration;
  /** Capacity of the correlated set (`earlier`, `count`, `sum`). */
  readonly track?: NumberLiteral;
  readonly span: Span;
}

/** `exposed untrusted within 1 hour` (the session's earlier calls), `carries external` (the current call). */
export interface LabelExpr {
  readonly kind: "LabelTest";
  readonly op: "exposed" | "carries";
  readonly label: Identifier;
  /** `exposed` only. */
  readonly window?: Duration;
  readonly span: Span;
}

// ---------------------------------------------------------------- expressions

export type Expr =
  | Path
  | StringLiteral
  | NumberLiteral
  | BooleanLiteral
  | NullLiteral
  | SetLiteral
  | LogicalExpr
  | NotExpr
  | CompareExpr
  | HasExpr
  | QuantifiedExpr
  | CallExpr
  | PastExpr
  | LabelExpr;

export type Literal = StringLiteral | NumberLiteral | BooleanLiteral | NullLiteral;

/**
 * `args.repo`, `action.readOnly`, `production_repos`, `medium`, `p`.
 * A single-segment path may name a constant, a quantifier variable or an
 * enum member; the checker decides which.
 */
export interface Path {
  readonly kind: "Path";
  readonly root: Identifier;
  readonly fields: readonly Identifier[];
  readonly span: Span;
}

export interface StringLiteral {
  readonly kind: "String";
  /** The decoded value (escapes resolved). */
  readonly value: string;
  readonly span: Span;
}

export interface NumberLiteral {
  readonly kind: "Number";
  readonly value: number;
  readonly span: Span;
}

export interface BooleanLiteral {
  readonly kind: "Boolean";
  readonly value: boolean;
  readonly span: Span;
}

export interface NullLiteral {
  readonly kind: "Null";
  readonly span: Span;
}

/** `{"dev", "staging"}`: an unordered set of literals (duplicates are a syntax error). */
export interface SetLiteral {
  readonly kind: "Set";
  readonly elements: readonly Literal[];
  readonly span: Span;
}

/**
 * `a and b`, `a or b`; left-associative, `and` binds tighter than `or`.
 * A chain of more than CHAIN_RUN operands is built as a balanced tree of
 * left-associative runs (build-expr.ts), so its depth grows with the log of
 * its length; `balanced` marks every node of such a chain, so a formatter can
 * tell the chain's own nodes from parenthesized groups among its operands.
 * `and`/`or` are associative and evaluate left to right, so the grouping
 * changes no meaning.
 */
export interface LogicalExpr {
  readonly kind: "Logical";
  readonly op: "and" | "or";
  readonly left: Expr;
  readonly right: Expr;
  readonly balanced?: true;
  readonly span: Span;
}

/** `not x`: binds looser than comparisons, tighter than `and`. */
export interface NotExpr {
  readonly kind: "Not";
  readonly operand: Expr;
  readonly span: Span;
}

export type CompareOp =
  | "=="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "in"
  | "not in"
  | "startsWith"
  | "endsWith"
  | "contains"
  | "matches"
  | "under";

export const COMPARE_OPS: readonly CompareOp[] = [
  "==", "!=", "<", "<=", ">", ">=", "in", "not in", "startsWith", "endsWith", "contains", "matches", "under",
];

/** A binary comparison; comparisons do not chain (`a < b < c` is a syntax error). */
export interface CompareExpr {
  readonly kind: "Compare";
  readonly op: CompareOp;
  readonly left: Expr;
  readonly right: Expr;
  readonly span: Span;
}

/** `has args.labels`: true when the optional field is present. */
export interface HasExpr {
  readonly kind: "Has";
  readonly path: Path;
  readonly span: Span;
}

/**
 * `all p in args.write_paths: p startsWith "/workspace/"`.
 * The body extends as far right as possible, like a lambda.
 */
export interface QuantifiedExpr {
  readonly kind: "Quantified";
  readonly quantifier: "all" | "any";
  readonly variable: Identifier;
  readonly collection: Expr;
  readonly body: Expr;
  readonly span: Span;
}

/**
 * `name(arg, …)`: a built-in string view (`lower`, `domain`, `normpath`) or
 * a named condition with parameters. A condition without parameters is used
 * by its bare name (a `Path`); calls have at least one argument.
 */
export interface CallExpr {
  readonly kind: "Call";
  readonly callee: Identifier;
  readonly args: readonly Expr[];
  readonly span: Span;
}

// ---------------------------------------------------------------- tests

/** `defaults:` followed by request clauses shared by every test of the file. */
export interface DefaultsDecl {
  readonly kind: "Defaults";
  readonly clauses: readonly GivenClause[];
  readonly span: Span;
}

/** `fixture prod_repo = { repo: "acme/payments", number: 7 }` */
export interface FixtureDecl {
  readonly kind: "Fixture";
  readonly name: Identifier;
  readonly value: TestValue;
  readonly span: Span;
}

/**
 * `test "never merge": request github.pull_request.merge {...} expect deny from never_merge`.
 * Clauses come in any order (each at most once); `expect` is required;
 * `where` (a table) makes it one case per row.
 */
export interface TestDecl {
  readonly kind: "Test";
  readonly name: StringLiteral;
  readonly request?: RequestClause;
  /** `agent`, `human`, `env`, `context`, `state` clauses in source order. */
  readonly given: readonly GivenClause[];
  /** Absent in a trace test (one with `step`s): each step expects its own decision. */
  readonly expect?: Expectation;
  readonly examples?: ExampleTable;
  /** A trace test's steps, in order: calls with their expected decisions, and outcomes. */
  readonly steps: readonly TestStep[];
  readonly span: Span;
}

/**
 * `step [after <duration>] request <action> [args] [given…] expect …`, or
 * `step [after <duration>] outcome succeeded [of step N]`.
 */
export type TestStep = CallStep | OutcomeStep;

/** A call of a trace test: its request (the test's clauses fill in the rest) and the decision expected. */
export interface CallStep {
  readonly kind: "CallStep";
  /** Time since the previous step; absent means 0. */
  readonly after?: Duration;
  readonly request: RequestClause;
  /** Clauses that replace the test's for this step only. */
  readonly given: readonly GivenClause[];
  readonly expect: Expectation;
  readonly span: Span;
}

/** An outcome report for an earlier call step (by default the latest). */
export interface OutcomeStep {
  readonly kind: "OutcomeStep";
  readonly after?: Duration;
  readonly outcome: Word<OutcomeKind>;
  /** `of step N`: 1-based, counting every step of the test. */
  readonly of?: NumberLiteral;
  readonly span: Span;
}

/** `request github.pull_request.open { repo: "acme/tools" }`: the action and its args. */
export interface RequestClause {
  readonly kind: "Request";
  readonly action: ActionName | Placeholder;
  readonly args?: TestValue;
  readonly span: Span;
}

/** An exact action name such as `github.pull_request.open` (no `*`). */
export interface ActionName {
  readonly kind: "ActionName";
  readonly segments: readonly string[];
  readonly span: Span;
}

export type GivenPart = "agent" | "human" | "env" | "context" | "state";
export const GIVEN_PARTS: readonly GivenPart[] = ["agent", "human", "env", "context", "state"];

/** `agent { trust: 1 }`, `human null`, `env "production"`, `state { counters: {...} }`. */
export interface GivenClause {
  readonly kind: "Given";
  readonly part: Word<GivenPart>;
  readonly value: TestValue;
  readonly span: Span;
}

/** Data in tests: JSON-like values, fixture references, `$column` placeholders. */
export type TestValue =
  | Literal
  | ObjectValue
  | ArrayValue
  | NameValue
  | Placeholder
  | MergeValue;

export interface ObjectValue {
  readonly kind: "Object";
  readonly entries: readonly ObjectEntry[];
  readonly span: Span;
}

/** `key: value` or `"key with spaces": value`. */
export interface ObjectEntry {
  readonly kind: "Entry";
  readonly key: string;
  readonly keySpan: Span;
  readonly value: TestValue;
  readonly span: Span;
}

export interface ArrayValue {
  readonly kind: "Array";
  readonly items: readonly TestValue[];
  readonly span: Span;
}

/** A bare word in test data: a fixture name, or in a table cell an effect or rule id. */
export interface NameValue {
  readonly kind: "Name";
  readonly name: string;
  readonly span: Span;
}

/** `$account`: replaced by the row's cell of that column in a table test. */
export interface Placeholder {
  readonly kind: "Placeholder";
  readonly name: string;
  readonly span: Span;
}

/** `prod_repo with { number: 8 }`: a fixture deep-merged with overrides. */
export interface MergeValue {
  readonly kind: "Merge";
  readonly base: NameValue;
  readonly overrides: ObjectValue;
  readonly span: Span;
}

/**
 * `expect deny from never_merge because "..." blocked by human`.
 * After the effect, clauses in any order, each at most once:
 * `from`, `because`, `with`, `by`, `charge`, `blocked by`, `audit`.
 */
export interface Expectation {
  readonly kind: "Expect";
  readonly effect: Word<Effect> | Placeholder;
  /** `from rule_a, rule_b`: the deciding rules (order does not matter). */
  readonly rules: readonly (Identifier | Placeholder)[];
  readonly reason?: StringLiteral | Placeholder;
  readonly obligations: readonly ExpectedObligation[];
  readonly approval?: ApprovalRequirement;
  /** `charge deploy_rate, daily_spend = 120`: limits the decision charges. */
  readonly charges: readonly Charge[];
  readonly blockedBy?: Word<Principal>;
  /** `audit security`: the decision's audit level. */
  readonly audit?: Word<AuditLevel>;
  readonly span: Span;
}

export interface ExpectedObligation {
  readonly kind: "ExpectedObligation";
  readonly key: Identifier;
  readonly value: TestValue;
  readonly span: Span;
}

export interface Charge {
  readonly kind: "Charge";
  readonly limit: Identifier;
  readonly amount?: TestValue;
  readonly span: Span;
}

/**
 * `where | account | effect | | "sandbox" | allow | ...`: the first row names
 * the columns, every later row is one case.
 */
export interface ExampleTable {
  readonly kind: "Examples";
  readonly columns: readonly Identifier[];
  readonly rows: readonly ExampleRow[];
  readonly span: Span;
}

export interface ExampleRow {
  readonly kind: "Row";
  readonly cells: readonly TestValue[];
  readonly span: Span;
}

// ---------------------------------------------------------------- comments

/** A `#` comment; kept by the formatter. */
export interface Comment {
  readonly kind: "Comment";
  /** The text after `#`, without the line break. */
  readonly text: string;
  /** True when nothing but whitespace precedes it on its line. */
  readonly ownLine: boolean;
  readonly span: Span;
}

/** Every AST node kind, for walkers. */
export type Node =
  | PolicyFile
  | Statement
  | DottedName
  | Word
  | Identifier
  | ActionPattern
  | Obligation
  | ApprovalRequirement
  | BindsClause
  | Quorum
  | RateMeasure
  | BudgetMeasure
  | Window
  | CapAction
  | Duration
  | CallPattern
  | Expr
  | RequestClause
  | ActionName
  | GivenClause
  | TestValue
  | ObjectEntry
  | Expectation
  | ExpectedObligation
  | Charge
  | ExampleTable
  | ExampleRow
  | TestStep;
