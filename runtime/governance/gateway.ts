/**
 * The gateway's one call per tool call, and the report afterwards.
 *
 * In: a request (untrusted) and its request id; later the outcome.
 * Out: `run` (with the reservation and an abort signal), `refuse` (with the
 * reason to show the agent) or `wait` (with an approval ticket); an audit
 * entry for every answer and every outcome.
 * Order of one check: kill switch (three key reads, before any evaluation)
 * → a repeated request id (the first `run`, nothing charged again) → trust tier → approvals bound to this exact request → decide → reserve
 * limits (at a cap, decide again with the counter so the policy's
 * `otherwise` answers) → kill switch again (engaged while we worked) →
 * consume the approval (single use) → audit (written before `run` returns).
 * Must not run anything itself, must not let the shadow engine affect the
 * answer, and must fail closed: when in doubt, refuse.
 */
import type { Decision, GivenApproval, RuntimeState } from "../decision.js";
import { type ApprovalTicket, Approvals, type ApprovalsOptions } from "./approvals.js";
import { AuditLog, type AuditEntry } from "./audit.js";
import { randomIds, systemClock, type Clock, type IdSource } from "./clock.js";
import { actionDigest, bindingOf, digestOf, toJsonSafe } from "./digest.js";
import type { DecisionEngine } from "./engine.js";
import { KillSwitch, killReason, type KillSwitchRecord } from "./kill-switch.js";
import { Limits, type LimitsOptions, type Reservation } from "./limits.js";
import { Shadow, type ShadowRecord } from "./shadow.js";
import { MemoryAuditSink, MemoryStateStore } from "./store-memory.js";
import { parseStored, type AuditSink, type StateStore } from "./store.js";
import { Trust, type TrustConfig } from "./trust.js";

/** What the gateway must do with the tool call. */
export type CheckAction = "run" | "refuse" | "wait";

/** The answer to `check`. */
export interface CheckResult {
  readonly action: CheckAction;
  readonly requestId: string;
  /** The live engine's decision (for a kill switch, the deny it stands for). */
  readonly decision: Decision;
  /** For `refuse` and `wait`: what to tell the agent. */
  readonly reason?: string;
  /** For `wait`: the approval request to wait on. */
  readonly ticket?: ApprovalTicket;
  /** For `run`: what was reserved against the limits. */
  readonly reservation?: Reservation;
  /** For `run`: aborts if a kill switch covering this request is engaged before it is reported. */
  readonly signal?: AbortSignal;
  /** The hash of this answer's audit entry (outcomes link to it). */
  readonly audit: string;
  /** True when this request id had already been answered `run`: the same answer, nothing charged again. */
  readonly repeated?: boolean;
}

/** How the action went. */
export type Outcome = "succeeded" | "failed" | "rolled_back";

/** The answer to `report`. */
export type ReportResult =
  | { readonly ok: true; readonly entry: AuditEntry; readonly reservation: Reservation | undefined }
  | { readonly ok: false; readonly code: "unknown_request" | "already_reported" | "invalid"; readonly message: string };

/** Everything a gateway is built from; only `engine` is required. */
export interface GatewayOptions {
  /** The live policy. */
  readonly engine: DecisionEngine;
  /** A candidate policy to run in shadow mode. */
  readonly shadow?: DecisionEngine;
  /** State (default: in memory). */
  readonly store?: StateStore;
  /** Audit lines (default: in memory). */
  readonly audit?: AuditSink;
  readonly clock?: Clock;
  /** Ticket ids (default: random UUIDs). */
  readonly ids?: IdSource;
  /** Trust tiers (default `DEFAULT_TRUST`); `false` leaves `agent.trust` as the request gives it. */
  readonly trust?: Partial<TrustConfig> | false;
  readonly approvals?: ApprovalsOptions;
  readonly limits?: LimitsOptions;
}

/** What the gateway remembers of a request it answered `run`. */
interface RunRecord {
  readonly requestId: string;
  readonly audit: string;
  readonly agent: string;
  readonly human: string | null;
  readonly action: string;
  readonly env: unknown;
  /** The args digest, so a reused request id with other args is not taken for a retry. */
  readonly args: string;
  readonly decision: Decision;
  readonly ticket: string | null;
  readonly outcome?: Outcome;
}

/** The request's parts the gateway reads before the engine has validated it. */
interface Parts {
  readonly agent: string;
  readonly human: string | null;
  readonly action: string;
  readonly env: unknown;
  readonly reasoning: unknown;
  readonly args: string;
}

const MAX_ROUNDS = 16;
const RETENTION = 7 * 86_400_000;

