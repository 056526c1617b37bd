/**
 * One decision, start to finish: validate, apply runtime state, match rules
 * per principal, combine by delegation, apply limits, build the `Decision`.
 *
 * In: a `PolicyModel`, an untrusted request, optional runtime state.
 * Out: a `Decision`. Never throws: every `Refusal` becomes a fail-closed
 * deny carrying `error`, and any other exception (a bug) becomes an
 * `internal_error` deny. Must not mutate the request, the state or the model.
 *
 * Order of steps (each may end the decision):
 * 0. read the state and the request once into plain data (./read.ts;
 *    `too_large`, `unreadable_value`), and check the state's shape;
 * 1. validate the request against the catalogs (./validate.ts);
 * 2. `state.trust` replaces `agent.trust` (validated like `agent.trust`),
 *    and `state.rates` the agent's rate fields (`agent.failure_rate` …);
 * 3. a kill switch in `state.killed` that applies (`"global"`, the agent's
 *    id, the action's family) denies;
 * 4. the agent side and (when it speaks) the human side decide on their own;
 *    the delegation mode combines them;
 * 5. if not denied: limits that apply are charged; a limit whose counter
 *    would pass its cap denies (`otherwise deny`) or adds its quorums
 *    (`otherwise approve`);
 * 6. an `approve` whose quorums the approvals in `state.approvals` already
 *    meet becomes `allow`.
 */
import type { Decision, DecidingRule, DecisionAuditLevel } from "../../runtime/decision.js";
import { RATE_FIELDS, type RuntimeState } from "../../runtime/request.js";
import type { ModelLimit, ModelRule, PolicyModel } from "./model.js";
import type { Scope } from "./evaluate.js";
import { validateRequest, validateValue, type ValidRequest } from "./validate.js";
import { decideSide, rulesCovering } from "./match.js";
import { combineSides } from "./delegation.js";
import { applyLimits } from "./limits.js";
import { highestAudit, mergeApprovals, mergeObligations, ruleReason } from "./combine.js";
import { appliesKillSwitch, approvalsMeet, validateState } from "./state.js";
import { Refusal } from "./values.js";
import { bySource, covers } from "./match.js";
import { prepareSession, sessionFault, sessionKeyOf, sessionNeed, type SessionInput, type SessionScope } from "./session.js";
import { readHostValue } from "./read.js";
import type { DelegationMode } from "../syntax/index.js";

/** Decides one request; never throws. `session` is the session's trace and the time (docs/decisions/0024-session-rules.md). */
export function decide(model: PolicyModel, request: unknown, state?: RuntimeState, session?: SessionInput): Decision {
  try {
    return decideOrRefuse(model, request, state, session);
  } catch (error) {
    if (error instanceof Refusal) {
      return refused(model, error.code, error.message, error.path);
    }
    const message = error instanceof Error ? error.message : String(error);
    return refused(model, "internal_error", `internal error in the reference interpreter: ${message}`, "");
  }
}

function decideOrRefuse(model: PolicyModel, input: unknown, given: RuntimeState | undefined, sessionInput: SessionInput | undefined): Decision {
  // State and request are read once into plain data (./read.ts): everything below reads the copies.
  const state = given === undefined ? undefined : (readHostValue(given, model.bounds, "state") as RuntimeState);
  validateState(state);
  const request = withTrust(validateRequest(readHostValue(input, model.bounds, ""), model.catalogs), state, model);
  const killed = appliesKillSwitch(state, request);
  if (killed !== undefined) {
    return base(model, "deny", [], [`kill switch \`${killed}\` is engaged`], "notice");
  }
  const action = request.action.name;
  const session = sessionOf(model, request, sessionInput);
  const scope: Scope = { request, catalogs: model.catalogs, constants: new Map(), variables: new Map(), ...(session === undefined ? {} : { session }) };
  if (session !== undefined && session.events.length > 0) {
    const fault = sessionFault(model.rules.filter((r) => covers(r, action)).sort(bySource), scope);
    if (fault !== undefined) throw new Refusal("session_error", fault, "");
  }

  const agentSide = decideSide(rulesCovering(model.rules, "agent", action), "agent", scope);
  const mode = delegationMode(model, action);
  const humanRules = request.human === undefined || mode === "agent_only" ? [] : rulesCovering(model.rules, "human", action);
  // Under `human_only` a present human always speaks: with no rule covering the action, "no `for human` rule allows".
  const humanSpeaks = humanRules.length > 0 || (mode === "human_only" && request.human !== undefined);
  const humanSide = humanSpeaks ? decideSide(humanRules, "human", scope) : undefined;
  const combined = combineSides(agentSide, humanSide, mode);

  const deciding: ModelRule[] = combined.deciders.flatMap((s) => s.deciding);
  const ruleRefs = deciding.map(ref);
  const audit = highestAudit(deciding.map((r) => r.audit));

  if (combined.effect === "deny") {
    const reasons = deciding.length > 0 ? deciding.map(ruleReason) : combined.deciders.map((s) => defaultReason(s.principal, action, request.human !== undefined));
    return { ...base(model, "deny", ruleRefs, reasons, audit), ...blocked(combined.blockedBy) };
  }

  const obligations = mergeObligations(combined.permitting, model.catalogs.obligations);
  const applied = applyLimits(model.limits, scope, state?.counters);
  const denyingCaps = applied.filter((a) => a.capped && a.limit.otherwise.kind === "deny").map((a) => a.limit);
  if (denyingCaps.length > 0) {
    return base(model, "deny", denyingCaps.map(limitRef), denyingCaps.map(capReason), "notice");
  }
  const approvingCaps = applied.filter((a) => a.capped && a.limit.otherwise.kind === "approve").map((a) => a.limit);
  const charges = applied.map((a) => a.charge);
  const reasons = [...deciding.map(ruleReason), ...approvingCaps.map(capReason)];
  const refs = [...ruleRefs, ...approvingCaps.map(limitRef)];

  if (combined.effect === "allow" && approvingCaps.length === 0) {
    return { ...base(model, "allow", refs, reasons, audit), obligations, limits: charges };
  }
  const approveRules = combined.effect === "approve" ? deciding : [];
  const approval = mergeApprovals([
    ...approveRules.map((r) => r.approval),
    ...approvingCaps.flatMap((l) => (l.otherwise.kind === "approve" ? [l.otherwise.approval] : [])),
  ]);
  // A limit cap parks an allow for approval; the allow rules stay reported.
  const blockedBy = combined.effect === "approve" ? combined.blockedBy : undefined;
  if (approvalsMeet(approval, state?.approvals, request)) {
    return { ...base(model, "allow", refs, reasons, audit), obligations, limits: charges };
  }
  return { ...base(model, "approve", refs, reasons, audit), obligations, approval, limits: charges, ...blocked(blockedBy) };
}

