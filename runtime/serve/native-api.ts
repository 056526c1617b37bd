/**
 * agp's own HTTP API: check, report, approvals, kill switch, audit, reload,
 * bundle, health, readiness, metrics (docs/serve.md has every request,
 * answer and error).
 *
 * In: parsed requests. Out: routes onto the gateway (runtime/governance),
 * answering with its own types as JSON (`CheckResult` without the abort
 * signal). Must not decide anything itself: every decision is
 * `gateway.check`'s, and every refusal the governance runtime gives keeps
 * its code and message.
 */
import { performance } from "node:perf_hooks";
import { parseSince, queryAudit, readAuditEntries, verifyAudit } from "../governance/index.js";
import type { CheckResult, Outcome } from "../governance/gateway.js";
import type { ApprovalResult, TicketStatus } from "../governance/approvals.js";
import type { KillTarget } from "../governance/kill-switch.js";
import { HttpError, objectOf, readJson, stringOf } from "./http.js";
import type { Reply, Route, ServeContext } from "./routes.js";

const OUTCOMES: readonly Outcome[] = ["succeeded", "failed", "rolled_back"];
const STATUSES: readonly TicketStatus[] = ["pending", "approved", "rejected", "used", "expired"];
const APPROVAL_STATUS: Readonly<Record<string, number>> = { unknown_ticket: 404, expired: 409, closed: 409, duplicate: 409, self_approval: 403, not_eligible: 403, invalid: 400 };
const TICKET = /^\/v1\/approvals\/([^/]+)$/;

/** The check answer as JSON: everything but the abort signal. */
export function checkJson(result: CheckResult): Record<string, unknown> {
  const { signal: _signal, ...rest } = result;
  return rest;
}

/** The action a request names, for metrics (untrusted: only used as a label when the policy knows its family). */
export function actionOf(request: unknown): string {
  const action = typeof request === "object" && request !== null ? (request as Record<string, unknown>)["action"] : undefined;
  return typeof action === "string" ? action : "";
}

async function body(ctx: ServeContext, req: Parameters<Route["handle"]>[1]): Promise<Record<string, unknown>> {
  return objectOf(await readJson(req, ctx.body), "the body");
}

function optionalString(value: unknown, what: string, max = 4096): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.length > max) throw new HttpError(400, "invalid_request", `${what} must be a string of at most ${max} characters`);
  return value;
}

function approverOf(value: unknown): { id: string; groups: string[] } {
  const a = objectOf(value, "`approver`");
  const id = stringOf(a["id"], "`approver.id`", 128);
  const groups = a["groups"];
  if (!Array.isArray(groups) || groups.length > 64 || groups.some((g) => typeof g !== "string" || g === "" || g.length > 128)) {
    throw new HttpError(400, "invalid_request", "`approver.groups` must be an array of at most 64 group names (non-empty strings of at most 128 characters)");
  }
  return { id, groups: groups as string[] };
}

function costOf(value: unknown): number | Record<string, number> | undefined {
  if (value === undefined || value === null) return undefined;
  const ok = (n: unknown): n is number => typeof n === "number" && Number.isFinite(n) && n >= 0;
  if (ok(value)) return value;
  if (typeof value === "object" && !Array.isArray(value) && Object.keys(value).length <= 64 && Object.values(value).every(ok)) return value as Record<string, number>;
  throw new HttpError(400, "invalid_request", "`actualCost` must be a number ≥ 0, or an object of limit ids to numbers ≥ 0");
}

function approvalReply(result: ApprovalResult): Reply {
  if (result.ok) return { status: 200, body: { ticket: result.ticket } };
  return { status: APPROVAL_STATUS[result.code] ?? 400, body: { error: { code: result.code, message: result.message } } };
}

