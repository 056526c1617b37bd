/**
 * Confirmation: every example request the solver proposes is decided by the
 * compiled policy module (compiled with compiler/compile, loaded with the
 * runtime exactly as a gateway loads it) before a finding shows it; the
 * reference interpreter's explainer says whether a rule's condition holds
 * on it (a module reports only deciding rules).
 *
 * In: a checked policy set and its catalogs. Out: a `Confirmer` (decide,
 * holds), or the compile diagnostics when the set cannot be compiled.
 * Must not trust the solver: this is what makes a finding never wrong.
 */
import type { CatalogSet } from "../catalog/index.js";
import type { CheckedPolicySet } from "../check/index.js";
import { compilePolicy } from "../compile/index.js";
import type { Diagnostic } from "../diagnostics/index.js";
import { explainRequest, modelFromChecked } from "../interpret/index.js";
import { loadPolicySync, type Decision, type RuntimeState } from "../../runtime/index.js";

/** Decides and explains requests with one policy set. */
export interface Confirmer {
  /** The compiled module's decision. */
  decide(request: unknown, state?: Record<string, unknown>): Decision;
  /** Whether a rule's condition holds on the request (undefined when it does not cover it or the request is refused). */
  holds(request: unknown, state: Record<string, unknown> | undefined, ruleId: string): boolean | undefined;
  /** The module's content hash. */
  readonly hash: string;
}

/** Compiles the set and loads the module; the compile diagnostics when it cannot. */
export function confirmerFor(checked: CheckedPolicySet, catalogs: CatalogSet): Confirmer | { readonly diagnostics: readonly Diagnostic[] } {
  const compiled = compilePolicy(checked, catalogs);
  if (compiled.compiled === undefined) return { diagnostics: compiled.diagnostics };
  const engine = loadPolicySync(compiled.compiled.wasm);
  const model = modelFromChecked(checked, catalogs);
  return {
    hash: compiled.compiled.manifest.policy.hash,
    decide: (request, state) => engine.decide(request, state as RuntimeState | undefined),
    holds: (request, state, ruleId) => {
      const explained = explainRequest(model, request, state as RuntimeState | undefined, [ruleId]);
      if (explained.kind !== "explained") return undefined;
      const rule = explained.rules.find((r) => r.id === ruleId);
      return rule?.covers === true ? rule.holds : undefined;
    },
  };
}

/** The rule ids a decision names as deciding. */
export function decidingRules(decision: Decision): string[] {
  return decision.rules.filter((r) => r.kind === "rule").map((r) => r.id);
}
