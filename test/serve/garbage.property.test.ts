/**
 * Property: whatever arrives over HTTP — random JSON, random shapes of the
 * right endpoint's fields, random bytes, random query strings — `agp
 * serve` answers with a JSON 4xx or a refusal, never a 5xx, never a crash,
 * and never an allow (`run` / `decision: true`). Fixed seed, bounded runs;
 * `AGP_SERVE_FUZZ_RUNS` raises the count for a long run.
 */
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, call, serve, stopAll, workspace, type Served } from "./harness.js";

const RUNS = Number(process.env["AGP_SERVE_FUZZ_RUNS"] ?? 60);
const POSTS = ["/v1/check", "/v1/report", "/v1/approvals/t-1/approve", "/v1/approvals/t-1/reject", "/v1/kill/engage", "/v1/kill/release", "/access/v1/evaluation", "/access/v1/evaluations"];
const GETS = ["/v1/approvals", "/v1/approvals/t-1", "/v1/approvals/t-1/wait", "/v1/audit", "/v1/audit/verify", "/v1/kill", "/v1/bundle", "/healthz", "/readyz", "/.well-known/authzen-configuration"];

afterAll(stopAll);

/** JSON values shaped like what the endpoints read, with random types in every field. */
const field = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }));
const entity = fc.oneof(field, fc.record({ type: field, id: field, name: field, properties: fc.oneof(field, fc.dictionary(fc.string({ maxLength: 8 }), field, { maxKeys: 4 })) }, { requiredKeys: [] }));
const shaped = fc.record(
  {
    requestId: field,
    request: fc.oneof(field, fc.record({ agent: entity, action: fc.oneof(field, fc.constantFrom("deploy.service", "shell.exec")), args: entity, env: field, context: entity }, { requiredKeys: [] })),
    outcome: fc.oneof(field, fc.constantFrom("succeeded", "failed")),
    actualCost: field,
    approver: entity,
    reason: field,
    scope: fc.oneof(field, fc.constantFrom("global", "agent", "family")),
    name: field,
    by: field,
    subject: entity,
    action: entity,
    resource: entity,
    context: entity,
    options: fc.oneof(field, fc.record({ evaluations_semantic: fc.oneof(field, fc.constantFrom("execute_all", "deny_on_first_deny", "permit_on_first_permit")) })),
    evaluations: fc.oneof(field, fc.array(fc.oneof(entity, fc.record({ subject: entity, action: entity, resource: entity }, { requiredKeys: [] })), { maxLength: 4 })),
  },
  { requiredKeys: [] },
);

describe("agp serve: garbage in never gives a 5xx or an allow", () => {
  let s: Served;
  beforeAll(async () => {
    const w = await workspace();
    const policy = await w.bundle("policy.wasm", "1.0.0");
    s = await serve(["--policy", policy, ...w.trust, ...w.admin, "--state", join(w.dir, "state"), "--fsync", "never", "--env", "production"], w.dir);
  }, 60_000);

  const neverAllows = (path: string, status: number, json: unknown): void => {
    expect(status, path).toBeLessThan(500);
    const text = JSON.stringify(json ?? null);
    expect(text).not.toMatch(/"action":"run"/);
    expect(text).not.toMatch(/"decision":true/);
  };

  it("random JSON and endpoint-shaped bodies on every POST endpoint", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...POSTS), fc.oneof(fc.jsonValue({ maxDepth: 4 }), shaped), fc.boolean(), async (path, body, admin) => {
        const r = await call(s.url, "POST", path, { body, ...(admin ? { token: ADMIN } : {}) });
        expect(r.headers.get("content-type")).toBe("application/json");
        neverAllows(path, r.status, r.json);
      }),
      { seed: 42, numRuns: RUNS * 3 },
    );
  });

  it("random bytes, content types and query strings", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...POSTS),
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom("application/json", "application/json; charset=utf-8", "text/plain", "", "application/x-www-form-urlencoded"),
        async (path, bytes, type) => {
          const r = await fetch(`${s.url}${path}`, { method: "POST", headers: type === "" ? {} : { "content-type": type, authorization: `Bearer ${ADMIN}` }, body: bytes, signal: AbortSignal.timeout(10_000) });
          const text = await r.text();
          expect(r.status).toBeLessThan(500);
          expect(text).not.toMatch(/"action":"run"|"decision":true/);
        },
      ),
      { seed: 43, numRuns: RUNS },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...GETS), fc.dictionary(fc.constantFrom("status", "timeout", "limit", "effect", "since", "until", "agent", "action", "head"), fc.string({ maxLength: 10 }), { maxKeys: 3 }), async (path, query) => {
        const q = new URLSearchParams(query).toString();
        const r = await call(s.url, "GET", `${path.replace("/wait", "/wait")}${q === "" ? "" : `?${q}`}${path.endsWith("/wait") && !("timeout" in query) ? `${q === "" ? "?" : "&"}timeout=0` : ""}`, { token: ADMIN });
        neverAllows(path, r.status, r.json);
      }),
      { seed: 44, numRuns: RUNS },
    );
  });
});
