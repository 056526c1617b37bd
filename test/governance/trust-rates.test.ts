/**
 * Trust rates (issue 15, ADR 0032): the agent's success, failure, rollback
 * and violation rates over a bucketed window, kept by the gateway's trust;
 * `demoteWhen` rules that demote on a degraded rate; `state.rates`
 * replacing `agent.<rate>_rate` in both engines, so an agent cannot claim
 * a better record than the gateway holds.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_TRUST, ManualClock, MemoryStateStore, Trust, foldTrust, trustConfig, trustRates, type TrustConfig, type TrustEvent } from "../../runtime/governance/index.js";

import { CATALOGS, policy } from "../interpret/harness.js";
import { checkText, pairOf } from "../compile/harness.js";
import { loadJsonDeciderSync } from "../../runtime/index.js";
import { manifestOf, gateway, deploy } from "./harness.js";

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 2, 10);
const at = (kind: TrustEvent["kind"], hours: number): TrustEvent => ({ kind, at: T0 + hours * HOUR });
const many = (kind: TrustEvent["kind"], from: number, n: number) => Array.from({ length: n }, (_, i) => at(kind, from + i * 0.01));

describe("rates over the window", () => {
  it("success, failure and rollback are shares of reported runs; violation a share of runs and denials", () => {
    const state = foldTrust([...many("success", 0, 6), ...many("failure", 1, 3), at("rollback", 2), at("denied", 3), ...many("violation", 4, 2)]);
    const { rates, runs, events } = trustRates(state, T0 + 5 * HOUR);
    expect({ runs, events }).toEqual({ runs: 10, events: 13 });
    expect(rates).toEqual({ success: 0.6, failure: 0.3, rollback: 0.1, violation: 2 / 13 });
  });

  it("no events: every rate is 0; events older than the window drop out", () => {
    expect(trustRates(foldTrust([]), T0).rates).toEqual({ success: 0, failure: 0, rollback: 0, violation: 0 });
    const state = foldTrust(many("failure", 0, 5));
    expect(trustRates(state, T0 + 24 * HOUR).rates.failure).toBe(1);
    expect(trustRates(state, T0 + 8 * 24 * HOUR).rates.failure).toBe(0); // default window 7 days
  });

  it("the state stays small whatever the traffic: at most 7 buckets", () => {
    const events = Array.from({ length: 400 }, (_, i) => at(i % 3 === 0 ? "failure" : "success", i * 3));
    expect(foldTrust(events).buckets.length).toBeLessThanOrEqual(7);
  });

  it("every rate is from 0 to 1, and success + failure + rollback is 1 when there are runs", () => {
    const kinds = fc.constantFrom<TrustEvent["kind"]>("denied", "violation", "rollback", "success", "failure");
    fc.assert(
      fc.property(fc.array(fc.tuple(kinds, fc.integer({ min: 0, max: 48 })), { maxLength: 120 }), fc.integer({ min: 0, max: 400 }), (steps, later) => {
        let t = 0;
        const events = steps.map(([kind, gap]) => ((t += gap), at(kind, t)));
        const { rates, runs } = trustRates(foldTrust(events), T0 + (t + later) * HOUR);
        for (const r of Object.values(rates)) expect(r >= 0 && r <= 1).toBe(true);
        if (runs > 0) expect(rates.success + rates.failure + rates.rollback).toBeCloseTo(1, 9);
      }),
      { seed: 15, numRuns: 200 },
    );
  });
});

describe("demoteWhen: if behaviour degrades, reduce permissions", () => {
  const DEGRADE: TrustConfig = trustConfig({ demoteWhen: [{ rate: "failure", above: 0.3, minEvents: 10 }] });

  it("demotes one tier once the rate passes its bound with enough events, then not again within the window", () => {
    const nine = [...many("success", 0, 5), ...many("failure", 1, 4)];
    expect(foldTrust(nine, DEGRADE).tier).toBe(2); // 4 of 9 failed, but 9 < minEvents
    const ten = [...nine, at("failure", 2)];
    expect(foldTrust(ten, DEGRADE).tier).toBe(1);
    expect(foldTrust([...ten, ...many("failure", 3, 20)], DEGRADE).tier).toBe(1); // once per window
    expect(foldTrust([...ten, ...many("failure", 3, 20), ...many("failure", 8 * 24, 10)], DEGRADE).tier).toBe(0); // a new window
  });

  it("without demoteWhen failures are neutral, as before", () => {
    expect(foldTrust([...many("success", 0, 5), ...many("failure", 1, 20)]).tier).toBe(DEFAULT_TRUST.initial);
  });

  it("while a rule holds, the agent is not promoted", () => {
    const fast = trustConfig({ promoteMinAgeMs: 0, promoteMinSuccesses: 0, demoteWhen: [{ rate: "success", below: 0.9, minEvents: 10 }] });
    const plain = trustConfig({ promoteMinAgeMs: 0, promoteMinSuccesses: 0 });
    const history = [at("failure", 0), ...many("failure", 0.5, 5), ...many("success", 25, 20)];
    expect(foldTrust(history, plain).tier).toBe(3);
    expect(foldTrust(history, fast).tier).toBeLessThan(3);
  });

  it("the rules are checked, naming the first problem", () => {
    const bad: [unknown, string][] = [
      [{}, "`trust.demoteWhen` must be an array of { rate, above?, below?, minEvents? }"],
      [[null], "`trust.demoteWhen[0]` must be an object { rate, above?, below?, minEvents? }"],
      [[{ rate: "speed", above: 0.5 }], "`trust.demoteWhen[0]`.rate must be success, failure, rollback or violation, got speed"],
      [[{ rate: "failure" }], "`trust.demoteWhen[0]` needs `above` or `below`"],
      [[{ rate: "failure", above: 1.5 }], "`trust.demoteWhen[0]`.above must be a number from 0 to 1, got 1.5"],
      [[{ rate: "failure", above: Number.NaN }], "`trust.demoteWhen[0]`.above must be a number from 0 to 1, got NaN"],
      [[{ rate: "failure", above: 0.2, minEvents: 0 }], "`trust.demoteWhen[0]`.minEvents must be a whole number at least 1, got 0"],
      [[{ rate: "failure", above: 0.2, when: 1 }], "unknown option `when` in `trust.demoteWhen[0]`; use rate, above, below or minEvents"],
    ];
    for (const [demoteWhen, message] of bad) expect(() => trustConfig({ demoteWhen } as never)).toThrow(message);
    expect(() => trustConfig({ rateWindowMs: 0 })).toThrow("`trust.rateWindowMs` must be a whole number at least 1, got 0");
  });

  it("a damaged stored rate window reads as the minimum tier, never as a clean record", async () => {
    const store = new MemoryStateStore();
    const trust = new Trust(store, new ManualClock(T0));
    await trust.record("a", "success");
    const text = (await store.get("trust:a"))!;
    const stored = JSON.parse(text) as Record<string, unknown>;
    await store.compareAndSet("trust:a", text, JSON.stringify({ ...stored, buckets: [{ at: 1, success: -5, failure: 0, rollback: 0, violation: 0, denied: 0 }] }));
    expect(await trust.state("a")).toMatchObject({ tier: DEFAULT_TRUST.min, buckets: [] });
  });
});

/** A project catalog whose agent declares the rates a policy reads. */
const WITH_RATES: Record<string, object> = {
  ...CATALOGS,
  "project.json": {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    request: {
      agent: {
        type: "object",
        properties: {
          id: { type: "string", minLength: 1, maxLength: 128 },
          groups: { type: "array", items: { type: "string", maxLength: 128 }, maxItems: 64 },
          trust: { type: "integer", minimum: 0, maximum: 4 },
          failure_rate: { type: "number", minimum: 0, maximum: 1 },
          violation_rate: { type: "number", minimum: 0, maximum: 1 },
        },
        required: ["id", "groups", "trust", "failure_rate", "violation_rate"],
      },
    },
  },
};

