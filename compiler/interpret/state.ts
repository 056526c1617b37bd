/**
 * The runtime-state hook, applied minimally: the shape of `RuntimeState` is
 * checked, kill switches deny, given approvals can meet a requirement.
 * (`trust` is applied in ./decide.ts; `counters` in ./limits.ts.)
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
import type { ValidRequest } from "./validate.js";
import { Refusal, childPath, describe, indexPath, isObject } from "./values.js";

/** Checks the state's shape; a malformed state is a fail-closed refusal at `state.…`. */
export function validateState(state: unknown): void {
  if (state === undefined) return;
  if (!isObject(state)) throw wrong("state", "an object", state);
  for (const key of Object.keys(state).sort()) {
    if (!["trust", "counters", "approvals", "killed"].includes(key)) {
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
  if (killed !== undefined && (!Array.isArray(killed) || !killed.every((k) => typeof k === "string"))) {
    throw wrong("state.killed", "an array of strings", killed);
  }
}

/** The first engaged kill switch that applies: `"global"`, the agent's id, or the action's family. */
export function appliesKillSwitch(state: RuntimeState | undefined, request: ValidRequest): string | undefined {
  const killed = state?.killed ?? [];
  const agentId = request.agent.id;
  const applies = ["global", ...(typeof agentId === "string" ? [agentId] : []), request.action.family];
  return applies.find((name) => killed.includes(name));
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
