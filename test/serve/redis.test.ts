/**
 * `agp serve --redis`: two real service processes on one real Redis share one
 * set of limits, kill switches and one audit chain — the store option is the
 * only difference from `--state <dir>` (runtime/serve/state.ts).
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAudit } from "../../runtime/governance/index.js";
import { hasRedis, startRedis, type TestRedis } from "../support/redis-server.js";
import { ADMIN, agp, call, deploy, serve, stopAll, workspace, type Served } from "./harness.js";

describe.runIf(hasRedis)("agp serve --redis: replicas share state", () => {
  let redis: TestRedis;
  let a: Served;
  let b: Served;
  let dir: string;

  beforeAll(async () => {
    redis = await startRedis();
    const w = await workspace();
    dir = w.dir;
    const policy = await w.bundle("policy.wasm", "1.0.0");
    const args = ["--policy", policy, ...w.trust, ...w.admin, "--redis", redis.url, "--redis-prefix", "svc"];
    [a, b] = await Promise.all([serve(args, dir), serve(args, dir)]);
  }, 60_000);

  afterAll(async () => {
    await stopAll();
    await redis?.destroy();
  });

  const post = (s: Served, path: string, body: unknown, token?: string) => call(s.url, "POST", path, { body, ...(token === undefined ? {} : { token }) });

  it("a kill switch engaged through one replica refuses on the other at its next check", async () => {
    expect((await post(a, "/v1/kill/engage", { scope: "family", name: "deploy", by: "ana", reason: "incident 7" }, ADMIN)).status).toBe(200);
    expect((await post(b, "/v1/check", { requestId: "k-1", request: deploy("web") })).json).toMatchObject({ action: "refuse", reason: "kill switch `deploy` is engaged (by ana: incident 7)" });
    expect((await post(b, "/v1/kill/release", { scope: "family", name: "deploy", by: "ana", reason: "over" }, ADMIN)).json).toEqual({ released: true });
    expect((await post(a, "/v1/check", { requestId: "k-2", request: deploy("web") })).json.action).toBe("run");
  });

  it("one rate limit across both replicas: 5 per hour per service, however the checks are spread", async () => {
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => post(i % 2 === 0 ? a : b, "/v1/check", { requestId: `r-${i}`, request: deploy("api") })));
    expect(answers.map((r) => r.status)).toEqual(Array.from({ length: 12 }, () => 200));
    expect(answers.filter((r) => r.json.action === "run")).toHaveLength(5);
    expect(answers.filter((r) => r.json.action === "refuse")).toHaveLength(7);
  });

  it("one audit chain: either replica verifies it, and `agp audit export` writes it for `agp audit verify`", async () => {
    for (const s of [a, b]) {
      const verified = await call(s.url, "GET", "/v1/audit/verify", { token: ADMIN });
      expect(verified.json).toMatchObject({ ok: true, problems: [] });
      expect(verified.json.entries).toBeGreaterThanOrEqual(16);
    }
    const exported = await agp(["audit", "export", "--redis", redis.url, "--prefix", "svc"], dir);
    expect(exported.code).toBe(0);
    expect(verifyAudit(exported.out)).toMatchObject({ ok: true });
    await writeFile(join(dir, "fleet.jsonl"), exported.out);
    const verify = await agp(["audit", "verify", "fleet.jsonl"], dir);
    expect(verify.code).toBe(0);
  });

  it("Redis going away: checks refuse with the reason, nothing runs; the service itself stays up", async () => {
    await redis.stop();
    const answer = await post(a, "/v1/check", { requestId: "down-1", request: deploy("db") });
    expect(answer.status).toBe(200);
    expect(answer.json.action).toBe("refuse");
    expect(answer.json.reason).toMatch(/^the gateway could not complete this check: .+; nothing was run, so this request is refused \(it may be retried with the same request id\)$/);
    expect((await call(a.url, "GET", "/healthz")).status).toBe(200);
  });
});
