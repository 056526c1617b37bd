/**
 * What the gateway reads from a request snapshot, checks of what its
 * callers and its engine hand it, and the decisions it makes itself.
 *
 * In: the snapshot of a request (./snapshot.ts), a request id, gateway
 * options, a decision from an engine. Out: the parts the audit and the kill
 * switch need (own members only), the deny decisions the gateway answers
 * with when the policy was not asked (a kill switch, an unreadable request,
 * an engine that failed), and TypeErrors naming a bad option.
 * Must not read the host's request object: only the snapshot.
 */
import type { Decision, GivenApproval } from "../decision.js";
import type { AuditBody } from "./audit.js";
import { checkClock } from "./clock.js";
import { canonicalJson } from "./digest.js";
import type { Sha256 } from "./audit-line.js";
import type { GatewayOptions } from "./gateway.js";
import type { KillSwitchRecord } from "./kill-switch.js";
import type { ShadowRecord } from "./shadow.js";
import type { RedactedRequest } from "./secrets.js";
import { ownMember } from "./snapshot.js";
import type { TrustEventKind } from "./trust.js";

/** The request's parts the gateway reads before the engine has validated it, from the snapshot. */
export interface Parts {
  readonly agent: string;
  readonly human: string | null;
  readonly action: string;
  readonly env: unknown;
  readonly reasoning: unknown;
  /** `agent.model` when it is a string: the model the agent runs on. */
  readonly model: string | null;
  /** `context.tool` when it is a string: the tool or client the call came through (an MCP server, a bot). */
  readonly tool: string | null;
}

/** The parts of an unreadable request: nothing of it is known. */
export const NO_PARTS: Parts = { agent: "", human: null, action: "", env: null, reasoning: null, model: null, tool: null };

/** What an entry records of the request itself: nothing of an unreadable one. */
export const NOTHING_RECORDED: RedactedRequest = { request: null, redacted: [], knownAction: false, readOnly: null };

/** The parts of a snapshot (own members only, so a polluted `Object.prototype` adds nothing). */
export function partsOf(snapshot: unknown): Parts {
  const id = (principal: unknown): string | undefined => {
    const value = ownMember(principal, "id");
    return typeof value === "string" ? value : undefined;
  };
  const text = (value: unknown): string | null => (typeof value === "string" ? value : null);
  const action = ownMember(snapshot, "action");
  const context = ownMember(snapshot, "context");
  return {
    agent: id(ownMember(snapshot, "agent")) ?? "",
    human: id(ownMember(snapshot, "human")) ?? null,
    action: typeof action === "string" ? action : "",
    env: ownMember(snapshot, "env") ?? null,
    reasoning: ownMember(context, "reasoning") ?? null,
    model: text(ownMember(ownMember(snapshot, "agent"), "model")),
    tool: text(ownMember(context, "tool")),
  };
}

/**
 * What a repeated request id is compared by: the digest of the whole
 * snapshot with its secret values sealed (./secrets.ts) — equal exactly
 * when the whole requests are equal, and no secret stored in the clear.
 */
export function requestKey(sealed: unknown, sha256: Sha256): string {
  return `sha256:${sha256(canonicalJson(sealed))}`;
}

const MAX_REQUEST_ID = 1024;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The request id of `check`'s options, read once; throws the one TypeError `check` throws. */
export function readRequestId(options: unknown): string {
  let requestId: unknown;
  try {
    requestId = typeof options === "object" && options !== null ? (options as { requestId?: unknown }).requestId : undefined;
  } catch {
    requestId = undefined;
  }
  if (typeof requestId !== "string" || requestId === "" || requestId.length > MAX_REQUEST_ID || LONE_SURROGATE.test(requestId)) {
    throw new TypeError(`check needs a non-empty \`requestId\`: a well-formed string of at most ${MAX_REQUEST_ID} characters`);
  }
  return requestId;
}

/** A deny the gateway answers with itself (no rule decided): a kill switch, an unreadable request, a reused id. */
export function gatewayDeny(reason: string, policy: Decision["policy"]): Decision {
  return { effect: "deny", rules: [], reasons: [reason], obligations: {}, limits: [], audit: "notice", policy };
}

/** The fail-closed deny for an engine that threw or returned something that is not a decision. */
export function engineFailed(reason: string, policy: Decision["policy"]): Decision {
  return { ...gatewayDeny(reason, policy), error: { code: "internal_error", message: reason, path: "" } };
}

