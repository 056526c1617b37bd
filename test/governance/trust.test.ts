/**
 * Trust: quick demotion on denials, violations and rollbacks within a
 * rolling window; slow promotion on clean history; deterministic; fed into
 * requests as `agent.trust`.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_TRUST, ManualClock, MemoryStateStore, Trust, foldTrust, type TrustConfig, type TrustEvent } from "../../runtime/governance/index.js";
import { deploy, engine, gateway, shell } from "./harness.js";

const HOUR = 3_600_000;
const at = (kind: TrustEvent["kind"], hours: number): TrustEvent => ({ kind, at: Date.UTC(2026, 2, 10) + hours * HOUR });

describe("the tier as a fold over history", () => {
  it("an agent with no history has the initial tier", () => {
    expect(foldTrust([]).tier).toBe(2);
  });

  it("three denials within 24 hours demote one tier; spread further apart they do not", () => {
    expect(foldTrust([at("denied", 0), at("denied", 1), at("denied", 2)]).tier).toBe(1);
    expect(foldTrust([at("denied", 0), at("denied", 13), at("denied", 26)]).tier).toBe(2);
  });

  it("a violation drops two tiers, a rollback one, never below the minimum", () => {
    expect(foldTrust([at("violation", 0)]).tier).toBe(0);
    expect(foldTrust([at("rollback", 0)]).tier).toBe(1);
    expect(foldTrust([at("violation", 0), at("violation", 1)]).tier).toBe(0);
  });

  // The streak rules alone: no minimum age or volume (test/adversarial/trust.test.ts covers those).
  const FAST: TrustConfig = { ...DEFAULT_TRUST, promoteMinAgeMs: 0, promoteMinSuccesses: 0 };
  const seen = at("failure", 0); // first seen at hour 0

  it("promotion takes 20 clean successes, a quiet window and a day since the last change or the first event", () => {
    const successes = (from: number, n: number) => Array.from({ length: n }, (_, i) => at("success", from + i * 0.1));
    expect(foldTrust(successes(0, 20), FAST).tier).toBe(2); // brand new: never changed is not settled
    expect(foldTrust([seen, ...successes(24, 19)], FAST).tier).toBe(2);
    expect(foldTrust([seen, ...successes(24, 20)], FAST).tier).toBe(3);
    expect(foldTrust([at("denied", 0), ...successes(1, 30)], FAST).tier).toBe(2); // a denial within the window holds it back
    expect(foldTrust([at("denied", 0), ...successes(25, 20)], FAST).tier).toBe(3);
    const promoted = [seen, ...successes(24, 20)];
    expect(foldTrust([...promoted, ...successes(27, 20)], FAST).tier).toBe(3); // not twice in one day
    expect(foldTrust([...promoted, ...successes(49, 20)], FAST).tier).toBe(4);
    expect(foldTrust([...promoted, ...successes(49, 20), ...successes(74, 20)], FAST).tier).toBe(4); // the maximum
  });

  it("failures are neutral; a denial resets the clean streak", () => {
    const s = (h: number) => at("success", h);
    expect(foldTrust([seen, ...Array.from({ length: 10 }, (_, i) => s(24 + i)), at("failure", 34), ...Array.from({ length: 10 }, (_, i) => s(35 + i))], FAST).tier).toBe(3);
    expect(foldTrust([seen, ...Array.from({ length: 10 }, (_, i) => s(30 + i)), at("denied", 40), ...Array.from({ length: 19 }, (_, i) => s(70 + i))], FAST).tier).toBe(2);
  });

  it("deterministic: the same history gives the same tier, and the stored state is that fold", async () => {
    const kinds = fc.constantFrom<TrustEvent["kind"]>("denied", "violation", "rollback", "success", "failure");
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(kinds, fc.integer({ min: 0, max: 6 * HOUR })), { maxLength: 80 }), async (steps) => {
        const clock = new ManualClock(Date.UTC(2026, 0, 1));
        const trust = new Trust(new MemoryStateStore({ clock }), clock);
        const events: TrustEvent[] = [];
        for (const [kind, gap] of steps) {
          clock.advance(gap);
          events.push({ kind, at: clock.now() });
          await trust.record("a", kind);
        }
        expect(await trust.state("a")).toEqual(foldTrust(events));
        expect(foldTrust(events)).toEqual(foldTrust([...events]));
      }),
      { numRuns: 100, seed: 11 },
    );
  });

  it("refuses a configuration whose initial tier is outside its range", () => {
    expect(() => new Trust(new MemoryStateStore(), new ManualClock(), { initial: 7 })).toThrow("trust tiers need min <= initial <= max, got 0, 7, 4");
    expect(DEFAULT_TRUST.max).toBe(4);
  });
});

describe("trust in the gateway", () => {
  const TRUSTED = `rule trusted: allow deploy.* when agent.trust >= 2\nrule shell_ok: allow shell.exec\nrule destructive: deny shell.exec when args.command matches "rm -rf /*" because "destructive command" audit security\nrule nope: deny aws.*`;

  it("the tier replaces the request's agent.trust: the agent cannot claim a higher one", async () => {
    const { gw } = await gateway({ engine: engine(TRUSTED) });
    await gw.check(shell("rm -rf /"), { requestId: "v" });
    expect(await gw.trust?.tier("ci-fixer")).toBe(0);
    const claimed = await gw.check(deploy("api", { agent: { id: "ci-fixer", groups: [], trust: 4 } }), { requestId: "d" });
    expect(claimed).toMatchObject({ action: "refuse", reason: "no rule allows `deploy.service`" });
  });

  it("denials demote; reported rollbacks demote; successes promote slowly", async () => {
    const { gw, clock } = await gateway({ engine: engine(TRUSTED), trust: { promoteMinAgeMs: 0, promoteMinSuccesses: 0 } });
    for (let i = 0; i < 3; i++) await gw.check({ ...deploy(), action: "aws.s3.get_object", args: { account: "x" } }, { requestId: `n${i}` });
    expect(await gw.trust?.tier("ci-fixer")).toBe(1);
    expect((await gw.check(deploy(), { requestId: "d0" })).action).toBe("refuse");
    clock.advance(25 * HOUR);
    for (let i = 0; i < 20; i++) {
      await gw.check(shell(), { requestId: `s${i}` });
      await gw.report(`s${i}`, "succeeded");
    }
    expect(await gw.trust?.tier("ci-fixer")).toBe(2);
    expect((await gw.check(deploy(), { requestId: "d1" })).action).toBe("run");
    await gw.report("d1", "rolled_back");
    expect(await gw.trust?.tier("ci-fixer")).toBe(1);
  });

  it("a kill switch refusal does not count against the agent", async () => {
    const { gw } = await gateway({ engine: engine(TRUSTED) });
    await gw.kill.engage({ scope: "global" }, { by: "ana", reason: "drill" });
    for (let i = 0; i < 5; i++) await gw.check(deploy(), { requestId: `k${i}` });
    expect(await gw.trust?.tier("ci-fixer")).toBe(2);
  });

  it("trust: false leaves agent.trust as the request gives it", async () => {
    const { gw } = await gateway({ engine: engine(TRUSTED), trust: false });
    expect((await gw.check(deploy("api", { agent: { id: "x", groups: [], trust: 3 } }), { requestId: "a" })).action).toBe("run");
    expect(gw.trust).toBeUndefined();
  });
});
