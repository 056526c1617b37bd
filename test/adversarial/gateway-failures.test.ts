/**
 * Class D: the gateway never throws on request content and never leaks
 * state. A shadow candidate or live engine that misbehaves, an audit sink
 * that fails, a reused request id, a cost that is not a number a counter can
 * hold: each gets a clear answer, nothing stays reserved, the chain verifies.
 * Plus generated interleavings of check / report / failing sink / kill.
 */
import { readFile } from "node:fs/promises";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { openFileGateway } from "../../runtime/node/index.js";
import { ManualClock, MemoryStateStore, readAuditEntries, verifyAudit, type CheckResult, type DecisionEngine, type Gateway } from "../../runtime/governance/index.js";
import { policy } from "../interpret/harness.js";
import { AGENT, ALICE, BOB, CAROL, engine, gateway, merge, request, shell, spend } from "../governance/harness.js";
import { FlakySink, MONEY_POLICY, runs } from "./gateway-harness.js";

const REFUSED_UNAUDITED = "the audit log could not be written: disk full; nothing runs without its audit entry, so this request is refused (it may be retried with the same request id)";

describe("a shadow candidate never affects the answer", () => {
  const candidates: [string, DecisionEngine["decide"], string][] = [
    ["throws a non-Error", () => { throw Object.create(null); }, "the candidate engine failed: a value that is not an Error"],
    ["throws a string", () => { throw "nope"; }, "the candidate engine failed: nope"],
    ["returns undefined", () => undefined as never, "the candidate engine returned undefined, not a decision"],
    ["returns a Promise", () => Promise.reject(new Error("later")) as never, "the candidate engine returned a Promise; `decide` must return a decision synchronously"],
    ["returns a non-decision", () => ({ effect: "maybe" }) as never, "the candidate engine returned an object that is not a decision (it needs effect, rules and reasons)"],
    ["returns a decision with a throwing getter", () => ({ get effect(): never { throw new Error("x"); } }) as never, "the candidate engine returned a decision that cannot be read: `effect` is a getter; the gateway reads plain data properties only"],
  ];
  for (const [what, decide, reason] of candidates) {
    it(`a candidate that ${what} counts as a deny`, async () => {
      const { gw, sink } = await gateway({ shadow: { decide, policy: { hash: "sha256:candidate", version: "2.0.0" } } });
      const answer = await gw.check(shell(), { requestId: "s" });
      expect(answer.action).toBe("run");
      expect(readAuditEntries(sink.text())[0]!["shadow"]).toEqual({ policy: { hash: "sha256:candidate", version: "2.0.0" }, effect: "deny", rules: [], reasons: [reason] });
      expect(gw.shadow!.summary()).toMatchObject({ total: 1, effectChanges: { "allow→deny": 1 } });
    });
  }

  it("a candidate without a policy is refused when the gateway is built", async () => {
    await expect(gateway({ shadow: { decide: () => undefined as never } as never })).rejects.toThrow("the shadow engine needs `policy: { hash, version }` (strings): the bundle that decides");
  });
});

describe("a live engine that fails is a refusal, not a throw", () => {
  it("throws, or returns something that is not a decision", async () => {
    const failing: [DecisionEngine["decide"], string][] = [
      [() => { throw new RangeError("too deep"); }, "the policy engine failed: too deep"],
      [() => null as never, "the policy engine returned nothing that is a decision"],
      [() => ({ effect: "allow" }) as never, "the policy engine returned a decision without rules and reasons"],
    ];
    for (const [i, [decide, reason]] of failing.entries()) {
      const { gw, sink } = await gateway({ engine: { decide, policy: { hash: "h", version: "1" } } });
      const answer = await gw.check(shell(), { requestId: `e${i}` });
      expect(answer).toMatchObject({ action: "refuse", reason, decision: { effect: "deny", error: { code: "internal_error", message: reason } } });
      expect(readAuditEntries(sink.text())).toHaveLength(1);
      expect(await gw.trust!.tier("ci-fixer")).toBe(2); // the engine's failure is not the agent's
    }
  });

  it("a charge no counter can hold is refused before anything is reserved", async () => {
    const interpreter = policy(MONEY_POLICY);
    const live: DecisionEngine = {
      decide: (r, s) => {
        const d = interpreter.decide(r, s);
        return { ...d, limits: d.limits.map((c) => ({ ...c, amount: Infinity })) };
      },
      policy: { hash: "h", version: "1" },
    };
    const { gw } = await gateway({ engine: live });
    const answer = await gw.check(spend(5), { requestId: "inf" });
    expect(answer).toMatchObject({ action: "refuse", reason: "this request cannot be charged: the charge of limit `daily_spend` is Infinity; a cost must be a number from 0 to 9007199254" });
    expect(await gw.limits.get("inf")).toBeUndefined();
  });
});

