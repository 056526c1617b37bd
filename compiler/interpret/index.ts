/**
 * Public face of compiler/interpret: the reference interpreter. It decides
 * requests with the semantics of docs/language.md ("Semantics: how rules
 * combine") straight from the AST, written for clarity, not speed. It is the
 * oracle the code generator's wasm is tested against: both must agree on
 * every request.
 *
 * In: a checked policy set and its catalog set (or, for tests, parsed files)
 * and requests. Out:
 * `Decision`s (runtime/decision.ts). Other stages import only from here.
 * Must not be used on the hot path of a gateway: use the compiled bundle.
 */
import type { Decision } from "../../runtime/decision.js";
import type { RuntimeState } from "../../runtime/request.js";
import type { PolicyFile } from "../syntax/index.js";
import type { CatalogSet } from "../catalog/index.js";
import type { CheckedPolicySet } from "../check/index.js";
import type { PolicyModel } from "./model.js";
import { decide } from "./decide.js";
import { modelFromFiles, type ModelOptions } from "./from-ast.js";
import { modelFromChecked } from "./from-checked.js";
import type { SessionInput } from "./session.js";

export type { SessionEvent, SessionInput } from "./session.js";
export { needsSession } from "./session.js";

export type { Decision } from "../../runtime/decision.js";
export type { AgentRequest, RuntimeState } from "../../runtime/request.js";
export type { PolicyModel, ModelRule, ModelLimit } from "./model.js";
export type { ModelOptions } from "./from-ast.js";
export { modelFromFiles } from "./from-ast.js";
export { modelFromChecked } from "./from-checked.js";
export { parseGlob, globMatches, type GlobToken, type GlobParse } from "./glob.js";
export { strictestOf as mergeObligationValues } from "./combine.js";
export { explainRequest, type Explanation, type RuleExplanation, type ExplainedNode, type ExplainedOutcome, type ExplainedIteration } from "./explain.js";

/** A loaded reference interpreter. */
export interface Interpreter {
  /**
   * Decides one request. `request` is untrusted (validated against the
   * catalogs first); `state` is the runtime state (trust, counters,
   * approvals, kill switches). Never throws: every problem is a deny that
   * says what was wrong.
   */
  decide(request: unknown, state?: RuntimeState, session?: SessionInput): Decision;
  /** The model it decides with, for inspection. */
  readonly model: PolicyModel;
}

/** An interpreter over a ready model. */
export function createInterpreter(model: PolicyModel): Interpreter {
  return { model, decide: (request, state, session) => decide(model, request, state, session) };
}

/**
 * The usual way in: an interpreter over a checked policy set (free of
 * errors) and the catalog set it was checked against.
 */
export function interpretChecked(checked: CheckedPolicySet, catalogs: CatalogSet, options: ModelOptions = {}): Interpreter {
  return createInterpreter(modelFromChecked(checked, catalogs, options));
}

/**
 * An interpreter over parsed files that did not go through the checker (for
 * tests of what the checker would refuse): patterns match every catalog.
 */
export function interpretFiles(files: readonly PolicyFile[], catalogs: CatalogSet, options: ModelOptions = {}): Interpreter {
  return createInterpreter(modelFromFiles(files, catalogs, options));
}