/** Builds a gateway; opens the audit log (continuing its chain). */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const clock = options.clock ?? systemClock;
  const audit = await AuditLog.open(options.audit ?? new MemoryAuditSink(), clock);
  return new Gateway(options, options.store ?? new MemoryStateStore({ clock }), audit, clock);
}

/** The governance runtime around one live policy. */
export class Gateway {
  readonly kill: KillSwitch;
  readonly approvals: Approvals;
  readonly limits: Limits;
  /** Undefined when trust is off. */
  readonly trust: Trust | undefined;
  /** The live engine and the shadow candidate, replaced together by `swap` (one object, so a check reads both at once). */
  private engines: { readonly live: DecisionEngine; readonly shadow: Shadow | undefined };
  private readonly running = new Map<string, { readonly signal: AbortSignal; stop(): void }>();

  constructor(
    options: GatewayOptions,
    readonly store: StateStore,
    readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {
    this.engines = { live: options.engine, shadow: options.shadow === undefined ? undefined : new Shadow(options.shadow) };
    this.kill = new KillSwitch(store, clock, audit);
    this.approvals = new Approvals(store, clock, options.ids ?? randomIds, audit, options.approvals);
    this.limits = new Limits(store, clock, options.limits);
    this.trust = options.trust === false ? undefined : new Trust(store, clock, options.trust ?? {});
  }

  /** The live policy. */
  get engine(): DecisionEngine {
    return this.engines.live;
  }

  /** Undefined unless a shadow engine was given. */
  get shadow(): Shadow | undefined {
    return this.engines.shadow;
  }

  /**
   * Replaces the live engine (hot reload) and, when `shadow` is given, the
   * shadow candidate (`null` removes it). Takes effect for the next check:
   * a check under way keeps the engines it started with, from its first
   * decision to its audit entry.
   */
  swap(engine: DecisionEngine, shadow?: DecisionEngine | null): void {
    const candidate = shadow === undefined ? this.engines.shadow : shadow === null ? undefined : new Shadow(shadow);
    this.engines = { live: engine, shadow: candidate };
  }

  /** Decides one tool call. Throws only for a missing request id (a gateway bug). */
  async check(request: unknown, options: { readonly requestId: string }): Promise<CheckResult> {
    const requestId = options?.requestId;
    if (typeof requestId !== "string" || requestId === "") throw new TypeError("check needs a non-empty `requestId`");
    const parts = partsOf(request);
    // INVARIANT: one check, one engine pair (a `swap` during the awaits below does not mix two policies).
    const { live: engine, shadow } = this.engines;
    const engaged = await this.kill.check(parts.agent, parts.action);
    if (engaged !== undefined) return this.refuseKilled(requestId, parts, engaged, engine);
    const prior = parseStored<RunRecord>(await this.store.get(runKey(requestId)));
    if (prior !== undefined) return this.repeat(prior, parts);

    const trust = this.trust === undefined ? undefined : await this.trust.tier(parts.agent);
    const binding = bindingOf(request, engine.policy.version);
    let digest: string | undefined;
    try {
      digest = binding === undefined ? undefined : actionDigest(binding);
    } catch {
      digest = undefined; // not canonical JSON: the engine refuses it; it can never be approved
    }
    let ticket = digest === undefined ? undefined : await this.approvals.forDigest(digest);
    let given: GivenApproval[] | undefined = ticket?.status === "approved" ? ticket.approvals.map(({ id, groups }) => ({ id, groups })) : undefined;
    let counters: Record<string, number> = {};

    for (let round = 0; round < MAX_ROUNDS; round++) {
      const state: RuntimeState = {
        ...(trust === undefined ? {} : { trust }),
        ...(given === undefined ? {} : { approvals: given }),
        ...(Object.keys(counters).length === 0 ? {} : { counters }),
      };
      const decision = engine.decide(request, state);
      const common = { requestId, parts, decision, trust, shadow: { request, state, candidate: shadow }, approvers: given ?? [] };
      if (decision.effect === "deny") {
        await this.trust?.record(parts.agent, decision.audit === "security" ? "violation" : "denied");
        return this.answer({ ...common, action: "refuse", reason: decision.reasons[0] ?? "denied" });
      }
      if (decision.effect === "approve") {
        if (digest === undefined || binding === undefined) {
          return this.answer({ ...common, action: "refuse", reason: "this request cannot be bound to an approval (it is not canonical JSON)" });
        }
        if (ticket?.status === "rejected" && ticket.rejection !== undefined && this.clock.now() < ticket.expiresAt) {
          const reason = `approval request \`${ticket.id}\` was rejected by \`${ticket.rejection.by}\`: ${ticket.rejection.reason}`;
          return this.answer({ ...common, action: "refuse", reason, ticket });
        }
        const requirement = decision.approval ?? { quorums: [] };
        const open =
          ticket?.status === "approved"
            ? await this.approvals.require(ticket.id, requirement, decision.reasons)
            : await this.approvals.open({ digest, requestId, agent: binding.agent, human: binding.human, action: binding.action, env: toJsonSafe(binding.env), args: toJsonSafe(binding.args), policy: engine.policy, requirement, reasons: decision.reasons });
        const waiting = open ?? (await this.approvals.forDigest(digest));
        return this.answer({ ...common, action: "wait", reason: waitReason(decision), ...(waiting === undefined ? {} : { ticket: waiting }) });
      }

      // allow: approvals given and a counter we reported past its cap mean the approval covers the overrun.
      const pastCap = new Set(given === undefined ? [] : Object.keys(counters));
      const reserved = await this.limits.reserve(requestId, decision.limits, pastCap);
      if (!reserved.ok) {
        counters = { ...counters, [reserved.limit.id]: reserved.used };
        continue;
      }
      if (reserved.repeated) {
        return this.answer({ ...common, action: "refuse", reason: `request id \`${requestId}\` is already being checked or was already used` });
      }
      const late = await this.kill.check(parts.agent, parts.action);
      if (late !== undefined) {
        await this.limits.cancel(requestId);
        return this.refuseKilled(requestId, parts, late, engine);
      }
      if (given !== undefined && ticket !== undefined && !(await this.approvals.consume(ticket.id, requestId))) {
        // Used by a concurrent request, or expired meanwhile: this request is not approved any more.
        await this.limits.cancel(requestId);
        ticket = digest === undefined ? undefined : await this.approvals.forDigest(digest);
        given = undefined;
        counters = {};
        continue;
      }
      const watch = this.kill.watch(parts.agent, parts.action);
      this.running.set(requestId, watch);
      const result = await this.answer({ ...common, action: "run", reservation: reserved.reservation, signal: watch.signal, ...(ticket !== undefined && given !== undefined ? { ticket } : {}) });
      const record: RunRecord = { requestId, audit: result.audit, agent: parts.agent, human: parts.human, action: parts.action, env: parts.env, args: parts.args, decision, ticket: given === undefined ? null : (ticket?.id ?? null) };
      await this.store.compareAndSet(runKey(requestId), undefined, JSON.stringify(record), { expiresAt: this.clock.now() + RETENTION });
      return result;
    }
    const decision = engine.decide(request, { ...(trust === undefined ? {} : { trust }), counters });
    return this.answer({ requestId, parts, decision, trust, approvers: [], action: "refuse", reason: "the limits changed too often while checking; try again" });
  }

  /**
   * Reports how a `run` went: commits its reservation (with `actualCost`
   * for budgets, one number or limit id → cost) or, for `failed` without a
   * cost, refunds it; moves trust; audits the outcome linked to the decision.
   */
  async report(requestId: string, outcome: Outcome, options: { readonly actualCost?: number | Readonly<Record<string, number>>; readonly detail?: string } = {}): Promise<ReportResult> {
    if (!["succeeded", "failed", "rolled_back"].includes(outcome)) {
      return { ok: false, code: "invalid", message: `unknown outcome \`${String(outcome)}\`; use succeeded, failed or rolled_back` };
    }
    const key = runKey(requestId);
    const text = await this.store.get(key);
    const record = parseStored<RunRecord>(text);
    if (record === undefined) return { ok: false, code: "unknown_request", message: `no request \`${requestId}\` was answered \`run\`; only those can be reported` };
    if (record.outcome !== undefined) return { ok: false, code: "already_reported", message: `request \`${requestId}\` was already reported as ${record.outcome}` };
    if (!(await this.store.compareAndSet(key, text, JSON.stringify({ ...record, outcome }), { expiresAt: this.clock.now() + RETENTION }))) {
      return this.report(requestId, outcome, options);
    }
    this.running.get(requestId)?.stop();
    this.running.delete(requestId);
    const { actualCost } = options;
    const reservation = outcome === "failed" && actualCost === undefined ? await this.limits.refund(requestId) : await this.limits.commit(requestId, actualCost);
    await this.trust?.record(record.agent, outcome === "succeeded" ? "success" : outcome === "rolled_back" ? "rollback" : "failure");
    const entry = await this.audit.append({
      kind: "outcome",
      requestId,
      decision: record.audit,
      outcome,
      actualCost: actualCost ?? null,
      detail: options.detail ?? null,
      agent: record.agent,
      human: record.human,
      action: record.action,
      env: record.env,
      effect: record.decision.effect,
      policy: record.decision.policy,
    });
    return { ok: true, entry, reservation };
  }

  /** Waits for pending writes, then closes the store and the audit sink. */
  async close(): Promise<void> {
    await this.audit.close();
    await this.store.close();
  }

  private async repeat(prior: RunRecord, parts: Parts): Promise<CheckResult> {
    if (prior.outcome !== undefined || prior.agent !== parts.agent || prior.action !== parts.action || prior.args !== parts.args) {
      const reason = prior.outcome !== undefined ? `request id \`${prior.requestId}\` was already run and reported as ${prior.outcome}` : `request id \`${prior.requestId}\` was already used for another request`;
      return { action: "refuse", requestId: prior.requestId, decision: prior.decision, reason, audit: prior.audit, repeated: true };
    }
    const reservation = await this.limits.get(prior.requestId);
    const signal = this.running.get(prior.requestId)?.signal;
    return {
      action: "run",
      requestId: prior.requestId,
      decision: prior.decision,
      audit: prior.audit,
      repeated: true,
      ...(reservation === undefined ? {} : { reservation }),
      ...(signal === undefined ? {} : { signal }),
    };
  }

  private async refuseKilled(requestId: string, parts: Parts, engaged: KillSwitchRecord, engine: DecisionEngine): Promise<CheckResult> {
    const decision: Decision = { effect: "deny", rules: [], reasons: [killReason(engaged)], obligations: {}, limits: [], audit: "notice", policy: engine.policy };
    const reason = `${killReason(engaged)} (by ${engaged.by}: ${engaged.reason})`;
    return this.answer({ requestId, parts, decision, trust: undefined, approvers: [], action: "refuse", reason, kill: engaged });
  }

  private async answer(a: {
    requestId: string;
    parts: Parts;
    decision: Decision;
    trust: number | undefined;
    /** The request and the state the live engine decided with, for the shadow engine (once per check, the final round). */
    shadow?: { readonly request: unknown; readonly state: RuntimeState; readonly candidate: Shadow | undefined };
    approvers: readonly GivenApproval[];
    action: CheckAction;
    reason?: string;
    ticket?: ApprovalTicket;
    reservation?: Reservation;
    signal?: AbortSignal;
    kill?: KillSwitchRecord;
  }): Promise<CheckResult> {
    const { parts, decision } = a;
    const shadow: ShadowRecord | undefined = a.shadow === undefined ? undefined : a.shadow.candidate?.decide(a.shadow.request, a.shadow.state, decision, parts.action);
    const entry = await this.audit.append({
      kind: "decision",
      requestId: a.requestId,
      result: a.action,
      agent: parts.agent,
      human: parts.human,
      action: parts.action,
      env: parts.env,
      args: parts.args,
      reasoning: parts.reasoning,
      trust: a.trust ?? null,
      decision,
      policy: decision.policy,
      approvers: a.approvers,
      ticket: a.ticket?.id ?? null,
      reason: a.reason ?? null,
      kill: a.kill === undefined ? null : { scope: a.kill.scope, name: a.kill.name, by: a.kill.by, reason: a.kill.reason },
      shadow: shadow ?? null,
    });
    return {
      action: a.action,
      requestId: a.requestId,
      decision,
      audit: entry.hash,
      ...(a.reason === undefined || a.action === "run" ? {} : { reason: a.reason }),
      ...(a.ticket === undefined ? {} : { ticket: a.ticket }),
      ...(a.reservation === undefined ? {} : { reservation: a.reservation }),
      ...(a.signal === undefined ? {} : { signal: a.signal }),
    };
  }
}

/** What the audit and the kill switch need, read defensively from an unvalidated request. */
function partsOf(request: unknown): Parts {
  const r = typeof request === "object" && request !== null ? (request as Record<string, unknown>) : {};
  const id = (p: unknown): string | undefined => (typeof p === "object" && p !== null && typeof (p as Record<string, unknown>)["id"] === "string" ? ((p as Record<string, unknown>)["id"] as string) : undefined);
  const context = r["context"];
  const reasoning = typeof context === "object" && context !== null ? ((context as Record<string, unknown>)["reasoning"] ?? null) : null;
  let args: string;
  try {
    args = digestOf(r["args"] ?? null);
  } catch {
    args = digestOf(toJsonSafe(r["args"]));
  }
  return {
    agent: id(r["agent"]) ?? "",
    human: id(r["human"]) ?? null,
    action: typeof r["action"] === "string" ? r["action"] : "",
    env: toJsonSafe(r["env"] ?? null),
    reasoning: toJsonSafe(reasoning),
    args,
  };
}

/** Why the request waits: a limit that parked it (its allow rules' reasons say nothing of that), else the first approve rule's. */
function waitReason(decision: Decision): string {
  const parked = decision.rules.findIndex((r) => r.kind === "limit");
  return decision.reasons[parked < 0 ? 0 : parked] ?? "approval required";
}

function runKey(requestId: string): string {
  return `run:${requestId}`;
}
