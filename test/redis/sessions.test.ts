/**
 * Session state on every StateStore (docs/governance.md, "Sessions"): the
 * gateway keeps a session's state through the store's compare-and-set only,
 * so the file store and a real Redis must give the same answers as memory.
 * Two gateways on two stores over one backing (two processes: one file
 * opened twice is not supported, so the file case shares one store; Redis
 * gets two connections) race payments of one session, and the velocity rule
 * still lets exactly two run; a reported failure reaches the next check.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compilePaths } from "../../compiler/compile/index.js";
import { loadPolicySync, type PolicyEngine } from "../../runtime/index.js";
import { createGateway, ManualClock, MemoryAuditSink, sequentialIds, type StateStore } from "../../runtime/governance/index.js";
import { FileStateStore } from "../../runtime/node/index.js";
import { KeyLayout, RedisStateStore, connectRedis } from "../../runtime/redis/index.js";
import { hasRedis, startRedis, type TestRedis } from "../support/redis-server.js";

let engine: PolicyEngine;
const T0 = Date.parse("2026-03-10T12:00:00Z");

beforeAll(async () => {
  const compiled = await compilePaths(["test/fixtures/testing/session/session.agp"]);
  if (compiled.result === undefined) throw new Error(compiled.diagnostics.map((d) => d.message).join("; "));
  engine = loadPolicySync(compiled.result.wasm);
});

const AGENT = { id: "bot", groups: [], trust: 2 };
const pay = (recipient: string, session: string) => ({
  agent: AGENT,
  action: "ws.bank.send",
  args: { recipient, amount: 10, currency: "EUR", note: null, memo: "" },
  env: "production",
  context: { session },
});

function gateway(store: StateStore, clock: ManualClock, prefix: string) {
  return createGateway({ engine, store, clock, audit: new MemoryAuditSink(), ids: sequentialIds(prefix), trust: false });
}

/** The same race and the same outcome, on stores `a` and `b` over one backing. */
async function sessionsAgree(a: StateStore, b: StateStore, clock: ManualClock): Promise<void> {
  const left = await gateway(a, clock, "a");
  const right = await gateway(b, clock, "b");
  const results = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? left : right).check(pay("DE7", "race"), { requestId: `q${i}` })));
  expect(results.filter((r) => r.action === "run")).toHaveLength(2);
  for (const r of results.filter((r) => r.action !== "run")) expect(r.reason).toBe("at most 2 payments per recipient per hour");
  // The state is the policy's bytes, under session:<id>, readable from the other side.
  const stored = await b.get("session:race");
  expect(atob(stored!).length).toBe(engine.manifest.session!.stateBytes);
  // A failure reported through one gateway makes the next payment through the other wait.
  const first = await left.check(pay("DE9", "retry"), { requestId: "f1" });
  expect(first.action).toBe("run");
  expect((await left.report("f1", "failed")).ok).toBe(true);
  clock.advance(60_000);
  const again = await right.check(pay("DE9", "retry"), { requestId: "f2" });
  expect(again.action).toBe("wait");
  expect(again.reason).toBe("a payment right after a failed one waits for finance");
}

describe("session state on the file store", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("two gateways on one file store: exactly two payments run, a reported failure is seen by the other", async () => {
    const dir = await mkdtemp(join(tmpdir(), "agp-sessions-"));
    dirs.push(dir);
    const clock = new ManualClock(T0);
    const store = await FileStateStore.open(join(dir, "state.jsonl"), { clock, fsync: "never" });
    try {
      await sessionsAgree(store, store, clock);
    } finally {
      await store.close();
    }
  });
});

describe.runIf(hasRedis)("session state on Redis", () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.destroy();
  });

  it("two gateways on two connections (two processes): exactly two payments run, a reported failure is seen by the other", async () => {
    const clock = new ManualClock(T0);
    const one = await connectRedis(redis.url);
    const two = await connectRedis(redis.url);
    const a = new RedisStateStore(one, new KeyLayout("sessions"), { clock });
    const b = new RedisStateStore(two, new KeyLayout("sessions"), { clock });
    try {
      await sessionsAgree(a, b, clock);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
