/**
 * The OpenID AuthZEN Authorization API 1.0 information model, mapped onto
 * agp's request and back (docs/serve.md, "AuthZEN"; ADR 0017).
 *
 * In: parsed JSON (untrusted). Out: validated evaluations (a missing or
 * ill-typed required field is an error naming it: the HTTP layer answers
 * 400), the agp request each one stands for, batch expansion with default
 * values, and the AuthZEN decision for a gateway answer. Mapping:
 * - `action.name` → `action`; a name without a dot is qualified by the
 *   resource type (`read` on a `record` → `record.read`); the COAZ-MCP
 *   default mapping (`tools/call` on a resource of type `tool`) → the tool
 *   name, `resource.id`;
 * - `resource.properties` and `action.properties` → `args` (a key in both
 *   with different values is an error);
 * - the subject (`properties` plus `id`) is the agent, and `context.human`
 *   the human it acts for; when `context.agent` names the agent (an id or
 *   an object, as the COAZ-MCP binding sends the client), the subject is
 *   the human instead;
 * - `context.env` → `env` (else the server's `--env`, when given); the rest
 *   of `context` → agp's `context`.
 * Must not fill in anything the PEP did not send (a missing agent field is
 * the engine's fail-closed deny, audited), and must never answer
 * `decision: true` for anything but a gateway `run`.
 */
import { canonicalJson } from "../governance/digest.js";
import type { CheckResult } from "../governance/gateway.js";

/** One Access Evaluation request, validated. */
export interface Evaluation {
  readonly subject: Entity;
  readonly action: { readonly name: string; readonly properties?: Record<string, unknown> };
  readonly resource: Entity;
  readonly context?: Record<string, unknown>;
}

interface Entity {
  readonly type: string;
  readonly id: string;
  readonly properties?: Record<string, unknown>;
}

/** The three `options.evaluations_semantic` values (Authorization API 1.0, "Evaluations semantics"). */
export const SEMANTICS = ["execute_all", "deny_on_first_deny", "permit_on_first_permit"] as const;
export type Semantic = (typeof SEMANTICS)[number];

/** A request field that is missing or of the wrong type. */
export class AuthzenFieldError extends Error {}

/** Validates one evaluation (`where` prefixes field paths, e.g. `evaluations[2].`). */
export function evaluationOf(value: Record<string, unknown>, where = ""): Evaluation {
  const subject = entity(value["subject"], `${where}subject`);
  const resource = entity(value["resource"], `${where}resource`);
  const a = object(value["action"], `${where}action`, true)!;
  const name = a["name"];
  if (name === undefined) throw new AuthzenFieldError(`\`${where}action.name\` is required`);
  if (typeof name !== "string") throw new AuthzenFieldError(`\`${where}action.name\` must be a string`);
  const properties = object(a["properties"], `${where}action.properties`, false);
  const context = object(value["context"], `${where}context`, false);
  return { subject, action: { name, ...(properties === undefined ? {} : { properties }) }, resource, ...(context === undefined ? {} : { context }) };
}

function entity(value: unknown, where: string): Entity {
  const e = object(value, where, true)!;
  for (const key of ["type", "id"] as const) {
    if (e[key] === undefined) throw new AuthzenFieldError(`\`${where}.${key}\` is required`);
    if (typeof e[key] !== "string") throw new AuthzenFieldError(`\`${where}.${key}\` must be a string`);
  }
  const properties = object(e["properties"], `${where}.properties`, false);
  return { type: e["type"] as string, id: e["id"] as string, ...(properties === undefined ? {} : { properties }) };
}

