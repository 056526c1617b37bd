/**
 * Kill switches: global, per agent, per action family; deny before
 * evaluation in constant time; audited with who and why; released only
 * explicitly; survive a restart; stop requests in flight.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ManualClock, MemoryStateStore, createGateway, readAuditEntries, type CounterOp, type StateStore } from "../../runtime/governance/index.js";
import { FileStateStore } from "../../runtime/node/index.js";
import { deploy, engine, gateway, shell, spend } from "./harness.js";

const ops = { by: "oncall-ana", reason: "incident 42" };

describe("kill switch", () => {
  it("global: every request is refused before the policy is evaluated, with who and why", async () => {
    let evaluated = 0;
    const live = engine();
    const counting = { policy: live.policy, decide: (r: unknown, s?: object) => (evaluated++, live.decide(r, s)) };
    const { gw } = await gateway({ engine: counting });
    await gw.kill.engage({ scope: "global" }, ops);
    const result = await gw.check(deploy(), { requestId: "r1" });
    expect(result).toMatchObject({
      action: "refuse",
      reason: "kill switch `global` is engaged (by oncall-ana: incident 42)",
      decision: { effect: "deny", rules: [], reasons: ["kill switch `global` is engaged"], audit: "notice", limits: [], policy: live.policy },
    });
    expect(evaluated).toBe(0);
  });

  it("per agent and per family: only what they cover", async () => {
    const { gw } = await gateway();
    await gw.kill.engage({ scope: "agent", name: "ci-fixer" }, ops);
    expect((await gw.check(deploy(), { requestId: "a" })).reason).toBe("kill switch `ci-fixer` is engaged (by oncall-ana: incident 42)");
    expect((await gw.check(deploy("api", { agent: { id: "other", groups: [], trust: 2 } }), { requestId: "b" })).action).toBe("run");
    await gw.kill.engage({ scope: "family", name: "aws" }, ops);
    expect((await gw.check(spend(1, { agent: { id: "other", groups: [], trust: 2 } }), { requestId: "c" })).reason).toBe("kill switch `aws` is engaged (by oncall-ana: incident 42)");
    expect((await gw.check(shell("ls", { agent: { id: "other", groups: [], trust: 2 } }), { requestId: "d" })).action).toBe("run");
  });

  it("stays engaged until released explicitly; engage and release are audited with who and why", async () => {
    const { gw, clock, sink } = await gateway();
    await gw.kill.engage({ scope: "family", name: "deploy" }, ops);
    clock.advance(400 * 86_400_000);
    expect((await gw.check(deploy(), { requestId: "a" })).action).toBe("refuse");
    expect(await gw.kill.list()).toEqual([{ scope: "family", name: "deploy", by: "oncall-ana", reason: "incident 42", at: Date.parse("2026-03-10T12:00:00Z") }]);
    expect(await gw.kill.release({ scope: "family", name: "deploy" }, { by: "oncall-ben", reason: "fixed" })).toBe(true);
    expect(await gw.kill.release({ scope: "family", name: "deploy" }, { by: "oncall-ben", reason: "again" })).toBe(false);
    expect((await gw.check(deploy(), { requestId: "b" })).action).toBe("run");
    const entries = readAuditEntries(sink.text());
    expect(entries.filter((e) => e.kind.startsWith("kill")).map((e) => [e.kind, e["name"], e["by"], e["reason"]])).toEqual([
      ["kill.engage", "deploy", "oncall-ana", "incident 42"],
      ["kill.release", "deploy", "oncall-ben", "fixed"],
    ]);
    expect(entries.find((e) => e.kind === "decision")).toMatchObject({ result: "refuse", kill: { scope: "family", name: "deploy", by: "oncall-ana", reason: "incident 42" } });
  });

  it("needs who, why and a name", async () => {
    const { gw } = await gateway();
    await expect(gw.kill.engage({ scope: "global" }, { by: "", reason: "x" })).rejects.toThrow("a kill switch needs `by`: who engages or releases it");
    await expect(gw.kill.engage({ scope: "global" }, { by: "ana", reason: " " })).rejects.toThrow("a kill switch needs `reason`: why");
    await expect(gw.kill.engage({ scope: "agent" }, ops)).rejects.toThrow("a `agent` kill switch needs a name");
  });

  it("the check reads a fixed set of keys however many switches are engaged (constant time)", async () => {
    const store = new MemoryStateStore();
    const reads: number[] = [];
    const spy: StateStore = Object.assign(Object.create(store) as StateStore, {
      getMany: (keys: readonly string[]) => (reads.push(keys.length), store.getMany(keys)),
    });
    const { gw } = await gateway({ store: spy });
    for (let i = 0; i < 100; i++) {
      await gw.kill.engage({ scope: "agent", name: `bot-${i}` }, ops);
      await gw.kill.engage({ scope: "env", name: `env-${i}` }, ops);
      await gw.kill.engage({ scope: "action", name: `deploy.other${i}`, env: "production" }, ops);
      await gw.kill.engage({ scope: "action", name: `aws${i}.*` }, ops);
    }
    await gw.check(deploy(), { requestId: "r1" });
    // global, agent, family, env; then `deploy.*` and `deploy.service`, each in every env and in production.
    expect(reads).toEqual([8, 8]);
  });

  it("survives a restart when the store persists", async () => {
    const path = join(await mkdtemp(join(tmpdir(), "agp-kill-")), "state.jsonl");
    const clock = new ManualClock();
    const first = await createGateway({ engine: engine(), store: await FileStateStore.open(path, { clock }), clock });
    await first.kill.engage({ scope: "global" }, ops);
    await first.close();
    const second = await createGateway({ engine: engine(), store: await FileStateStore.open(path, { clock }), clock });
    expect((await second.check(deploy(), { requestId: "r1" })).reason).toBe("kill switch `global` is engaged (by oncall-ana: incident 42)");
    await second.close();
  });

  it("engaged while a request runs: its signal aborts; a request it does not cover keeps running", async () => {
    const { gw } = await gateway();
    const covered = await gw.check(deploy(), { requestId: "r1" });
    const other = await gw.check(shell(), { requestId: "r2" });
    expect(covered.signal?.aborted).toBe(false);
    await gw.kill.engage({ scope: "family", name: "deploy" }, ops);
    expect(covered.signal?.aborted).toBe(true);
    expect((covered.signal?.reason as Error).message).toBe("kill switch `deploy` is engaged");
    expect(other.signal?.aborted).toBe(false);
    await gw.report("r2", "succeeded");
    expect(gw.kill.inFlight).toBe(1);
  });

  it("engaged while requests are being checked: none of them runs, and their reservations are given back", async () => {
    const clock = new ManualClock(Date.parse("2026-03-10T12:00:00Z"));
    const store = new MemoryStateStore({ clock });
    let engage: (() => Promise<unknown>) | undefined;
    // The switch is engaged while the limits are being reserved (after the first kill check, before the answer).
    const slow: StateStore = Object.assign(Object.create(store) as StateStore, {
      charge: async (list: readonly CounterOp[]) => {
        const result = await store.charge(list);
        if (engage !== undefined) {
          const e = engage;
          engage = undefined;
          await e();
        }
        return result;
      },
    });
    const gw = await createGateway({ engine: engine(), store: slow, clock });
    engage = () => gw.kill.engage({ scope: "global" }, ops);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => gw.check(spend(5), { requestId: `f${i}` })));
    expect(results.map((r) => r.action)).toEqual(Array(10).fill("refuse"));
    expect(results.every((r) => r.reason === "kill switch `global` is engaged (by oncall-ana: incident 42)")).toBe(true);
    expect(await gw.limits.used({ id: "daily_spend", key: ["ci-fixer"], window: { count: 1, unit: "day" }, kind: "budget", amount: 0, cap: 100 })).toBe(0);
  });
});
