/**
 * The interpreter's input: a policy set reduced to what decisions need.
 *
 * In: nothing (pure types). Out: `PolicyModel`, built from a checked policy
 * set (or, in tests, from parsed files and a catalog set) by ./from-ast.ts.
 * This file must not hold logic: every meaning lives in the evaluator files.
 */
import type { Effect, DelegationMode, AuditLevel, Expr, WindowUnit } from "../syntax/index.js";
import type { CatalogSet } from "../catalog/index.js";
import type { RequestBounds } from "../../runtime/manifest.js";

/** A constant's value: a literal, or a set literal's members. */
export type ConstantValue = string | number | boolean | null | readonly (string | number | boolean | null)[];

/** Constants by name, as visible to the rules of one package. */
export type Constants = ReadonlyMap<string, ConstantValue>;

/** A named condition of a package: `let name(params) = body`. */
export interface ModelCondition {
  readonly params: readonly string[];
  readonly body: Expr;
}

/** Named conditions by name, as visible to the rules of one package. */
export type Conditions = ReadonlyMap<string, ModelCondition>;

/** An obligation's value: a literal, or a set of strings (in source order). */
export type ModelObligationValue = string | number | boolean | null | readonly string[];

/** `N of group "a", "b"` with plain values. */
export interface ModelQuorum {
  readonly count: number;
  readonly groups: readonly string[];
}

/** What a rule's `by` (and `binds`) or a limit's `otherwise approve by` asks of approvers. */
export interface ModelApproval {
  readonly quorums: readonly ModelQuorum[];
  /** `by requester`: the human the agent acts for must confirm. */
  readonly requester: boolean;
  /** `(same person allowed)`: one approver may count towards several quorums. */
  readonly samePerson: boolean;
  /** `binds context.plan, …`, as paths (`"context.plan"`). */
  readonly binds: readonly string[];
}

/** An action pattern: exact name, `prefix.*`, or `*` (no segments, wildcard). */
export interface ModelPattern {
  readonly segments: readonly string[];
  readonly wildcard: boolean;
}

/** One rule, with its package's constants and delegation mode. */
export interface ModelRule {
  readonly id: string;
  readonly file: string;
  readonly line: number;
  readonly effect: Effect;
  /** The rule covers an action one of these matches. */
  readonly patterns: readonly ModelPattern[];
  /**
   * When known (from the checker): the actions the rule may cover, i.e. the
   * patterns' matches among its package's catalogs. A rule covers an action
   * only if both a pattern and this set include it.
   */
  readonly actions?: ReadonlySet<string>;
  /** `for human` rules speak of the human; all others of the agent. */
  readonly principal: "agent" | "human";
  readonly condition?: Expr;
  /** From `by` and `binds`; no quorums and no requester when the rule has no `by`. */
  readonly approval: ModelApproval;
  /** From `with`, in source order, constants resolved. */
  readonly obligations: readonly { readonly key: string; readonly value: ModelObligationValue }[];
  readonly reason?: string;
  readonly audit: AuditLevel;
  readonly packageName: string;
  readonly constants: Constants;
  readonly conditions: Conditions;
}

/** One limit. */
export interface ModelLimit {
  readonly id: string;
  readonly file: string;
  readonly line: number;
  readonly kind: "rate" | "budget";
  /** The count of a rate, the amount of a budget. */
  readonly cap: number;
  readonly unit?: string;
  readonly window: { readonly count: number; readonly unit: WindowUnit };
  /** `per agent, args.service`: each key as its path segments (`["agent"]`, `["args", "service"]`). */
  readonly keys: readonly (readonly string[])[];
  readonly patterns: readonly ModelPattern[];
  /** As for rules: the actions the limit may cover, when the checker says. */
  readonly actions?: ReadonlySet<string>;
  readonly condition?: Expr;
  /** Budgets only. */
  readonly cost?: Expr;
  /** At the cap: deny (the default) or park for these quorums. */
  readonly otherwise: { readonly kind: "deny" } | { readonly kind: "approve"; readonly approval: ModelApproval };
  readonly reason?: string;
  readonly packageName: string;
  readonly constants: Constants;
  readonly conditions: Conditions;
}

/** A label declaration: a `label` statement, or a catalog's `"x-agp-labels"` (no condition). */
export interface ModelLabel {
  readonly name: string;
  /** The actions it covers. */
  readonly actions: ReadonlySet<string>;
  readonly condition?: Expr;
  readonly packageName: string;
  readonly constants: Constants;
  /** Its package's named conditions, which its condition may use (absent for a catalog's labels). */
  readonly conditions?: Conditions;
}

/** How sessions are identified and sized (docs/decisions/0024-session-rules.md). */
export interface ModelSession {
  /** The request field naming the session, e.g. ["context", "session"]. */
  readonly key: readonly string[];
  /** Package name → its default `track` capacity, when it declares one. */
  readonly tracks: ReadonlyMap<string, number>;
}

/** Everything a decision reads, apart from the request and state. */
export interface PolicyModel {
  readonly rules: readonly ModelRule[];
  readonly limits: readonly ModelLimit[];
  /** Every label declaration (policy statements and catalogs). */
  readonly labels: readonly ModelLabel[];
  /** Present when some rule reads the session. */
  readonly session?: ModelSession;
  /**
   * Package name → the actions of its catalogs (a session operator's call
   * pattern matches only these); absent: every catalog action.
   */
  readonly packageActions?: ReadonlyMap<string, ReadonlySet<string>>;
  /** Package name → declared delegation mode (absent: `both`). */
  readonly delegation: ReadonlyMap<string, DelegationMode>;
  readonly catalogs: CatalogSet;
  readonly policy: { readonly hash: string; readonly version: string };
  /** How deep and how big a request may be (ADR 0008); the compiled module's `bounds`. */
  readonly bounds: RequestBounds;
}
