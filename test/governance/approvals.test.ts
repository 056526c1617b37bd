/**
 * Approvals: a parked action becomes a ticket bound to the digest of its
 * exact action, args, agent, human, env and bundle version; M-of-N distinct
 * approvers from the required groups; never the agent or its human; expiry;
 * single use; any rejection ends it.
 */
import { describe, expect, it } from "vitest";
import { readAuditEntries } from "../../runtime/governance/index.js";
import { ALICE, BOB, CAROL, DAVE, engine, gateway, merge } from "./harness.js";

async function approved(parts: Record<string, unknown> = {}) {
  const setup = await gateway();
  const parked = await setup.gw.check(merge(123, parts), { requestId: "r1" });
  expect(parked.action).toBe("wait");
  expect((await setup.gw.approvals.approve(parked.ticket!.id, BOB)).ok).toBe(true);
  expect((await setup.gw.approvals.approve(parked.ticket!.id, CAROL)).ok).toBe(true);
  return { ...setup, ticket: parked.ticket! };
}

describe("happy path", () => {
  it("wait → two of infra-reviewers approve → the same request runs, and the audit says who authorized it", async () => {
    const { gw, sink } = await gateway();
    const parked = await gw.check(merge(), { requestId: "r1" });
    expect(parked).toMatchObject({ action: "wait", reason: "merging needs two reviewers", ticket: { id: "t-1", status: "pending", agent: "ci-fixer", args: { repo: "acme/infra", number: 123 } } });
    expect(await gw.approvals.approve("t-1", BOB, "looks fine")).toMatchObject({ ok: true, ticket: { status: "pending" } });
    expect(await gw.approvals.approve("t-1", CAROL)).toMatchObject({ ok: true, ticket: { status: "approved" } });
    const run = await gw.check(merge(), { requestId: "r1" });
    expect(run).toMatchObject({ action: "run", decision: { effect: "allow", rules: [{ id: "merge_review" }] }, ticket: { id: "t-1" } });
    expect((await gw.approvals.get("t-1"))?.status).toBe("used");
    const decisions = readAuditEntries(sink.text()).filter((e) => e.kind === "decision");
    expect(decisions.at(-1)).toMatchObject({ result: "run", ticket: "t-1", approvers: [{ id: "bob", groups: ["infra-reviewers"] }, { id: "carol", groups: ["infra-reviewers"] }] });
    expect(readAuditEntries(sink.text()).filter((e) => e.kind === "approval.approve").map((e) => [e["approver"], e["status"]])).toEqual([["bob", "pending"], ["carol", "approved"]]);
  });

  it("asking again while pending returns the same ticket, not a new one", async () => {
    const { gw } = await gateway();
    const a = await gw.check(merge(), { requestId: "r1" });
    const b = await gw.check(merge(), { requestId: "r2" });
    expect(b.ticket?.id).toBe(a.ticket?.id);
    expect(await gw.approvals.list({ status: "pending" })).toHaveLength(1);
  });

  it("many concurrent checks of one parked action open one ticket", async () => {
    const { gw } = await gateway();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => gw.check(merge(), { requestId: `p${i}` })));
    expect(new Set(results.map((r) => r.ticket?.id))).toEqual(new Set(["t-1"]));
    expect((await gw.approvals.list()).map((t) => t.id)).toEqual(["t-1"]);
  });

  it("await resolves when the quorum is met, and when a ticket is rejected", async () => {
    const { gw } = await gateway();
    const { ticket } = await gw.check(merge(1), { requestId: "r1" });
    const waiting = gw.approvals.await(ticket!.id);
    await gw.approvals.approve(ticket!.id, BOB);
    await gw.approvals.approve(ticket!.id, CAROL);
    expect((await waiting).status).toBe("approved");
    const other = await gw.check(merge(2), { requestId: "r2" });
    const rejected = gw.approvals.await(other.ticket!.id);
    await gw.approvals.reject(other.ticket!.id, DAVE, "not during the freeze");
    expect(await rejected).toMatchObject({ status: "rejected", rejection: { by: "dave", reason: "not during the freeze" } });
  });

  it("await rejects when its signal aborts", async () => {
    const { gw } = await gateway();
    const { ticket } = await gw.check(merge(1), { requestId: "r1" });
    const controller = new AbortController();
    const waiting = gw.approvals.await(ticket!.id, { signal: controller.signal });
    controller.abort(new Error("gave up"));
    await expect(waiting).rejects.toThrow("gave up");
  });
});