async function killTarget(ctx: ServeContext, req: Parameters<Route["handle"]>[1]) {
  const b = await body(ctx, req);
  // Checked by the kill switch itself (a TypeError → 400 with its message); `env` scopes an `action` switch to one env.
  const target = { scope: b["scope"] as KillTarget["scope"], ...(b["name"] === undefined ? {} : { name: b["name"] as string }), ...(b["env"] === undefined ? {} : { env: b["env"] as string }) };
  const actor = { by: b["by"] as string, reason: b["reason"] as string };
  return { target, actor };
}

/** Runs a governance call whose argument checks throw `TypeError`: those become 400s with the same message. */
async function checked<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof TypeError) throw new HttpError(400, "invalid_request", error.message);
    throw error;
  }
}

async function auditText(ctx: ServeContext): Promise<string> {
  if (ctx.backend.readAudit === undefined) throw new HttpError(501, "audit_unavailable", `the state backend (${ctx.backend.description}) cannot read its audit log back; query it where it is stored`);
  const text = await ctx.backend.readAudit();
  // The live file may end in a line being written; read up to its last complete line.
  return text.slice(0, text.lastIndexOf("\n") + 1);
}

/** agp's own endpoints. */
export const NATIVE_ROUTES: readonly Route[] = [
  {
    method: "POST",
    path: "/v1/check",
    name: "check",
    level: "decision",
    async handle(ctx, req) {
      const b = await body(ctx, req);
      const requestId = stringOf(b["requestId"], "`requestId`");
      if (!("request" in b)) throw new HttpError(400, "invalid_request", "`request` is required: the agp request to decide");
      const started = performance.now();
      const result = await ctx.gateway.check(b["request"], { requestId });
      ctx.metrics.answered("check", result, actionOf(b["request"]), (performance.now() - started) / 1000);
      return { status: 200, body: checkJson(result) };
    },
  },
  {
    method: "POST",
    path: "/v1/report",
    name: "report",
    level: "decision",
    async handle(ctx, req) {
      const b = await body(ctx, req);
      const requestId = stringOf(b["requestId"], "`requestId`");
      const outcome = b["outcome"];
      if (!OUTCOMES.includes(outcome as Outcome)) throw new HttpError(400, "invalid_request", "`outcome` must be succeeded, failed or rolled_back");
      const actualCost = costOf(b["actualCost"]);
      const detail = optionalString(b["detail"], "`detail`");
      const result = await ctx.gateway.report(requestId, outcome as Outcome, { ...(actualCost === undefined ? {} : { actualCost }), ...(detail === undefined ? {} : { detail }) });
      if (!result.ok) return { status: result.code === "unknown_request" ? 404 : result.code === "already_reported" ? 409 : 400, body: { error: { code: result.code, message: result.message } } };
      return { status: 200, body: { ok: true, audit: result.entry.hash, reservation: result.reservation ?? null } };
    },
  },
  {
    method: "GET",
    path: "/v1/approvals",
    name: "approvals.list",
    level: "admin",
    async handle(ctx, _req, _res, _params, query) {
      const status = query.get("status");
      if (status !== null && !STATUSES.includes(status as TicketStatus)) throw new HttpError(400, "invalid_request", `unknown status \`${status}\`; use ${STATUSES.join(", ")}`);
      return { status: 200, body: { tickets: await ctx.gateway.approvals.list(status === null ? {} : { status: status as TicketStatus }) } };
    },
  },
  {
    method: "GET",
    path: TICKET,
    name: "approvals.get",
    level: "decision",
    async handle(ctx, _req, _res, [id]) {
      const ticket = await ctx.gateway.approvals.get(id!);
      if (ticket === undefined) return { status: 404, body: { error: { code: "unknown_ticket", message: `no approval request \`${id}\`` } } };
      return { status: 200, body: { ticket } };
    },
  },
  {
    method: "GET",
    path: /^\/v1\/approvals\/([^/]+)\/wait$/,
    name: "approvals.wait",
    level: "decision",
    untimed: true,
    async handle(ctx, _req, res, [id], query) {
      const seconds = query.get("timeout") === null ? 30 : Number(query.get("timeout"));
      const maxSeconds = Math.floor(ctx.waits.maxMs / 1000);
      if (!Number.isInteger(seconds) || seconds < 0 || seconds > maxSeconds) throw new HttpError(400, "invalid_request", `\`timeout\` must be a whole number of seconds from 0 to ${maxSeconds}`);
      const ticket = await ctx.gateway.approvals.get(id!);
      if (ticket === undefined) return { status: 404, body: { error: { code: "unknown_ticket", message: `no approval request \`${id}\`` } } };
      if (ticket.status !== "pending" || seconds === 0) return { status: 200, body: { ticket, timedOut: ticket.status === "pending" } };
      if (ctx.waits.active >= ctx.waits.max) throw new HttpError(429, "too_many_waits", `${ctx.waits.max} requests are already waiting on approvals; poll \`GET /v1/approvals/${id}\` instead`, { "retry-after": "1" });
      const gone = new AbortController();
      const onClose = (): void => gone.abort();
      res.on("close", onClose);
      ctx.waits.active++;
      try {
        const signal = AbortSignal.any([AbortSignal.timeout(seconds * 1000), ctx.shutdown, gone.signal]);
        return { status: 200, body: { ticket: await ctx.gateway.approvals.await(id!, { signal }), timedOut: false } };
      } catch {
        return { status: 200, body: { ticket: (await ctx.gateway.approvals.get(id!)) ?? ticket, timedOut: true } };
      } finally {
        ctx.waits.active--;
        res.off("close", onClose);
      }
    },
  },
  {
    method: "POST",
    path: /^\/v1\/approvals\/([^/]+)\/approve$/,
    name: "approvals.approve",
    level: "admin",
    async handle(ctx, req, _res, [id]) {
      const b = await body(ctx, req);
      const note = optionalString(b["note"], "`note`");
      return approvalReply(await ctx.gateway.approvals.approve(id!, approverOf(b["approver"]), note));
    },
  },
  {
    method: "POST",
    path: /^\/v1\/approvals\/([^/]+)\/reject$/,
    name: "approvals.reject",
    level: "admin",
    async handle(ctx, req, _res, [id]) {
      const b = await body(ctx, req);
      const approver = approverOf(b["approver"]);
      const reason = stringOf(b["reason"], "`reason`", 4096);
      return approvalReply(await ctx.gateway.approvals.reject(id!, approver, reason));
    },
  },
  {
    method: "GET",
    path: "/v1/kill",
    name: "kill.list",
    level: "admin",
    async handle(ctx) {
      return { status: 200, body: { switches: await ctx.gateway.kill.list() } };
    },
  },
  {
    method: "POST",
    path: "/v1/kill/engage",
    name: "kill.engage",
    level: "admin",
    async handle(ctx, req) {
      const { target, actor } = await killTarget(ctx, req);
      return { status: 200, body: { switch: await checked(() => ctx.gateway.kill.engage(target, actor)) } };
    },
  },
  {
    method: "POST",
    path: "/v1/kill/release",
    name: "kill.release",
    level: "admin",
    async handle(ctx, req) {
      const { target, actor } = await killTarget(ctx, req);
      return { status: 200, body: { released: await checked(() => ctx.gateway.kill.release(target, actor)) } };
    },
  },
  {
    method: "GET",
    path: "/v1/audit",
    name: "audit.query",
    level: "admin",
    async handle(ctx, _req, _res, _params, query) {
      const get = (name: string): string | undefined => query.get(name) ?? undefined;
      const effect = get("effect");
      if (effect !== undefined && !["allow", "approve", "deny"].includes(effect)) throw new HttpError(400, "invalid_request", `unknown effect \`${effect}\`; use allow, approve or deny`);
      const now = Date.now();
      const since = get("since") === undefined ? undefined : parseSince(get("since")!, now);
      const until = get("until") === undefined ? undefined : parseSince(get("until")!, now);
      if (get("since") !== undefined && since === undefined) throw new HttpError(400, "invalid_request", `cannot read \`since\` \`${get("since")}\`; use an ISO 8601 time or a duration such as 30d`);
      if (get("until") !== undefined && until === undefined) throw new HttpError(400, "invalid_request", `cannot read \`until\` \`${get("until")}\`; use an ISO 8601 time or a duration such as 1d`);
      const limit = get("limit") === undefined ? 100 : Number(get("limit"));
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new HttpError(400, "invalid_request", "`limit` must be a whole number from 1 to 1000");
      const filter: Record<string, unknown> = {};
      for (const key of ["agent", "human", "action", "env", "kind"]) if (get(key) !== undefined) filter[key] = get(key);
      // The same choices as `agp audit query` (docs/cli.md); an unknown value is a 400, never an empty answer.
      const choices: readonly [string, readonly string[]][] = [["result", ["run", "refuse", "wait"]], ["outcome", ["succeeded", "failed", "rolled_back"]], ["level", ["info", "notice", "security"]], ["mutating", ["true", "false"]]];
      for (const [key, allowed] of choices) {
        const value = get(key);
        if (value === undefined) continue;
        if (!allowed.includes(value)) throw new HttpError(400, "invalid_request", `unknown ${key} \`${value}\`; use ${allowed.slice(0, -1).join(", ")} or ${allowed.at(-1)!}`);
        filter[key] = key === "mutating" ? value === "true" : value;
      }
      const entries = queryAudit(readAuditEntries(await auditText(ctx)), { ...filter, ...(effect === undefined ? {} : { effect }), ...(since === undefined ? {} : { since }), ...(until === undefined ? {} : { until }) });
      return { status: 200, body: { total: entries.length, entries: entries.slice(-limit) } };
    },
  },
  {
    method: "GET",
    path: "/v1/audit/verify",
    name: "audit.verify",
    level: "admin",
    async handle(ctx, _req, _res, _params, query) {
      const head = query.get("head");
      return { status: 200, body: verifyAudit(await auditText(ctx), head === null ? {} : { head }) };
    },
  },
  {
    method: "POST",
    path: "/v1/reload",
    name: "reload",
    level: "admin",
    async handle(ctx) {
      const report = await ctx.reload("api");
      return { status: report.live.result === "refused" || report.shadow?.result === "refused" ? 422 : 200, body: report };
    },
  },
  {
    method: "GET",
    path: "/v1/bundle",
    name: "bundle",
    level: "open",
    async handle(ctx) {
      const { live, shadow } = ctx.bundles();
      return { status: 200, body: { live: bundleJson(live), ...(shadow === undefined ? {} : { shadow: bundleJson(shadow) }) } };
    },
  },
  {
    method: "GET",
    path: "/healthz",
    name: "healthz",
    level: "open",
    async handle() {
      return { status: 200, body: { status: "ok" } };
    },
  },
  {
    method: "GET",
    path: "/readyz",
    name: "readyz",
    level: "open",
    async handle(ctx) {
      if (ctx.draining()) return { status: 503, body: { status: "draining" } };
      try {
        await Promise.race([ctx.gateway.store.get("health:probe"), new Promise((_, reject) => setTimeout(() => reject(new Error("timed out")), 1000).unref())]);
      } catch (error) {
        return { status: 503, body: { status: "store_unavailable", message: error instanceof Error ? error.message : String(error) } };
      }
      return { status: 200, body: { status: "ready", policy: ctx.gateway.engine.policy } };
    },
  },
  {
    method: "GET",
    path: "/metrics",
    name: "metrics",
    level: "open",
    async handle(ctx) {
      const { text, contentType } = await ctx.metrics.render();
      return { status: 200, text, headers: { "content-type": contentType } };
    },
  },
];

function bundleJson(policy: ReturnType<ServeContext["bundles"]>["live"]): Record<string, unknown> {
  return { policy: policy.engine.policy, signed: policy.metadata !== undefined, ...(policy.metadata === undefined ? {} : { metadata: policy.metadata }), loadedAt: policy.loadedAt };
}
