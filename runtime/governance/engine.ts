/**
 * What the governance runtime needs of a policy engine: the pure decision.
 *
 * In: nothing (an interface). Out: `DecisionEngine`, satisfied by the
 * runtime's `PolicyEngine` (runtime/index.ts) and, in tests, by the
 * reference interpreter with a `policy` added. Must not import an engine:
 * governance works with whichever one it is given.
 */
import type { Decision, RuntimeState, SessionInput } from "../decision.js";
import type { SecretManifest } from "./secrets.js";
import type { SessionSupport } from "./sessions.js";
import type { OutcomeManifest } from "./outcome-record.js";

/** A loaded policy that decides one request at a time. */
export interface DecisionEngine {
  /** Decides a request (untrusted) with runtime state and, for session rules, its session; never throws, fails closed. */
  decide(request: unknown, state?: RuntimeState, session?: SessionInput): Decision;
  /** Which bundle decides: content hash and version. */
  readonly policy: { readonly hash: string; readonly version: string };
  /** Present when the policy has session rules (docs/decisions/0024-session-rules.md). */
  readonly sessions?: SessionSupport;
  /**
   * The compiled module's manifest (a `PolicyEngine` has it): the gateway
   * reads the catalogs' secret marks and `readOnly` from it. Without one the
   * gateway cannot tell secrets apart, so audit entries and tickets record
   * no args or context (`request: null`).
   */
  readonly manifest?: SecretManifest & OutcomeManifest;
}
