/**
 * Sessions on the JSON entry point: a JSON host (runtime/json/decider.ts,
 * docs/abi.md "Sessions") keeps its own session state through
 * `decideJson` / `recordJson` / `outcomeJson`, and every decision equals the
 * object path's (`engine.decide` / `record` / `outcome`, its own state) over
 * generated session policies and traces: calls, outcomes, clocks that go
 * backwards, requests without a session key, overflowing sets.
 */
import { describe, expect, it } from "vitest";
import { loadCatalog, mergeCatalogs } from "../../compiler/catalog/index.js";
import { check } from "../../compiler/check/index.js";
import { compilePolicy } from "../../compiler/compile/index.js";
import { parse } from "../../compiler/syntax/index.js";
import { loadJsonDeciderSync, loadPolicySync } from "../../runtime/index.js";
import type { Decision } from "../../runtime/decision.js";
import { generateSessionPolicy, generateTrace, SESSION_CATALOG } from "../compile/generate-session.js";

const set = mergeCatalogs([loadCatalog("session.json", JSON.stringify(SESSION_CATALOG)).catalog!]).set;

function compiled(seed: number): Uint8Array | undefined {
  const parsed = parse(generateSessionPolicy(seed).text, "sess.agp");
  if (parsed.diagnostics.length > 0) return undefined;
  const result = check({ files: [parsed.file], catalogs: set });
  if (result.diagnostics.some((d) => d.severity === "error")) return undefined;
  return compilePolicy(result.checked, set, { version: "1.0.0" }).compiled?.wasm;
}

describe("sessions through the JSON entry point", () => {
  it("decide, record and outcome agree with the object path on generated policies and traces", () => {
    let policies = 0;
    let decided = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const wasm = compiled(seed);
      if (wasm === undefined) continue;
      policies++;
      const engine = loadPolicySync(wasm);
      const json = loadJsonDeciderSync(loadPolicySync(wasm));
      let objectState: Uint8Array | undefined;
      let jsonState: Uint8Array | undefined;
      const calls = new Map<number, { request: Record<string, unknown>; objectCall: number; jsonCall: number }>();
      generateTrace(seed * 7919, 30).forEach((step, i) => {
        const objectInput = { now: step.now, ...(objectState === undefined ? {} : { state: objectState }) };
        const jsonInput = { now: step.now, ...(jsonState === undefined ? {} : { state: jsonState }) };
        if (step.kind === "outcome") {
          const call = calls.get(step.call);
          if (call === undefined) return;
          const a = engine.outcome(call.request, objectInput, call.objectCall, step.outcome);
          const b = json.outcomeJson(JSON.stringify(call.request), jsonInput, call.jsonCall, step.outcome);
          expect(b.ok, `step ${String(i)}`).toBe(a.ok);
          if (a.ok && b.ok) {
            objectState = a.state;
            jsonState = b.state;
          }
          return;
        }
        const text = JSON.stringify(step.request);
        const expected: Decision = engine.decide(step.request, undefined, objectInput);
        const actual: Decision = json.decideJson(text, undefined, jsonInput);
        expect(actual, `seed ${String(seed)} step ${String(i)}: ${text}`).toEqual(expected);
        decided++;
        if (expected.error !== undefined) return;
        const effect = step.enforce ?? expected.effect;
        const a = engine.record(step.request, objectInput, effect);
        const b = json.recordJson(text, jsonInput, effect);
        expect(b.ok).toBe(a.ok);
        if (!a.ok || !b.ok) return;
        expect(b.call).toBe(a.call);
        objectState = a.state;
        jsonState = b.state;
        if (effect === "allow" && a.call > 0) calls.set(i, { request: step.request, objectCall: a.call, jsonCall: b.call });
      });
    }
    expect(policies).toBeGreaterThan(2);
    expect(decided).toBeGreaterThan(50);
  });

  it("refuses a request of a session without a session input, and a damaged state, as the object path does", () => {
    const { engine, json, request } = watchedCall();
    for (const input of [undefined, { now: -1 }, { now: 5, state: new Uint8Array(3) }]) {
      const expected = engine.decide(request, undefined, input);
      expect(expected.error?.code).toBe("session_error");
      expect(json.decideJson(JSON.stringify(request), undefined, input)).toEqual(expected);
    }
    const unkeyed = { ...request, context: {} };
    expect(json.decideJson(JSON.stringify(unkeyed), undefined, { now: 5 })).toEqual(engine.decide(unkeyed, undefined, { now: 5 }));
  });

  it("records no effect and no outcome named after an Object.prototype member (it would reach the module as 0, allow)", () => {
    const { engine, json, request } = watchedCall();
    const text = JSON.stringify(request);
    for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"]) {
      const recorded = { ok: false, error: { code: "session_error", message: `cannot record the effect ${JSON.stringify(name)}; use allow, approve or deny`, path: "" } };
      expect(engine.record(request, { now: 5 }, name as never)).toEqual(recorded);
      expect(json.recordJson(text, { now: 5 }, name as never)).toEqual(recorded);
      const reported = { ok: false, error: { code: "session_error", message: `unknown outcome ${JSON.stringify(name)}; use succeeded, failed or rolled_back`, path: "" } };
      expect(engine.outcome(request, { now: 5 }, 1, name as never)).toEqual(reported);
      expect(json.outcomeJson(text, { now: 5 }, 1, name as never)).toEqual(reported);
    }
  });
});

/** Both entry points on one generated session policy, and a request of an action its session rules watch. */
function watchedCall() {
  const wasm = compiled(1) ?? compiled(2)!;
  const engine = loadPolicySync(wasm);
  const json = loadJsonDeciderSync(loadPolicySync(wasm));
  const watched = engine.manifest.actions.find((a) => a.session?.needs !== undefined)!;
  const request = { agent: { id: "bot", groups: [], trust: 2 }, action: watched.name, args: argsOf(watched.name), env: "production", context: { session: "s-1" } };
  return { engine, json, request };
}

function argsOf(action: string): Record<string, unknown> {
  switch (action) {
    case "s.fetch":
      return { url: "a" };
    case "s.read":
      return { path: "/pub" };
    case "s.send":
      return { to: ["ann"], urgent: false };
    default:
      return { recipient: "ann", amount: 1, kind: "a" };
  }
}