/** What is wrong with what an engine returned, or undefined when it is shaped like a decision. */
export function decisionProblem(decision: unknown): string | undefined {
  if (typeof decision !== "object" || decision === null) return "nothing that is a decision";
  if (typeof (decision as { then?: unknown }).then === "function") return "a Promise; `decide` must answer synchronously";
  const d = decision as Partial<Record<keyof Decision, unknown>>;
  if (d.effect !== "allow" && d.effect !== "approve" && d.effect !== "deny") return "a decision without an effect (allow, approve or deny)";
  if (!Array.isArray(d.rules) || !Array.isArray(d.reasons) || !d.reasons.every((r) => typeof r === "string")) return "a decision without rules and reasons";
  if (!Array.isArray(d.limits)) return "a decision without limits";
  if (typeof d.obligations !== "object" || d.obligations === null) return "a decision without obligations";
  if (d.effect === "approve") {
    const quorums = (d.approval as { quorums?: unknown } | undefined)?.quorums;
    if (!Array.isArray(quorums)) return "an approve decision without an approval requirement";
  }
  return undefined;
}

/**
 * The trust event a refusal is worth: a violation for a security-level
 * deny, a denial for any other deny by rules or by validation — and none for
 * a limit at its cap (a quota reached is not misbehaviour) or an engine
 * failure (not the agent's doing).
 */
export function trustEventOf(decision: Decision): TrustEventKind | undefined {
  if (decision.rules.length > 0 && decision.rules.every((r) => r.kind === "limit")) return undefined;
  if (decision.error?.code === "internal_error") return undefined;
  return decision.audit === "security" ? "violation" : "denied";
}

const OPTIONS = ["engine", "shadow", "store", "audit", "clock", "ids", "trust", "approvals", "limits", "request", "sha256"];
const STORE_METHODS = ["get", "getMany", "compareAndSet", "list", "charge", "counter", "close"];
const SINK_METHODS = ["lastLine", "append", "close"];

/** Checks `createGateway`'s options (engines are checked where they are read); throws a TypeError naming the first bad one. */
export function checkGatewayOptions(options: GatewayOptions): void {
  if (typeof options !== "object" || options === null) throw new TypeError("createGateway needs options: { engine, … }");
  for (const key of Object.keys(options)) {
    // Extra keys of wrappers (openFileGateway's `fsync`) pass; anything else is a typo worth saying.
    if (!OPTIONS.includes(key) && key !== "fsync") throw new TypeError(`unknown gateway option \`${key}\`; use ${OPTIONS.join(", ")}`);
  }
  if (options.clock !== undefined) checkClock(options.clock, "`clock`");
  const hasMethods = (value: unknown, methods: readonly string[]): boolean =>
    typeof value === "object" && value !== null && methods.every((m) => typeof (value as Record<string, unknown>)[m] === "function");
  if (options.store !== undefined && !hasMethods(options.store, STORE_METHODS)) throw new TypeError(`\`store\` must be a StateStore (${STORE_METHODS.join(", ")})`);
  if (options.audit !== undefined && !hasMethods(options.audit, SINK_METHODS)) throw new TypeError(`\`audit\` must be an AuditSink (${SINK_METHODS.join(", ")})`);
  if (options.sha256 !== undefined && typeof options.sha256 !== "function") throw new TypeError("`sha256` must be a function from text to 64 hex digits");
  if (options.trust !== undefined && options.trust !== false && (typeof options.trust !== "object" || options.trust === null)) {
    throw new TypeError("`trust` must be an object of trust options, or false");
  }
}

/** What a decision entry records of one answer. */
export interface EntryFields {
  readonly requestId: string;
  readonly parts: Parts;
  /** The request with its secrets redacted (./secrets.ts). */
  readonly recorded: RedactedRequest;
  readonly decision: Decision;
  readonly trust: number | undefined;
  readonly approvers: readonly GivenApproval[];
  readonly ticket?: { readonly id: string };
  readonly kill?: KillSwitchRecord;
}

/** The audit entry of an answer: every field from the snapshot's parts and the decision made on it. */
export function decisionEntry(a: EntryFields, result: "run" | "refuse" | "wait", reason: string | undefined, shadow: ShadowRecord | undefined): AuditBody {
  const { parts, decision } = a;
  return {
    kind: "decision",
    requestId: a.requestId,
    result,
    agent: parts.agent,
    human: parts.human,
    action: parts.action,
    env: parts.env,
    model: parts.model,
    tool: parts.tool,
    request: a.recorded.request,
    redacted: a.recorded.redacted,
    level: decision.audit,
    mutating: a.recorded.readOnly === null ? null : !a.recorded.readOnly,
    reasoning: parts.reasoning,
    trust: a.trust ?? null,
    decision,
    policy: decision.policy,
    approvers: a.approvers,
    ticket: a.ticket?.id ?? null,
    reason: reason ?? null,
    kill: a.kill === undefined ? null : { scope: a.kill.scope, name: a.kill.name, by: a.kill.by, reason: a.kill.reason },
    shadow: shadow ?? null,
  };
}

/** Why the request waits: a limit that parked it (its allow rules' reasons say nothing of that), else the first approve rule's. */
export function waitReason(decision: Decision): string {
  const parked = decision.rules.findIndex((r) => r.kind === "limit");
  return decision.reasons[parked < 0 ? 0 : parked] ?? "approval required";
}
