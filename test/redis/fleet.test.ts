/**
 * Several gateway processes against one real Redis: concurrent reservations
 * never overshoot a cap or a budget, a kill switch engaged in one replica is
 * obeyed by the others at their next check, an approval given through one
 * is consumed exactly once across all, and the shared audit chain verifies
 * after they stop. `AGP_FLEET_LOAD=N` multiplies the load (default 1).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAudit } from "../../runtime/governance/index.js";
import { KeyLayout, connectRedis, exportAudit } from "../../runtime/redis/index.js";
import { hasRedis, startRedis, type TestRedis } from "../support/redis-server.js";
import { Replica, fleetWasm, stopAll, type FleetAnswer } from "./fleet.js";

const LOAD = Math.max(1, Number(process.env["AGP_FLEET_LOAD"] ?? 1));
const PREFIX = "fleet";
const agent = (i: number) => ({ id: `bot-${i % 16}`, groups: ["coding-bots"], trust: 2 });
const deploy = (i: number) => ({ agent: agent(i), action: "deploy.service", args: { service: "api" }, env: "production", context: { session: "s", reasoning: "load" } });
const spend = (i: number, cost: number) => ({ agent: agent(i), action: "aws.ec2.run_instances", args: { account: "sandbox", estimated_cost_usd: cost }, env: "production", context: { session: "s", reasoning: "load" } });
const merge = { agent: { id: "ci-fixer", groups: ["coding-bots"], trust: 2 }, action: "github.pull_request.merge", args: { repo: "acme/infra", number: 7 }, env: "production", context: { session: "s", reasoning: "merge" } };
const BOB = { id: "bob", groups: ["infra-reviewers"] };
const CAROL = { id: "carol", groups: ["infra-reviewers"] };
const count = (answers: readonly FleetAnswer[], action: string) => answers.filter((a) => a.action === action).length;

describe.runIf(hasRedis)("a fleet of gateway processes on one Redis", () => {
  let redis: TestRedis;
  let replicas: Replica[] = [];
  let answered = 0;

  beforeAll(async () => {
    redis = await startRedis();
    const wasm = await fleetWasm();
    // A generous command timeout: this test is about counting under load on a shared 2-core machine, not latency.
    replicas = await Promise.all([0, 1, 2].map(() => Replica.start(wasm, redis.url, PREFIX, 10_000)));
  }, 60_000);

  afterAll(async () => {
    stopAll();
    await redis?.destroy();
  });

  it(`${1500 * LOAD} deploys and ${600 * LOAD} budget charges from 3 processes (200 in flight in each) never pass the cap of 1000 or the budget of 500 usd`, async () => {
    const n = 500 * LOAD;
    const results = await Promise.all(
      replicas.map((replica, r) =>
        replica.check([
          ...Array.from({ length: n }, (_, i) => ({ request: deploy(i), requestId: `d-${r}-${i}` })),
          ...Array.from({ length: 200 * LOAD }, (_, i) => ({ request: spend(i, 1.5), requestId: `s-${r}-${i}` })),
        ], 200),
      ),
    );
    const all = results.flat();
    answered += all.length;
    expect(all.filter((a) => a.action === "error")).toEqual([]);
    const deploys = all.filter((a) => a.requestId.startsWith("d-"));
    const spends = all.filter((a) => a.requestId.startsWith("s-"));
    expect(count(deploys, "run")).toBe(1000);
    expect(count(spends, "run")).toBe(333); // floor(500 / 1.5)
    expect(new Set(deploys.filter((a) => a.action === "refuse").map((a) => a.reason))).toEqual(new Set(["limit `deploy_rate` reached: 1000 per day"]));
    const used = await replicas[2]!.run<number>("used", { charge: { id: "deploy_rate", kind: "rate", key: [], amount: 1, cap: 1000, window: { count: 1, unit: "day" } } });
    expect(used).toBe(1000);
    const spent = await replicas[1]!.run<number>("used", { charge: { id: "daily_spend", kind: "budget", key: [], amount: 0, cap: 500, window: { count: 1, unit: "day" } } });
    expect(spent).toBeCloseTo(499.5, 6);
    // Refunds from one process free room for another.
    expect(await replicas[0]!.run("report", { requestId: deploys.find((a) => a.action === "run" && a.requestId.startsWith("d-1-"))!.requestId, outcome: "failed" })).toBe(true);
    answered++;
    const after = await replicas[2]!.check([{ request: deploy(0), requestId: "d-after-1" }, { request: deploy(1), requestId: "d-after-2" }]);
    answered += after.length;
    expect(after.map((a) => a.action).sort()).toEqual(["refuse", "run"]);
  });

  it("a kill switch engaged in one process is obeyed by the others at their next check, and released everywhere", async () => {
    const [a, b, c] = replicas as [Replica, Replica, Replica];
    await a.run("engage", { target: { scope: "family", name: "aws" }, by: "ana", reason: "cost incident" });
    const refused = [...(await b.check([{ request: spend(1, 0.1), requestId: "k-b" }])), ...(await c.check([{ request: spend(2, 0.1), requestId: "k-c" }]))];
    expect(refused.map((x) => [x.action, x.reason])).toEqual([
      ["refuse", "kill switch `aws` is engaged (by ana: cost incident)"],
      ["refuse", "kill switch `aws` is engaged (by ana: cost incident)"],
    ]);
    expect(await b.run("release", { target: { scope: "family", name: "aws" }, by: "ana", reason: "resolved" })).toBe(true);
    const after = await a.check([{ request: spend(3, 0.1), requestId: "k-a" }]);
    expect(after[0]!.action).toBe("run");
    answered += 3; // the engage and release entries are counted at the end
  });

  it("an approval given through two processes is consumed exactly once across all three", async () => {
    const [a, b, c] = replicas as [Replica, Replica, Replica];
    const [parked] = await a.check([{ request: merge, requestId: "m-0" }]);
    expect(parked).toMatchObject({ action: "wait", reason: "merging needs two reviewers" });
    expect(await b.run("approve", { ticket: parked!.ticket, approver: BOB })).toBe("pending");
    expect(await c.run("approve", { ticket: parked!.ticket, approver: CAROL })).toBe("approved");
    const racing = (await Promise.all(replicas.map((replica, r) => replica.check(Array.from({ length: 5 }, (_, i) => ({ request: merge, requestId: `m-${r}-${i}` })))))).flat();
    expect(count(racing, "run")).toBe(1);
    expect(count(racing, "wait")).toBe(14);
    answered += 1 + 2 + racing.length;
  });

  it("after every process stops, the shared audit chain verifies and holds every answer", async () => {
    await Promise.all(replicas.map((r) => r.close()));
    const connection = await connectRedis(redis.url);
    const release = connection.acquire();
    let text = "";
    const exported = await exportAudit(connection, new KeyLayout(PREFIX), (page) => {
      text += page;
    }, { pageSize: 97 });
    await release();
    const verified = verifyAudit(text);
    expect(verified.problems).toEqual([]);
    expect(verified.entries).toBe(exported.entries);
    expect(verified.entries).toBe(answered + 2); // + the kill switch's engage and release
  });
});
