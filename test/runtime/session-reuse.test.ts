/**
 * `record` after `decide` (docs/decisions/0043-session-monitors-at-speed.md):
 * when the host records the request it just decided with the same session
 * input, the engine reuses the state the decision loaded instead of checking
 * and copying it again. Whatever the host passes, the next state must be the
 * one a fresh engine computes from that input alone: a different state, a
 * different `now`, or a state another policy made must never be mistaken for
 * the loaded one.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { loadCatalog, mergeCatalogs } from "../../compiler/catalog/index.js";
import { check } from "../../compiler/check/index.js";
import { compilePolicy } from "../../compiler/compile/index.js";
import { parse } from "../../compiler/syntax/index.js";
import { loadPolicySync, type PolicyEngine, type SessionInput } from "../../runtime/index.js";
import { SESSION_CATALOG } from "../compile/generate-session.js";

const set = mergeCatalogs([loadCatalog("session.json", JSON.stringify(SESSION_CATALOG)).catalog!]).set;

const POLICY = `package sess
session context.session

rule base:
  allow s.*

rule velocity:
  deny s.pay
  when count s.pay within 1 minute >= 3

rule budget:
  approve s.pay
  when sum args.amount of s.pay within 1 minute step 5 seconds > 500
  by 1 of group "reviewers"
`;

function engine(text = POLICY): PolicyEngine {
  const parsed = parse(text, "sess.agp");
  const checked = check({ files: [parsed.file], catalogs: set });
  const out = compilePolicy(checked.checked!, set, { version: "1.0.0" });
  return loadPolicySync(out.compiled!.wasm);
}

const pay = (amount: number) => ({ agent: { id: "bot", groups: [], trust: 1 }, action: "s.pay", args: { recipient: "ann", amount, kind: "a" }, env: "production", context: { session: "s-1" } });

/** A session of `amounts.length` payments, one second apart, recorded on `e`. */
function history(e: PolicyEngine, amounts: readonly number[]): SessionInput {
  let session: SessionInput = { now: 0 };
  for (const amount of amounts) {
    const update = e.record(pay(amount), session, "allow");
    if (!update.ok) throw new Error(update.error.message);
    session = { now: session.now + 1000, state: update.state };
  }
  return session;
}

describe("record after decide reuses the decided state only when it is the same input", () => {
  const amounts = fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 6 });
  it("gives what a fresh engine gives, for the same input or another one", () => {
    const decider = engine();
    const fresh = engine();
    fc.assert(
      fc.property(amounts, amounts, fc.integer({ min: 0, max: 400 }), fc.constantFrom("same", "other state", "other now", "copy", "input changed"), (a, b, amount, how) => {
        const decided: { now: number; state?: Uint8Array } = { ...history(decider, a) };
        const other = history(decider, b);
        const request = pay(amount);
        const decision = decider.decide(request, undefined, decided);
        // "input changed": the very object the decision had, given another state and time before it is recorded.
        if (how === "input changed") Object.assign(decided, other);
        const given: SessionInput =
          how === "same" || how === "input changed" ? decided : how === "other state" ? other : how === "other now" ? { now: decided.now + 61_000, state: decided.state! } : { now: decided.now, state: decided.state!.slice() };
        const reused = decider.record(request, given, decision.effect);
        const expected = fresh.record(request, given, decision.effect);
        expect(reused).toEqual(expected);
      }),
      { numRuns: 60, seed: 43 },
    );
  });

  it("refuses a state of another policy recorded after a decide, as it would alone", () => {
    const decider = engine();
    const other = engine(POLICY.replace("within 1 minute >= 3", "within 2 minutes >= 3"));
    const mine = history(decider, [10]);
    const theirs = history(other, [10]);
    const request = pay(5);
    decider.decide(request, undefined, mine);
    const update = decider.record(request, theirs, "allow");
    expect(update.ok).toBe(false);
    if (!update.ok) expect(update.error.message).toMatch(/^the session's state does not belong to this policy \(it has layout [0-9a-f]{8}, \d+ bytes, the policy keeps layout [0-9a-f]{8}, \d+ bytes\); start a new session$/);
  });
});
