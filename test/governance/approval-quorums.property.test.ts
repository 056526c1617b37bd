/**
 * "Two groups mean two people": the matching of approvers to quorums
 * (runtime/approval-quorums.ts), which every engine uses, against a
 * brute-force oracle that tries every assignment of approvers to quorums.
 * Small generated requirements and approval lists (overlapping groups,
 * repeated ids in other case, the agent and the human among them), and the
 * cases the issue names.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { approvalsMeet, quorumsMatch } from "../../runtime/approval-quorums.js";
import type { ApprovalRequirement, Quorum } from "../../runtime/decision.js";
import { identityKey } from "../../runtime/identity.js";
import type { GivenApproval } from "../../runtime/request.js";

const SEEDS = Number(process.env["AGP_QUORUM_RUNS"] ?? 400);

/** Every assignment of each approver to one quorum it may serve, or to none: does one meet every count? */
function oracle(requirement: ApprovalRequirement, approvals: readonly GivenApproval[], agent: string, human: string | null): boolean {
  if (approvals.length === 0) return false;
  const agentKey = identityKey(agent);
  const humanKey = human === null ? undefined : identityKey(human);
  if (requirement.requester === true) {
    if (humanKey === undefined || humanKey === agentKey) return false;
    if (!approvals.some((a) => identityKey(a.id) === humanKey)) return false;
  }
  const people = new Map<string, Set<string>>();
  for (const a of approvals) {
    const key = identityKey(a.id);
    if (key === agentKey || key === humanKey) continue;
    const groups = people.get(key) ?? new Set<string>();
    a.groups.forEach((g) => groups.add(g));
    people.set(key, groups);
  }
  const serves = (q: Quorum, groups: Set<string>): boolean => q.groups.length === 0 || q.groups.some((g) => groups.has(g));
  const list = [...people.values()];
  const quorums = requirement.quorums;
  if (requirement.samePerson === true) return quorums.every((q) => list.filter((g) => serves(q, g)).length >= q.count);
  const counts = quorums.map(() => 0);
  const search = (i: number): boolean => {
    if (i === list.length) return quorums.every((q, j) => counts[j]! >= q.count);
    if (search(i + 1)) return true;
    for (let j = 0; j < quorums.length; j++) {
      if (!serves(quorums[j]!, list[i]!)) continue;
      counts[j]!++;
      const found = search(i + 1);
      counts[j]!--;
      if (found) return true;
    }
    return false;
  };
  return search(0);
}

const GROUPS = ["sre", "security", "dba", "legal"];
const IDS = ["bob", "BOB", "carol", "dan", "erin", "frank", "bot", "alice", "Ａｌｉｃｅ", "b\u200Bob"];

const quorum = fc.record({
  count: fc.integer({ min: 1, max: 3 }),
  groups: fc.uniqueArray(fc.constantFrom(...GROUPS), { maxLength: 3 }).map((g) => [...g].sort()),
});
const requirement: fc.Arbitrary<ApprovalRequirement> = fc
  .record({ quorums: fc.array(quorum, { maxLength: 4 }), requester: fc.boolean(), samePerson: fc.boolean() })
  .map(({ quorums, requester, samePerson }) => ({ quorums, ...(requester ? { requester: true as const } : {}), ...(samePerson ? { samePerson: true as const } : {}) }));
const approvals = fc.array(fc.record({ id: fc.constantFrom(...IDS), groups: fc.array(fc.constantFrom(...GROUPS), { maxLength: 3 }) }), { maxLength: 7 });
const human = fc.option(fc.constantFrom("alice", "ALICE", "bob", "bot"), { nil: null });

describe("approvers matched to quorums", () => {
  it("agrees with trying every assignment (generated requirements, overlapping groups, aliases of the agent and the human)", () => {
    fc.assert(
      fc.property(requirement, approvals, human, (req, given, h) => {
        expect(approvalsMeet(req, given, "bot", h)).toBe(oracle(req, given, "bot", h));
      }),
      { numRuns: SEEDS, seed: 15 },
    );
  });

  it("two groups mean two people, unless the policy says the same person may count twice", () => {
    const both = [{ id: "bob", groups: ["security", "sre"] }];
    const twoGroups = { quorums: [{ count: 1, groups: ["security"] }, { count: 1, groups: ["sre"] }] };
    expect(approvalsMeet(twoGroups, both, "bot", null)).toBe(false);
    expect(approvalsMeet(twoGroups, [...both, { id: "carol", groups: ["sre"] }], "bot", null)).toBe(true);
    expect(approvalsMeet({ ...twoGroups, samePerson: true }, both, "bot", null)).toBe(true);
    // The same person under another spelling is still one person.
    expect(approvalsMeet(twoGroups, [...both, { id: "BOB", groups: ["sre"] }], "bot", null)).toBe(false);
  });

  it("needs a matching, not a greedy pick: the flexible approver goes where only they can serve", () => {
    // carol serves only sre; bob serves both. Greedy bob → sre would strand security.
    const req = { quorums: [{ count: 1, groups: ["security"] }, { count: 1, groups: ["sre"] }] };
    expect(approvalsMeet(req, [{ id: "bob", groups: ["sre", "security"] }, { id: "carol", groups: ["sre"] }], "bot", null)).toBe(true);
    expect(quorumsMatch([{ count: 2, groups: ["a"] }, { count: 1, groups: ["b"] }], [[true, true], [true, false], [true, true]])).toBe(true);
    expect(quorumsMatch([{ count: 2, groups: ["a"] }, { count: 2, groups: ["b"] }], [[true, true], [true, false], [true, true]])).toBe(false);
  });

  it("the requester confirms as the human the agent acts for, never as a quorum member, never as the agent", () => {
    const req: ApprovalRequirement = { quorums: [{ count: 1, groups: ["sre"] }], requester: true };
    expect(approvalsMeet(req, [{ id: "bob", groups: ["sre"] }], "bot", "alice")).toBe(false);
    expect(approvalsMeet(req, [{ id: "Alice", groups: [] }, { id: "bob", groups: ["sre"] }], "bot", "alice")).toBe(true);
    expect(approvalsMeet(req, [{ id: "alice", groups: ["sre"] }], "bot", "alice")).toBe(false);
    expect(approvalsMeet({ quorums: [], requester: true }, [{ id: "alice", groups: [] }], "bot", "alice")).toBe(true);
    expect(approvalsMeet({ quorums: [], requester: true }, [{ id: "alice", groups: [] }], "bot", null)).toBe(false);
    // An agent whose id is the human's identity can never confirm for itself.
    expect(approvalsMeet({ quorums: [], requester: true }, [{ id: "bot", groups: [] }], "bot", "BOT")).toBe(false);
  });

  it("decides thousands of approvals in many eligibility classes (the work is bounded by the policy's quorums)", () => {
    const quorums = GROUPS.map((g) => ({ count: 3, groups: [g] }));
    const many = Array.from({ length: 5000 }, (_, i) => ({ id: `u${i}`, groups: GROUPS.filter((_, j) => (i >> j) & 1) }));
    expect(approvalsMeet({ quorums }, many, "bot", null)).toBe(true);
    expect(approvalsMeet({ quorums: [{ count: 5001, groups: [] }] }, many, "bot", null)).toBe(false);
    expect(approvalsMeet({ quorums: [...quorums, { count: 4992, groups: [] }] }, many, "bot", null)).toBe(false);
    expect(approvalsMeet({ quorums: [...quorums, { count: 4988, groups: [] }] }, many, "bot", null)).toBe(true);
  });
});
