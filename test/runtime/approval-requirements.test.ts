/**
 * Approval requirements merged once per set of sources
 * (runtime/finish/approvals.ts, ADR 0045) are what `mergeApprovals` gives
 * for the same sources on every call: generated rules and caps, generated
 * sets of them, in any order, asked for twice; the kept object is frozen all
 * the way down, so no caller can change what the next decision hands out.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ApprovalRequirements, MAX_KEPT } from "../../runtime/finish/approvals.js";
import { mergeApprovals } from "../../runtime/finish/merge.js";
import type { PreparedApproval } from "../../runtime/finish/prepared.js";

const group = fc.constantFrom("sre", "security", "legal", "ops");
const approval: fc.Arbitrary<PreparedApproval> = fc.record({
  quorums: fc.array(fc.record({ count: fc.integer({ min: 1, max: 3 }), groups: fc.array(group, { maxLength: 3 }) }), { maxLength: 3 }),
  requester: fc.boolean(),
  samePerson: fc.boolean(),
  binds: fc.uniqueArray(fc.constantFrom("context.ticket", "context.change", "args.id"), { maxLength: 2 }),
});

const policy = fc.record({
  rules: fc.array(fc.record({ effect: fc.constantFrom("approve", "allow", "deny"), approval }), { minLength: 1, maxLength: 6 }),
  caps: fc.array(fc.option(approval, { nil: undefined }), { maxLength: 4 }),
});

function deepFrozen(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return true;
  return Object.isFrozen(value) && Object.values(value).every(deepFrozen);
}

describe("approval requirements merged once", () => {
  it("equal mergeApprovals of the same sources, in any order, every time; frozen throughout", () => {
    fc.assert(
      fc.property(policy, fc.array(fc.nat(), { maxLength: 4 }), fc.array(fc.nat(), { maxLength: 3 }), (p, pickRules, pickCaps) => {
        const approveRules = p.rules.map((r, index) => ({ ...r, index })).filter((r) => r.effect === "approve");
        const caps = p.caps.map((capApproval, index) => ({ capApproval, index })).filter((c) => c.capApproval !== undefined);
        const rules = approveRules.length === 0 ? [] : [...new Set(pickRules.map((i) => approveRules[i % approveRules.length]!))];
        const capped = caps.length === 0 ? [] : [...new Set(pickCaps.map((i) => caps[i % caps.length]!))];
        const requirements = new ApprovalRequirements(p.rules, p.caps.map((capApproval) => ({ capApproval })));
        const expected = mergeApprovals([...rules.map((r) => r.approval), ...capped.map((c) => c.capApproval!)]);
        const first = requirements.of(rules, capped);
        expect(JSON.stringify(first)).toBe(JSON.stringify(expected));
        expect(requirements.of([...rules].reverse(), [...capped].reverse())).toEqual(expected);
        expect(requirements.of(rules, capped)).toBe(first);
        expect(deepFrozen(first)).toBe(true);
      }),
      { numRuns: 300, seed: 45 },
    );
  });

  it("past MAX_KEPT sets, a set is merged per call with the same result", () => {
    const one: PreparedApproval = { quorums: [{ count: 1, groups: ["sre"] }], requester: false, samePerson: false, binds: [] };
    const two: PreparedApproval = { quorums: [{ count: 2, groups: ["sre"] }, { count: 1, groups: ["legal"] }], requester: true, samePerson: false, binds: ["context.ticket"] };
    const n = MAX_KEPT + 10;
    const rules = Array.from({ length: n }, (_, i) => ({ effect: "approve", approval: i % 2 === 0 ? one : two }));
    const requirements = new ApprovalRequirements(rules, []);
    for (let i = 0; i + 1 < n; i++) requirements.of([{ index: i }, { index: i + 1 }], []);
    const late = requirements.of([{ index: n - 2 }, { index: n - 1 }], []);
    expect(late).toEqual(mergeApprovals([rules[n - 2]!.approval, rules[n - 1]!.approval]));
    expect(deepFrozen(late)).toBe(true);
  });
});
