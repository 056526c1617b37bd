/**
 * `agp serve`, agp's own API, over real HTTP against a real child process:
 * every endpoint, every error path with its exact JSON error, and the
 * tokens on admin and decision endpoints.
 */
import { connect } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, DECIDER, agp, call, deploy, merge, serve, shell, stopAll, workspace, type Served } from "./harness.js";

const BOB = { id: "bob", groups: ["infra-reviewers"] };
const CAROL = { id: "carol", groups: ["infra-reviewers"] };

afterAll(stopAll);

describe("agp serve: agp's API", () => {
  let s: Served;
  let dir: string;
  beforeAll(async () => {
    const w = await workspace();
    dir = w.dir;
    const policy = await w.bundle("policy.wasm", "1.0.0");
    s = await serve(["--policy", policy, ...w.trust, ...w.admin, "--state", join(dir, "state"), "--body-timeout", "700", "--max-body", "4096"], dir);
  }, 60_000);
  const post = (path: string, body: unknown, token?: string) => call(s.url, "POST", path, { body, ...(token === undefined ? {} : { token }) });

  it("POST /v1/check answers run with the decision, the reservation and the audit hash; a repeated id is the same run", async () => {
    const r = await post("/v1/check", { requestId: "d-1", request: deploy() });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ action: "run", requestId: "d-1", decision: { effect: "allow", rules: [{ kind: "rule", id: "deploys" }] } });
    expect(r.json.audit).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(r.json.reservation.charges).toHaveLength(1);
    expect(r.json.signal).toBeUndefined();
    const again = await post("/v1/check", { requestId: "d-1", request: deploy() });
    expect(again.json).toMatchObject({ action: "run", repeated: true, audit: r.json.audit });
  });

  it("refuse carries the reason to show the agent", async () => {
    const r = await post("/v1/check", { requestId: "sh-1", request: shell("rm -rf /") });
    expect(r.json).toMatchObject({ action: "refuse", reason: "destructive command", decision: { effect: "deny", audit: "security" } });
  });

  it("a malformed agp request is the engine's fail-closed deny, audited, never a 4xx", async () => {
    const r = await post("/v1/check", { requestId: "bad-1", request: { action: "deploy.service" } });
    expect(r.status).toBe(200);
    expect(r.json.action).toBe("refuse");
    expect(r.json.decision.error.code).toBe("missing_field");
  });

  it("POST /v1/report commits once; a second report and an unknown id are refused", async () => {
    await post("/v1/check", { requestId: "d-2", request: deploy("web") });
    const r = await post("/v1/report", { requestId: "d-2", outcome: "succeeded" });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ ok: true, reservation: { status: "committed" } });
    expect(await post("/v1/report", { requestId: "d-2", outcome: "failed" })).toMatchObject({ status: 409, json: { error: { code: "already_reported", message: "request `d-2` was already reported as succeeded" } } });
    expect(await post("/v1/report", { requestId: "nope", outcome: "failed" })).toMatchObject({ status: 404, json: { error: { code: "unknown_request", message: "no request `nope` was answered `run`; only those can be reported" } } });
    expect(await post("/v1/report", { requestId: "d-2", outcome: "done" })).toMatchObject({ status: 400, json: { error: { code: "invalid_request", message: "`outcome` must be succeeded, failed or rolled_back" } } });
    expect((await post("/v1/report", { requestId: "d-2", outcome: "failed", actualCost: -1 })).json.error.message).toBe("`actualCost` must be a number ≥ 0, or an object of limit ids to numbers ≥ 0");
  });

  it("approvals: wait, list (admin), approve with every refusal, long-poll, then the approved run", async () => {
    const parked = await post("/v1/check", { requestId: "m-1", request: merge() });
    expect(parked.json).toMatchObject({ action: "wait", reason: "merging needs two reviewers", ticket: { status: "pending", args: { repo: "acme/infra", number: 123 } } });
    const id: string = parked.json.ticket.id;
    expect((await call(s.url, "GET", `/v1/approvals/${id}`)).json.ticket.id).toBe(id);
    expect((await call(s.url, "GET", "/v1/approvals/t-unknown")).json).toEqual({ error: { code: "unknown_ticket", message: "no approval request `t-unknown`" } });
    expect((await call(s.url, "GET", "/v1/approvals?status=pending", { token: ADMIN })).json.tickets.map((t: { id: string }) => t.id)).toContain(id);
    expect((await call(s.url, "GET", "/v1/approvals?status=open", { token: ADMIN })).json.error.message).toBe("unknown status `open`; use pending, approved, rejected, used, expired");
    expect((await call(s.url, "GET", `/v1/approvals/${id}/wait?timeout=0`)).json).toMatchObject({ timedOut: true, ticket: { status: "pending" } });
    expect((await call(s.url, "GET", `/v1/approvals/${id}/wait?timeout=999`)).json.error.message).toBe("`timeout` must be a whole number of seconds from 0 to 60");

    const approve = (who: object) => post(`/v1/approvals/${id}/approve`, { approver: who }, ADMIN);
    expect((await approve(BOB)).json.ticket.status).toBe("pending");
    expect(await approve(BOB)).toMatchObject({ status: 409, json: { error: { code: "duplicate", message: `\`bob\` has already approved approval request \`${id}\`` } } });
    expect(await approve({ id: "ci-fixer", groups: ["infra-reviewers"] })).toMatchObject({ status: 403, json: { error: { code: "self_approval" } } });
    expect(await approve({ id: "eve", groups: ["sales"] })).toMatchObject({ status: 403, json: { error: { code: "not_eligible", message: `\`eve\` is in none of the groups approval request \`${id}\` needs: \`infra-reviewers\`` } } });
    expect((await approve({ id: "x", groups: "infra-reviewers" })).json.error.message).toBe("`approver.groups` must be an array of at most 64 group names (non-empty strings of at most 128 characters)");

    const waiting = call(s.url, "GET", `/v1/approvals/${id}/wait?timeout=20`);
    await new Promise((r) => setTimeout(r, 150));
    expect((await approve(CAROL)).json.ticket.status).toBe("approved");
    expect((await waiting).json).toMatchObject({ timedOut: false, ticket: { status: "approved" } });
    const run = await post("/v1/check", { requestId: "m-1", request: merge() });
    expect(run.json).toMatchObject({ action: "run", ticket: { id } });
  });

  it("reject ends a ticket; the same action is refused with who and why", async () => {
    const parked = await post("/v1/check", { requestId: "m-2", request: merge(7) });
    const id = parked.json.ticket.id;
    expect((await post(`/v1/approvals/${id}/reject`, { approver: BOB }, ADMIN)).json.error.message).toBe("`reason` must be a non-empty string of at most 4096 characters");
    expect((await post(`/v1/approvals/${id}/reject`, { approver: BOB, reason: "wrong repository" }, ADMIN)).json.ticket.status).toBe("rejected");
    const again = await post("/v1/check", { requestId: "m-3", request: merge(7) });
    expect(again.json).toMatchObject({ action: "refuse", reason: `approval request \`${id}\` was rejected by \`bob\`: wrong repository` });
    expect((await post(`/v1/approvals/nope/approve`, { approver: BOB }, ADMIN))).toMatchObject({ status: 404, json: { error: { code: "unknown_ticket" } } });
  });

  it("kill switch: engage refuses, list shows it, release ends it; bad input is a 400 with the governance message", async () => {
    const engaged = await post("/v1/kill/engage", { scope: "family", name: "deploy", by: "ana", reason: "incident 42" }, ADMIN);
    expect(engaged.json.switch).toMatchObject({ scope: "family", name: "deploy", by: "ana", reason: "incident 42" });
    expect((await post("/v1/check", { requestId: "k-1", request: deploy() })).json).toMatchObject({ action: "refuse", reason: "kill switch `deploy` is engaged (by ana: incident 42)" });
    expect((await call(s.url, "GET", "/v1/kill", { token: ADMIN })).json.switches).toHaveLength(1);
    expect((await post("/v1/kill/release", { scope: "family", name: "deploy", by: "ana", reason: "resolved" }, ADMIN)).json).toEqual({ released: true });
    expect((await post("/v1/kill/release", { scope: "family", name: "deploy", by: "ana", reason: "resolved" }, ADMIN)).json).toEqual({ released: false });
    expect(await post("/v1/kill/engage", { scope: "global", reason: "x" }, ADMIN)).toMatchObject({ status: 400, json: { error: { code: "invalid_request", message: "a kill switch needs `by`: who engages or releases it" } } });
    expect((await post("/v1/kill/engage", { scope: "planet", by: "a", reason: "b" }, ADMIN)).json.error.message).toBe("unknown kill switch scope `planet`; use global, agent, family, env or action");
    // An action pattern within one env: production deploys stop, staging ones run.
    await post("/v1/kill/engage", { scope: "action", name: "deploy.*", env: "production", by: "ana", reason: "freeze" }, ADMIN);
    expect((await post("/v1/check", { requestId: "k-2", request: deploy() })).json).toMatchObject({ action: "refuse", reason: "kill switch `deploy.* in production` is engaged (by ana: freeze)" });
    expect((await post("/v1/check", { requestId: "k-3", request: { ...deploy(), env: "staging" } })).json.action).toBe("run");
    expect((await post("/v1/kill/release", { scope: "action", name: "deploy.*", env: "production", by: "ana", reason: "thaw" }, ADMIN)).json).toEqual({ released: true });
  });

  it("audit query and verify (admin)", async () => {
    const q = await call(s.url, "GET", "/v1/audit?action=deploy.*&effect=allow&limit=2", { token: ADMIN });
    expect(q.status).toBe(200);
    expect(q.json.total).toBeGreaterThanOrEqual(2);
    expect(q.json.entries).toHaveLength(2);
    expect(q.json.entries.every((e: { action: string }) => e.action === "deploy.service")).toBe(true);
    expect((await call(s.url, "GET", "/v1/audit?effect=maybe", { token: ADMIN })).json.error.message).toBe("unknown effect `maybe`; use allow, approve or deny");
    expect((await call(s.url, "GET", "/v1/audit?mutating=yes", { token: ADMIN })).json.error.message).toBe("unknown mutating `yes`; use true or false");
    const changes = await call(s.url, "GET", "/v1/audit?kind=decision&result=run&mutating=true&env=production", { token: ADMIN });
    expect(changes.json.entries.length).toBeGreaterThan(0);
    expect(changes.json.entries.every((e: { result: string; mutating: boolean | null; env: string }) => e.result === "run" && e.mutating !== false && e.env === "production")).toBe(true);
    expect((await call(s.url, "GET", "/v1/audit?limit=0", { token: ADMIN })).json.error.message).toBe("`limit` must be a whole number from 1 to 1000");
    const v = await call(s.url, "GET", "/v1/audit/verify", { token: ADMIN });
    expect(v.json).toMatchObject({ ok: true, problems: [] });
    expect(v.json.entries).toBeGreaterThan(5);
  });

  it("bundle info, an unchanged reload, health, readiness and metrics", async () => {
    const b = await call(s.url, "GET", "/v1/bundle");
    expect(b.json.live).toMatchObject({ signed: true, policy: { version: "1.0.0" }, metadata: { version: "1.0.0" } });
    expect((await post("/v1/reload", {}, ADMIN)).json).toEqual({ live: { result: "unchanged", version: "1.0.0" } });
    expect((await call(s.url, "GET", "/healthz")).json).toEqual({ status: "ok" });
    expect((await call(s.url, "GET", "/readyz")).json).toMatchObject({ status: "ready", policy: { version: "1.0.0" } });
    const m = await call(s.url, "GET", "/metrics");
    expect(m.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(m.text).toMatch(/agp_decisions_total\{endpoint="check",result="run",effect="allow",family="deploy"\} \d+/);
    expect(m.text).toMatch(/agp_rule_decisions_total\{rule="rule:destructive",effect="deny"\} 1/);
    expect(m.text).toMatch(/agp_approvals_pending \d+/);
    expect(m.text).toMatch(/agp_decision_duration_seconds_bucket\{le="0.01",endpoint="check"\} \d+/);
    expect(m.text).toMatch(/agp_bundle_reloads_total\{bundle="live",result="unchanged"\} 1/);
    expect(m.text).toMatch(/agp_bundle_info\{bundle="live",version="1.0.0",hash="[^"]+",signed="true"\} 1/);
  });

  it("admin endpoints need the admin token (401 with WWW-Authenticate); the decision token is not enough", async () => {
    for (const [method, path] of [["GET", "/v1/approvals"], ["GET", "/v1/kill"], ["GET", "/v1/audit"], ["GET", "/v1/audit/verify"], ["POST", "/v1/reload"], ["POST", "/v1/kill/engage"], ["POST", "/v1/approvals/t/approve"], ["POST", "/v1/approvals/t/reject"]] as const) {
      for (const token of [undefined, "wrong-token-0123456789", DECIDER]) {
        const r = await call(s.url, method, path, { ...(token === undefined ? {} : { token }), ...(method === "POST" ? { body: {} } : {}) });
        expect(r.status, `${method} ${path}`).toBe(401);
        expect(r.headers.get("www-authenticate")).toBe('Bearer realm="agp"');
        expect(r.json).toEqual({ error: { code: "unauthorized", message: "this endpoint needs `Authorization: Bearer <admin token>`" } });
      }
    }
  });

  it("errors: unknown path, wrong method, wrong content type, bad JSON, empty, too deep, too large, missing fields; X-Request-ID echoed", async () => {
    expect((await call(s.url, "GET", "/v2/nothing")).json).toEqual({ error: { code: "not_found", message: "no endpoint `GET /v2/nothing`; see docs/serve.md" } });
    expect(await call(s.url, "GET", "/v1/check")).toMatchObject({ status: 405, json: { error: { code: "method_not_allowed", message: "`/v1/check` does not take GET" } } });
    expect(await call(s.url, "POST", "/v1/check", { raw: "{}", headers: { "content-type": "text/plain" } })).toMatchObject({ status: 415, json: { error: { code: "unsupported_media_type", message: "the body must be JSON: send `Content-Type: application/json`, not `text/plain`" } } });
    const bad = await call(s.url, "POST", "/v1/check", { raw: "{nope", headers: { "content-type": "application/json" } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("bad_json");
    expect(bad.json.error.message).toMatch(/^the body is not valid JSON: /);
    expect((await call(s.url, "POST", "/v1/check", { raw: "", headers: { "content-type": "application/json" } })).json).toEqual({ error: { code: "empty_body", message: "the body is empty; send a JSON object" } });
    expect((await call(s.url, "POST", "/v1/check", { raw: `${"[".repeat(70)}${"]".repeat(70)}`, headers: { "content-type": "application/json" } })).json).toEqual({ error: { code: "too_deep", message: "the body nests arrays and objects deeper than 64 levels" } });
    expect(await post("/v1/check", { requestId: "big", request: { pad: "x".repeat(5000) } })).toMatchObject({ status: 413, json: { error: { code: "body_too_large" } } });
    expect((await post("/v1/check", { request: deploy() })).json).toEqual({ error: { code: "invalid_request", message: "`requestId` must be a non-empty string of at most 256 characters" } });
    expect((await post("/v1/check", { requestId: "x" })).json).toEqual({ error: { code: "invalid_request", message: "`request` is required: the agp request to decide" } });
    expect((await post("/v1/check", [1, 2])).json).toEqual({ error: { code: "invalid_request", message: "the body must be a JSON object" } });
    const echoed = await call(s.url, "GET", "/healthz", { headers: { "x-request-id": "trace-7" } });
    expect(echoed.headers.get("x-request-id")).toBe("trace-7");
  });

  it("a body that arrives too slowly gets 408 with the JSON error", async () => {
    const { port, hostname } = new URL(s.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => {
        socket.write("POST /v1/check HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"requestId\":");
      });
      let text = "";
      socket.on("data", (c) => (text += c.toString()));
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
      setTimeout(() => socket.destroy(), 10_000);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('{"error":{"code":"request_timeout","message":"the body did not arrive within 700 ms"}}');
  });
});

describe("agp serve: tokens and refusals to start", () => {
  it("without an admin token, admin endpoints are disabled; a decision token guards decision endpoints", async () => {
    const w = await workspace();
    const policy = await w.bundle("policy.wasm", "1.0.0");
    const s = await serve(["--policy", policy, ...w.trust, "--decision-token-file", join(w.dir, "decision.token"), "--state", join(w.dir, "state")], w.dir);
    expect(await call(s.url, "GET", "/v1/kill")).toMatchObject({ status: 403, json: { error: { code: "admin_disabled", message: "admin endpoints are disabled: start agp serve with --admin-token-file or AGP_ADMIN_TOKEN" } } });
    const refused = await call(s.url, "POST", "/v1/check", { body: { requestId: "a", request: deploy() } });
    expect(refused).toMatchObject({ status: 401, json: { error: { code: "unauthorized", message: "this endpoint needs `Authorization: Bearer <decision token>`" } } });
    expect((await call(s.url, "POST", "/v1/check", { body: { requestId: "a", request: deploy() }, token: DECIDER })).json.action).toBe("run");
    expect((await call(s.url, "GET", "/healthz")).status).toBe(200);
    expect(await s.stop()).toBe(0);
  });

  it("refuses to start: open decisions on a non-loopback address, an unsigned module, an untrusted key, --state with --redis, a build without Redis", async () => {
    const w = await workspace();
    const signed = await w.bundle("policy.wasm", "1.0.0");
    const unsigned = await w.bundle("plain.wasm", "1.0.0", "unsigned");
    const foreign = await w.bundle("foreign.wasm", "1.0.0", "other");
    const start = (...args: string[]) => agp(["serve", ...args], w.dir);
    const [open, plain, untrusted, both, redis] = await Promise.all([
      start("--policy", signed, ...w.trust, "--listen", "0.0.0.0:0", "--state", "s1"),
      start("--policy", unsigned, ...w.trust, "--listen", "127.0.0.1:0", "--state", "s2"),
      start("--policy", foreign, ...w.trust, "--listen", "127.0.0.1:0", "--state", "s3"),
      start("--policy", signed, "--state", "a", "--redis", "redis://127.0.0.1:1"),
      start("--policy", signed, "--redis", "redis://127.0.0.1:1"),
    ]);
    expect(open.code).toBe(2);
    expect(open.err).toBe("agp: refusing to serve decisions on 0.0.0.0 without a token: set --decision-token-file or AGP_DECISION_TOKEN, or pass --allow-open to serve them to anyone who can reach this address\n");
    expect(plain.err).toBe(`agp: cannot load ${unsigned}: ${unsigned} is not a signed bundle; sign it with \`agp bundle sign\`, or start agp serve with --allow-unsigned (development only)\n`);
    expect(untrusted.err).toBe(`agp: cannot load ${foreign}: the bundle is signed by key \`${w.other.id}\`, which is not a trusted key\n`);
    expect(both.err).toBe("agp: give --state or --redis, not both\n");
    expect(redis.err).toBe("agp: cannot connect to the shared state at redis://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1\n");
    const dev = await serve(["--policy", unsigned, "--allow-unsigned", "--state", join(w.dir, "dev")], w.dir);
    expect((await call(dev.url, "GET", "/v1/bundle")).json.live).toMatchObject({ signed: false, policy: { version: "1.0.0" } });
    expect(await dev.stop("SIGINT")).toBe(0);
  });
});
