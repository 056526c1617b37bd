/**
 * The runtime-state hook, applied minimally: the shape of `RuntimeState` is
 * checked, kill switches deny, given approvals can meet a requirement.
 * (`trust` and `rates` are applied in ./decide.ts; `counters` in ./limits.ts.)
 *
 * In: the state a caller passed, the validated request. Out: refusals for a
 * malformed state, the kill switch that applies, whether approvals suffice.
 * Must not keep state between decisions: binding approvals to a request
 * digest, expiry, single use and counter windows are the runtime's job
 * (DESIGN.md, "Runtime and gateway"), not the decision's.
 */
import type { ApprovalRequirement } from "../../runtime/decision.js";
import type { GivenApproval, RuntimeState } from "../../runtime/request.js";
import { approvalsMeet as meets } from "../../runtime/approval-quorums.js";
import { identityKey } from "../../runtime/identity.js";
import { RATE_FIELDS } from "../../runtime/request.js";
import type { ValidRequest } from "./validate.js";
import { Refusal, childPath, describe, indexPath, isObject } from "./values.js";

/** Checks the state's shape; a malformed state is a fail-closed refusal at `state.…`. */
export function validateState(state: unknown): void {
  if (state === undefined) return;
  if (!isObject(state)) throw wrong("state", "an object", state);
  for (const key of Object.keys(state).sort()) {
    if (!["trust", "counters", "approvals", "killed", "rates"].includes(key)) {
      throw new Refusal("unknown_field", `unknown field \`${childPath("state", key)}\``, childPath("state", key));
    }
  }
  const { trust, counters, approvals, killed } = state;
  if (trust !== undefined && (typeof trust !== "number" || !Number.isFinite(trust))) throw wrong("state.trust", "a number", trust);
  if (counters !== undefined) {
    if (!isObject(counters)) throw wrong("state.counters", "an object", counters);
    for (const [id, used] of Object.entries(counters)) {
      const path = childPath("state.counters", id);
      if (typeof used !== "number" || !Number.isFinite(used) || used < 0) throw wrong(path, "a number at least 0", used);
    }
  }
  if (approvals !== undefined) {
    if (!Array.isArray(approvals)) throw wrong("state.approvals", "an array", approvals);
    approvals.forEach((approval: unknown, i) => {
      const path = indexPath("state.approvals", i);
      if (!isObject(approval)) throw wrong(path, "an object", approval);
      if (typeof approval.id !== "string") throw wrong(`${path}.id`, "a string", approval.id);
      if (!Array.isArray(approval.groups) || !approval.groups.every((g) => typeof g === "string")) {
        throw wrong(`${path}.groups`, "an array of strings", approval.groups);
      }
    });
  }
  if (killed !== undefined) {
    if (!Array.isArray(killed)) throw wrong("state.killed", "an array of kill switches (strings or { env, action })", killed);
    killed.forEach((entry: unknown, i) => {
      const path = indexPath("state.killed", i);
      if (typeof entry === "string") return;
      if (!isObject(entry)) throw wrong(path, "a string or { env, action }", entry);
      for (const key of Object.keys(entry).sort()) {
        if (key !== "env" && key !== "action") throw new Refusal("unknown_field", `unknown field \`${path}.${key}\``, `${path}.${key}`);
      }
      if (entry.env !== undefined && (typeof entry.env !== "string" || identityKey(entry.env) === "")) throw wrong(`${path}.env`, "a non-empty string", entry.env);
      if (entry.action !== undefined && !isActionPattern(entry.action)) throw wrong(`${path}.action`, "an action name or `prefix.*`", entry.action);
      if (entry.env === undefined && entry.action === undefined) throw wrong(path, "a scope naming an `env`, an `action` or both", entry);
    });
  }
  const rates = state.rates;
  if (rates !== undefined) {
    if (!isObject(rates)) throw wrong("state.rates", "an object", rates);
    for (const key of Object.keys(rates).sort()) {
      if (!Object.hasOwn(RATE_FIELDS, key)) throw new Refusal("unknown_field", `unknown field \`${childPath("state.rates", key)}\``, childPath("state.rates", key));
    }
    for (const key of Object.keys(RATE_FIELDS)) {
      const rate = rates[key];
      if (rate !== undefined && (typeof rate !== "number" || !(rate >= 0 && rate <= 1))) throw wrong(`state.rates.${key}`, "a number from 0 to 1", rate);
    }
  }
}

/** An exact action name or `prefix.*`, by identity key: no empty segment, no other `*`. */
function isActionPattern(value: unknown): boolean {
  if (typeof value !== "string") return false;
  const key = identityKey(value);
  const body = key.endsWith(".*") ? key.slice(0, -2) : key;
  return body !== "" && body.split(".").every((s) => s !== "" && !s.includes("*"));
}

/**
 * The first engaged kill switch that applies, by the name the deny shows:
 * `"global"`, the agent's id, or the action's family (strings, tried in that
 * order), then the first scope in list order whose env (a string env, by
 * identity key) and action pattern (exact or `prefix.*`, by identity key)
 * both cover the request: `env production`, `aws.*`, `aws.* in production`.
 * Names and ids are compared by identity key (ADR 0013, ADR 0031).
 */
export function appliesKillSwitch(state: RuntimeState | undefined, request: ValidRequest): string | undefined {
  const killed = state?.killed ?? [];
  const agentId = request.agent.id;
  const strings = killed.filter((k): k is string => typeof k === "string").map(identityKey);
  const applies = ["global", ...(typeof agentId === "string" ? [agentId] : []), request.action.family];
  const named = applies.find((name) => strings.includes(identityKey(name)));
  if (named !== undefined) return named;
  const env = typeof request.env === "string" ? identityKey(request.env) : undefined;
  const action = identityKey(request.action.name);
  for (const entry of killed) {
    if (typeof entry === "string") continue;
    if (entry.env !== undefined && identityKey(entry.env) !== env) continue;
    if (entry.action !== undefined) {
      const pattern = identityKey(entry.action);
      const covers = pattern.endsWith(".*") ? action.startsWith(pattern.slice(0, -1)) && action.length >= pattern.length : action === pattern;
      if (!covers) continue;
    }
    if (entry.action === undefined) return `env ${entry.env ?? ""}`;
    return entry.env === undefined ? entry.action : `${entry.action} in ${entry.env}`;
  }
  return undefined;
}

/**
 * Whether `approvals` meet the requirement (ADR 0030): the requester's
 * confirmation when asked; every quorum by distinct approvers (distinct
 * across quorums unless `samePerson`), never the requesting agent or the
 * human it acts for. Ids are compared by `identityKey` (ADR 0013). One
 * implementation for every engine (runtime/approval-quorums.ts), checked
 * against a brute-force oracle (test/governance/approval-quorums.property.test.ts).
 */
export function approvalsMeet(requirement: ApprovalRequirement, approvals: readonly GivenApproval[] | undefined, request: ValidRequest): boolean {
  return meets(requirement, approvals, request.agent.id, request.human?.id);
}

function wrong(path: string, expected: string, got: unknown): Refusal {
  return new Refusal("wrong_type", `\`${path}\` must be ${expected}, got ${describe(got)}`, path);
}
