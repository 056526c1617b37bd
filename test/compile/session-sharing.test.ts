/**
 * Monitor sharing (docs/decisions/0043-session-monitors-at-speed.md): rules
 * whose uncorrelated `count` watches the same calls share one ring whatever
 * their window and threshold (K the largest), `sum`s share per window and
 * step, correlated counts stay per window; and every rule of a threshold
 * family still decides as the reference interpreter does at every step.
 */
import { describe, expect, it } from "vitest";
import { loadCatalog, mergeCatalogs } from "../../compiler/catalog/index.js";
import { check } from "../../compiler/check/index.js";
import { compilePolicy } from "../../compiler/compile/index.js";
import { interpretChecked, type SessionEvent } from "../../compiler/interpret/index.js";
import { parse } from "../../compiler/syntax/index.js";
import { loadPolicySync, type SessionInput } from "../../runtime/index.js";
import { SESSION_CATALOG } from "./generate-session.js";

const set = mergeCatalogs([loadCatalog("session.json", JSON.stringify(SESSION_CATALOG)).catalog!]).set;

function compile(rules: string) {
  const text = `package sess\nsession context.session track 4\n\nrule base:\n  allow s.*\n\n${rules}`;
  const parsed = parse(text, "sess.agp");
  expect(parsed.diagnostics).toEqual([]);
  const checked = check({ files: [parsed.file], catalogs: set });
  expect(checked.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const out = compilePolicy(checked.checked!, set, { version: "1.0.0" });
  const engine = loadPolicySync(out.compiled!.wasm);
  return { engine, interpreter: interpretChecked(checked.checked!, set, { policy: engine.policy }) };
}

const rule = (id: string, effect: string, when: string) => `rule ${id}:\n  ${effect} s.pay\n  when ${when}\n${effect === "approve" ? '  by 1 of group "reviewers"\n' : ""}\n`;

describe("session monitors shared by threshold families", () => {
  it("one ring for counts of the same calls at any window and threshold, K the largest", () => {
    const { engine } = compile(
      rule("a", "deny", "count s.pay where args.amount > 100 within 1 minute >= 2") +
        rule("b", "approve", "count s.pay where args.amount > 100 within 1 hour > 4") +
        rule("c", "deny", "count s.pay where args.amount > 100 within 10 seconds < 3") +
        rule("d", "deny", "count s.pay within 1 minute >= 2"),
    );
    const counts = engine.manifest.session!.monitors.filter((m) => m.kind === "count");
    // a, b and c share one ring of K = 5 (`> 4`); d filters otherwise: its own ring of 2.
    expect(counts.map((m) => m.bytes)).toEqual([8 + 8 * 5, 8 + 8 * 2]);
  });

  it("sums share per window and step; correlated counts stay per window", () => {
    const { engine } = compile(
      rule("s1", "deny", "sum args.amount of s.pay within 1 minute step 5 seconds > 500") +
        rule("s2", "approve", "sum args.amount of s.pay within 1 minute step 5 seconds > 300") +
        rule("s3", "deny", "sum args.amount of s.pay within 10 seconds step 2 seconds > 300") +
        rule("k1", "deny", "count s.pay where args.recipient == current.args.recipient within 1 minute >= 2") +
        rule("k2", "deny", "count s.pay where args.recipient == current.args.recipient within 1 hour >= 3"),
    );
    const kinds = engine.manifest.session!.monitors.map((m) => m.kind);
    expect(kinds.filter((k) => k === "sum")).toHaveLength(2);
    expect(kinds.filter((k) => k === "count")).toHaveLength(2);
  });

  it("every rule of a family decides as the interpreter does, step by step", () => {
    const { engine, interpreter } = compile(
      [">= 2", ">= 3", "> 2", "< 3", "<= 1", "== 2", "!= 3"]
        .map((cmp, i) => rule(`c${String(i)}`, i === 0 ? "deny" : "approve", `count s.pay where args.amount > 100 within ${i % 2 === 0 ? "10 seconds" : "1 minute"} ${cmp}`))
        .join("") + [200, 400, 700].map((k, i) => rule(`m${String(i)}`, "approve", `sum args.amount of s.pay within 1 minute step 5 seconds > ${String(k)}`)).join(""),
    );
    const events: SessionEvent[] = [];
    let state: Uint8Array | undefined;
    const effects = new Set<string>();
    for (let step = 0; step < 80; step++) {
      const now = step * 3000;
      const request = { agent: { id: "bot", groups: [], trust: 1 }, action: "s.pay", args: { recipient: "ann", amount: [150, 50, 250, 120][step % 4]!, kind: "a" }, env: "production", context: { session: "s-1" } };
      const session: SessionInput = { now, ...(state === undefined ? {} : { state }) };
      const expected = interpreter.decide(request, undefined, { now, trace: events });
      expect(engine.decide(request, undefined, session), `step ${String(step)}`).toEqual(expected);
      effects.add(expected.effect);
      // Enforce allow every other step, so refused and parked calls enter the trace too.
      const effect = step % 2 === 0 ? "allow" : expected.effect;
      events.push({ kind: "call", time: now, request, effect });
      const update = engine.record(request, session, effect);
      if (!update.ok) throw new Error(update.error.message);
      state = update.state;
    }
    expect([...effects].sort()).toEqual(["approve", "deny"]);
  });

  it("the interpreter refuses a trace event whose effect is not allow, approve or deny, Object.prototype members included", () => {
    const { interpreter } = compile(rule("c", "deny", "count s.pay within 1 minute > 2"));
    const request = { agent: { id: "bot", groups: [], trust: 1 }, action: "s.pay", args: { recipient: "ann", amount: 1, kind: "a" }, env: "production", context: { session: "s-1" } };
    for (const effect of ["constructor", "toString", "__proto__", "run"]) {
      const trace = [{ kind: "call", time: 1, request, effect }] as unknown as SessionEvent[];
      expect(interpreter.decide(request, undefined, { now: 2, trace })).toMatchObject({
        effect: "deny",
        error: { code: "session_error", message: `session event 0 records the effect ${JSON.stringify(effect)}; use allow, approve or deny` },
      });
    }
  });
});