describe("a failed audit write rolls back and refuses", () => {
  it("one transient sink failure: nothing stays reserved, the id is retryable, the chain verifies and says a write failed", async () => {
    const sink = new FlakySink();
    const { gw } = await gateway({ engine: engine(MONEY_POLICY), audit: sink });
    sink.failures = 1;
    const failed = await gw.check(spend(60), { requestId: "r1" });
    expect(failed).toMatchObject({ action: "refuse", reason: REFUSED_UNAUDITED });
    expect(await gw.limits.get("r1")).toBeUndefined();
    expect(await gw.limits.used(failed.decision.limits[0]!)).toBe(0);
    const retried = await gw.check(spend(60), { requestId: "r1" });
    expect(retried.action).toBe("run");
    expect(await gw.limits.used(retried.decision.limits[0]!)).toBe(60);
    const verified = verifyAudit(sink.text());
    expect(verified).toMatchObject({ ok: true, entries: 3, head: gw.audit.head });
    expect(readAuditEntries(sink.text()).map((e) => [e.kind, e["result"] ?? null])).toEqual([
      ["audit.write_failed", null],
      ["decision", "refuse"],
      ["decision", "run"],
    ]);
    expect(readAuditEntries(sink.text())[0]).toMatchObject({ entries: 1, error: "disk full" });
    expect(failed.audit).toBe(readAuditEntries(sink.text())[1]!.hash);
  });

  it("a sink that stays broken: the refusal is unaudited (audit \"\"), and nothing is held", async () => {
    const sink = new FlakySink();
    const { gw } = await gateway({ engine: engine(MONEY_POLICY), audit: sink });
    sink.broken = true;
    const answers = await Promise.all([1, 2, 3].map((i) => gw.check(spend(100), { requestId: `b${i}` })));
    for (const a of answers) expect(a).toMatchObject({ action: "refuse", audit: "", reason: REFUSED_UNAUDITED });
    expect(await gw.limits.used(answers[0]!.decision.limits[0]!)).toBe(0);
    sink.broken = false;
    expect((await gw.check(spend(100), { requestId: "b1" })).action).toBe("run");
    expect(verifyAudit(sink.text()).ok).toBe(true);
    expect(readAuditEntries(sink.text())[0]).toMatchObject({ kind: "audit.write_failed", entries: 6 });
  });

  it("an approval consumed by a check whose entry failed is given back", async () => {
    const sink = new FlakySink();
    const { gw } = await gateway({ audit: sink });
    const parked = await gw.check(merge(), { requestId: "m1" });
    await gw.approvals.approve(parked.ticket!.id, BOB);
    await gw.approvals.approve(parked.ticket!.id, CAROL);
    sink.failures = 1;
    expect((await gw.check(merge(), { requestId: "m1" })).reason).toBe(REFUSED_UNAUDITED);
    expect((await gw.approvals.get(parked.ticket!.id))!.status).toBe("approved");
    expect((await gw.check(merge(), { requestId: "m1" })).action).toBe("run");
    expect((await gw.approvals.get(parked.ticket!.id))!.status).toBe("used");
  });

  it("approve, reject, release and report are taken back when their entry cannot be written", async () => {
    const sink = new FlakySink();
    const { gw } = await gateway({ engine: engine(MONEY_POLICY), audit: sink });
    const parked = await gw.check(shell("review"), { requestId: "w" });
    sink.failures = 1;
    expect(await gw.approvals.approve(parked.ticket!.id, { id: "ops-1", groups: ["ops"] })).toEqual({
      ok: false,
      code: "audit_failed",
      message: "the audit log could not be written: disk full; the approval was not recorded, try again",
    });
    expect((await gw.approvals.get(parked.ticket!.id))!.approvals).toEqual([]);
    sink.failures = 1;
    expect(await gw.approvals.reject(parked.ticket!.id, { id: "ops-1", groups: ["ops"] }, "no")).toMatchObject({ ok: false, code: "audit_failed" });
    expect((await gw.approvals.get(parked.ticket!.id))!.status).toBe("pending");

    await gw.kill.engage({ scope: "global" }, { by: "ana", reason: "drill" });
    sink.failures = 1;
    await expect(gw.kill.release({ scope: "global" }, { by: "ana", reason: "over" })).rejects.toThrow("the audit log could not be written: disk full");
    expect(await gw.kill.list()).toHaveLength(1);
    await gw.kill.release({ scope: "global" }, { by: "ana", reason: "over" });

    const ran = await gw.check(spend(100), { requestId: "s" });
    sink.failures = 1;
    expect(await gw.report("s", "succeeded", { actualCost: 30 })).toEqual({ ok: false, code: "audit_failed", message: "the audit log could not be written: disk full; the report was not recorded, report again" });
    expect(await gw.limits.get("s")).toMatchObject({ status: "reserved" });
    expect(await gw.limits.used(ran.decision.limits[0]!)).toBe(100);
    expect(await gw.report("s", "succeeded", { actualCost: 30 })).toMatchObject({ ok: true });
    expect(await gw.limits.used(ran.decision.limits[0]!)).toBe(30);
    expect(verifyAudit(sink.text()).ok).toBe(true);
  });
});

