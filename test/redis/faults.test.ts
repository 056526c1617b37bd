/**
 * Faults with real processes: Redis killed in the middle of load (every
 * check refuses, fast; nothing allowed), restarted from its AOF (service
 * resumes, nothing acknowledged lost, the chain verifies), Redis hanging
 * (checks fail at the command timeout), and a gateway process killed with
 * SIGKILL mid-check (the others go on, the chain verifies, what it reserved
 * expires by TTL).
 */
import { afterAll, describe, expect, it } from "vitest";
import { verifyAudit, type Reservation } from "../../runtime/governance/index.js";
import { KeyLayout, RedisStateStore, connectRedis, exportAudit, type SharedConnection } from "../../runtime/redis/index.js";
import { hasRedis, startRedis, type TestRedis } from "../support/redis-server.js";
import { Replica, fleetWasm, stopAll, type FleetAnswer } from "./fleet.js";

const PREFIX = "faults";
const layout = new KeyLayout(PREFIX);
const RATE = { id: "deploy_rate", kind: "rate", key: [], amount: 1, cap: 1000, window: { count: 1, unit: "day" } } as const;
const deploy = (i: number) => ({ agent: { id: `bot-${i % 8}`, groups: [], trust: 2 }, action: "deploy.service", args: { service: "api" }, env: "production", context: { session: "s", reasoning: "load" } });
const deploys = (tag: string, n: number) => Array.from({ length: n }, (_, i) => ({ request: deploy(i), requestId: `${tag}-${i}` }));
const counterKey = 'counter:deploy_rate:[]';

afterAll(() => stopAll());

/** The gateway's refusal when the shared state fails mid-check, with the store's own words inside. */
const storeRefusal = (step: string, why: string) =>
  new RegExp(
    `^the gateway could not complete this check: the shared state at redis://127\\.0\\.0\\.1:\\d+ is unavailable \\(${step}\\): ${why}; ` +
      `nothing was run, so this request is refused \\(it may be retried with the same request id\\)$`,
  );

/** A connection of the test's own, and a store on it. */
async function inspect(redis: TestRedis): Promise<{ connection: SharedConnection; store: RedisStateStore; done(): Promise<void> }> {
  const connection = await connectRedis(redis.url);
  const release = connection.acquire();
  const store = new RedisStateStore(connection, layout);
  return { connection, store, done: async () => (await store.close(), await release()) };
}

/** Polls until `ready` or `ms` pass. */
async function until(ready: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ready())) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function chainOf(redis: TestRedis) {
  const { connection, done } = await inspect(redis);
  let text = "";
  await exportAudit(connection, layout, (page) => void (text += page));
  await done();
  return verifyAudit(text);
}