/**
 * The session, when the action needs it (§4 of ADR 0024): a request without
 * the session key, or a decision without the host's session input, fails closed.
 */
function sessionOf(model: PolicyModel, request: Parameters<typeof sessionKeyOf>[1], input: SessionInput | undefined): SessionScope | undefined {
  const action = request.action.name;
  const need = sessionNeed(model, model.rules.filter((r) => covers(r, action)).sort(bySource), action);
  // No history is read, but `carries` still needs the labels: an empty session.
  if (need === undefined) return { now: 0, events: [], model };
  const key = (model.session?.key ?? ["context", "session"]).join(".");
  if (sessionKeyOf(model, request) === undefined) {
    const message = "rule" in need
      ? `rule \`${need.rule}\` needs the session's history, but the request has no \`${key}\``
      : `session rules watch \`${action}\`, but the request has no \`${key}\``;
    throw new Refusal("session_error", message, key);
  }
  if (input === undefined) throw new Refusal("session_error", "the policy's session rules need the session's state and the time; none was given", "");
  return prepareSession(model, input);
}

/** The delegation mode for an action: the packages whose rules cover it; if they disagree, `both`. */
function delegationMode(model: PolicyModel, action: string): DelegationMode {
  const packages = new Set(rulesCovering(model.rules, "agent", action).concat(rulesCovering(model.rules, "human", action)).map((r) => r.packageName));
  const modes = new Set([...packages].map((p) => model.delegation.get(p) ?? "both"));
  const [only] = modes;
  return modes.size === 1 && only !== undefined ? only : "both";
}

/** `state.trust` replaces `agent.trust`, and each rate of `state.rates` its `agent.<rate>_rate` field, each checked against the agent's declared field. */
function withTrust(request: ValidRequest, state: RuntimeState | undefined, model: PolicyModel): ValidRequest {
  if (state?.trust === undefined && state?.rates === undefined) return request;
  const fields = model.catalogs.request.agent.fields;
  const agent: Record<string, unknown> = { ...request.agent };
  if (state.trust !== undefined) {
    const trustField = fields.get("trust");
    if (trustField !== undefined) validateValue(state.trust, trustField.type, "state.trust");
    agent["trust"] = state.trust;
  }
  for (const [rate, name] of Object.entries(RATE_FIELDS)) {
    const value = state.rates?.[rate as keyof typeof RATE_FIELDS];
    if (value === undefined) continue;
    const field = fields.get(name);
    if (field !== undefined) validateValue(value, field.type, `state.rates.${rate}`);
    agent[name] = value;
  }
  return { ...request, agent: agent as ValidRequest["agent"] };
}

/** A default deny's reason; the human side without a human happens only under `human_only`. */
function defaultReason(principal: "agent" | "human", action: string, withHuman: boolean): string {
  if (principal === "agent") return `no rule allows \`${action}\``;
  return withHuman ? `no \`for human\` rule allows \`${action}\`` : `the request names no human, and under \`delegation human_only\` only rules \`for human\` allow \`${action}\``;
}

function capReason(limit: ModelLimit): string {
  if (limit.reason !== undefined) return limit.reason;
  const window = limit.window.count === 1 ? limit.window.unit : `${limit.window.count} ${limit.window.unit}s`;
  const measure = limit.kind === "rate" ? `${limit.cap}` : `budget ${limit.cap}${limit.unit === undefined ? "" : ` ${limit.unit}`}`;
  return `limit \`${limit.id}\` reached: ${measure} per ${window}`;
}

function ref(rule: ModelRule): DecidingRule {
  return { kind: "rule", id: rule.id, file: rule.file, line: rule.line };
}

function limitRef(limit: ModelLimit): DecidingRule {
  return { kind: "limit", id: limit.id, file: limit.file, line: limit.line };
}

function blocked(principal: "agent" | "human" | undefined): { blockedBy?: "agent" | "human" } {
  return principal === undefined ? {} : { blockedBy: principal };
}

function base(
  model: PolicyModel,
  effect: Decision["effect"],
  rules: readonly DecidingRule[],
  reasons: readonly string[],
  audit: DecisionAuditLevel,
): Decision {
  return { effect, rules, reasons, obligations: {}, limits: [], audit, policy: model.policy };
}

function refused(model: PolicyModel, code: Refusal["code"], message: string, path: string): Decision {
  return { ...base(model, "deny", [], [message], "notice"), error: { code, message, path } };
}