describe("abuse", () => {
  it("a replayed approval: the ticket is single use; the second run waits for a new one", async () => {
    const { gw } = await approved();
    expect((await gw.check(merge(), { requestId: "r1" })).action).toBe("run");
    const replay = await gw.check(merge(), { requestId: "r2" });
    expect(replay).toMatchObject({ action: "wait", ticket: { id: "t-2", status: "pending" } });
    expect(await gw.approvals.approve("t-1", DAVE)).toEqual({ ok: false, code: "closed", message: "approval request `t-1` is already used" });
  });

  it("one approval raced by many concurrent requests runs exactly one", async () => {
    const { gw } = await approved();
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => gw.check(merge(), { requestId: `x${i}` })));
    expect(results.filter((r) => r.action === "run")).toHaveLength(1);
    expect(results.filter((r) => r.action === "wait")).toHaveLength(24);
  });

  it("self-approval by the agent is refused", async () => {
    const { gw } = await gateway();
    const { ticket } = await gw.check(merge(), { requestId: "r1" });
    expect(await gw.approvals.approve(ticket!.id, { id: "ci-fixer", groups: ["infra-reviewers"] })).toEqual({
      ok: false,
      code: "self_approval",
      message: "`ci-fixer` is the requesting agent and cannot act on its own approval request `t-1`",
    });
  });

  it("self-approval by the human the agent acts for is refused", async () => {
    const { gw } = await gateway();
    const { ticket } = await gw.check(merge(123, { human: ALICE }), { requestId: "r1" });
    expect(await gw.approvals.approve(ticket!.id, { id: "alice", groups: ["infra-reviewers"] })).toEqual({
      ok: false,
      code: "self_approval",
      message: "`alice` is the human the agent acts for and cannot act on approval request `t-1`",
    });
  });

  it("two approvals by the same person count once", async () => {
    const { gw } = await gateway();
    const { ticket } = await gw.check(merge(), { requestId: "r1" });
    await gw.approvals.approve(ticket!.id, BOB);
    expect(await gw.approvals.approve(ticket!.id, { id: "bob", groups: ["infra-reviewers", "other"] })).toEqual({
      ok: false,
      code: "duplicate",
      message: "`bob` has already approved approval request `t-1`",
    });
    expect((await gw.approvals.get(ticket!.id))?.status).toBe("pending");
    expect((await gw.check(merge(), { requestId: "r1" })).action).toBe("wait");
  });

  it("an approver outside the required groups is refused", async () => {
    const { gw } = await gateway();
    const { ticket } = await gw.check(merge(), { requestId: "r1" });
    expect(await gw.approvals.approve(ticket!.id, { id: "eve", groups: ["marketing"] })).toEqual({
      ok: false,
      code: "not_eligible",
      message: "`eve` is in none of the groups approval request `t-1` needs: `infra-reviewers`",
    });
  });

  it("approval of altered args does not match: the changed action waits for its own approval", async () => {
    const { gw } = await approved();
    const altered = await gw.check(merge(999), { requestId: "r1" });
    expect(altered).toMatchObject({ action: "wait", ticket: { id: "t-2", args: { repo: "acme/infra", number: 999 } } });
    expect((await gw.approvals.get("t-1"))?.status).toBe("approved");
  });

  it("an approval does not carry over to another agent, another human, another env or another bundle version", async () => {
    const { gw, store, clock } = await approved();
    expect((await gw.check(merge(123, { agent: { id: "other-bot", groups: [], trust: 2 } }), { requestId: "a" })).action).toBe("wait");
    expect((await gw.check(merge(123, { human: ALICE }), { requestId: "b" })).action).toBe("wait");
    expect((await gw.check(merge(123, { env: "staging" }), { requestId: "c" })).action).toBe("wait");
    const { createGateway } = await import("../../runtime/governance/index.js");
    const upgraded = await createGateway({ engine: engine(undefined, "1.1.0"), store, clock });
    expect((await upgraded.check(merge(), { requestId: "d" })).action).toBe("wait");
    expect((await gw.approvals.get("t-1"))?.status).toBe("approved");
  });

  it("a rejection by any approver ends the ticket, and the same action is refused until the ticket would have expired", async () => {
    const { gw, clock } = await gateway();
    const { ticket } = await gw.check(merge(), { requestId: "r1" });
    await gw.approvals.approve(ticket!.id, BOB);
    expect(await gw.approvals.reject(ticket!.id, CAROL, "wrong repository")).toMatchObject({ ok: true, ticket: { status: "rejected" } });
    expect(await gw.approvals.approve(ticket!.id, DAVE)).toEqual({ ok: false, code: "closed", message: "approval request `t-1` is already rejected" });
    expect(await gw.check(merge(), { requestId: "r2" })).toMatchObject({ action: "refuse", reason: "approval request `t-1` was rejected by `carol`: wrong repository" });
    clock.advance(3_600_000);
    expect(await gw.check(merge(), { requestId: "r3" })).toMatchObject({ action: "wait", ticket: { id: "t-2" } });
  });

  it("an expired ticket cannot be approved or used; the action asks anew", async () => {
    const { gw, clock } = await gateway();
    const { ticket } = await gw.check(merge(), { requestId: "r1" });
    await gw.approvals.approve(ticket!.id, BOB);
    clock.advance(3_600_000);
    expect(await gw.approvals.approve(ticket!.id, CAROL)).toEqual({ ok: false, code: "expired", message: "approval request `t-1` expired at 2026-03-10T13:00:00.000Z" });
    expect((await gw.check(merge(), { requestId: "r2" })).ticket?.id).toBe("t-2");
  });

  it("an approved ticket that expires before the action comes back does not let it run", async () => {
    const { gw, clock } = await approved();
    clock.advance(3_600_001);
    expect(await gw.check(merge(), { requestId: "r1" })).toMatchObject({ action: "wait", ticket: { id: "t-2" } });
  });

  it("an unknown ticket and a malformed approver are refused", async () => {
    const { gw } = await gateway();
    expect(await gw.approvals.approve("nope", BOB)).toEqual({ ok: false, code: "unknown_ticket", message: "no approval request `nope`" });
    expect(await gw.approvals.approve("nope", { id: "", groups: [] })).toEqual({ ok: false, code: "invalid", message: "an approver needs an `id` (a non-empty string) and `groups` (an array of strings)" });
  });
});