/** A memory store whose every call fails while `down` (a shared store that is unreachable or times out). */
class FailingStore extends MemoryStateStore {
  down = false;
  /** Fail only the nth call from now (0 = the next), then recover; undefined: use `down`. */
  failAt: number | undefined;
  private guard(): void {
    if (this.failAt !== undefined) {
      if (this.failAt-- === 0) throw new Error("no reply within 1000 ms");
      return;
    }
    if (this.down) throw new Error("no reply within 1000 ms");
  }
  override async get(key: string) {
    this.guard();
    return super.get(key);
  }
  override async getMany(keys: readonly string[]) {
    this.guard();
    return super.getMany(keys);
  }
  override async compareAndSet(...args: Parameters<MemoryStateStore["compareAndSet"]>) {
    this.guard();
    return super.compareAndSet(...args);
  }
  override async charge(...args: Parameters<MemoryStateStore["charge"]>) {
    this.guard();
    return super.charge(...args);
  }
}

const STORE_DOWN =
  "the gateway could not complete this check: no reply within 1000 ms; nothing was run, so this request is refused (it may be retried with the same request id)";

describe("a state store that fails is a refusal, not a throw", () => {
  it("a store that is down: every check refuses with the reason, audited, and nothing stays reserved", async () => {
    const clock = new ManualClock(Date.parse("2026-03-10T12:00:00Z"));
    const store = new FailingStore({ clock });
    const { gw, sink } = await gateway({ engine: engine(MONEY_POLICY), store, clock });
    store.down = true;
    const answer = await gw.check(spend(60), { requestId: "r1" });
    expect(answer).toMatchObject({ action: "refuse", reason: STORE_DOWN });
    expect(readAuditEntries(sink.text()).map((e) => [e.kind, e["result"], e["reason"]])).toEqual([["decision", "refuse", STORE_DOWN]]);
    store.down = false;
    const retried = await gw.check(spend(60), { requestId: "r1" });
    expect(retried.action).toBe("run");
    expect(await gw.limits.used(retried.decision.limits[0]!)).toBe(60);
  });

  it("whichever store call fails, the check never runs, never throws, and never charges twice (generated)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 24 }), fc.integer({ min: 1, max: 99 }), async (failAt, cost) => {
        const clock = new ManualClock(Date.parse("2026-03-10T12:00:00Z"));
        const store = new FailingStore({ clock });
        const { gw } = await gateway({ engine: engine(MONEY_POLICY), store, clock });
        store.failAt = failAt;
        const answer = await gw.check(spend(cost), { requestId: "r" });
        store.failAt = undefined;
        const used = answer.decision.limits[0] === undefined ? 0 : await gw.limits.used(answer.decision.limits[0]);
        if (answer.action === "run") {
          // The failure came after the answer was complete (or not at all): the run is charged once.
          expect(used).toBe(cost);
        } else {
          expect(answer.reason).toBe(STORE_DOWN);
          // Fail closed: a charge whose own outcome the store never told may stay counted (never more than once)
          // under a "pending" claim until its window ends; every other failure gives everything back.
          const left = await gw.limits.get("r");
          if (left === undefined) expect(used).toBe(0);
          else expect(left.status).toBe("pending");
          expect([0, cost]).toContain(used);
          expect((await gw.check(spend(cost), { requestId: "r-retry" })).action).toBe("run");
        }
      }),
      { numRuns: 40, seed: 11 },
    );
  });
});