const DEGRADED = `
rule deploys: allow deploy.*
rule degraded: approve deploy.* when agent.failure_rate > 0.2 by 1 of group "sre" because "this agent's deploys fail often; a person confirms"
rule unsafe: deny deploy.* when agent.violation_rate >= 0.05 because "too many security violations"
`;

describe("state.rates in both engines", () => {
  const { checked, catalogs } = checkText({ "policy.agp": DEGRADED }, WITH_RATES);
  const { engine, interpreter } = pairOf(checked, catalogs);
  const req = (agent: Record<string, unknown> = {}) => deploy("api", { agent: { id: "ci-fixer", groups: [], trust: 2, failure_rate: 0, violation_rate: 0, ...agent } });

  it("each given rate replaces the agent's field; the policy reads the gateway's figure", () => {
    expect(interpreter.decide(req()).effect).toBe("allow");
    expect(interpreter.decide(req(), { rates: { failure: 0.5 } }).effect).toBe("approve");
    expect(interpreter.decide(req({ failure_rate: 0.9 }), { rates: { failure: 0.1 } }).effect).toBe("allow");
    expect(interpreter.decide(req(), { rates: { failure: 0.5, violation: 0.05 } })).toMatchObject({ effect: "deny", reasons: ["too many security violations"] });
  });

  it("a rate outside 0..1 or an unknown rate is refused, in both engines with the same text", () => {
    const refused = interpreter.decide(req(), { rates: { failure: 1.5 } });
    expect(refused).toMatchObject({ effect: "deny", error: { code: "wrong_type" } });
    expect(JSON.stringify(engine.decide(req(), { rates: { failure: 1.5 } }))).toBe(JSON.stringify(refused));
    const unknown = interpreter.decide(req(), { rates: { speed: 1 } } as never);
    expect(unknown).toMatchObject({ effect: "deny", error: { code: "unknown_field", message: "unknown field `state.rates.speed`" } });
    expect(JSON.stringify(engine.decide(req(), { rates: { speed: 1 } } as never))).toBe(JSON.stringify(unknown));
  });

  it("the compiled module and the interpreter agree on every rate", () => {
    const rate = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 0.2, 0.05, 1, -0.1, 2, Number.NaN, "0.3", null));
    fc.assert(
      fc.property(fc.record({ failure: rate, violation: rate }, { requiredKeys: [] }), fc.double({ min: 0, max: 1, noNaN: true }), (rates, claimed) => {
        const r = req({ failure_rate: claimed });
        expect(JSON.stringify(engine.decide(r, { rates } as never))).toBe(JSON.stringify(interpreter.decide(r, { rates } as never)));
      }),
      { seed: 15, numRuns: 300 },
    );
  });
});

