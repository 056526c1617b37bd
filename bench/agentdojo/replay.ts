/**
 * Replays AgentDojo sessions through compiled policies (issue 14).
 *
 * In: a compiled policy engine and the sessions of workload.ts. Out: each
 * call's effect, exactly as the module decided it with the session's state
 * advancing as the governance gateway advances it: a call that runs is
 * recorded `allowed`; a parked call is recorded `parked`, and in a benign
 * session the person then approves it (a second decision, recorded
 * `allowed`, as the gateway re-decides with the approval), in an attack the
 * person refuses it; a refused call is recorded `refused`. It never changes
 * a decision and never hides an error: a session the engine cannot record
 * throws.
 */
import { compilePaths } from "../../compiler/compile/index.js";
import { loadPolicySync, type DecisionEffect, type PolicyEngine, type SessionInput } from "../../runtime/index.js";
import type { Case } from "./workload.js";

/** The policy variants measured, each a set of files under bench/agentdojo/policies. */
export const VARIANTS = {
  "per-call": ["bench/agentdojo/policies/calls.agp"],
  "per-call + session": ["bench/agentdojo/policies/calls.agp", "bench/agentdojo/policies/session.agp"],
  "per-call + session + rule of two": ["bench/agentdojo/policies/calls.agp", "bench/agentdojo/policies/session.agp", "bench/agentdojo/policies/rule-of-two.agp"],
  "per-call + session + intent": ["bench/agentdojo/policies/calls.agp", "bench/agentdojo/policies/session-intent.agp"],
} as const;

export type Variant = keyof typeof VARIANTS;

/** Compiles a variant's files (paths relative to `cwd`, the repository). */
export async function compileVariant(variant: Variant, cwd: string): Promise<PolicyEngine> {
  const compiled = await compilePaths(VARIANTS[variant], { cwd });
  if (compiled.result === undefined) {
    throw new Error(`${variant}: ${compiled.diagnostics.map((d) => `${d.code} ${d.message}`).join("; ")}`);
  }
  return loadPolicySync(compiled.result.wasm);
}

/** What happened to one call of a replayed session. */
export interface CallResult {
  readonly effect: DecisionEffect;
  /** The deciding rules' ids. */
  readonly rules: readonly string[];
  /** Set when the decision was a fail-closed deny (malformed request, session error). */
  readonly error?: string;
}

const START = Date.UTC(2024, 4, 15, 9, 0, 0);
const STEP_MS = 60_000;

/** The request of a call in session `id`; `intent` (the user's named strings) goes in `context.intent` when given. */
export function requestOf(action: string, args: Record<string, unknown>, id: string, intent?: readonly string[]): Record<string, unknown> {
  return { agent: { id: "assistant", groups: [], trust: 2 }, action, args, env: "production", context: { session: id, ...(intent === undefined ? {} : { intent: [...intent] }) } };
}

/** How a session is replayed: `intent: false` leaves `context.intent` out (a host that does not say what the user asked). */
export interface ReplayOptions {
  readonly intent?: boolean;
}

/**
 * Replays one session, a call a minute; returns each call's result in order.
 * Every call carries the session's intent (the same for every variant: a
 * host passes it whatever the policy; only policies that read it use it).
 */
export function replay(engine: PolicyEngine, session: Case, id: string, options: ReplayOptions = {}): CallResult[] {
  const stateful = engine.manifest.session !== undefined;
  let input: SessionInput = { now: START };
  const results: CallResult[] = [];
  const record = (request: unknown, effect: DecisionEffect): void => {
    const update = engine.record(request, input, effect);
    if (!update.ok) throw new Error(`${session.suite}/${session.user}: ${update.error.message}`);
    input = { now: input.now, state: update.state };
  };
  for (const call of session.calls) {
    const request = requestOf(call.action, call.args, id, options.intent === false ? undefined : session.intent);
    const decision = stateful ? engine.decide(request, undefined, input) : engine.decide(request);
    results.push({
      effect: decision.effect,
      rules: decision.rules.map((r) => r.id),
      ...(decision.error === undefined ? {} : { error: `${decision.error.code}: ${decision.error.message}` }),
    });
    if (stateful && decision.error === undefined) {
      record(request, decision.effect);
      // A person approves a parked benign call: the gateway decides it again with the approval and it runs.
      if (decision.effect === "approve" && !call.attack) record(request, "allow");
    }
    input = { now: input.now + STEP_MS, ...(input.state === undefined ? {} : { state: input.state }) };
  }
  return results;
}