function object(value: unknown, where: string, required: boolean): Record<string, unknown> | undefined {
  if (value === undefined) {
    if (required) throw new AuthzenFieldError(`\`${where}\` is required`);
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new AuthzenFieldError(`\`${where}\` must be an object`);
  return value as Record<string, unknown>;
}

/** The agp request an evaluation stands for. Throws `AuthzenFieldError` for conflicting args. */
export function agpRequestOf(e: Evaluation, defaultEnv?: string): Record<string, unknown> {
  const name = e.action.name;
  const action = name === "tools/call" && e.resource.type === "tool" ? e.resource.id : name.includes(".") ? name : `${e.resource.type}.${name}`;
  const args: Record<string, unknown> = { ...(e.resource.properties ?? {}) };
  for (const [key, value] of Object.entries(e.action.properties ?? {})) {
    if (key in args && !sameJson(args[key], value)) throw new AuthzenFieldError(`argument \`${key}\` is given in both \`resource.properties\` and \`action.properties\` with different values`);
    args[key] = value;
  }
  const { agent: contextAgent, human: contextHuman, env: givenEnv, ...rest } = e.context ?? {};
  const env = givenEnv ?? defaultEnv;
  const subject = { ...(e.subject.properties ?? {}), id: e.subject.id };
  const agent = contextAgent === undefined ? subject : typeof contextAgent === "string" ? { id: contextAgent } : contextAgent;
  const human = contextAgent === undefined ? contextHuman : subject;
  return {
    ...(agent === undefined ? {} : { agent }),
    ...(human === undefined ? {} : { human }),
    action,
    args,
    ...(env === undefined ? {} : { env }),
    ...(Object.keys(rest).length === 0 ? {} : { context: rest }),
  };
}

function sameJson(a: unknown, b: unknown): boolean {
  try {
    return canonicalJson(a) === canonicalJson(b);
  } catch {
    return false;
  }
}

/** Expands a batch: each item takes the top-level `subject`, `action`, `resource` and `context` it does not give. */
export function withDefaults(item: unknown, defaults: Record<string, unknown>): Record<string, unknown> {
  const own = typeof item === "object" && item !== null && !Array.isArray(item) ? (item as Record<string, unknown>) : {};
  const merged: Record<string, unknown> = {};
  for (const key of ["subject", "action", "resource", "context"]) {
    const value = key in own ? own[key] : defaults[key];
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}

/** An AuthZEN Decision. */
export interface AuthzenDecision {
  readonly decision: boolean;
  readonly context: Record<string, unknown>;
}

/** Where a PEP can follow an approval request (absolute URLs). */
export interface Links {
  ticket(id: string): string;
}

/**
 * The AuthZEN decision for a gateway answer: `true` only for `run`. A
 * `wait` is a requestable denial: `decision: false` with `access_request`
 * and the approval request as a `task` handle (its status endpoint).
 */
export function decisionOf(result: CheckResult, links: Links, now: Date): AuthzenDecision {
  const d = result.decision;
  const agp: Record<string, unknown> = {
    result: result.action,
    effect: d.effect,
    rules: d.rules,
    reasons: d.reasons,
    obligations: d.obligations,
    ...(d.approval === undefined ? {} : { approval: d.approval }),
    ...(d.error === undefined ? {} : { error: d.error }),
    ...(result.ticket === undefined ? {} : { ticket: result.ticket }),
    ...(result.reservation === undefined ? {} : { reservation: result.reservation }),
    ...(result.repeated === true ? { repeated: true } : {}),
    audit: result.audit,
    policy: d.policy,
  };
  const context: Record<string, unknown> = { evaluation_id: result.requestId, evaluated_at: now.toISOString() };
  if (result.action !== "run") {
    context["reason"] = reasonCode(result);
    context["reason_user"] = { en: result.reason ?? d.reasons[0] ?? "denied" };
    const ids = d.rules.map((r) => `${r.kind} ${r.id} (${r.file}:${r.line})`);
    context["reason_admin"] = { en: ids.length === 0 ? (d.error?.message ?? result.reason ?? "denied") : `decided by ${ids.join(", ")}` };
  }
  if (result.action === "wait" && result.ticket !== undefined) {
    const t = result.ticket;
    const expires = new Date(t.expiresAt).toISOString();
    context["access_request"] = { template: "agp.approval", expires_at: expires, display: { title: "Approval required", description: result.reason ?? "approval required" } };
    context["task"] = { id: t.id, status: t.status === "rejected" ? "denied" : t.status === "used" ? "approved" : t.status, status_endpoint: links.ticket(t.id), expires_at: expires };
  }
  context["agp"] = agp;
  return { decision: result.action === "run", context };
}

/** A machine-readable reason for a denial. */
function reasonCode(result: CheckResult): string {
  if (result.action === "wait") return "approval_required";
  const d = result.decision;
  if (d.error !== undefined) return "invalid_request";
  if (d.rules.length === 0 && /^kill switch `/.test(d.reasons[0] ?? "")) return "kill_switch";
  if (d.rules.some((r) => r.kind === "limit")) return "limit_reached";
  if (result.ticket?.status === "rejected") return "approval_rejected";
  if (result.repeated === true) return "request_id_reused";
  return "denied";
}
