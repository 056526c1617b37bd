/**
 * What the governance runtime needs of a policy engine: the pure decision.
 *
 * In: nothing (an interface). Out: `DecisionEngine`, satisfied by the
 * runtime's `PolicyEngine` (runtime/index.ts) and, in tests, by the
 * reference interpreter with a `policy` added. Must not import an engine:
 * governance works with whichever one it is given.
 */
import type { Decision, RuntimeState } from "../decision.js";

/** A loaded policy that decides one request at a time. */
export interface DecisionEngine {
  /** Decides a request (untrusted) with runtime state; never throws, fails closed. */
  decide(request: unknown, state?: RuntimeState): Decision;
  /** Which bundle decides: content hash and version. */
  readonly policy: { readonly hash: string; readonly version: string };
}
