/**
 * One rule description, three renderings: the benchmark scenarios are
 * written once as plain data (this file's types) and turned into an .agp
 * policy (to-agp.ts), a hand-written-style JS function (to-js.ts) and a
 * Cedar policy set (to-cedar.ts), so every engine in a benchmark decides
 * exactly the same rules.
 *
 * In: nothing (types and small helpers). Out: `Scenario`, `RuleDescription`,
 * `Condition`, `Outcome`. The subset is what all three targets can say
 * with the same meaning: allow/deny rules on one exact action, conditions
 * that are conjunctions of equality, set membership, prefix, suffix,
 * infix, `*` globs, numeric equality and bounds, group membership and
 * disjunctions of those; deny overrides allow; no rule → deny. (`anyPrefix`,
 * a quantifier, has no Cedar form: scenarios using it have no Cedar engine.)
 * Must not import any engine.
 */
import type { AgentRequest } from "../../runtime/index.js";

/** A path the conditions read: an argument (`args.repo`) or the agent's trust. */
export type FieldPath = `args.${string}` | "agent.trust";

/** One conjunct of a rule's condition. */
export type Condition =
  /** `path == "value"` */
  | { readonly kind: "eq"; readonly path: FieldPath; readonly value: string }
  /** `path in {"a", "b"}` */
  | { readonly kind: "in"; readonly path: FieldPath; readonly values: readonly string[] }
  /** `path startsWith "prefix"` */
  | { readonly kind: "prefix"; readonly path: FieldPath; readonly prefix: string }
  /** `path >= n` (a number) */
  | { readonly kind: "atLeast"; readonly path: FieldPath; readonly value: number }
  /** `"group" in agent.groups` */
  | { readonly kind: "group"; readonly group: string }
  /** `path == n` (a number) */
  | { readonly kind: "numEq"; readonly path: FieldPath; readonly value: number }
  /** `path > n` (a number) */
  | { readonly kind: "above"; readonly path: FieldPath; readonly value: number }
  /** `path endsWith "suffix"` */
  | { readonly kind: "suffix"; readonly path: FieldPath; readonly suffix: string }
  /** `path contains "text"` (a string) */
  | { readonly kind: "contains"; readonly path: FieldPath; readonly text: string }
  /** `path matches "glob"`, the glob using `*` only (Cedar's `like`) */
  | { readonly kind: "glob"; readonly path: FieldPath; readonly pattern: string }
  /** `a or b or …` */
  | { readonly kind: "either"; readonly conditions: readonly Condition[] }
  /** `any x in path: x startsWith "prefix"` (Cedar cannot say it: no quantifier over a set with a test) */
  | { readonly kind: "anyPrefix"; readonly path: FieldPath; readonly prefix: string };

/** One rule: an effect on one exact action, when every condition holds. */
export interface RuleDescription {
  readonly id: string;
  readonly effect: "allow" | "deny";
  readonly action: string;
  readonly when: readonly Condition[];
}

/** A benchmark scenario: rules, the catalogs they are checked against, and the requests to time. */
export interface Scenario {
  /** File-name friendly, e.g. "latency" or "scaling-eq-1000". */
  readonly name: string;
  /** Catalog file name → catalog JSON (loaded by the agp checker). */
  readonly catalogs: Readonly<Record<string, object>>;
  readonly rules: readonly RuleDescription[];
  /** The requests every engine decides (valid for the catalogs). */
  readonly requests: readonly AgentRequest[];
}

/** What every engine's answer is reduced to for the agreement check. */
export interface Outcome {
  readonly effect: "allow" | "deny";
  /** The deciding rule ids, sorted (empty for "no rule allows"). */
  readonly rules: readonly string[];
}

/** `a` and `b` are the same outcome. */
export function sameOutcome(a: Outcome, b: Outcome): boolean {
  return a.effect === b.effect && a.rules.length === b.rules.length && a.rules.every((r, i) => r === b.rules[i]);
}

/** Prints an outcome for messages: `allow [open_prs]`. */
export function showOutcome(o: Outcome): string {
  return `${o.effect} [${o.rules.join(", ")}]`;
}
