/**
 * The answer to one request: what every engine (reference interpreter, wasm
 * module, runtime library) returns from `decide`.
 *
 * In: nothing (pure types). Out: the decision shape gateways enforce and the
 * audit log records. This file must not import anything but ./request.js:
 * runtime/ never depends on compiler/, and these types are public API.
 * The meaning of every field is fixed by docs/language.md ("Semantics: how
 * rules combine") and docs/decisions/0006-decision-semantics.md.
 */
export type { AgentRequest, AgentRates, KilledScope, RuntimeState, GivenApproval, RequestValue } from "./request.js";

/** What the gateway must do: run the action, park it for approval, or refuse it. */
export type DecisionEffect = "allow" | "approve" | "deny";

/** How loudly the audit log should flag a decision; ordered `info` < `notice` < `security`. */
export type DecisionAuditLevel = "info" | "notice" | "security";

/** A rule or limit that decided, with where it is written. */
export interface DecidingRule {
  /** `"rule"` for a rule; `"limit"` for a limit whose cap decided. */
  readonly kind: "rule" | "limit";
  /** The author-given id, unique across the policy set. */
  readonly id: string;
  /** The .agp file it is written in, as the compiler was given it. */
  readonly file: string;
  /** The 1-based line of its `rule` / `limit` keyword. */
  readonly line: number;
}

/** `N of group "a", "b"`: N distinct approvers, each a member of at least one listed group. */
export interface Quorum {
  /** How many distinct approvers are needed (at least 1). */
  readonly count: number;
  /**
   * The groups an approver may come from, sorted. Empty means any approver
   * (an `approve` rule without a `by` clause asks for one approver, any group).
   */
  readonly groups: readonly string[];
}

/** What an `approve` decision needs before the action may run. */
export interface ApprovalRequirement {
  /**
   * Every quorum must be met. Quorums with the same group set are merged to
   * the largest count; sorted by groups. Distinct quorums need distinct
   * people (one approver counts towards one quorum only) unless
   * `samePerson` says otherwise. The requesting agent and the human it acts
   * for never count towards a quorum. Empty for `by requester` alone.
   */
  readonly quorums: readonly Quorum[];
  /**
   * Present (true) when the human the agent acts for must confirm
   * (`by requester`): an approval whose id is the human's id. The agent
   * never confirms for itself.
   */
  readonly requester?: true;
  /**
   * Present (true) when one approver may count towards several quorums
   * (`… (same person allowed)`, said by every merged requirement with quorums).
   */
  readonly samePerson?: true;
  /**
   * Context fields the approval is bound to besides the action, its args,
   * the agent, the human, the env and the bundle version (`binds
   * context.plan`), as paths, sorted; absent when none.
   */
  readonly binds?: readonly string[];
}

/** A value a limit's counter is keyed on (`per agent, args.service`). */
export type LimitKeyValue = string | number | boolean | null;

/** A limit this request counts against, to be charged if the action runs. */
export interface LimitCharge {
  /** The limit's id. */
  readonly id: string;
  /** `"rate"` (`N per window`) or `"budget"` (`budget N per window … cost <expr>`). */
  readonly kind: "rate" | "budget";
  /** What to add to the counter: 1 for a rate, the cost expression's value for a budget. */
  readonly amount: number;
  /**
   * The values of the limit's keys, in declared order: `agent` is `agent.id`,
   * `human` is `human.id`; a value the request lacks (no human, an absent
   * optional field) is `null`. Empty for a limit without keys (one counter).
   */
  readonly key: readonly LimitKeyValue[];
  /** The cap: the count for a rate, the amount for a budget. */
  readonly cap: number;
  /** The window the counter covers, e.g. `{ count: 1, unit: "hour" }`. */
  readonly window: { readonly count: number; readonly unit: "second" | "minute" | "hour" | "day" | "week" | "month" };
}

