/**
 * Class K (governance): trust is earned by history, not by a burst; a
 * quota reached is not misbehaviour; every public constructor and option
 * of the governance runtime says what is wrong with its input instead of
 * silently producing nonsense (`expiresAt: "…Z3600000"`); messages read
 * as English ("cannot decide a deny").
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  Approvals,
  AuditLog,
  DEFAULT_TRUST,
  Limits,
  ManualClock,
  MemoryAuditSink,
  MemoryStateStore,
  Trust,
  applyTrustEvent,
  createGateway,
  foldTrust,
  sequentialIds,
  summarizeShadow,
  type TrustEvent,
} from "../../runtime/governance/index.js";
import { engine as fakeEngine, OPEN_RULES, testManifest } from "../runtime/harness.js";
import { AGENT, engine, gateway, merge, shell, spend } from "../governance/harness.js";
import { MONEY_POLICY, runs } from "./gateway-harness.js";

const SECOND = 1000;
const DAY = 86_400_000;

describe("promotion needs history", () => {
  it("a brand-new agent is not promoted by 20 cheap reads in 20 seconds (the reproducer)", async () => {
    const { gw, clock } = await gateway();
    for (let i = 0; i < 20; i++) {
      await gw.check(shell(), { requestId: `r${i}` });
      await gw.report(`r${i}`, "succeeded");
      clock.advance(SECOND);
    }
    expect(await gw.trust!.tier(AGENT.id)).toBe(2);
  });

  it("by default: first seen at least 7 days ago and 100 successes in all, then 20 clean in a row", () => {
    const at = (kind: TrustEvent["kind"], ms: number): TrustEvent => ({ kind, at: ms });
    const successes = (from: number, n: number, every = 60 * SECOND) => Array.from({ length: n }, (_, i) => at("success", from + i * every));
    expect(foldTrust(successes(0, 500)).tier).toBe(2); // 500 successes in 8 hours: too young
    expect(foldTrust(successes(0, 99, DAY / 10)).tier).toBe(2); // 9.9 days, 99 successes: not enough volume
    expect(foldTrust(successes(0, 100, DAY / 10)).tier).toBe(3);
    expect(foldTrust([at("failure", 0), ...successes(7 * DAY, 100)]).tier).toBe(3);
    expect(foldTrust([at("failure", 0), ...successes(6 * DAY, 100, 10)]).tier).toBe(2);
    expect(DEFAULT_TRUST).toMatchObject({ promoteMinAgeMs: 7 * DAY, promoteMinSuccesses: 100 });
  });

  it("generated histories: no promotion before the minimum age, the minimum volume and a settled day", () => {
    const kinds = fc.oneof(
      { arbitrary: fc.constant<TrustEvent["kind"]>("success"), weight: 20 },
      { arbitrary: fc.constantFrom<TrustEvent["kind"]>("failure", "denied"), weight: 1 },
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(kinds, fc.integer({ min: 0, max: 4 * 3_600_000 })), { minLength: 20, maxLength: 300, size: "max" }), (steps) => {
        let t = Date.UTC(2026, 0, 1);
        const events: TrustEvent[] = steps.map(([kind, gap]) => ({ kind, at: (t += gap) }));
        const first = events[0]?.at ?? 0;
        let successes = 0;
        let state = foldTrust([]);
        for (const event of events) {
          if (event.kind === "success") successes++;
          const after = applyTrustEvent(state, event);
          if (after.tier > state.tier) {
            expect(event.at - first).toBeGreaterThanOrEqual(DEFAULT_TRUST.promoteMinAgeMs);
            expect(successes).toBeGreaterThanOrEqual(DEFAULT_TRUST.promoteMinSuccesses);
          }
          state = after;
        }
        expect(state).toEqual(foldTrust(events));
      }),
      { numRuns: runs(100), seed: 1106 },
    );
  });
});

describe("a limit's refusal is not misbehaviour", () => {
  it("refusals by a budget at its cap do not demote", async () => {
    const { gw } = await gateway({ engine: engine(MONEY_POLICY) });
    await gw.check(spend(500), { requestId: "full" });
    for (let i = 0; i < 5; i++) expect((await gw.check(spend(10), { requestId: `q${i}` })).reason).toBe("limit `daily_spend` reached: budget 500 usd per day");
    expect(await gw.trust!.tier(AGENT.id)).toBe(2);
    expect(await gw.trust!.state(AGENT.id)).toMatchObject({ denials: [], lastBad: null });
  });
});

describe("inputs to governance constructors and options are checked", () => {
  it("ManualClock takes ms, a Date or an ISO string with a time zone, and refuses anything else", async () => {
    expect(new ManualClock("2026-03-10T12:00:00Z").now()).toBe(Date.UTC(2026, 2, 10, 12));
    expect(new ManualClock(new Date(Date.UTC(2026, 2, 10))).now()).toBe(Date.UTC(2026, 2, 10));
    const { gw } = await gateway({ clock: new ManualClock("2026-03-10T12:00:00Z") });
    const { ticket } = await gw.check(merge(), { requestId: "r" });
    expect(new Date(ticket!.expiresAt).toISOString()).toBe("2026-03-10T13:00:00.000Z");
    expect(() => new ManualClock("yesterday")).toThrow(new TypeError('ManualClock needs an ISO 8601 time with a time zone, like "2026-03-10T12:00:00Z", got "yesterday"'));
    expect(() => new ManualClock("2026-03-10T12:00:00")).toThrow('ManualClock needs an ISO 8601 time with a time zone, like "2026-03-10T12:00:00Z", got "2026-03-10T12:00:00"');
    expect(() => new ManualClock(Number.NaN)).toThrow("ManualClock needs a time that is a whole number of ms within the Date range, got NaN");
    expect(() => new ManualClock(1.5)).toThrow("ManualClock needs a time that is a whole number of ms within the Date range, got 1.5");
    expect(() => new ManualClock(null as never)).toThrow("ManualClock needs a time: ms since the epoch, a Date or an ISO 8601 string, got null");
    expect(() => new ManualClock().set("2026-13-40T00:00:00Z")).toThrow('ManualClock.set needs a time that is a whole number of ms within the Date range, got "2026-13-40T00:00:00Z"');
    expect(() => new ManualClock().advance(Infinity)).toThrow("ManualClock.advance needs a whole number of ms, got Infinity");
  });

  it("trust, approvals, limits and gateway options say which option is wrong", async () => {
    const store = new MemoryStateStore();
    const clock = new ManualClock();
    expect(() => new Trust(store, clock, { promoteAfter: 0 })).toThrow("`trust.promoteAfter` must be a whole number at least 1, got 0");
    expect(() => new Trust(store, clock, { windowMs: Number.NaN })).toThrow("`trust.windowMs` must be a whole number at least 0, got NaN");
    expect(() => new Trust(store, clock, { promoteAftr: 5 } as never)).toThrow("unknown `trust` option `promoteAftr`; use min, max, initial, windowMs, denialsToDemote, promoteAfter, promoteEveryMs, promoteMinAgeMs, promoteMinSuccesses");
    expect(() => new Trust(store, clock, { min: 1.5 })).toThrow("`trust.min` must be a whole number, got 1.5");
    const audit = await AuditLog.open(new MemoryAuditSink(), clock);
    expect(() => new Approvals(store, clock, sequentialIds(), audit, { ttlMs: -1 })).toThrow("`approvals.ttlMs` must be a whole number of ms at least 1, got -1");
    expect(() => new Approvals(store, clock, sequentialIds(), audit, { ttl: 5 } as never)).toThrow("unknown `approvals` option `ttl`; use ttlMs or pollMs");
    expect(() => new Limits(store, clock, { retentionMs: Infinity })).toThrow("`limits.retentionMs` must be a whole number of ms at least 0, got Infinity");
    await expect(createGateway({} as never)).rejects.toThrow("`engine` must be a decision engine: an object with `decide(request, state)`");
    await expect(createGateway({ engine: engine(), shadows: engine() } as never)).rejects.toThrow("unknown gateway option `shadows`; use engine, shadow, store, audit, clock, ids, trust, approvals, limits, request, sha256");
    await expect(createGateway({ engine: engine(), clock: Date } as never)).rejects.toThrow("`clock` must be a clock: an object with a `now()` method returning ms since the epoch");
    await expect(createGateway({ engine: engine(), store: {} } as never)).rejects.toThrow("`store` must be a StateStore (get, getMany, compareAndSet, list, charge, counter, close)");
    const badIds = await createGateway({ engine: engine(), ids: () => 7 } as never);
    expect(await badIds.check(merge(), { requestId: "r" })).toMatchObject({
      action: "refuse",
      reason: "the gateway could not complete this check: the ticket id source returned a number; it must return a new non-empty string; nothing was run, so this request is refused (it may be retried with the same request id)",
    });
  });

  it("kill switch targets and actors are read once and checked", async () => {
    const { gw } = await gateway();
    await expect(gw.kill.engage(null as never, { by: "a", reason: "b" })).rejects.toThrow("a kill switch needs a target: { scope: global, agent, family, env or action, name?, env? }");
    await expect(gw.kill.engage({ scope: "global" }, { by: " ", reason: "b" })).rejects.toThrow("a kill switch needs `by`: who engages or releases it");
  });
});

describe("what governance reads back is checked too", () => {
  it("an unknown trust event is a TypeError, not a corrupt tier", async () => {
    const trust = new Trust(new MemoryStateStore(), new ManualClock());
    await expect(trust.record("a", "praise" as never)).rejects.toThrow("unknown trust event `praise`; use denied, violation, rollback, success or failure");
    expect(await trust.tier("a")).toBe(2);
  });

  it("a shadow summary over entries that were tampered with skips them instead of crashing", () => {
    const entries = [
      { kind: "decision", decision: { effect: "allow", rules: [{ kind: "rule", id: "a" }] }, shadow: { effect: "deny", rules: 5 }, action: "x" },
      { kind: "decision", decision: null, shadow: { effect: "deny", rules: [] } },
      { kind: "decision", decision: { effect: "allow", rules: [] }, shadow: { effect: "deny", rules: [], reasons: [] }, action: "x" },
    ] as never;
    expect(summarizeShadow(entries)).toEqual({ total: 1, agree: 0, effectChanges: { "allow→deny": 1 }, ruleChanges: 0, actions: { x: 1 } });
  });
});

describe("messages read as English", () => {
  it("a module result that names an allow rule for a deny: `cannot decide a deny`", () => {
    const manifest = testManifest({ rules: OPEN_RULES });
    const broken = fakeEngine(manifest, { results: () => ({ effect: "deny", deciding: [0] }) });
    const decision = broken.decide({ agent: AGENT, action: "shell.exec", args: { command: "ls", timeout_seconds: 60, write_paths: [] }, env: "production" });
    expect(decision.effect).toBe("deny");
    expect(decision.reasons[0]).toContain("rule 0 (allow) cannot decide a deny");
  });
});
