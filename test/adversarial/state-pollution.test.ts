/**
 * Class C (state) of the hardening review: the runtime state (approvals,
 * counters, trust, kill switches) is read through own properties only, once.
 * A polluted `Object.prototype.approvals` turned an approve into an allow;
 * `.trust`, `.killed`, `.counters` and `.id` on the prototype must change
 * nothing either, in the runtime's object path, its JSON path and the
 * reference interpreter. State getters run once.
 *
 * Guards: with any combination of polluted keys on Object.prototype (and a
 * polluted Array.prototype filling holes), every engine gives the decision
 * it gives unpolluted, for generated states.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Decision, RuntimeState } from "../../runtime/index.js";
import { adversarialFixture, writeRequest } from "./fixture.js";

const proto = Object.prototype as unknown as Record<string, unknown>;
const arrayProto = Array.prototype as unknown as Record<number, unknown>;

/** Runs `body` with Object.prototype (and Array.prototype) polluted, then cleans up whatever happens. */
function polluted<T>(pollution: Readonly<Record<string, unknown>>, body: () => T): T {
  for (const [key, value] of Object.entries(pollution)) {
    if (key === "0") arrayProto[0] = value;
    else proto[key] = value;
  }
  try {
    return body();
  } finally {
    for (const key of Object.keys(pollution)) {
      if (key === "0") delete arrayProto[0];
      else delete proto[key];
    }
  }
}

/** The request that needs one approver from `reviewers` (n is the magic number). */
const MAGIC = writeRequest({ n: 9007199254740991 });

const POLLUTION: Readonly<Record<string, unknown>> = {
  approvals: [{ id: "mallory", groups: ["reviewers"] }],
  trust: 4,
  killed: ["global"],
  counters: { anything: 1e9 },
  id: "mallory",
  groups: ["reviewers"],
  0: { id: "mallory", groups: ["reviewers"] },
};

function decisions(request: unknown, state: RuntimeState | undefined): Decision[] {
  const { engine, json, interpreter } = adversarialFixture();
  return [engine.decide(request, state), json.decideJson(JSON.stringify(request), state), interpreter.decide(request, state)];
}

describe("a polluted Object.prototype changes no decision", () => {
  it("the review's reproducer: inherited approvals do not approve", () => {
    const clean = decisions(MAGIC, {});
    expect(clean[0]!.effect).toBe("approve");
    for (const state of [{}, { counters: {} }, { killed: [] }, undefined]) {
      const expected = decisions(MAGIC, state);
      const got = polluted({ approvals: POLLUTION["approvals"] }, () => decisions(MAGIC, state));
      expect(got).toEqual(expected);
    }
  });

  it("an approval without an own id is refused, whatever the prototype says", () => {
    const state = { approvals: [{ groups: ["reviewers"] }] } as unknown as RuntimeState;
    const expected = { code: "wrong_type", message: "`state.approvals[0].id` must be a string, got nothing", path: "state.approvals[0].id" };
    for (const d of decisions(MAGIC, state)) expect(d.error).toEqual(expected);
    for (const d of polluted({ id: "mallory" }, () => decisions(MAGIC, state))) expect(d.error).toEqual(expected);
  });

  it("a hole in state.approvals is not filled from Array.prototype", () => {
    const approvals: unknown[] = [];
    approvals[1] = { id: "bob", groups: ["reviewers"] };
    const state = { approvals } as unknown as RuntimeState;
    const expected = decisions(MAGIC, state);
    expect(expected[0]!.error?.path).toBe("state.approvals[0]");
    expect(polluted({ 0: POLLUTION[0] }, () => decisions(MAGIC, state))).toEqual(expected);
  });

  it("generated states under generated pollution: every engine as unpolluted", () => {
    const approval = fc.record({ id: fc.constantFrom("bob", "carol", "bot", "mallory"), groups: fc.constantFrom(["reviewers"], ["writers"], []) });
    const state = fc.option(
      fc.record(
        {
          trust: fc.constantFrom(0, 2, 4),
          counters: fc.dictionary(fc.constantFrom("x", "y"), fc.constantFrom(0, 5)),
          approvals: fc.array(approval, { maxLength: 2 }),
          killed: fc.array(fc.constantFrom("bot", "files", "nobody"), { maxLength: 1 }),
        },
        { requiredKeys: [] },
      ),
      { nil: undefined },
    );
    const request = fc.constantFrom(MAGIC, writeRequest(), writeRequest({ force: true }), writeRequest({ path: "lib/x" }));
    const pollution = fc.subarray(Object.keys(POLLUTION), { minLength: 1 }).map((keys) => Object.fromEntries(keys.map((k) => [k, POLLUTION[k]])));
    fc.assert(
      fc.property(request, state, pollution, (r, s, p) => {
        const expected = decisions(r, s as RuntimeState | undefined);
        expect(polluted(p, () => decisions(r, s as RuntimeState | undefined))).toEqual(expected);
      }),
      { seed: 13, numRuns: 300 },
    );
  });
});

describe("the state is read once", () => {
  it("a state getter that answers differently each time is read once, by every engine", () => {
    const { engine, interpreter } = adversarialFixture();
    for (const decide of [(s: RuntimeState) => engine.decide(MAGIC, s), (s: RuntimeState) => interpreter.decide(MAGIC, s)]) {
      let reads = 0;
      const state = {
        get approvals() {
          reads++;
          // Validation would see a harmless list; a second read would approve.
          return reads === 1 ? [] : [{ id: "bob", groups: ["reviewers"] }];
        },
      } as unknown as RuntimeState;
      expect(decide(state).effect).toBe("approve");
      expect(reads).toBe(1);
    }
  });

  it("a throwing state getter is an unreadable_value deny at its path", () => {
    const state = {
      get killed(): string[] {
        throw new Error("no");
      },
    } as unknown as RuntimeState;
    for (const d of decisions(MAGIC, state)) {
      expect(d.error).toEqual({ code: "unreadable_value", message: "`state.killed` cannot be read: reading it threw an exception", path: "state.killed" });
    }
  });
});
