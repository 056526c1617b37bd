/**
 * The request a gateway asks about, and the runtime state it may pass along.
 *
 * In: nothing (pure types). Out: the shapes every engine (reference
 * interpreter, wasm module, runtime library) accepts for one decision.
 * This file must not import anything: runtime/ never depends on compiler/,
 * and these types (and `RATE_FIELDS`) are part of agp's public API.
 */

/** A JSON value as it may appear inside a request. */
export type RequestValue =
  | string
  | number
  | boolean
  | null
  | readonly RequestValue[]
  | { readonly [key: string]: RequestValue };

/**
 * The acting agent. Only the fields below are known to every policy set; a
 * project catalog may declare more (and may make these optional or stricter).
 */
export interface AgentIdentity {
  /** Stable identifier of the agent, e.g. `"ci-fixer"`. Limits `per agent` key on it. */
  readonly id: string;
  /** Groups the agent belongs to, e.g. `["coding-bots"]`. */
  readonly groups?: readonly string[];
  /**
   * The agent's current trust tier, supplied by the runtime. A `trust` in the
   * runtime state, when given, replaces this value for the decision.
   */
  readonly trust?: number;
  /** Further fields declared by the project catalog's request shape. */
  readonly [field: string]: RequestValue | undefined;
}

/** The human an agent acts on behalf of. */
export interface HumanIdentity {
  /** Stable identifier of the human, e.g. `"alice"`. Limits `per human` key on it. */
  readonly id: string;
  /** Directory groups, e.g. `["infra-oncall"]`. */
  readonly groups?: readonly string[];
  /** Roles, e.g. `["deployer"]`. */
  readonly roles?: readonly string[];
  /** Further fields declared by the project catalog's request shape. */
  readonly [field: string]: RequestValue | undefined;
}

/**
 * One request: "may this agent do this, now?". Every engine validates it
 * against the policy's catalogs before evaluating any rule; a request that
 * does not fit is denied with `Decision.error` saying what was wrong.
 *
 * No other top-level fields are accepted.
 */
export interface AgentRequest {
  /** Who acts. Required. */
  readonly agent: AgentIdentity;
  /**
   * Who the agent acts for. Absent or `null` means the agent acts on its own:
   * rules `for human` then never match.
   */
  readonly human?: HumanIdentity | null;
  /** The full action name from a catalog, e.g. `"github.pull_request.merge"`. Required. */
  readonly action: string;
  /** The action's arguments; must match the action's JSON Schema. Required (use `{}` for none). */
  readonly args: { readonly [key: string]: RequestValue };
  /** The environment name, e.g. `"production"`. Required; its type comes from the request shape. */
  readonly env: RequestValue;
  /** Session data, e.g. `{ "session": "s-42" }`. Optional; absent means `{}`. */
  readonly context?: { readonly [key: string]: RequestValue };
}

/** An approval already given for this exact request. */
export interface GivenApproval {
  /**
   * The approver's id. The requesting agent never counts; the human it acts
   * for counts only as the requester's confirmation (`by requester`), never
   * towards a quorum.
   */
  readonly id: string;
  /** The approver's groups, matched against the quorums' groups. */
  readonly groups: readonly string[];
}

/**
 * Runtime state a gateway passes with a request. Every field is optional;
 * absent means "nothing known" (no override, nothing used, nothing given,
 * nothing engaged).
 */
export interface RuntimeState {
  /** The agent's current trust tier; replaces `agent.trust` for this decision. */
  readonly trust?: number;
  /**
   * Limit id → amount already used in the current window, for the counter
   * this request's keys select. A charge that would take a limit past its cap,
   * or a counter already at or over its cap (even for a charge of 0),
   * triggers the limit's `otherwise` (deny by default).
   */
  readonly counters?: { readonly [limitId: string]: number };
  /**
   * Approvals already given for this exact request. When they meet every
   * quorum of an `approve` decision, the request is allowed.
   */
  readonly approvals?: readonly GivenApproval[];
  /**
   * Kill switches engaged: `"global"`, an agent id, or an action family
   * (e.g. `"aws"`); or a scope `{ env: "production" }`, `{ action: "aws.ec2.*" }`,
   * `{ action: "aws.*", env: "production" }`. Any one that applies denies the
   * request. Ids, envs and actions are compared by identity key.
   */
  readonly killed?: readonly (string | KilledScope)[];
  /**
   * The agent's rates over the trust window, each from 0 to 1 (the
   * gateway's trust keeps them): each given rate replaces `agent.success_rate`,
   * `agent.failure_rate`, `agent.rollback_rate` or `agent.violation_rate`
   * for this decision, as `trust` replaces `agent.trust`.
   */
  readonly rates?: AgentRates;
}

/** A kill switch scoped to an env, an action pattern (`aws.ec2.*` or an exact name), or an action pattern in an env. */
export interface KilledScope {
  readonly env?: string;
  readonly action?: string;
}

/** An agent's behaviour over the trust window: shares from 0 to 1. */
export interface AgentRates {
  /** Reported runs that succeeded, of all reported runs. */
  readonly success?: number;
  /** Reported runs that failed, of all reported runs. */
  readonly failure?: number;
  /** Reported runs that were rolled back, of all reported runs. */
  readonly rollback?: number;
  /** Security violations (denies at audit level `security`), of every run and denial. */
  readonly violation?: number;
}

/** The request field each rate replaces. */
export const RATE_FIELDS: Readonly<Record<keyof AgentRates, string>> = {
  success: "success_rate",
  failure: "failure_rate",
  rollback: "rollback_rate",
  violation: "violation_rate",
};