describe.runIf(hasRedis)("faults", () => {
  it("Redis killed mid-load: checks refuse at once and nothing is allowed; restarted from the AOF: service resumes, nothing acknowledged is lost", async () => {
    const redis = await startRedis();
    try {
      const wasm = await fleetWasm();
      const replicas = await Promise.all([0, 1].map(() => Replica.start(wasm, redis.url, PREFIX, 500)));
      const watcher = await inspect(redis);
      const load = Promise.all(replicas.map((r, i) => r.check(deploys(`load-${i}`, 400), 20)));
      // Wait for answered checks (their audit entries), not just reservations.
      await until(async () => (await watcher.connection.client.xlen(layout.auditLog)) >= 60);
      await watcher.done();
      const killedAt = Date.now();
      await redis.stop("SIGKILL");
      const answers: FleetAnswer[] = (await load).flat();
      const runs = answers.filter((a) => a.action === "run");
      const failed = answers.filter((a) => a.action !== "run");
      const startedAfter = answers.filter((a) => a.at - a.ms > killedAt + 50);
      expect(runs.length).toBeGreaterThanOrEqual(40);
      expect(startedAfter.length).toBeGreaterThan(0);
      // Nothing that started after the kill ran; each failed with the store's reason, and quickly.
      // A store failure is an audited refusal that names the store's reason (issue 11 D).
      expect(startedAfter.filter((a) => a.action !== "refuse")).toEqual([]);
      expect(new Set(failed.map((a) => a.action))).toEqual(new Set(["refuse"]));
      for (const a of failed) expect(a.reason).toMatch(storeRefusal("(.+)", "(not connected|the connection dropped before the reply|the connection is closed)"));
      expect(Math.max(...startedAfter.map((a) => a.ms))).toBeLessThan(3000);

      await redis.restart();
      let resumed: FleetAnswer[] = [];
      await until(async () => {
        resumed = await replicas[0]!.check([{ request: deploy(0), requestId: `resume-${Date.now()}` }]);
        return resumed[0]!.action === "run";
      });
      const check = await inspect(redis);
      // Every answered run's record and charge survived the crash (appendfsync always).
      const records = await check.store.getMany(runs.map((a) => `run:${a.requestId}`));
      expect(records.filter((r) => r === undefined)).toHaveLength(0);
      const used = (await check.store.counter(counterKey))!.used / 1_000_000;
      expect(used).toBeGreaterThanOrEqual(runs.length + 1);
      expect(used).toBeLessThanOrEqual(runs.length + 1 + failed.length);
      await check.done();
      await Promise.all(replicas.map((r) => r.close()));
      const chain = await chainOf(redis);
      expect(chain.problems).toEqual([]);
      expect(chain.entries).toBeGreaterThanOrEqual(runs.length + 1);
    } finally {
      await redis.destroy();
    }
  });

  it("Redis hanging: checks fail at the command timeout, not later, and resume when it answers again", async () => {
    const redis = await startRedis();
    try {
      const replica = await Replica.start(await fleetWasm(), redis.url, PREFIX, 300);
      expect((await replica.check(deploys("before", 1)))[0]!.action).toBe("run");
      redis.pause();
      let hung: FleetAnswer[];
      try {
        hung = await replica.check(deploys("hung", 20));
      } finally {
        redis.resume();
      }
      expect(hung.map((a) => a.action)).toEqual(new Array(20).fill("refuse"));
      for (const a of hung) {
        expect(a.reason).toMatch(storeRefusal("read state", "no reply within 300 ms"));
        expect(a.ms).toBeLessThan(300 + 2000);
      }
      expect((await replica.check(deploys("after", 1)))[0]!.action).toBe("run");
      await replica.close();
      expect((await chainOf(redis)).problems).toEqual([]);
    } finally {
      await redis.destroy();
    }
  });

  it("a gateway process killed mid-check: the others go on, the chain verifies, and its reservations expire by TTL", async () => {
    const redis = await startRedis();
    try {
      const wasm = await fleetWasm();
      const [victim, survivor] = await Promise.all([0, 1].map(() => Replica.start(wasm, redis.url, PREFIX, 2000))) as [Replica, Replica];
      const watcher = await inspect(redis);
      void victim.check(deploys("victim", 400), 50).catch(() => undefined);
      await until(async () => ((await watcher.store.counter(counterKey))?.used ?? 0) >= 20_000_000);
      await victim.kill();
      const after = await survivor.check(deploys("survivor", 10));
      expect(after.map((a) => a.action)).toEqual(new Array(10).fill("run"));
      await survivor.close();

      const chain = await chainOf(redis);
      expect(chain.problems).toEqual([]);
      // What the victim left reserved (never reported) keeps its charge until it expires with a TTL.
      const left = (await watcher.store.list("reservation:victim-")).map(([, v]) => JSON.parse(v) as Reservation);
      expect(left.length).toBeGreaterThan(0);
      const client = watcher.connection.client;
      for (const reservation of left) {
        expect(["pending", "reserved"]).toContain(reservation.status);
        const ttl = await client.pttl(layout.value(`reservation:${reservation.requestId}`));
        expect(ttl).toBeGreaterThan(0);
      }
      const counterTtl = await client.pttl(layout.counter(counterKey));
      const windowEnd = Math.ceil(Date.now() / 86_400_000) * 86_400_000;
      expect(counterTtl).toBeGreaterThan(0);
      expect(counterTtl).toBeLessThanOrEqual(windowEnd + 86_400_000 + 60_000 - Date.now() + 1000);
      const used = (await watcher.store.counter(counterKey))!.used / 1_000_000;
      expect(used).toBeLessThanOrEqual(1000);
      await watcher.done();
    } finally {
      await redis.destroy();
    }
  });
});
