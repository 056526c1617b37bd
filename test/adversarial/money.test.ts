/**
 * Class E: money. A budget at or over its cap refuses every further charge,
 * whatever the estimate — in the store, in both engines and so in the
 * gateway, which must all agree. A commit may record more than was reserved
 * (the money was spent) but never silently: the overrun is reported and
 * audited, and the budget stays closed until its window rolls over.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { ManualClock, MemoryStateStore, readAuditEntries, verifyAudit, type DecisionEngine } from "../../runtime/governance/index.js";
import type { PolicyEngine } from "../../runtime/index.js";
import type { Interpreter } from "../../compiler/interpret/index.js";
import { checkText, pairOf } from "../compile/harness.js";
import { CATALOGS } from "../interpret/harness.js";
import { deploy, engine, gateway, spend } from "../governance/harness.js";
import { MONEY_POLICY, runs } from "./gateway-harness.js";

const REACHED = "limit `daily_spend` reached: budget 500 usd per day";

describe("a budget at or over its cap is closed", () => {
  it("estimates of 0 and actual costs afterwards: 600 of 500 refuses the next request (the reproducer)", async () => {
    const { gw, sink } = await gateway({ engine: engine(MONEY_POLICY) });
    const first = await gw.check(spend(0), { requestId: "s1" });
    expect(first.action).toBe("run");
    const reported = await gw.report("s1", "succeeded", { actualCost: 600 });
    expect(reported).toMatchObject({ ok: true, overruns: [{ limit: "daily_spend", cap: 500, used: 600, reserved: 0, actual: 600 }] });
    expect(readAuditEntries(sink.text()).at(-1)).toMatchObject({ kind: "outcome", overruns: [{ limit: "daily_spend", cap: 500, used: 600, reserved: 0, actual: 600 }] });
    expect(await gw.check(spend(0), { requestId: "s2" })).toMatchObject({ action: "refuse", reason: REACHED });
    expect(await gw.check(spend(0.01), { requestId: "s3" })).toMatchObject({ action: "refuse", reason: REACHED });
    expect(verifyAudit(sink.text()).ok).toBe(true);
  });

  it("exactly at the cap is closed too, even for an estimate of 0", async () => {
    const { gw } = await gateway({ engine: engine(MONEY_POLICY) });
    expect((await gw.check(spend(500), { requestId: "a" })).action).toBe("run");
    expect(await gw.check(spend(0), { requestId: "b" })).toMatchObject({ action: "refuse", reason: REACHED });
    await gw.report("a", "succeeded", { actualCost: 499.5 });
    expect((await gw.check(spend(0), { requestId: "c" })).action).toBe("run");
    expect((await gw.check(spend(0.5), { requestId: "d" })).action).toBe("run");
    expect(await gw.check(spend(0), { requestId: "e" })).toMatchObject({ action: "refuse", reason: REACHED });
  });

  it("a rate limit at its cap refuses the next one", async () => {
    const { gw } = await gateway({ engine: engine(MONEY_POLICY) });
    expect((await gw.check(deploy(), { requestId: "d1" })).action).toBe("run");
    expect((await gw.check(deploy(), { requestId: "d2" })).action).toBe("run");
    expect(await gw.check(deploy(), { requestId: "d3" })).toMatchObject({ action: "refuse", reason: "limit `deploy_rate` reached: 2 per hour" });
  });

  it("an overrun closes the budget until its window rolls over", async () => {
    const clock = new ManualClock("2026-03-10T12:00:00Z");
    const { gw } = await gateway({ engine: engine(MONEY_POLICY), clock });
    await gw.check(spend(100), { requestId: "a" });
    expect(await gw.report("a", "succeeded", { actualCost: { daily_spend: 700 } })).toMatchObject({ ok: true, overruns: [{ limit: "daily_spend", used: 700, reserved: 100, actual: 700 }] });
    clock.set("2026-03-10T23:59:59Z");
    expect((await gw.check(spend(0), { requestId: "b" })).action).toBe("refuse");
    clock.set("2026-03-11T00:00:00Z");
    expect((await gw.check(spend(0), { requestId: "c" })).action).toBe("run");
  });

  it("concurrent underestimates pass the cap by at most their sum, and then nothing runs", async () => {
    const { gw } = await gateway({ engine: engine(MONEY_POLICY) });
    await gw.check(spend(450), { requestId: "base" });
    await gw.report("base", "succeeded");
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => gw.check(spend(0), { requestId: `z${i}` })));
    expect(answers.every((a) => a.action === "run")).toBe(true);
    const reports = await Promise.all(answers.map((a) => gw.report(a.requestId, "succeeded", { actualCost: 20 })));
    const flagged = reports.filter((r) => r.ok && r.overruns.length > 0).length;
    expect(flagged).toBe(6); // 450 + 20 + 20 + 20 = 510 > 500: the third and later commits are past the cap
    expect(await gw.limits.used(answers[0]!.decision.limits[0]!)).toBe(450 + 8 * 20);
    expect(await gw.check(spend(0), { requestId: "after" })).toMatchObject({ action: "refuse", reason: REACHED });
  });
});

describe("the store's rule, stated exactly", () => {
  const op = (amount: number, cap?: number) => ({ key: "k", window: 0, amount, exact: false, expiresAt: Date.UTC(2027, 0, 1), ...(cap === undefined ? {} : { cap }) });

  it("a capped op fails at or over the cap even for 0; an uncapped one never does", async () => {
    const store = new MemoryStateStore({ clock: new ManualClock("2026-03-10T12:00:00Z") });
    expect(await store.charge([op(500, 500)])).toEqual({ ok: true, used: [500] });
    expect(await store.charge([op(0, 500)])).toEqual({ ok: false, index: 0, used: 500 });
    expect(await store.charge([op(100)])).toEqual({ ok: true, used: [600] });
    expect(await store.charge([op(0, 500)])).toEqual({ ok: false, index: 0, used: 600 });
    expect(await store.charge([op(-200, 500)])).toEqual({ ok: true, used: [400] });
    expect(await store.charge([op(0, 500), op(100, 500), op(1, 500)])).toEqual({ ok: false, index: 2, used: 500 });
    expect(await store.counter("k")).toEqual({ window: 0, used: 400 });
  });

  it("an op that is not integers of safe magnitude is a TypeError, changing nothing", async () => {
    const store = new MemoryStateStore({ clock: new ManualClock("2026-03-10T12:00:00Z") });
    await expect(store.charge([op(5), op(1.5)])).rejects.toThrow("charge: op 1 has amount 1.5; amounts are integers (micro-units) of magnitude at most 9007199254740991");
    await expect(store.charge([op(Infinity)])).rejects.toThrow("charge: op 0 has amount Infinity; amounts are integers (micro-units) of magnitude at most 9007199254740991");
    await expect(store.charge([op(1, -1)])).rejects.toThrow("charge: op 0 has cap -1; caps are integers (micro-units) from 0 to 9007199254740991");
    expect(await store.counter("k")).toBeUndefined();
    expect(await store.charge([op(9007199254740991), op(9007199254740991)])).toEqual({ ok: true, used: [9007199254740991, 9007199254740991] });
  });
});

describe("store, interpreter and compiled module agree on every counter", () => {
  let wasm: PolicyEngine;
  let interpreter: Interpreter;
  beforeAll(() => {
    const { checked, catalogs } = checkText({ "policy.agp": MONEY_POLICY }, CATALOGS);
    ({ engine: wasm, interpreter } = pairOf(checked, catalogs));
  }, 120_000);

  it("capped exactly when the store refuses the reservation", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1000 }), fc.constantFrom(0, 0, 1, 25, 499, 500, 501), async (used, cost) => {
        const state = { counters: { daily_spend: used } };
        const request = spend(cost);
        const byInterpreter = interpreter.decide(request, state).effect;
        const byModule = wasm.decide(request, state).effect;
        expect(byModule).toBe(byInterpreter);
        const store = new MemoryStateStore({ clock: new ManualClock("2026-03-10T12:00:00Z") });
        if (used > 0) await store.charge([{ key: "k", window: 0, amount: used * 1e6, exact: false, expiresAt: Date.UTC(2027, 0, 1) }]);
        const charged = await store.charge([{ key: "k", window: 0, amount: cost * 1e6, cap: 500 * 1e6, exact: false, expiresAt: Date.UTC(2027, 0, 1) }]);
        expect(byInterpreter).toBe(charged.ok ? "allow" : "deny");
        expect(byInterpreter === "deny").toBe(used >= 500 || used + cost > 500);
      }),
      { numRuns: runs(300), seed: 1102 },
    );
  });

  it("the gateway over the compiled module closes the budget at the cap as well", async () => {
    const live: DecisionEngine = { decide: (r, s) => wasm.decide(r, s), policy: wasm.policy };
    const { gw } = await gateway({ engine: live });
    await gw.check(spend(0), { requestId: "a" });
    await gw.report("a", "succeeded", { actualCost: 600 });
    expect(await gw.check(spend(0), { requestId: "b" })).toMatchObject({ action: "refuse", reason: REACHED });
  });
});
