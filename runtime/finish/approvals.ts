/**
 * Approval requirements merged once per set of sources, not once per
 * decision (ADR 0045): what a parked request asks of its approvers depends
 * only on which approve rules decided it and which `otherwise approve`
 * limit caps were reached, never on the request.
 *
 * In: the prepared rules and limits (./prepared.ts). Out:
 * `ApprovalRequirements.of(rules, caps)`, the requirement `mergeApprovals`
 * gives for those sources, deep-frozen so that every decision may hand out
 * the same object. A single cap's requirement is merged at load time, a
 * single rule's on its first use (ADR 0050: nothing per rule at load); a
 * set of several is merged on its first use and kept, at most
 * `MAX_KEPT` sets (the number of sets is bounded by the policy, but not
 * small in theory; past the bound a set is merged per call, the same
 * result). Must not look at requests; must not change what `mergeApprovals`
 * means (test/runtime/approval-requirements.test.ts compares them).
 */
import type { ApprovalRequirement } from "../decision.js";
import { mergeApprovals } from "./merge.js";
import type { PreparedApproval } from "./prepared.js";

/** How many multi-source sets are kept; beyond, merged per call. */
export const MAX_KEPT = 1024;

/** The rules, one at a time (an array, or the prepared table that builds each on first use). */
interface RuleTable {
  at(index: number): { readonly effect: string; readonly approval: PreparedApproval } | undefined;
}

/** A rule or limit that can ask for approval, by its index among its kind. */
interface Source {
  readonly index: number;
}

/** The merged requirements of a policy's approve rules and approving caps. */
export class ApprovalRequirements {
  private readonly rules: RuleTable;
  private readonly capApprovals: readonly (PreparedApproval | undefined)[];
  /** A single approve rule's requirement, merged on its first use (ADR 0050: nothing per rule at load). */
  private readonly byRule: (ApprovalRequirement | undefined)[] = [];
  private readonly byCap: readonly (ApprovalRequirement | undefined)[];
  private readonly kept = new Map<string, ApprovalRequirement>();

  constructor(rules: RuleTable, caps: readonly { readonly capApproval: PreparedApproval | undefined }[]) {
    this.rules = rules;
    this.capApprovals = caps.map((l) => l.capApproval);
    this.byCap = caps.map((l) => (l.capApproval === undefined ? undefined : frozen(mergeApprovals([l.capApproval]))));
  }

  /**
   * The requirement of approve rules `rules` and approving limit caps
   * `caps` together: `mergeApprovals` of their approvals, which does not
   * depend on their order. Both empty is the merge of nothing.
   */
  of(rules: readonly Source[], caps: readonly Source[]): ApprovalRequirement {
    if (rules.length === 1 && caps.length === 0) {
      const index = rules[0]!.index;
      const one = this.byRule[index];
      if (one !== undefined) return one;
      const rule = this.rules.at(index)!;
      if (rule.effect === "approve") return (this.byRule[index] = frozen(mergeApprovals([rule.approval])));
    } else if (rules.length === 0 && caps.length === 1) {
      const one = this.byCap[caps[0]!.index];
      if (one !== undefined) return one;
    }
    let key = "";
    for (let i = 0; i < rules.length; i++) key += `r${rules[i]!.index},`;
    for (let i = 0; i < caps.length; i++) key += `l${caps[i]!.index},`;
    const seen = this.kept.get(key);
    if (seen !== undefined) return seen;
    const sources: PreparedApproval[] = [];
    for (const r of rules) sources.push(this.rules.at(r.index)!.approval);
    for (const c of caps) {
      const approval = this.capApprovals[c.index];
      if (approval !== undefined) sources.push(approval);
    }
    const merged = frozen(mergeApprovals(sources));
    if (this.kept.size < MAX_KEPT) this.kept.set(key, merged);
    return merged;
  }
}

/** The requirement, frozen all the way down (quorums, their groups, binds). */
function frozen(requirement: ApprovalRequirement): ApprovalRequirement {
  for (const quorum of requirement.quorums) {
    Object.freeze(quorum.groups);
    Object.freeze(quorum);
  }
  Object.freeze(requirement.quorums);
  if (requirement.binds !== undefined) Object.freeze(requirement.binds);
  return Object.freeze(requirement);
}
