/**
 * Whether given approvals meet an approval requirement: the one place that
 * counts approvers, for every engine (the reference interpreter, the
 * runtime's finish, the gateway's tickets), so "two groups mean two
 * people" has one meaning (docs/decisions/0030-approvals-requester-people-plans.md).
 *
 * In: a requirement (quorums, `requester`, `samePerson`), the approvals
 * given (`{ id, groups }`), the agent's and the human's ids (anything; only
 * strings count). Out: true when the approvals meet the requirement.
 * Rules: ids are compared by identity key (runtime/identity.ts), and
 * approvals that share a key are one approver with the union of their
 * groups; the agent never counts; the human counts only as the requester's
 * confirmation, never towards a quorum; unless `samePerson`, each approver
 * counts towards one quorum at most, so the quorums must be met by a
 * matching of approvers to quorums (a flow over eligibility classes, see
 * `quorumsMatch`). Must not import anything but the identity key: both
 * engines and the browser-safe governance runtime use it.
 *
 * Cost: O(A) to key the approvals, then O(F · C · Q) for the matching,
 * where A is the number of approvals, Q the number of quorums (fixed by
 * the policy), C ≤ min(A, 2^Q) the number of distinct eligibility classes
 * and F ≤ the sum of the quorums' counts (fixed by the policy) the
 * augmentations.
 */
import type { ApprovalRequirement, Quorum } from "./decision.js";
import type { GivenApproval } from "./request.js";
import { identityKey } from "./identity.js";

/** Whether `approvals` meet `requirement` (see the file header); none given never meets one. */
export function approvalsMeet(
  requirement: ApprovalRequirement,
  approvals: readonly GivenApproval[] | undefined,
  agentId: unknown,
  humanId: unknown,
): boolean {
  if (approvals === undefined || approvals.length === 0) return false;
  const agentKey = typeof agentId === "string" ? identityKey(agentId) : undefined;
  const humanKey = typeof humanId === "string" ? identityKey(humanId) : undefined;
  const approvers = new Map<string, Set<string>>();
  let confirmed = false;
  for (const approval of approvals) {
    const key = identityKey(approval.id);
    if (key === humanKey) confirmed = true;
    if (key === agentKey || key === humanKey) continue;
    let groups = approvers.get(key);
    if (groups === undefined) approvers.set(key, (groups = new Set()));
    for (const group of approval.groups) groups.add(group);
  }
  // The agent is never the requester, even when the agent's and the human's ids name one identity.
  if (requirement.requester === true && (!confirmed || humanKey === undefined || humanKey === agentKey)) return false;
  const eligibility = [...approvers.values()].map((groups) => requirement.quorums.map((q) => eligible(q, groups)));
  if (requirement.samePerson === true) {
    return requirement.quorums.every((q, i) => eligibility.filter((e) => e[i]).length >= q.count);
  }
  return quorumsMatch(requirement.quorums, eligibility);
}

/** Whether an approver with these groups may count towards `quorum` (any group when it lists none). */
function eligible(quorum: Quorum, groups: ReadonlySet<string>): boolean {
  if (quorum.groups.length === 0) return true;
  for (const group of quorum.groups) if (groups.has(group)) return true;
  return false;
}

/**
 * Whether distinct approvers can be assigned, each to one quorum at most, so
 * that every quorum gets its count: a maximum flow source → eligibility
 * class (capacity: its approvers) → quorum (unbounded, where eligible) →
 * sink (capacity: the count) that saturates every quorum. Approvers with
 * the same eligibility are one class, so the graph has at most min(A, 2^Q)
 * classes however many approvals are given.
 */
export function quorumsMatch(quorums: readonly Quorum[], eligibility: readonly (readonly boolean[])[]): boolean {
  const q = quorums.length;
  let need = 0;
  for (const quorum of quorums) need += quorum.count;
  if (need === 0) return true;
  if (eligibility.length < need) return false;
  const classes = new Map<string, { eligible: number[]; size: number }>();
  for (const row of eligibility) {
    const eligibleFor: number[] = [];
    for (let i = 0; i < q; i++) if (row[i] === true) eligibleFor.push(i);
    if (eligibleFor.length === 0) continue;
    const key = eligibleFor.join(",");
    const found = classes.get(key);
    if (found === undefined) classes.set(key, { eligible: eligibleFor, size: 1 });
    else if (found.size < need) found.size++;
  }
  const list = [...classes.values()];
  const c = list.length;
  // Residual capacities: source → class, class → quorum flow (its reverse edge), quorum → sink.
  const fromSource = list.map((k) => k.size);
  const flow: number[][] = list.map(() => new Array<number>(q).fill(0));
  const toSink = quorums.map((quorum) => quorum.count);
  const byQuorum: number[][] = Array.from({ length: q }, () => []);
  list.forEach((k, ci) => {
    for (const qi of k.eligible) byQuorum[qi]!.push(ci);
  });
  let total = 0;
  while (total < need) {
    // Breadth-first search for an augmenting path: source → class → quorum (→ class ← by a reverse edge → quorum)* → sink.
    const classParent = new Array<number>(c).fill(-2); // the quorum that reached the class, -1 from the source
    const quorumParent = new Array<number>(q).fill(-1); // the class that reached the quorum
    const queue: number[] = []; // classes
    for (let ci = 0; ci < c; ci++) {
      if (fromSource[ci]! > 0) {
        classParent[ci] = -1;
        queue.push(ci);
      }
    }
    let end = -1;
    for (let head = 0; head < queue.length && end < 0; head++) {
      const ci = queue[head]!;
      for (const qi of list[ci]!.eligible) {
        if (quorumParent[qi] !== -1) continue;
        quorumParent[qi] = ci;
        if (toSink[qi]! > 0) {
          end = qi;
          break;
        }
        for (const back of byQuorum[qi]!) {
          if (classParent[back] === -2 && flow[back]![qi]! > 0) {
            classParent[back] = qi;
            queue.push(back);
          }
        }
      }
    }
    if (end < 0) return false;
    // The bottleneck along the path, then push it.
    let push = toSink[end]!;
    for (let qi = end; ; ) {
      const ci = quorumParent[qi]!;
      const from = classParent[ci]!;
      if (from === -1) {
        push = Math.min(push, fromSource[ci]!);
        break;
      }
      push = Math.min(push, flow[ci]![from]!);
      qi = from;
    }
    toSink[end]! -= push;
    for (let qi = end; ; ) {
      const ci = quorumParent[qi]!;
      flow[ci]![qi]! += push;
      const from = classParent[ci]!;
      if (from === -1) {
        fromSource[ci]! -= push;
        break;
      }
      flow[ci]![from]! -= push;
      qi = from;
    }
    total += push;
  }
  return true;
}
