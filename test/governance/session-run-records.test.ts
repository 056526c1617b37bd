/**
 * What a session's run record keeps (docs/decisions/0025-session-run-records.md):
 * only the request paths the outcome's filters, keys and sums read (the
 * manifest lists them per action), never a field the catalog marks secret;
 * and that is enough: an outcome recorded from the kept part leaves the same
 * state as one recorded from the whole request. A property test tries to
 * make a secret value reach the state store or the audit log.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { checkPaths } from "../../compiler/check/index.js";
import { compilePaths, compilePolicy, loadCatalogsOf } from "../../compiler/compile/index.js";
import { nodeFiles, type ProjectFiles } from "../../compiler/project/files.js";
import { loadPolicySync, type PolicyEngine } from "../../runtime/index.js";
import { createGateway, ManualClock, MemoryAuditSink, MemoryStateStore, outcomeRequest, sequentialIds } from "../../runtime/governance/index.js";

let engine: PolicyEngine;
let secretEngine: PolicyEngine;

async function load(file: string): Promise<PolicyEngine> {
  const compiled = await compilePaths([`test/fixtures/governance/run-records/${file}`]);
  if (compiled.result === undefined) throw new Error(compiled.diagnostics.map((d) => d.message).join("; "));
  return loadPolicySync(compiled.result.wasm);
}

/**
 * A module built before the checker refused outcome filters on secrets
 * (AGP286, ADR 0047): the policy is checked against the catalog with the
 * secret mark hidden, and compiled against the real one, so its manifest
 * marks the token secret. The gateway must still refuse to keep the token.
 */
async function loadUncheckedSecret(file: string): Promise<PolicyEngine> {
  const real = nodeFiles();
  const hidden: ProjectFiles = {
    ...real,
    readText: async (path) => (path.endsWith("vault.json") ? (await real.readText(path)).replace(', "x-agp-secret": true', "") : real.readText(path)),
  };
  const checked = await checkPaths([`test/fixtures/governance/run-records/${file}`], { files: hidden });
  if (checked.checked === undefined) throw new Error(checked.diagnostics.map((d) => d.message).join("; "));
  const catalogs = await loadCatalogsOf(checked.checked, process.cwd());
  const compiled = compilePolicy(checked.checked, catalogs);
  if (compiled.compiled === undefined) throw new Error(compiled.diagnostics.map((d) => d.message).join("; "));
  return loadPolicySync(compiled.compiled.wasm);
}

beforeAll(async () => {
  engine = await load("outcomes.agp");
  secretEngine = await loadUncheckedSecret("secret-outcome.agp");
});

const AGENT = { id: "bot", groups: [], trust: 2 };
const pay = (args: { recipient: string; amount: number; memo: string; token: string }, session = "s-1") => ({ agent: AGENT, action: "vault.pay.send", args, env: "production", context: { session } });

function gateway(target: PolicyEngine, store: MemoryStateStore, audit: MemoryAuditSink, clock: ManualClock) {
  return createGateway({ engine: target, store, clock, audit, ids: sequentialIds("t"), trust: false });
}

