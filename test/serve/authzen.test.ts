/**
 * OpenID AuthZEN Authorization API 1.0 conformance of `agp serve`, written
 * from the specification text (quoted in the test names) and its
 * certification scenario (the eight fixture decisions, compiled from
 * test/serve/fixtures/authzen/record.agp); then agp's mapping: requestable
 * denials for `approve`, the evaluation id a PEP reports with, kill
 * switches, and the COAZ-MCP `tools/call` shape.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compilePaths } from "../../compiler/compile/index.js";
import { signBundle } from "../../runtime/bundle/index.js";
import { POLICY } from "../governance/harness.js";
import { ADMIN, call, serve, stopAll, workspace, type Served } from "./harness.js";

afterAll(stopAll);

const alice = { type: "user", id: "alice" };
const bob = { type: "user", id: "bob" };
const record1 = { type: "record", id: "record-1" };
const record2 = { type: "record", id: "record-2" };

describe("AuthZEN 1.0 conformance (certification fixture)", () => {
  let s: Served;
  beforeAll(async () => {
    const w = await workspace();
    const compiled = await compilePaths(["test/serve/fixtures/authzen"], { version: "1.0.0" });
    const { bundle } = await signBundle(compiled.result!.wasm, w.keys.signing);
    await writeFile(join(w.dir, "authzen.wasm"), bundle);
    s = await serve(["--policy", join(w.dir, "authzen.wasm"), ...w.trust, "--state", join(w.dir, "state"), "--env", "production", "--public-url", "https://pdp.example.com"], w.dir);
  }, 60_000);
  const evaluation = (body: unknown, headers: Record<string, string> = {}) => call(s.url, "POST", "/access/v1/evaluation", { body, headers });
  const evaluations = (body: unknown) => call(s.url, "POST", "/access/v1/evaluations", { body });
  const decisions = async (body: unknown) => ((await evaluations(body)).json.evaluations as { decision: boolean }[]).map((e) => e.decision);

  it("Required Policy Behaviour, rules 1–8: the fixture decisions", async () => {
    const cases: [unknown, boolean][] = [
      [{ subject: alice, action: { name: "read" }, resource: record1 }, true],
      [{ subject: alice, action: { name: "write" }, resource: record1 }, true],
      [{ subject: bob, action: { name: "read" }, resource: record1 }, true],
      [{ subject: bob, action: { name: "write" }, resource: record1 }, false],
      [{ subject: alice, action: { name: "write" }, resource: { ...record2, properties: { status: "archived" } } }, false],
      [{ subject: { ...bob, properties: { role: "admin" } }, action: { name: "write" }, resource: { ...record2, properties: { status: "archived" } } }, true],
      [{ subject: alice, action: { name: "delete", properties: { soft: true } }, resource: record1 }, true],
      [{ subject: alice, action: { name: "delete", properties: { soft: false } }, resource: record1 }, false],
    ];
    for (const [body, decision] of cases) {
      const r = await evaluation(body);
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toBe("application/json");
      expect(r.json.decision, JSON.stringify(body)).toBe(decision);
      expect(typeof r.json.context).toBe("object");
    }
  });

  it("\"The PDP MUST accept a request that includes the optional `context` field\" and additional properties", async () => {
    expect((await evaluation({ subject: alice, action: { name: "read" }, resource: record1, context: { time: "2025-06-27T18:03-07:00", ip: "192.168.1.1" } })).json.decision).toBe(true);
    const extra = { subject: { ...alice, properties: { department: "Sales", role: "manager" } }, action: { name: "read", properties: { method: "GET" } }, resource: { ...record1, properties: { status: "active", owner: "bob" } } };
    expect((await evaluation(extra)).json.decision).toBe(true);
  });

  it("\"receivers MUST ignore unknown fields present in request or response bodies\"", async () => {
    expect((await evaluation({ subject: alice, action: { name: "read" }, resource: record1, foo: "bar", futureField: { nested: true } })).json.decision).toBe(true);
  });

  it("\"If a required attribute in the information model is omitted, the server MUST return a 'Bad Request' error\"", async () => {
    const base = { subject: alice, action: { name: "read" }, resource: record1 };
    const cases: [unknown, string][] = [
      [{ action: base.action, resource: base.resource }, "`subject` is required"],
      [{ subject: alice, resource: record1 }, "`action` is required"],
      [{ subject: alice, action: base.action }, "`resource` is required"],
      [{ ...base, subject: { id: "alice" } }, "`subject.type` is required"],
      [{ ...base, subject: { type: "user" } }, "`subject.id` is required"],
      [{ ...base, action: {} }, "`action.name` is required"],
      [{ ...base, resource: { id: "record-1" } }, "`resource.type` is required"],
      [{ ...base, resource: { type: "record" } }, "`resource.id` is required"],
      [{ ...base, subject: "alice" }, "`subject` must be an object"],
      [{ ...base, action: { name: 123 } }, "`action.name` must be a string"],
      [{ ...base, context: [] }, "`context` must be an object"],
    ];
    for (const [body, message] of cases) {
      const r = await evaluation(body);
      expect(r.status, message).toBe(400);
      expect(r.json).toEqual({ error: { code: "invalid_request", message } });
    }
  });

  it("\"Requests MUST include a Content-Type header with the value application/json\"; bad JSON and an empty body are 400 too", async () => {
    const send = (raw: string, type: string) => call(s.url, "POST", "/access/v1/evaluation", { raw, headers: { "content-type": type } });
    expect(await send("{}", "text/plain")).toMatchObject({ status: 400, json: { error: { code: "unsupported_media_type" } } });
    expect((await send("{", "application/json")).status).toBe(400);
    expect((await send("", "application/json")).status).toBe(400);
    expect((await send("[]", "application/json")).json).toEqual({ error: { code: "invalid_request", message: "the body must be a JSON object" } });
  });

  it("\"If the PEP specified a request identifier in the request, the PDP MUST include the same identifier in the response\"", async () => {
    const r = await evaluation({ subject: alice, action: { name: "read" }, resource: record1 }, { "x-request-id": "bfe9eb29-ab87-4ca3-be83-a1d5d8305716" });
    expect(r.headers.get("x-request-id")).toBe("bfe9eb29-ab87-4ca3-be83-a1d5d8305716");
    const bad = await call(s.url, "POST", "/access/v1/evaluation", { body: {}, headers: { "x-request-id": "err-1" } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("x-request-id")).toBe("err-1");
    expect((await evaluation({ subject: alice, action: { name: "read" }, resource: record1 })).status).toBe(200);
  });

  it("Idempotency: the same request answers the same decision every time", async () => {
    const body = { subject: bob, action: { name: "write" }, resource: record1 };
    const answers = await Promise.all([1, 2, 3].map(() => evaluation(body)));
    expect(answers.map((a) => a.json.decision)).toEqual([false, false, false]);
  });

  it("\"The top-level subject, action, resource, and context keys provide default values\"; answers keep request order", async () => {
    expect(await decisions({ subject: bob, resource: record1, evaluations: [{ action: { name: "read" } }, { action: { name: "write" } }] })).toEqual([true, false]);
    expect(await decisions({ subject: alice, action: { name: "write" }, evaluations: [{ resource: { ...record1, properties: { status: "active" } } }, { resource: { ...record2, properties: { status: "archived" } } }] })).toEqual([true, false]);
    expect(await decisions({ action: { name: "write" }, resource: { ...record2, properties: { status: "archived" } }, evaluations: [{ subject: alice }, { subject: { ...bob, properties: { role: "admin" } } }] })).toEqual([false, true]);
    expect(await decisions({ evaluations: [{ subject: alice, action: { name: "read" }, resource: record1 }, { subject: bob, action: { name: "write" }, resource: record1 }] })).toEqual([true, false]);
    expect(await decisions({ subject: alice, action: { name: "read" }, context: { time: "2025-06-27T18:03-07:00" }, evaluations: [{ resource: record1 }, { resource: record2, context: { time: "2025-06-27T19:00-07:00", source: "batch-override" } }] })).toEqual([true, true]);
    // An empty item inherits everything; a complete resource replaces the default wholesale.
    expect(await decisions({ subject: alice, action: { name: "write" }, resource: { ...record1, properties: { status: "active" } }, evaluations: [{}, { resource: { ...record2, properties: { status: "archived" } } }] })).toEqual([true, false]);
    const r = await evaluations({ subject: alice, action: { name: "read" }, evaluations: [{ resource: record1 }] });
    expect(r.json.decision).toBeUndefined(); // "it is RECOMMENDED that the decision key of the response be omitted"
  });

  it("Errors in individual evaluations: \"Decisions default to closed (i.e. false)\", with the error in that item's context", async () => {
    const r = await evaluations({ subject: alice, action: { name: "read" }, options: { evaluations_semantic: "execute_all" }, evaluations: [{ resource: record1 }, {}, 7] });
    expect(r.status).toBe(200);
    expect(r.json.evaluations.map((e: { decision: boolean }) => e.decision)).toEqual([true, false, false]);
    expect(r.json.evaluations[1].context.error).toEqual({ status: 400, message: "`evaluations[1].resource` is required" });
    expect(r.json.evaluations[2].context.error).toEqual({ status: 400, message: "`evaluations[2]` must be an object" });
  });

  it("\"If an evaluations array is NOT present or is empty, the Access Evaluations Request behaves in a backwards-compatible manner\"", async () => {
    const single = { subject: alice, action: { name: "read" }, resource: record1 };
    expect((await evaluations(single)).json).toMatchObject({ decision: true });
    expect((await evaluations({ ...single, evaluations: [] })).json).toMatchObject({ decision: true });
    expect((await evaluations({ subject: alice, action: { name: "read" }, evaluations: [] })).json).toEqual({ error: { code: "invalid_request", message: "`resource` is required" } });
  });

  it("evaluations_semantic: execute_all runs every item, deny_on_first_deny stops at the first false, permit_on_first_permit at the first true", async () => {
    const items = [{ action: { name: "read" } }, { action: { name: "write" } }, { action: { name: "read" } }];
    const batch = (semantic?: string) => decisions({ subject: bob, resource: record1, ...(semantic === undefined ? {} : { options: { evaluations_semantic: semantic } }), evaluations: items });
    expect(await batch()).toEqual([true, false, true]);
    expect(await batch("execute_all")).toEqual([true, false, true]);
    expect(await batch("deny_on_first_deny")).toEqual([true, false]);
    expect(await batch("permit_on_first_permit")).toEqual([true]);
    expect((await evaluations({ subject: bob, resource: record1, options: { evaluations_semantic: "first" }, evaluations: items })).json).toEqual({
      error: { code: "invalid_request", message: "unknown `options.evaluations_semantic` `first`; use execute_all, deny_on_first_deny, permit_on_first_permit" },
    });
    const tooMany = await evaluations({ subject: bob, resource: record1, evaluations: Array.from({ length: 65 }, () => ({ action: { name: "read" } })) });
    expect(tooMany.json.error.message).toBe("at most 64 evaluations in one request; this one has 65");
  });

  it("PDP metadata: \"MUST make a JSON document containing metadata ... available at /.well-known/authzen-configuration\"", async () => {
    const r = await call(s.url, "GET", "/.well-known/authzen-configuration");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/json");
    expect(r.json).toEqual({
      policy_decision_point: "https://pdp.example.com",
      access_evaluation_endpoint: "https://pdp.example.com/access/v1/evaluation",
      access_evaluations_endpoint: "https://pdp.example.com/access/v1/evaluations",
    });
  });
});

describe("AuthZEN onto the gateway: approvals, reports, kill switches, MCP", () => {
  let s: Served;
  beforeAll(async () => {
    const w = await workspace();
    const policy = await w.bundle("policy.wasm", "1.0.0", "k", `${POLICY}\nrule shell_runtime: allow shell.exec when args.timeout_seconds <= 120 with max_runtime_seconds = 120\n`);
    s = await serve(["--policy", policy, ...w.trust, ...w.admin, "--state", join(w.dir, "state")], w.dir);
  }, 60_000);
  const agent = { type: "agent", id: "ci-fixer", properties: { groups: ["coding-bots"], trust: 2 } };
  const evaluate = (body: object) => call(s.url, "POST", "/access/v1/evaluation", { body: { context: { env: "production" }, ...body } });

  it("a run is decision true with rules and obligations in the context; the evaluation id reports the outcome", async () => {
    const r = await evaluate({ subject: agent, action: { name: "shell.exec" }, resource: { type: "shell", id: "local", properties: { command: "ls", timeout_seconds: 60, write_paths: [] } } });
    expect(r.json.decision).toBe(true);
    expect(r.json.context.agp).toMatchObject({ result: "run", effect: "allow", obligations: { max_runtime_seconds: 120 } });
    expect(r.json.context.agp.rules.map((x: { id: string }) => x.id)).toEqual(["shell_ok", "shell_runtime"]);
    const id: string = r.json.context.evaluation_id;
    expect(id).toMatch(/^authzen:/);
    expect((await call(s.url, "POST", "/v1/report", { body: { requestId: id, outcome: "succeeded" } })).json.ok).toBe(true);
  });

  it("approve is a requestable denial: decision false, access_request and the ticket as a task handle; approved, it runs", async () => {
    const body = { subject: agent, action: { name: "github.pull_request.merge" }, resource: { type: "github", id: "acme/infra", properties: { repo: "acme/infra", number: 5 } } };
    const r = await evaluate(body);
    expect(r.json.decision).toBe(false);
    const c = r.json.context;
    expect(c).toMatchObject({ reason: "approval_required", reason_user: { en: "merging needs two reviewers" }, agp: { result: "wait", effect: "approve", approval: { quorums: [{ count: 2, groups: ["infra-reviewers"] }] } } });
    expect(c.access_request).toMatchObject({ template: "agp.approval", expires_at: expect.stringMatching(/Z$/) });
    expect(c.task).toMatchObject({ id: c.agp.ticket.id, status: "pending", status_endpoint: `${s.url}/v1/approvals/${c.agp.ticket.id}` });
    for (const approver of [{ id: "bob", groups: ["infra-reviewers"] }, { id: "carol", groups: ["infra-reviewers"] }]) {
      await call(s.url, "POST", `/v1/approvals/${c.agp.ticket.id}/approve`, { body: { approver }, token: ADMIN });
    }
    expect((await call(s.url, "GET", new URL(c.task.status_endpoint).pathname)).json.ticket.status).toBe("approved");
    const again = await evaluate(body);
    expect(again.json).toMatchObject({ decision: true, context: { agp: { result: "run", ticket: { id: c.agp.ticket.id } } } });
  });

  it("deny, kill switch and a malformed agp request are decision false with a reason code", async () => {
    const shell = (command: string) => ({ subject: agent, action: { name: "shell.exec" }, resource: { type: "shell", id: "x", properties: { command, timeout_seconds: 60, write_paths: [] } } });
    expect((await evaluate(shell("rm -rf /"))).json.context).toMatchObject({ reason: "denied", reason_user: { en: "destructive command" }, reason_admin: { en: expect.stringMatching(/^decided by rule destructive \(policy\.agp:\d+\)$/) } });
    expect((await evaluate({ ...shell("ls"), subject: { type: "agent", id: "ci-fixer" } })).json.context).toMatchObject({ reason: "invalid_request", agp: { error: { code: "missing_field" } } });
    await call(s.url, "POST", "/v1/kill/engage", { body: { scope: "agent", name: "ci-fixer", by: "ana", reason: "drill" }, token: ADMIN });
    expect((await evaluate(shell("ls"))).json).toMatchObject({ decision: false, context: { reason: "kill_switch", reason_user: { en: "kill switch `ci-fixer` is engaged (by ana: drill)" } } });
    await call(s.url, "POST", "/v1/kill/release", { body: { scope: "agent", name: "ci-fixer", by: "ana", reason: "done" }, token: ADMIN });
  });

  it("COAZ-MCP tools/call: the tool is resource.id, the subject is the human, context.agent the agent (audited as such)", async () => {
    const r = await call(s.url, "POST", "/access/v1/evaluation", {
      body: {
        subject: { type: "identity", id: "alice", properties: { groups: ["infra-oncall"], roles: ["deployer"] } },
        action: { name: "tools/call" },
        resource: { type: "tool", id: "deploy.service", properties: { service: "billing" } },
        context: { agent: { id: "ci-fixer", groups: ["coding-bots"], trust: 2 }, env: "production", session: "s-9" },
      },
    });
    expect(r.json.decision).toBe(true);
    const q = await call(s.url, "GET", "/v1/audit?human=alice&action=deploy.service", { token: ADMIN });
    expect(q.json.entries.at(-1)).toMatchObject({ kind: "decision", agent: "ci-fixer", human: "alice", action: "deploy.service", result: "run" });
    const conflict = await call(s.url, "POST", "/access/v1/evaluation", { body: { subject: agent, action: { name: "deploy.service", properties: { service: "a" } }, resource: { type: "deploy", id: "x", properties: { service: "b" } } } });
    expect(conflict.json).toEqual({ error: { code: "invalid_request", message: "argument `service` is given in both `resource.properties` and `action.properties` with different values" } });
  });
});
