/**
 * Limits: reserve → commit with the actual cost, or refund; idempotent by
 * request id; at the cap, deny or park for approval as the policy says;
 * concurrent requests never overshoot; window edges and clock skew.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ManualClock, MemoryStateStore, createGateway, sequentialIds, windowAt } from "../../runtime/governance/index.js";
import { FileStateStore } from "../../runtime/node/index.js";
import { BOB, CAROL, deploy, engine, gateway, spend } from "./harness.js";

const charge = { id: "daily_spend", key: ["ci-fixer"], window: { count: 1, unit: "day" as const } };

describe("reserve, commit, refund", () => {
  it("a run reserves its charges; commit with the actual cost replaces the reserved amount", async () => {
    const { gw } = await gateway();
    const result = await gw.check(spend(30), { requestId: "r1" });
    expect(result.action).toBe("run");
    expect(result.reservation).toMatchObject({ status: "reserved", charges: [{ id: "daily_spend", amount: 30, cap: 100, window: Date.parse("2026-03-10T00:00:00Z") }] });
    expect(await gw.limits.used({ ...charge, kind: "budget", amount: 0, cap: 100 })).toBe(30);
    await gw.report("r1", "succeeded", { actualCost: 12.5 });
    expect(await gw.limits.used({ ...charge, kind: "budget", amount: 0, cap: 100 })).toBe(12.5);
    expect((await gw.limits.get("r1"))?.status).toBe("committed");
  });

  it("a failed action without a cost is refunded; with a cost it is committed", async () => {
    const { gw } = await gateway();
    await gw.check(spend(30), { requestId: "r1" });
    await gw.check(spend(20), { requestId: "r2" });
    await gw.report("r1", "failed");
    await gw.report("r2", "failed", { actualCost: 5 });
    expect(await gw.limits.used({ ...charge, kind: "budget", amount: 0, cap: 100 })).toBe(5);
  });

  it("decimal costs add exactly at the cap (micro-units)", async () => {
    const { gw } = await gateway();
    for (let i = 0; i < 10; i++) expect((await gw.check(spend(10.1), { requestId: `a${i}` })).action).toBe(i < 9 ? "run" : "refuse");
    const { gw: exact } = await gateway();
    for (let i = 0; i < 1000; i++) expect((await exact.check(spend(0.1), { requestId: `b${i}` })).action).toBe("run");
    expect((await exact.check(spend(0.000001), { requestId: "over" })).action).toBe("refuse");
  });

  it("idempotent by request id: a repeated check charges nothing and answers the same", async () => {
    const { gw, sink } = await gateway();
    const first = await gw.check(spend(60), { requestId: "r1" });
    const again = await gw.check(spend(60), { requestId: "r1" });
    expect(again).toMatchObject({ action: "run", repeated: true, audit: first.audit });
    expect(await gw.limits.used({ ...charge, kind: "budget", amount: 0, cap: 100 })).toBe(60);
    expect(sink.lines).toHaveLength(1);
    await gw.report("r1", "succeeded");
    expect(await gw.report("r1", "succeeded")).toEqual({ ok: false, code: "already_reported", message: "request `r1` was already reported as succeeded" });
    expect(await gw.check(spend(60), { requestId: "r1" })).toMatchObject({ action: "refuse", reason: "request id `r1` was already run and reported as succeeded" });
    expect(await gw.check(deploy(), { requestId: "r1" })).toMatchObject({ action: "refuse", reason: "request id `r1` was already run and reported as succeeded" });
    expect(await gw.limits.commit("r1")).toBeUndefined();
    expect(await gw.limits.refund("r1")).toBeUndefined();
    expect(await gw.limits.used({ ...charge, kind: "budget", amount: 0, cap: 100 })).toBe(60);
  });

  it("reporting a request that never ran is refused", async () => {
    const { gw } = await gateway();
    expect(await gw.report("nope", "succeeded")).toEqual({ ok: false, code: "unknown_request", message: "no request `nope` was answered `run`; only those can be reported" });
  });
});

describe("at the cap", () => {
  it("denies with the policy's reason, naming the limit", async () => {
    const { gw } = await gateway();
    for (let i = 0; i < 5; i++) expect((await gw.check(deploy(), { requestId: `d${i}` })).action).toBe("run");
    const capped = await gw.check(deploy(), { requestId: "d5" });
    expect(capped).toMatchObject({ action: "refuse", reason: "limit `deploy_rate` reached: 5 per hour", decision: { effect: "deny", rules: [{ kind: "limit", id: "deploy_rate" }] } });
    expect((await gw.check(deploy("other"), { requestId: "d6" })).action).toBe("run");
  });

  it("parks for approval when the policy says so, and an approved overrun runs once", async () => {
    const policy = `rule deploys: allow deploy.*\nlimit burst: 2 per hour on deploy.* otherwise approve by 2 of group "infra-reviewers" because "deploy burst"`;
    const { gw } = await gateway({ engine: engine(policy) });
    await gw.check(deploy(), { requestId: "d1" });
    await gw.check(deploy(), { requestId: "d2" });
    const parked = await gw.check(deploy(), { requestId: "d3" });
    expect(parked).toMatchObject({ action: "wait", reason: "deploy burst", ticket: { id: "t-1", status: "pending", requirement: { quorums: [{ count: 2, groups: ["infra-reviewers"] }] } } });
    await gw.approvals.approve("t-1", BOB);
    await gw.approvals.approve("t-1", CAROL);
    const approved = await gw.check(deploy(), { requestId: "d3" });
    expect(approved).toMatchObject({ action: "run", decision: { effect: "allow" } });
    expect(await gw.limits.used({ id: "burst", key: [], window: { count: 1, unit: "hour" }, kind: "rate", amount: 1, cap: 2 })).toBe(3);
    expect((await gw.check(deploy(), { requestId: "d4" })).action).toBe("wait");
  });
});

describe("several limits", () => {
  it("are reserved all or nothing: a request stopped by one cap charges none of the others", async () => {
    const policy = `rule deploys: allow deploy.*\nlimit all_deploys: 10 per hour on deploy.*\nlimit per_service: 2 per hour per args.service on deploy.*`;
    const { gw } = await gateway({ engine: engine(policy) });
    const rate = (id: string, key: string[]) => gw.limits.used({ id, key, window: { count: 1, unit: "hour" }, kind: "rate", amount: 1, cap: 0 });
    for (const id of ["a", "b"]) expect((await gw.check(deploy(), { requestId: id })).action).toBe("run");
    expect(await gw.check(deploy(), { requestId: "c" })).toMatchObject({ action: "refuse", reason: "limit `per_service` reached: 2 per hour" });
    expect(await rate("all_deploys", [])).toBe(2);
    expect(await rate("per_service", ["api"])).toBe(2);
    expect((await gw.check(deploy("web"), { requestId: "d" })).action).toBe("run");
    expect(await rate("all_deploys", [])).toBe(3);
  });
});

describe("concurrency", () => {
  async function race(store: MemoryStateStore | FileStateStore, clock: ManualClock) {
    const gw = await createGateway({ engine: engine(), store, clock, ids: sequentialIds("t") });
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => gw.check(spend(7), { requestId: `c${i}` })));
    return { gw, results };
  }

  it("200 simultaneous reservations against one budget never overshoot (memory store)", async () => {
    const clock = new ManualClock(Date.parse("2026-03-10T12:00:00Z"));
    const { gw, results } = await race(new MemoryStateStore({ clock }), clock);
    expect(results.filter((r) => r.action === "run")).toHaveLength(14); // 14 × 7 = 98 ≤ 100 < 105
    expect(results.filter((r) => r.action === "refuse").every((r) => r.reason === "limit `daily_spend` reached: budget 100 usd per day")).toBe(true);
    expect(await gw.limits.used({ ...charge, kind: "budget", amount: 0, cap: 100 })).toBe(98);
  });

  it("200 simultaneous reservations never overshoot (file store), and the count survives a restart", async () => {
    const path = join(await mkdtemp(join(tmpdir(), "agp-state-")), "state.jsonl");
    const clock = new ManualClock(Date.parse("2026-03-10T12:00:00Z"));
    const store = await FileStateStore.open(path, { clock });
    const { results } = await race(store, clock);
    expect(results.filter((r) => r.action === "run")).toHaveLength(14);
    await store.close();
    const reopened = await createGateway({ engine: engine(), store: await FileStateStore.open(path, { clock }), clock });
    expect(await reopened.limits.used({ ...charge, kind: "budget", amount: 0, cap: 100 })).toBe(98);
    expect((await reopened.check(spend(3), { requestId: "late" })).action).toBe("refuse");
  });

  it("the same request id checked concurrently runs once", async () => {
    const { gw } = await gateway();
    const results = await Promise.all(Array.from({ length: 20 }, () => gw.check(spend(10), { requestId: "same" })));
    expect(results.filter((r) => r.action === "run" && r.repeated !== true)).toHaveLength(1);
    expect(await gw.limits.used({ ...charge, kind: "budget", amount: 0, cap: 100 })).toBe(10);
  });
});

describe("windows", () => {
  it("day and month windows are UTC calendar days and months; a boundary moment starts the new window", () => {
    const day = { count: 1, unit: "day" } as const;
    expect(windowAt(Date.parse("2026-03-10T23:59:59.999Z"), day)).toEqual({ start: Date.parse("2026-03-10T00:00:00Z"), end: Date.parse("2026-03-11T00:00:00Z") });
    expect(windowAt(Date.parse("2026-03-11T00:00:00Z"), day).start).toBe(Date.parse("2026-03-11T00:00:00Z"));
    expect(windowAt(Date.parse("2026-02-28T12:00:00Z"), { count: 1, unit: "month" })).toEqual({ start: Date.parse("2026-02-01T00:00:00Z"), end: Date.parse("2026-03-01T00:00:00Z") });
    expect(windowAt(Date.parse("2026-12-31T23:59:59.999Z"), { count: 1, unit: "month" }).end).toBe(Date.parse("2027-01-01T00:00:00Z"));
    expect(windowAt(Date.parse("2026-05-15T00:00:00Z"), { count: 3, unit: "month" }).start).toBe(Date.parse("2026-04-01T00:00:00Z"));
    expect(windowAt(Date.parse("2026-03-11T09:00:00Z"), { count: 1, unit: "week" }).start).toBe(Date.parse("2026-03-09T00:00:00Z")); // a Monday
    expect(windowAt(Date.parse("2026-03-10T12:34:56Z"), { count: 10, unit: "minute" })).toEqual({ start: Date.parse("2026-03-10T12:30:00Z"), end: Date.parse("2026-03-10T12:40:00Z") });
  });

  it("the budget is full at 23:59:59.999 and fresh at midnight UTC", async () => {
    const clock = new ManualClock(Date.parse("2026-03-10T23:59:59.999Z"));
    const { gw } = await gateway({ clock });
    expect((await gw.check(spend(100), { requestId: "a" })).action).toBe("run");
    expect((await gw.check(spend(1), { requestId: "b" })).action).toBe("refuse");
    clock.set("2026-03-11T00:00:00.000Z");
    expect((await gw.check(spend(100), { requestId: "c" })).action).toBe("run");
  });

  it("a monthly budget is full on the last millisecond of the month and fresh on the 1st, UTC", async () => {
    const policy = `rule aws_sandbox: allow aws.* when args.account == "sandbox"\nlimit monthly: budget 1000 usd per month per agent on aws.ec2.* cost args.estimated_cost_usd`;
    const clock = new ManualClock(Date.parse("2026-03-01T00:00:00Z"));
    const { gw } = await gateway({ engine: engine(policy), clock });
    expect((await gw.check(spend(600), { requestId: "a" })).action).toBe("run");
    clock.set("2026-03-31T23:59:59.999Z");
    expect((await gw.check(spend(400), { requestId: "b" })).action).toBe("run");
    expect(await gw.check(spend(1), { requestId: "c" })).toMatchObject({ action: "refuse", reason: "limit `monthly` reached: budget 1000 usd per month" });
    clock.set("2026-04-01T00:00:00.000Z");
    expect((await gw.check(spend(1000), { requestId: "d" })).action).toBe("run");
  });

  it("a refund after the window rolled over gives nothing to the new window", async () => {
    const clock = new ManualClock(Date.parse("2026-03-10T23:59:00Z"));
    const { gw } = await gateway({ clock });
    await gw.check(spend(60), { requestId: "a" });
    clock.set("2026-03-11T00:01:00Z");
    await gw.check(spend(70), { requestId: "b" });
    await gw.report("a", "failed");
    expect(await gw.limits.used({ ...charge, kind: "budget", amount: 0, cap: 100 })).toBe(70);
    expect((await gw.check(spend(31), { requestId: "c" })).action).toBe("refuse");
  });

  it("clock skew: a gateway whose clock lags cannot reopen the window a faster one has started", async () => {
    const ahead = new ManualClock(Date.parse("2026-03-11T00:00:02Z"));
    const behind = new ManualClock(Date.parse("2026-03-10T23:59:59Z"));
    const store = new MemoryStateStore({ clock: ahead });
    const fast = await createGateway({ engine: engine(), store, clock: ahead });
    const slow = await createGateway({ engine: engine(), store, clock: behind });
    expect((await fast.check(spend(90), { requestId: "f1" })).action).toBe("run");
    // The slow gateway still thinks it is yesterday; its charge counts against the newest window.
    expect((await slow.check(spend(20), { requestId: "s1" })).action).toBe("refuse");
    expect((await slow.check(spend(10), { requestId: "s2" })).action).toBe("run");
    expect(await fast.limits.used({ ...charge, kind: "budget", amount: 0, cap: 100 })).toBe(100);
  });

  it("clock skew: a clock stepping back does not reopen a spent window", async () => {
    const clock = new ManualClock(Date.parse("2026-03-11T00:00:01Z"));
    const { gw } = await gateway({ clock });
    await gw.check(spend(100), { requestId: "a" });
    clock.advance(-5_000); // NTP steps the clock back into yesterday
    expect((await gw.check(spend(50), { requestId: "b" })).action).toBe("refuse");
  });
});
