/**
 * Differential for session rules: the compiled module's monitors (compact
 * state, run by the runtime) against the reference interpreter's trace
 * semantics (the whole trace), decision for decision after every step of
 * generated traces — the test that the compact state is exact
 * (docs/decisions/0024-session-rules.md). Generated policies mix every
 * operator, correlations, statuses, labels, small capacities (so sets
 * overflow) and windows the traces' time steps open and close; traces mix
 * calls, outcomes, enforced effects other than the decision's, missing
 * session keys and clocks that go backwards. Outcomes reach the module as
 * the gateway keeps them (only the paths the outcome reads, ADR 0025), the
 * interpreter as whole requests: agreement shows the kept part is enough.
 * Fixed seeds in the suite; AGP_DIFF_SEEDS=n runs n more policies.
 */
import { describe, expect, it } from "vitest";
import { loadCatalog, mergeCatalogs } from "../../compiler/catalog/index.js";
import { check } from "../../compiler/check/index.js";
import { compilePolicy } from "../../compiler/compile/index.js";
import { interpretChecked, type SessionEvent } from "../../compiler/interpret/index.js";
import { parse } from "../../compiler/syntax/index.js";
import { loadPolicySync, type PolicyEngine } from "../../runtime/index.js";
import type { Decision } from "../../runtime/decision.js";
import { outcomeRequest } from "../../runtime/governance/index.js";
import { generateSessionPolicy, generateTrace, SESSION_CATALOG } from "./generate-session.js";

const catalog = loadCatalog("session.json", JSON.stringify(SESSION_CATALOG));
const set = mergeCatalogs([catalog.catalog!]).set;
const EXTRA = Number(process.env["AGP_DIFF_SEEDS"] ?? 0);
const POLICIES = 12 + EXTRA;
const TRACES = 2;
const STEPS = 40;

interface Compiled {
  readonly engine: PolicyEngine;
  readonly interpreter: ReturnType<typeof interpretChecked>;
}

function compile(text: string): Compiled | undefined {
  const parsed = parse(text, "sess.agp");
  if (parsed.diagnostics.length > 0) return undefined;
  const result = check({ files: [parsed.file], catalogs: set });
  if (result.diagnostics.some((d) => d.severity === "error")) return undefined;
  const out = compilePolicy(result.checked, set, { version: "1.0.0" });
  if (out.compiled === undefined) throw new Error(`does not compile: ${out.diagnostics.map((d) => d.message).join("; ")}\n${text}`);
  const engine = loadPolicySync(out.compiled.wasm);
  return { engine, interpreter: interpretChecked(result.checked, set, { policy: engine.policy }) };
}

/** Runs one trace through both engines; returns the effects seen. */
function runTrace(c: Compiled, seed: number): Set<string> {
  const effects = new Set<string>();
  const events: SessionEvent[] = [];
  let state: Uint8Array | undefined;
  // Per call step: where its event is in the trace, its number in the session, and what was enforced.
  const calls = new Map<number, { event: number; number: number; effect: string; request: Record<string, unknown> }>();
  const steps = generateTrace(seed, STEPS);
  steps.forEach((step, i) => {
    const session = { now: step.now, ...(state === undefined ? {} : { state }) };
    if (step.kind === "outcome") {
      const call = calls.get(step.call);
      if (call === undefined || call.effect !== "allow") return; // only allowed calls have outcomes
      events.push({ kind: "outcome", time: step.now, call: call.event, outcome: step.outcome });
      // The module gets what a gateway keeps of the run (ADR 0025); the interpreter's trace has the whole request.
      const kept = outcomeRequest(c.engine.manifest, call.request);
      if (kept === undefined || "secret" in kept) throw new Error(`the manifest does not say what to keep of ${String(call.request["action"])}`);
      const update = c.engine.outcome(kept.request, session, call.number, step.outcome);
      if (!update.ok) throw new Error(`outcome refused: ${update.error.message}`);
      state = update.state;
      return;
    }
    const expected: Decision = c.interpreter.decide(step.request, undefined, { now: step.now, trace: events });
    const actual: Decision = c.engine.decide(step.request, undefined, session);
    expect(actual, `step ${String(i)}: ${JSON.stringify(step)}`).toEqual(expected);
    effects.add(expected.error?.code ?? expected.effect);
    const needs = c.engine.manifest.actions.find((a) => a.name === step.request["action"])?.session?.needs !== undefined;
    if (expected.error !== undefined || !needs) return;
    const effect = step.enforce ?? expected.effect;
    events.push({ kind: "call", time: step.now, request: step.request, effect });
    const update = c.engine.record(step.request, session, effect);
    if (!update.ok) throw new Error(`record refused: ${update.error.message}`);
    state = update.state;
    calls.set(i, { event: events.length - 1, number: update.call, effect, request: step.request });
  });
  return effects;
}

describe("differential: session monitors vs the interpreter's trace semantics", () => {
  it(`agrees on ${POLICIES} generated policies × ${TRACES} traces × ${STEPS} steps`, () => {
    let compiled = 0;
    const effects = new Set<string>();
    for (let seed = 1; seed <= POLICIES; seed++) {
      const policy = generateSessionPolicy(seed);
      const c = compile(policy.text);
      if (c === undefined) continue;
      compiled++;
      for (let t = 0; t < TRACES; t++) {
        try {
          for (const e of runTrace(c, seed * 1000 + t)) effects.add(e);
        } catch (error) {
          throw new Error(`policy seed ${String(seed)}, trace ${String(t)}:\n${policy.text}\n${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
    expect(compiled).toBeGreaterThan(POLICIES / 2);
    expect([...effects].sort()).toEqual(expect.arrayContaining(["allow", "approve", "deny", "session_error"]));
  }, 120_000 + EXTRA * 5_000);
});