/** Why a request was refused before (or instead of) rules deciding it: fail closed. */
export type DecisionErrorCode =
  /** The request, or one of its parts, is not the JSON type the schema asks for. */
  | "wrong_type"
  /** A required field is missing. */
  | "missing_field"
  /** A field the schema does not declare, where `additionalProperties` is false (or at the top level). */
  | "unknown_field"
  /** A string longer than its `maxLength` (counted in Unicode code points). */
  | "too_long"
  /** A string shorter than its `minLength` (counted in Unicode code points). */
  | "too_short"
  /** An array with more items than its `maxItems`. */
  | "too_many_items"
  /** An array with fewer items than its `minItems`. */
  | "too_few_items"
  /** An array with `uniqueItems` that repeats an item. */
  | "duplicate_items"
  /** An object with more properties than its `maxProperties`. */
  | "too_many_properties"
  /** An object with fewer properties than its `minProperties`. */
  | "too_few_properties"
  /** A number outside its `minimum` / `maximum` / `exclusiveMinimum` / `exclusiveMaximum`. */
  | "out_of_range"
  /** A number that is not a multiple of its `multipleOf`. */
  | "not_multiple_of"
  /** A string that does not match its `pattern`. */
  | "pattern_mismatch"
  /** A value that matches more than one option of a `oneOf`. */
  | "ambiguous_one_of"
  /** A value not among its `enum` members. */
  | "not_in_enum"
  /** A string that is not well-formed Unicode (a lone surrogate). */
  | "invalid_string"
  /** The `action` names no action of the policy's catalogs. */
  | "unknown_action"
  /** JSON request bytes that are not one valid JSON document (syntax, UTF-8, a duplicate key); the JSON path only. */
  | "malformed_json"
  /** A request nested deeper, or holding more values, than the policy's bounds (`agp compile --max-depth`, `--max-values`). */
  | "too_large"
  /** A part of the host's request or state that cannot be read as data (a getter or Proxy trap threw, an impossible array length). */
  | "unreadable_value"
  /** A condition, cost or key could not be evaluated (e.g. an unguarded absent field). */
  | "evaluation_error"
  /** Two deciding rules set the same obligation to values that cannot be merged. */
  | "obligation_conflict"
  /**
   * The session rules cannot decide: the request has no session key, the host
   * gave no session state or time (or a state of another policy), or a
   * correlated set of the session overflowed (docs/decisions/0024-session-rules.md).
   */
  | "session_error"
  /** A bug in the engine; never expected. */
  | "internal_error";

/** The one thing that made a fail-closed deny. */
export interface DecisionError {
  /** What kind of problem it was. */
  readonly code: DecisionErrorCode;
  /** The same text as the decision's only reason, e.g. "`args.command` is longer than its maxLength 4096". */
  readonly message: string;
  /**
   * Where in the request, as a path such as `args.items[2].name`, `human.id`
   * or `action`; `""` for the request as a whole or a problem not tied to it.
   */
  readonly path: string;
}

/** The answer to one request. */
export interface Decision {
  /** Run it (`allow`), park it until humans approve (`approve`), or refuse it (`deny`). */
  readonly effect: DecisionEffect;
  /**
   * The rules (and limits) that decided: for `deny` the matching deny rules
   * (or the limits whose cap was reached), for `approve` the matching approve
   * rules, for `allow` the matching allow rules; rules sorted by file, then
   * line. A limit whose cap parks the request for approval follows the rules
   * it parked. Empty for a default deny ("no rule allows …"), kill switches
   * and fail-closed denies.
   */
  readonly rules: readonly DecidingRule[];
  /**
   * Human-readable reasons, one per deciding rule in the same order (its
   * `because` text, or a generated one), or the single reason of a default or
   * fail-closed deny.
   */
  readonly reasons: readonly string[];
  /**
   * Obligations the gateway must enforce if the action runs, merged over every
   * matching allow and approve rule by each one's merge rule (the catalogs
   * declare it; undeclared: for numbers the smallest value, for booleans
   * `true` wins, sets unite). A set of strings is a sorted array. Empty for `deny`.
   */
  readonly obligations: Readonly<Record<string, string | number | boolean | readonly string[]>>;
  /** Present exactly when `effect` is `approve`: who must approve. */
  readonly approval?: ApprovalRequirement;
  /** The limits to charge if the action runs, sorted by id. Empty for `deny`. */
  readonly limits: readonly LimitCharge[];
  /**
   * For a `deny` or `approve` decided by rules: the principal whose rules
   * blocked (`"agent"`, or `"human"` when only the human side did).
   * Absent for `allow`, fail-closed denies, kill switches and limit caps.
   */
  readonly blockedBy?: "agent" | "human";
  /** The highest `audit` level among the deciding rules; `info` when none says more. */
  readonly audit: DecisionAuditLevel;
  /** Present exactly for fail-closed denies: what was wrong with the request or its evaluation. */
  readonly error?: DecisionError;
  /** Which policy bundle decided. */
  readonly policy: {
    /** The bundle's content hash. */
    readonly hash: string;
    /** The bundle's version. */
    readonly version: string;
  };
}

/**
 * What a host passes with a request of a session: the time of this call in
 * milliseconds, and the session's state as the module last gave it
 * (undefined for a new session). Store the state as given: it is opaque.
 */
export interface SessionInput {
  readonly now: number;
  readonly state?: Uint8Array;
}

/** The next state after recording a call or an outcome, or why it could not be recorded. */
export type SessionUpdate =
  | {
      readonly ok: true;
      /** The session's next state: store it (a new array; the input is not changed). */
      readonly state: Uint8Array;
      /** After recording a call: its number in the session, to report its outcome with. */
      readonly call: number;
    }
  | { readonly ok: false; readonly error: DecisionError };

/** The outcomes a host reports. */
export type SessionOutcome = "succeeded" | "failed" | "rolled_back";
