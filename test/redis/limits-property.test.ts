/**
 * Property: several clients (each its own Redis connection, so their
 * commands really interleave at the server) reserving, committing and
 * refunding against one cap, with request ids drawn from a shared pool so
 * they collide, never take the counter past the cap, charge a request id at
 * most once, and end where the memory store's model of the same final
 * reservations ends. Fixed seed; `AGP_REDIS_PROPERTY_RUNS` for more.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Limits, ManualClock, MemoryStateStore, type Reservation } from "../../runtime/governance/index.js";
import { KeyLayout, RedisStateStore, connectRedis, type SharedConnection } from "../../runtime/redis/index.js";
import { hasRedis, startRedis, type TestRedis } from "../support/redis-server.js";

const CAP = 20;
const charge = (amount: number) => ({ id: "spend", kind: "budget" as const, key: ["team"], amount, cap: CAP, window: { count: 1, unit: "day" as const } });

type Op = { readonly type: "reserve"; readonly id: number; readonly amount: number } | { readonly type: "commit"; readonly id: number; readonly actual: number } | { readonly type: "refund"; readonly id: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ type: fc.constant("reserve" as const), id: fc.integer({ min: 0, max: 11 }), amount: fc.integer({ min: 1, max: 6 }) }) },
  fc.record({ type: fc.constant("commit" as const), id: fc.integer({ min: 0, max: 11 }), actual: fc.integer({ min: 0, max: 6 }) }),
  fc.record({ type: fc.constant("refund" as const), id: fc.integer({ min: 0, max: 11 }) }),
);

describe.runIf(hasRedis)("limits on Redis under interleaved clients", () => {
  let redis: TestRedis;
  const connections: SharedConnection[] = [];
  const releases: (() => Promise<void>)[] = [];
  let runs = 0;

  beforeAll(async () => {
    redis = await startRedis();
    for (let i = 0; i < 3; i++) {
      const connection = await connectRedis(redis.url);
      connections.push(connection);
      releases.push(connection.acquire());
    }
  });
  afterAll(async () => {
    for (const release of releases) await release();
    await redis?.destroy();
  });

  it("never pass the cap, charge each request id once, and end equal to the memory model", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(op, { maxLength: 14 }), { minLength: 2, maxLength: 3 }), async (clients) => {
        const clock = new ManualClock(Date.parse("2026-03-10T12:00:00Z"));
        const layout = new KeyLayout(`prop-${++runs}`);
        const stores = clients.map((_, i) => new RedisStateStore(connections[i]!, layout, { clock }));
        const limits = stores.map((store) => new Limits(store, clock));
        let peak = 0;
        const committed = new Map<string, number>(); // request id → the actual cost its winning commit charged
        await Promise.all(
          clients.map(async (ops, c) => {
            const mine = limits[c]!;
            for (const o of ops) {
              if (o.type === "reserve") {
                // Commits use an actual cost at most the amount reserved, so the cap binds the whole run.
                await mine.reserve(`r${o.id}`, [charge(o.amount)]);
                peak = Math.max(peak, await mine.used(charge(0)));
              } else if (o.type === "commit") {
                const reserved = await mine.get(`r${o.id}`);
                const actual = Math.min(o.actual, reserved?.charges[0]?.amount ?? 0);
                if ((await mine.commit(`r${o.id}`, actual)) !== undefined) committed.set(`r${o.id}`, actual);
              } else await mine.refund(`r${o.id}`);
            }
          }),
        );
        const used = await limits[0]!.used(charge(0));
        expect(peak).toBeLessThanOrEqual(CAP);
        expect(used).toBeLessThanOrEqual(CAP);
        // The model: a memory store given the same final reservations, each charged once.
        const model = new Limits(new MemoryStateStore({ clock }), clock);
        const finals: Reservation[] = [];
        for (let id = 0; id < 12; id++) {
          const r = await limits[0]!.get(`r${id}`);
          if (r !== undefined) finals.push(r);
        }
        for (const r of finals) {
          expect(r.status).not.toBe("pending");
          await model.reserve(r.requestId, [charge(r.charges[0]!.amount)], new Set(["spend"]));
          if (r.status === "refunded") await model.refund(r.requestId);
          if (r.status === "committed") await model.commit(r.requestId, committed.get(r.requestId));
        }
        expect(used).toBe(await model.used(charge(0)));
        for (const store of stores) await store.close();
      }),
      { seed: 1313, numRuns: Number(process.env["AGP_REDIS_PROPERTY_RUNS"] ?? 25) },
    );
  });
});