describe("state.rates keys that mimic the prototype", () => {
  const { checked, catalogs } = checkText({ "policy.agp": DEGRADED }, WITH_RATES);
  const { engine, interpreter } = pairOf(checked, catalogs);
  const json = loadJsonDeciderSync(engine);
  const req = deploy("api", { agent: { id: "ci-fixer", groups: [], trust: 2, failure_rate: 0, violation_rate: 0 } });

  // JSON.parse makes `__proto__` an own key, as a host forwarding a gateway's
  // stored state or an HTTP body would; a key that is not one of the four
  // rates is refused by name in every engine, and an inherited rate counts
  // for nothing.
  const key = fc.oneof(fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "failure", "violation", "success", "Failure", "failure ", "a.b", ""), fc.string({ maxLength: 6 }));
  const value = fc.oneof(fc.constantFrom(0, 0.5, 1, 2, -1, "0.5", null), fc.constant({ failure: 0.9 }));

  it("every engine refuses the same unknown key with the same text, or decides alike", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(key, value), { maxLength: 4 }), (pairs) => {
        const text = `{"rates":{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",")}}}`;
        const state = JSON.parse(text) as never;
        const expected = interpreter.decide(req, state);
        expect(JSON.stringify(engine.decide(req, state))).toBe(JSON.stringify(expected));
        expect(JSON.stringify(json.decideJson(JSON.stringify(req), state))).toBe(JSON.stringify(expected));
        const names = pairs.map(([k]) => k);
        const unknown = names.filter((k) => !["failure", "violation", "success", "rollback"].includes(k));
        if (unknown.length > 0) expect(expected.effect).toBe("deny");
        if (unknown.length > 0 && unknown.every((k) => k === "__proto__")) expect(expected).toMatchObject({ error: { code: "unknown_field", message: "unknown field `state.rates.__proto__`" } });
      }),
      { seed: 1532, numRuns: 300 },
    );
  });

  it("a rate on Object.prototype is not the gateway's rate", () => {
    const proto = Object.prototype as unknown as Record<string, unknown>;
    proto.failure = 0.9;
    proto.rates = { failure: 0.9 };
    try {
      for (const state of [{}, { rates: {} }, { rates: { violation: 0 } }]) {
        expect(interpreter.decide(req, state as never).effect).toBe("allow");
        expect(engine.decide(req, state as never).effect).toBe("allow");
        expect(json.decideJson(JSON.stringify(req), state as never).effect).toBe("allow");
      }
    } finally {
      delete proto.failure;
      delete proto.rates;
    }
  });
});

describe("the gateway passes its rates", () => {
  it("reported failures raise the failure rate the policy sees; the agent's own claim is replaced", async () => {
    const interp = policy(DEGRADED, WITH_RATES);
    const live = { decide: interp.decide.bind(interp), policy: { hash: "h", version: "1" }, manifest: manifestOf(interp.model.catalogs) };
    const { gw } = await gateway({ engine: live });
    const req = (id: string) => deploy(id, { agent: { id: "ci-fixer", groups: [], trust: 2, failure_rate: 0, violation_rate: 0 } });
    for (let i = 0; i < 6; i++) {
      expect((await gw.check(req("api"), { requestId: `d${i}` })).action).toBe("run");
      await gw.report(`d${i}`, i < 4 ? "succeeded" : "failed"); // after d5: 1 of 5 failed, 0.2 is not above 0.2
    }
    // 2 of 6 failed: the agent claims 0, the gateway says 1/3.
    expect(await gw.check(req("api"), { requestId: "d9" })).toMatchObject({ action: "wait", reason: "this agent's deploys fail often; a person confirms" });
    expect((await gw.trust!.standing("ci-fixer")).rates).toEqual({ success: 4 / 6, failure: 2 / 6, rollback: 0, violation: 0 });
  });
});