describe("a repeated request id must be the whole same request", () => {
  it("another env, human or context is refused, audited as its own answer; the same request gets the first run", async () => {
    const { gw, sink } = await gateway();
    const first = await gw.check(shell(), { requestId: "r" });
    expect(first.action).toBe("run");
    for (const [i, other] of [shell("ls", { env: "staging" }), shell("ls", { human: ALICE }), shell("ls", { context: { session: "s-2" } })].entries()) {
      const answer = await gw.check(other, { requestId: "r" });
      expect(answer).toMatchObject({ action: "refuse", reason: "request id `r` was already used for another request" });
      expect(answer.repeated).toBeUndefined();
      expect(readAuditEntries(sink.text())[i + 1]).toMatchObject({ requestId: "r", result: "refuse", hash: answer.audit });
    }
    const again = await gw.check(shell(), { requestId: "r" });
    expect(again).toMatchObject({ action: "run", repeated: true, audit: first.audit });
    await gw.report("r", "succeeded");
    expect(await gw.check(shell(), { requestId: "r" })).toMatchObject({ action: "refuse", reason: "request id `r` was already run and reported as succeeded" });
  });

  it("the gateway example in docs/governance.md never runs a tool twice for one call", async () => {
    const doc = await readFile("docs/governance.md", "utf8");
    const source = /(async function onToolCall[\s\S]*?\n\})\n/.exec(doc)?.[1];
    expect(source).toBeDefined();
    const js = ts.transpileModule(source!, { compilerOptions: { target: ts.ScriptTarget.ES2022 } }).outputText;
    const { gw } = await gateway();
    let runsOfTool = 0;
    let finish!: () => void;
    const toolRuns = new Promise<void>((resolve) => (finish = resolve));
    const runTool = async () => {
      if (++runsOfTool === 1) await toolRuns; // the first run is still running when the same call comes in again
      return { costUsd: 0 };
    };
    const refusal = (reason: string) => ({ refused: reason });
    const onToolCall = new Function("gateway", "runTool", "refusal", "notifyApprovers", "process", `${js}\nreturn onToolCall;`)(gw, runTool, refusal, () => undefined, { env: {} }) as (call: object) => Promise<unknown>;
    const call = { id: "c1", agentId: AGENT.id, agentGroups: AGENT.groups, tool: "shell.exec", arguments: { command: "ls", timeout_seconds: 60, write_paths: [] }, sessionId: "s", reasoning: "r" };
    const first = onToolCall(call);
    while (runsOfTool === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    const concurrent = await Promise.all([onToolCall(call), onToolCall(call)]); // a client retrying while the tool runs
    finish();
    await first;
    const after = await onToolCall(call); // and once it has been reported
    expect(runsOfTool).toBe(1);
    for (const r of [...concurrent, after]) expect(r).toHaveProperty("refused");
  });
});

describe("costs must be amounts a counter can hold", () => {
  it("report refuses non-finite, negative, unknown-limit and non-number costs, changing nothing", async () => {
    const { gw } = await gateway({ engine: engine(MONEY_POLICY) });
    const ran = await gw.check(spend(50), { requestId: "s" });
    const refused: [unknown, string][] = [
      [1e303, "`actualCost` must be a finite number from 0 to 9007199254, got 1e+303"],
      [Infinity, "`actualCost` must be a finite number from 0 to 9007199254, got Infinity"],
      [Number.NaN, "`actualCost` must be a finite number from 0 to 9007199254, got NaN"],
      [-1, "`actualCost` must be a finite number from 0 to 9007199254, got -1"],
      ["5", "`actualCost` must be a number or an object of limit id → cost, got the string \"5\""],
      [{ daily_spnd: 5 }, "`actualCost` names `daily_spnd`, which is not a budget this request was charged against (its budgets: `daily_spend`)"],
      [{ daily_spend: -0.5 }, "`actualCost.daily_spend` must be a finite number from 0 to 9007199254, got -0.5"],
    ];
    for (const [actualCost, message] of refused) {
      expect(await gw.report("s", "succeeded", { actualCost: actualCost as number })).toEqual({ ok: false, code: "invalid", message });
    }
    expect(await gw.report("s", "succeeded", { actualCost: 5, extra: 1 } as never)).toEqual({ ok: false, code: "invalid", message: "unknown report option `extra`; use actualCost or detail" });
    expect(await gw.limits.get("s")).toMatchObject({ status: "reserved" });
    expect(await gw.limits.used(ran.decision.limits[0]!)).toBe(50);
    expect(await gw.report("s", "succeeded", { actualCost: 20 })).toMatchObject({ ok: true, overruns: [] });
    expect(await gw.limits.used(ran.decision.limits[0]!)).toBe(20);
  });

  it("a budget pushed over its cap by a real cost stays closed after a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "agp-money-"));
    const clock = new ManualClock("2026-03-10T12:00:00Z");
    let gw: Gateway = await openFileGateway(dir, { engine: engine(MONEY_POLICY), clock, fsync: "never" });
    await gw.check(spend(0), { requestId: "s" });
    expect(await gw.report("s", "succeeded", { actualCost: 1e9 })).toMatchObject({ ok: true, overruns: [{ limit: "daily_spend", cap: 500, used: 1e9, reserved: 0, actual: 1e9 }] });
    await gw.close();
    gw = await openFileGateway(dir, { engine: engine(MONEY_POLICY), clock, fsync: "never" });
    expect(await gw.check(spend(0), { requestId: "t" })).toMatchObject({ action: "refuse", reason: "limit `daily_spend` reached: budget 500 usd per day" });
    await gw.close();
  });
});

