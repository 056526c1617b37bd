/**
 * The gateway with session rules (docs/governance.md, "Sessions";
 * docs/decisions/0024-session-rules.md §7): the session's state is read and
 * written through the StateStore at `session:<id>` with compare-and-set,
 * every answer the policy decided is recorded (run → allowed, wait → parked,
 * refuse → refused), reports record outcomes, concurrent checks of one
 * session (in one process, and across two gateways sharing a store) never
 * pass a count, and a damaged stored state is refused, never read as empty.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { compilePaths } from "../../compiler/compile/index.js";
import { loadPolicySync, type PolicyEngine } from "../../runtime/index.js";
import { createGateway, ManualClock, MemoryAuditSink, MemoryStateStore, sequentialIds } from "../../runtime/governance/index.js";

let engine: PolicyEngine;

beforeAll(async () => {
  const compiled = await compilePaths(["test/fixtures/testing/session/session.agp"]);
  if (compiled.result === undefined) throw new Error(compiled.diagnostics.map((d) => d.message).join("; "));
  engine = loadPolicySync(compiled.result.wasm);
});

const AGENT = { id: "bot", groups: [], trust: 2 };
const request = (action: string, args: object, session = "s-1") => ({ agent: AGENT, action, args, env: "production", context: { session } });
const pay = (recipient = "DE1", session = "s-1") => request("ws.bank.send", { recipient, amount: 10, currency: "EUR", note: null, memo: "" }, session);
const mail = (to: string[], session = "s-1") => request("ws.mail.send", { to, subject: "s", body: "b" }, session);

async function gateway(store = new MemoryStateStore({ clock: new ManualClock(Date.parse("2026-03-10T12:00:00Z")) }), clock = new ManualClock(Date.parse("2026-03-10T12:00:00Z"))) {
  return createGateway({ engine, store, clock, audit: new MemoryAuditSink(), ids: sequentialIds("t"), trust: false });
}

describe("gateway sessions", () => {
  it("a fetch then mail to a new recipient waits; the state is in the store under session:<id>, kept for the policy's lifetime", async () => {
    const clock = new ManualClock(Date.parse("2026-03-10T12:00:00Z"));
    const store = new MemoryStateStore({ clock });
    const gw = await gateway(store, clock);
    expect((await gw.check(mail(["ann@x.io"]), { requestId: "r1" })).action).toBe("run");
    expect((await gw.check(request("ws.web.fetch", { url: "https://evil.example" }), { requestId: "r2" })).action).toBe("run");
    const waiting = await gw.check(mail(["eve@evil.example"]), { requestId: "r3" });
    expect(waiting.action).toBe("wait");
    expect(waiting.reason).toBe("after untrusted input, mail to new recipients waits for a human");
    const stored = await store.get("session:s-1");
    expect(typeof stored).toBe("string");
    expect(atob(stored!).length).toBe(engine.manifest.session!.stateBytes);
    // Another session has its own history.
    expect((await gw.check(mail(["eve@evil.example"], "s-2"), { requestId: "r4" })).action).toBe("run");
    clock.advance(engine.manifest.session!.retainMs + 1);
    expect(await store.get("session:s-1")).toBeUndefined();
  });

  it("20 concurrent payments to one recipient in one session: exactly 2 run", async () => {
    const gw = await gateway();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => gw.check(pay(), { requestId: `p${i}` })));
    expect(results.filter((r) => r.action === "run")).toHaveLength(2);
    expect(results.filter((r) => r.action === "refuse").every((r) => r.reason === "at most 2 payments per recipient per hour")).toBe(true);
  });

  it("two gateways sharing a store (two processes): compare-and-set keeps the count exact", async () => {
    const clock = new ManualClock(Date.parse("2026-03-10T12:00:00Z"));
    const store = new MemoryStateStore({ clock });
    const a = await gateway(store, clock);
    const b = await gateway(store, clock);
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).check(pay("DE7"), { requestId: `q${i}` })));
    expect(results.filter((r) => r.action === "run")).toHaveLength(2);
  });

  it("a reported failure makes the next payment wait (previous … failed)", async () => {
    const gw = await gateway();
    const first = await gw.check(pay("DE1"), { requestId: "f1" });
    expect(first.action).toBe("run");
    expect((await gw.report("f1", "failed")).ok).toBe(true);
    const next = await gw.check(pay("DE2"), { requestId: "f2" });
    expect(next.action).toBe("wait");
    expect(next.reason).toBe("a payment right after a failed one waits for finance");
  });

  it("a stored state that is damaged is refused, never taken for a new session", async () => {
    const store = new MemoryStateStore({ clock: new ManualClock() });
    await store.compareAndSet("session:s-9", undefined, "%%% not base64 %%%");
    const gw = await gateway(store);
    const result = await gw.check(pay("DE1", "s-9"), { requestId: "d1" });
    expect(result.action).toBe("refuse");
    expect(result.decision.error?.code).toBe("session_error");
    expect(result.reason).toContain("the session's state does not belong to this policy");
  });

  it("a request without the session key is refused with the reason, and nothing is stored", async () => {
    const store = new MemoryStateStore({ clock: new ManualClock() });
    const gw = await gateway(store);
    const bare = { agent: AGENT, action: "ws.bank.send", args: { recipient: "DE1", amount: 10, currency: "EUR", note: null, memo: "" }, env: "production" };
    const result = await gw.check(bare, { requestId: "n1" });
    expect(result.action).toBe("refuse");
    expect(result.reason).toBe("rule `velocity` needs the session's history, but the request has no `context.session`");
    expect(await store.list("session:")).toEqual([]);
  });
});