describe("run records keep only what outcomes read", () => {
  it("the manifest lists the paths an outcome reads: the summed amount, the filtered memo, the correlated recipient", () => {
    const action = engine.manifest.actions.find((a) => a.name === "vault.pay.send")!;
    expect(action.session?.reads).toEqual([
      ["args", "amount"],
      ["args", "memo"],
      ["args", "recipient"],
    ]);
  });

  it("the run record keeps those paths and the session key, not the token nor anything else, and drops them once reported", async () => {
    const clock = new ManualClock(Date.parse("2026-03-10T12:00:00Z"));
    const store = new MemoryStateStore({ clock });
    const gw = await gateway(engine, store, new MemoryAuditSink(), clock);
    const request = pay({ recipient: "DE1", amount: 10, memo: "inv-7", token: "tok-0123456789" });
    expect((await gw.check(request, { requestId: "r1" })).action).toBe("run");
    const record = JSON.parse((await store.get("run:r1"))!) as { session: unknown };
    expect(record.session).toEqual({
      id: "s-1",
      call: 1,
      request: { agent: {}, action: "vault.pay.send", args: { amount: 10, memo: "inv-7", recipient: "DE1" }, env: null, context: { session: "s-1" } },
    });
    expect(await gw.report("r1", "succeeded")).toMatchObject({ ok: true });
    expect((JSON.parse((await store.get("run:r1"))!) as { session: unknown }).session).toEqual({ id: "s-1", call: 1 });
  });

  it("outcomes recorded from the kept part: the rules still see them (a failure parks the next payment to that recipient; sums add up)", async () => {
    const clock = new ManualClock(Date.parse("2026-03-10T12:00:00Z"));
    const store = new MemoryStateStore({ clock });
    const gw = await gateway(engine, store, new MemoryAuditSink(), clock);
    expect((await gw.check(pay({ recipient: "DE1", amount: 60, memo: "inv-1", token: "a" }), { requestId: "p1" })).action).toBe("run");
    expect(await gw.report("p1", "succeeded")).toMatchObject({ ok: true });
    expect((await gw.check(pay({ recipient: "DE2", amount: 50, memo: "inv-2", token: "b" }), { requestId: "p2" })).action).toBe("run");
    expect(await gw.report("p2", "failed")).toMatchObject({ ok: true });
    const parked = await gw.check(pay({ recipient: "DE2", amount: 1, memo: "x", token: "c" }), { requestId: "p3" });
    expect(parked).toMatchObject({ action: "wait", reason: "a payment to a recipient whose last payment failed waits" });
    expect((await gw.check(pay({ recipient: "DE3", amount: 50, memo: "inv-3", token: "d" }), { requestId: "p4" })).action).toBe("run");
    expect(await gw.report("p4", "succeeded")).toMatchObject({ ok: true });
    const refused = await gw.check(pay({ recipient: "DE4", amount: 1, memo: "x", token: "e" }), { requestId: "p5" });
    expect(refused).toMatchObject({ action: "refuse", reason: "100 or more was invoiced this hour" });
  });

  it("an outcome recorded from the kept part leaves the same state as one recorded from the whole request", () => {
    const args = fc.record({
      recipient: fc.constantFrom("DE1", "DE2", "DE3"),
      amount: fc.integer({ min: 0, max: 100 }),
      memo: fc.constantFrom("inv-1", "inv-2", "other", ""),
      token: fc.string({ maxLength: 64 }),
    });
    const step = fc.record({ args, outcome: fc.constantFrom("succeeded" as const, "failed" as const, "rolled_back" as const), gap: fc.integer({ min: 0, max: 3_600_000 }) });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), (steps) => {
        let whole: Uint8Array | undefined;
        let kept: Uint8Array | undefined;
        let now = 1_000_000;
        for (const s of steps) {
          const request = pay(s.args);
          const recorded = engine.record(request, { now, ...(whole === undefined ? {} : { state: whole }) }, "allow");
          if (!recorded.ok) throw new Error(recorded.error.message);
          const keep = outcomeRequest(engine.manifest, request);
          if (keep === undefined || "secret" in keep) throw new Error("nothing kept");
          expect(JSON.stringify(keep.request)).not.toContain(`"token"`);
          now += s.gap;
          const a = engine.outcome(request, { now, state: recorded.state }, recorded.call, s.outcome);
          const b = engine.outcome(keep.request, { now, state: recorded.state }, recorded.call, s.outcome);
          if (!a.ok || !b.ok) throw new Error(`${a.ok ? "" : a.error.message} ${b.ok ? "" : b.error.message}`);
          expect(b.state).toEqual(a.state);
          whole = a.state;
          kept = b.state;
        }
        expect(kept).toEqual(whole);
      }),
      { seed: 25, numRuns: 60 },
    );
  });

  it("no secret value reaches the state store or the audit log, whatever the checks and reports", async () => {
    const token = fc.string({ minLength: 6, maxLength: 40 }).map((s) => `SECRET${s}`);
    const call = fc.record({
      recipient: fc.constantFrom("DE1", "DE2"),
      amount: fc.integer({ min: 0, max: 60 }),
      memo: fc.constantFrom("inv-1", "note"),
      token,
      outcome: fc.constantFrom("succeeded" as const, "failed" as const, "rolled_back" as const, undefined),
      session: fc.constantFrom("s-1", "s-2"),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 8 }), fc.boolean(), async (calls, readsSecret) => {
        const clock = new ManualClock(Date.parse("2026-03-10T12:00:00Z"));
        const store = new MemoryStateStore({ clock });
        const audit = new MemoryAuditSink();
        const gw = await gateway(readsSecret ? secretEngine : engine, store, audit, clock);
        for (const [i, c] of calls.entries()) {
          const answer = await gw.check(pay(c, c.session), { requestId: `q${i}` });
          if (answer.action === "run" && c.outcome !== undefined) await gw.report(`q${i}`, c.outcome);
          clock.advance(60_000);
        }
        const stored = JSON.stringify(store.snapshot());
        const states = (await store.list("session:")).map(([, v]) => new TextDecoder("latin1").decode(Uint8Array.from(atob(v), (ch) => ch.charCodeAt(0))));
        for (const c of calls) {
          expect(stored).not.toContain(c.token);
          expect(audit.text()).not.toContain(c.token);
          for (const state of states) expect(state).not.toContain(c.token);
        }
      }),
      { seed: 7, numRuns: 40 },
    );
  });

  it("an outcome rule that reads a secret field: the record keeps no request, and report says why", async () => {
    const clock = new ManualClock(Date.parse("2026-03-10T12:00:00Z"));
    const store = new MemoryStateStore({ clock });
    const gw = await gateway(secretEngine, store, new MemoryAuditSink(), clock);
    expect((await gw.check(pay({ recipient: "DE1", amount: 1, memo: "m", token: "tok-XYZ" }), { requestId: "k1" })).action).toBe("run");
    const text = (await store.get("run:k1"))!;
    expect(text).not.toContain("tok-XYZ");
    expect((JSON.parse(text) as { session: unknown }).session).toEqual({ id: "s-1", call: 1, secret: "args.token" });
    expect(await gw.report("k1", "failed")).toEqual({
      ok: false,
      code: "session_conflict",
      message: "the outcome of request `k1` cannot be recorded in session `s-1`: the policy's session rules read `args.token` of its outcome, which the catalog marks secret, and the gateway keeps no secret",
    });
  });
});
