/**
 * Builds every engine a benchmark compares from one scenario, and checks
 * that they agree before anything is timed.
 *
 * In: a `Scenario`. Out: `Engines`: the compiled agp module loaded by the
 * runtime, the reference interpreter, the hand-written-style JS function,
 * and cedar-wasm (a pre-parsed policy set for `statefulIsAuthorized`, the
 * policy texts for plain `isAuthorized`); `agreement()` lists every request
 * on which any two disagree (effect or deciding rules). Compiling is
 * ./compile.ts (in memory), unless the bytes come from elsewhere (the
 * scaling suite's worker). Must not time anything.
 */
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { interpretChecked, type Interpreter } from "../../compiler/interpret/index.js";
import { loadPolicySync, type AgentRequest, type Decision, type PolicyEngine } from "../../runtime/index.js";
import { sameOutcome, showOutcome, type Outcome, type Scenario } from "./description.js";
import { compileScenario, type AgpCompiled } from "./compile.js";
import { cedarRequest, toCedar } from "./to-cedar.js";
import { toJs, type HandWritten } from "./to-js.js";

export { cedar };
export { compileScenario, type AgpCompiled } from "./compile.js";

/** Every engine of one scenario, ready to decide. */
export interface Engines {
  readonly scenario: Scenario;
  /** The module's bytes. */
  readonly wasm: Uint8Array;
  readonly engine: PolicyEngine;
  /** Absent when the engines were built from bytes compiled elsewhere (a worker). */
  readonly interpreter?: Interpreter;
  readonly js: HandWritten;
  /** Cedar policies keyed by rule id. */
  readonly cedarPolicies: Record<string, string>;
  /** The id the policy set was pre-parsed under (for `statefulIsAuthorized`). */
  readonly cedarSetId: string;
  /** The `statefulIsAuthorized` call of each of the scenario's requests, built once (not timed). */
  readonly cedarStatefulCalls: readonly cedar.StatefulAuthorizationCall[];
  /** The plain `isAuthorized` call of each request, built once (not timed). */
  readonly cedarPlainCalls: readonly cedar.AuthorizationCall[];
}

/**
 * Builds every engine of a scenario, compiling it unless given the compiled
 * policy (or only its bytes: then there is no interpreter).
 */
export function buildEngines(scenario: Scenario, agp: AgpCompiled | Uint8Array = compileScenario(scenario)): Engines {
  const wasm = agp instanceof Uint8Array ? agp : agp.compiled.wasm;
  const cedarPolicies = toCedar(scenario);
  const cedarSetId = `agp-bench-${scenario.name}`;
  const parsed = cedar.preparsePolicySet(cedarSetId, { staticPolicies: cedarPolicies });
  if (parsed.type !== "success") throw new Error(`cedar does not parse ${scenario.name}: ${parsed.errors.map((e) => e.message).join("; ")}`);
  return {
    scenario,
    wasm,
    engine: loadPolicySync(wasm),
    ...(agp instanceof Uint8Array ? {} : { interpreter: interpretChecked(agp.checked, agp.catalogs) }),
    js: toJs(scenario),
    cedarPolicies,
    cedarSetId,
    cedarStatefulCalls: scenario.requests.map((r) => ({ ...cedarRequest(r), preparsedPolicySetId: cedarSetId })),
    cedarPlainCalls: scenario.requests.map((r) => ({ ...cedarRequest(r), policies: { staticPolicies: cedarPolicies } })),
  };
}

/** An agp decision reduced to effect and deciding rule ids. */
export function agpOutcome(decision: Decision): Outcome {
  if (decision.effect === "approve") throw new Error("the benchmark scenarios have no approve rules");
  return { effect: decision.effect, rules: decision.rules.filter((r) => r.kind === "rule").map((r) => r.id).sort(byCode) };
}

/** A Cedar answer reduced to effect and deciding policy ids (an error is thrown: a scenario must never error). */
export function cedarOutcome(answer: cedar.AuthorizationAnswer): Outcome {
  if (answer.type !== "success") throw new Error(`cedar failed: ${answer.errors.map((e) => e.message).join("; ")}`);
  const errors = answer.response.diagnostics.errors;
  if (errors.length > 0) throw new Error(`cedar policy errors: ${errors.map((e) => `${e.policyId}: ${e.error.message}`).join("; ")}`);
  return { effect: answer.response.decision, rules: [...answer.response.diagnostics.reason].sort(byCode) };
}

/** The hand-written function's outcome, rules sorted. */
export function jsOutcome(engines: Engines, request: AgentRequest): Outcome {
  const o = engines.js.decide(request);
  return { effect: o.effect, rules: [...o.rules].sort(byCode) };
}

/**
 * Decides every request of the scenario on every engine and returns one
 * message per disagreement (empty: they all agree). `plain` also runs
 * Cedar's plain `isAuthorized` (slow on big policy sets).
 */
export function agreement(engines: Engines, options: { readonly plain?: boolean; readonly interpreter?: boolean } = {}): string[] {
  const problems: string[] = [];
  engines.scenario.requests.forEach((request, i) => {
    const reference = agpOutcome(engines.engine.decide(request));
    const others: [string, () => Outcome][] = [
      ["js", () => jsOutcome(engines, request)],
      ["cedar stateful", () => cedarOutcome(cedar.statefulIsAuthorized(engines.cedarStatefulCalls[i]!))],
    ];
    const interpreter = engines.interpreter;
    if (options.interpreter !== false && interpreter !== undefined) others.push(["interpreter", () => agpOutcome(interpreter.decide(request))]);
    if (options.plain === true) others.push(["cedar plain", () => cedarOutcome(cedar.isAuthorized(engines.cedarPlainCalls[i]!))]);
    for (const [name, run] of others) {
      let got: Outcome;
      try {
        got = run();
      } catch (error) {
        problems.push(`request ${String(i)} (${request.action}): ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      if (!sameOutcome(reference, got)) problems.push(`request ${String(i)} (${request.action}): agp says ${showOutcome(reference)}, ${name} says ${showOutcome(got)}`);
    }
  });
  return problems;
}

function byCode(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