describe("generated interleavings", () => {
  type Step =
    | { readonly kind: "check"; readonly id: number; readonly cost: number }
    | { readonly kind: "report"; readonly id: number; readonly outcome: "succeeded" | "failed" | "rolled_back"; readonly cost: number | undefined }
    | { readonly kind: "sink"; readonly failures: number }
    | { readonly kind: "kill"; readonly on: boolean };
  const step: fc.Arbitrary<Step> = fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant("check" as const), id: fc.integer({ min: 1, max: 12 }), cost: fc.constantFrom(0, 0, 40, 120, 250) }), weight: 5 },
    {
      arbitrary: fc.record({ kind: fc.constant("report" as const), id: fc.integer({ min: 1, max: 12 }), outcome: fc.constantFrom("succeeded" as const, "failed" as const, "rolled_back" as const), cost: fc.option(fc.constantFrom(0, 30, 300, 900, -1, Infinity), { nil: undefined }) }),
      weight: 3,
    },
    { arbitrary: fc.record({ kind: fc.constant("sink" as const), failures: fc.integer({ min: 0, max: 2 }) }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant("kill" as const), on: fc.boolean() }), weight: 1 },
  );

  it("no reservation leaks, the chain verifies, no run is reserved past the cap", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 30 }), async (steps) => {
        const sink = new FlakySink();
        const { gw } = await gateway({ engine: engine(MONEY_POLICY), audit: sink });
        /** The model: what each unreported run holds, and what reports committed. */
        const held = new Map<string, number>();
        let committed = 0;
        const charge = (await gw.check(spend(0), { requestId: "probe" })).decision.limits[0]!;
        await gw.report("probe", "failed");
        for (const s of steps) {
          const usedBefore = await gw.limits.used(charge);
          if (s.kind === "sink") sink.failures = s.failures;
          else if (s.kind === "kill") {
            if (s.on) await gw.kill.engage({ scope: "family", name: "aws" }, { by: "ana", reason: "drill" }).catch(() => undefined);
            else await gw.kill.release({ scope: "family", name: "aws" }, { by: "ana", reason: "over" }).catch(() => undefined);
          } else if (s.kind === "check") {
            const id = `r${s.id}`;
            let answer: CheckResult;
            answer = await gw.check(spend(s.cost), { requestId: id });
            if (answer.action === "run" && answer.repeated !== true) {
              expect(usedBefore).toBeLessThan(500);
              expect(usedBefore + s.cost).toBeLessThanOrEqual(500);
              held.set(id, s.cost);
            }
            if (answer.audit === "") expect(answer.action).toBe("refuse");
            else expect(readAuditEntries(sink.text()).some((e) => e.hash === answer.audit)).toBe(true);
          } else {
            const id = `r${s.id}`;
            const result = await gw.report(id, s.outcome, s.cost === undefined ? {} : { actualCost: s.cost });
            if (result.ok) {
              const reserved = held.get(id)!;
              held.delete(id);
              if (s.outcome !== "failed" || s.cost !== undefined) committed += s.cost ?? reserved;
            }
          }
          const expected = [...held.values()].reduce((a, b) => a + b, 0) + committed;
          expect(await gw.limits.used(charge)).toBeCloseTo(expected, 6);
          for (const [id] of held) expect(await gw.limits.get(id)).toMatchObject({ status: "reserved" });
          expect(verifyAudit(sink.text()).ok).toBe(true);
        }
      }),
      { numRuns: runs(60), seed: 1103 },
    );
  });
});
