/**
 * The gateway's one call per tool call, and the report afterwards.
 *
 * In: a request (untrusted, any shape) and its request id; later the outcome.
 * Out: `run` (with the reservation and an abort signal), `refuse` (with the
 * reason to show the agent) or `wait` (with an approval ticket); an audit
 * entry for every answer and every outcome.
 * Order of one check: snapshot the request (read once; everything after uses
 * only the snapshot; secrets redacted for what is recorded, sealed for what
 * is hashed) → kill switch (one read of a fixed set of keys, before any
 * evaluation) → a repeated request id (the same whole request: the first
 * `run`, nothing charged again) → trust tier and rates → decide →
 * (approve) the approvals bound to this exact request and the context the
 * policy binds, then decide again with them → reserve limits (at a cap,
 * decide again with the counter so the policy's `otherwise` answers) →
 * kill switch again (engaged while we
 * worked) → consume the approval (single use) → audit (written before `run`
 * returns; if it cannot be written, everything reserved and consumed is
 * given back and the answer is `refuse`).
 * A request of a session (a policy with session rules) is checked one at a
 * time per session in this process; the call is recorded in the session's
 * state with compare-and-set before its audit entry, and a check that loses
 * to another process gives back what it took and decides again
 * (./sessions.ts; docs/governance.md, "Sessions").
 * Must not run anything itself, must not let the shadow engine affect the
 * answer, must not throw on anything in the request, and must fail closed:
 * when in doubt, refuse.
 */
import type { Decision, GivenApproval, RuntimeState, SessionInput } from "../decision.js";
import { type ApprovalTicket, Approvals, type ApprovalsOptions } from "./approvals.js";
import { AuditLog, type AuditEntry } from "./audit.js";
import type { Sha256 } from "./audit-line.js";
import { sha256Hex } from "./sha256.js";
export type { Outcome, ReportOptions, ReportResult } from "./gateway-report.js";
import { checkClock, randomIds, systemClock, type Clock, type IdSource } from "./clock.js";
import { actionDigest, bindingOf } from "./digest.js";
import { newSealKey, SEAL_KEY, sealKeyBytes, Secrets, type RedactedRequest, type SecretManifest } from "./secrets.js";
import type { DecisionEngine } from "./engine.js";
import {
  checkGatewayOptions,
  decisionEntry,
  decisionProblem,
  engineFailed,
  gatewayDeny,
  NO_PARTS,
  NOTHING_RECORDED,
  partsOf,
  readRequestId,
  requestKey,
  trustEventOf,
  waitReason,
  type Parts,
} from "./gateway-parts.js";
import { reportOutcome, RETENTION, runKey, type Outcome, type ReportOptions, type ReportResult, type RunRecord } from "./gateway-report.js";
import { KillSwitch, killReason, type KillSwitchRecord } from "./kill-switch.js";
import { chargeProblem, Limits, type LimitsOptions, type Reservation } from "./limits.js";
import { enginePolicy, Shadow, type ShadowRecord } from "./shadow.js";
import { describeThrown, ownMember, snapshotJson, snapshotLimits, type SnapshotLimits } from "./snapshot.js";
import { MemoryAuditSink, MemoryStateStore } from "./store-memory.js";
import { parseStored, type AuditSink, type StateStore } from "./store.js";
import { Trust, type TrustConfig, type TrustEventKind } from "./trust.js";
import { keptForOutcome, SESSION_ROUNDS, SessionConflict, Sessions, type SessionSupport, type StoredSession } from "./sessions.js";

/** What the gateway must do with the tool call. */
export type CheckAction = "run" | "refuse" | "wait";

/** The answer to `check`. */
export interface CheckResult {
  readonly action: CheckAction;
  readonly requestId: string;
  /** The live engine's decision (for a kill switch, an unreadable request or a reused request id, the deny it stands for). */
  readonly decision: Decision;
  /** For `refuse` and `wait`: what to tell the agent. */
  readonly reason?: string;
  /** For `wait`: the approval request to wait on. */
  readonly ticket?: ApprovalTicket;
  /** For `run`: what was reserved against the limits. */
  readonly reservation?: Reservation;
  /** For `run`: aborts if a kill switch covering this request is engaged before it is reported. */
  readonly signal?: AbortSignal;
  /**
   * The hash of this answer's audit entry (outcomes link to it); for a
   * repeat, the first answer's. `""` only when the audit log could not be
   * written at all (the answer is then `refuse`).
   */
  readonly audit: string;
  /**
   * True when this request id had already been answered `run` for this same
   * request: the same answer, nothing charged again — and the tool must not
   * be run again (whoever got the first answer runs it).
   */
  readonly repeated?: boolean;
}

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
  /** How much of a request is read (default depth 64, size 1,048,576; see ./snapshot.ts). */
  readonly request?: Partial<SnapshotLimits>;
  /** The SHA-256 the audit log seals entries with (default: the runtime's own; Node hosts pass node:crypto's, see `AuditLogOptions`). */
  readonly sha256?: Sha256;
}

/** One answer to audit and return. */
interface Answer {
  readonly requestId: string;
  readonly parts: Parts;
  /** The request as the entry records it: secrets redacted. */
  readonly recorded: RedactedRequest;
  readonly decision: Decision;
  readonly trust: number | undefined;
  /** The request and the state the live engine decided with, for the shadow engine (once per check, the final round). */
  readonly shadow?: { readonly request: unknown; readonly state: RuntimeState; readonly candidate: Shadow | undefined };
  readonly approvers: readonly GivenApproval[];
  readonly action: CheckAction;
  readonly reason?: string;
  readonly ticket?: ApprovalTicket;
  readonly reservation?: Reservation;
  readonly signal?: AbortSignal;
  readonly kill?: KillSwitchRecord;
  /** Recorded against the agent once the answer is audited. */
  readonly trustEvent?: TrustEventKind;
  /** Gives back what this check took (reservation, approval, watch) when its entry cannot be written. */
  readonly undo?: () => Promise<void>;
  /** Runs once the entry is written (the run record). */
  readonly written?: (hash: string) => Promise<void>;
  /** The session the check decided in: the call is recorded (compare-and-set) before the audit entry. */
  readonly session?: SessionContext;
}

/** The session a check decides in: the state it read and the input it decided with; `call` once recorded. */
interface SessionContext {
  readonly id: string;
  readonly support: SessionSupport;
  readonly stored: StoredSession;
  readonly input: SessionInput;
  readonly request: unknown;
  /** The call's number in the session, once `answer` recorded it (0: not an event of the session). */
  call: number;
}

/** The engines one check uses, read once at its start. */
interface Engines {
  readonly live: DecisionEngine;
  /** The live engine's policy, checked once when the engine is given. */
  readonly policy: Decision["policy"];
  readonly shadow: Shadow | undefined;
  /** The live engine's session support, read once (undefined: the policy has no session rules). */
  readonly sessions: SessionSupport | undefined;
  /** What the live and shadow catalogs mark secret (`"x-agp-secret": true`). */
  readonly secrets: Secrets;
}

/** Checks and pairs a live engine with its shadow candidate. */
function enginesOf(live: DecisionEngine, shadow: DecisionEngine | undefined): Engines {
  return {
    live,
    policy: enginePolicy(live, "`engine`"),
    shadow: shadow === undefined ? undefined : new Shadow(shadow),
    secrets: new Secrets([manifestOf(live), shadow === undefined ? undefined : manifestOf(shadow)]),
    sessions: sessionSupportOf(live),
  };
}

/** An engine's session support, checked once; a TypeError when it is there but not usable. */
function sessionSupportOf(engine: DecisionEngine): SessionSupport | undefined {
  const support: unknown = engine.sessions;
  if (support === undefined) return undefined;
  const s = support as Partial<SessionSupport> | null;
  if (typeof s !== "object" || s === null || typeof s.key !== "function" || typeof s.record !== "function" || typeof s.outcome !== "function" || typeof s.retainMs !== "number") {
    throw new TypeError("`engine.sessions` must be the engine's session support ({ key, retainMs, record, outcome })");
  }
  return s as SessionSupport;
}

/** An engine's manifest, read once, when it has one shaped like a manifest (a test double may have none). */
function manifestOf(engine: DecisionEngine): SecretManifest | undefined {
  try {
    const manifest: unknown = (engine as { manifest?: unknown }).manifest;
    const m = manifest as Partial<SecretManifest> | undefined;
    if (typeof m !== "object" || m === null || !Array.isArray(m.actions) || typeof m.request !== "object" || m.request === null) return undefined;
    return m as SecretManifest;
  } catch (error) {
    // A loaded policy whose manifest fails the checks it defers to this first read (ADR 0050): refuse the engine rather than run without knowing its secret fields.
    // (Matched by name: governance takes any engine and imports nothing of the runtime's loader.)
    if (error instanceof Error && error.name === "PolicyLoadError") throw error;
    return undefined;
  }
}

const MAX_ROUNDS = 16;

/** Builds a gateway; opens the audit log (continuing its chain). Throws a TypeError for options that are not what `GatewayOptions` says. */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  checkGatewayOptions(options);
  const clock = options.clock ?? systemClock;
  const audit = await AuditLog.open(options.audit ?? new MemoryAuditSink(), clock, options.sha256 === undefined ? {} : { sha256: options.sha256 });
  return new Gateway(options, options.store ?? new MemoryStateStore({ clock }), audit, clock);
}

/** The governance runtime around one live policy. */
export class Gateway {
  readonly kill: KillSwitch;
  readonly approvals: Approvals;
  readonly limits: Limits;
  /** Undefined when trust is off. */
  readonly trust: Trust | undefined;
  /** The live engine, its policy and the shadow candidate, replaced together by `swap` (one object, so a check reads all at once). */
  private engines: Engines;
  private readonly requestLimits: SnapshotLimits;
  private readonly running = new Map<string, { readonly signal: AbortSignal; stop(): void }>();
  private readonly sessions: Sessions;
  /** The key secret fields are sealed with, once read from (or made in) the store. */
  private sealKey: Promise<Uint8Array> | undefined;
  /** The SHA-256 of request keys (the audit log's, see `GatewayOptions.sha256`). */
  private readonly sha256: Sha256;

  /** Throws a TypeError for options that are not what `GatewayOptions` says. */
  constructor(
    options: GatewayOptions,
    readonly store: StateStore,
    readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {
    checkGatewayOptions(options);
    checkClock(clock, "`clock`");
    this.engines = enginesOf(options.engine, options.shadow);
    this.requestLimits = snapshotLimits(options.request, "request");
    this.kill = new KillSwitch(store, clock, audit);
    this.approvals = new Approvals(store, clock, options.ids ?? randomIds, audit, options.approvals);
    this.limits = new Limits(store, clock, options.limits);
    this.trust = options.trust === false ? undefined : new Trust(store, clock, options.trust ?? {});
    this.sessions = new Sessions(store, clock);
    this.sha256 = options.sha256 ?? sha256Hex;
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
   * decision to its audit entry. Throws a TypeError for an engine that is
   * not one (the running engines stay).
   */
  swap(engine: DecisionEngine, shadow?: DecisionEngine | null): void {
    const current = this.engines;
    const next = enginesOf(engine, shadow === undefined || shadow === null ? undefined : shadow);
    this.engines = shadow === undefined ? { ...next, shadow: current.shadow } : next;
  }

  /**
   * Decides one tool call. Throws only for a missing or malformed request id
   * (a gateway bug); a failing state store is a refusal; never for anything in the
   * request, which is read once, into a snapshot, and only that is decided,
   * digested, audited and charged.
   */
  async check(request: unknown, options: { readonly requestId: string }): Promise<CheckResult> {
    const requestId = readRequestId(options);
    // INVARIANT: one check, one engine pair (a `swap` during the awaits below does not mix two policies).
    const engines = this.engines;
    const snapshot = snapshotJson(request, this.requestLimits);
    if (!snapshot.ok) {
      const reason = `the request cannot be read: ${snapshot.reason}`;
      return this.answer({ requestId, parts: NO_PARTS, recorded: NOTHING_RECORDED, decision: gatewayDeny(reason, engines.policy), trust: undefined, approvers: [], action: "refuse", reason });
    }
    const req = snapshot.value;
    const parts = partsOf(req);
    const recorded = engines.secrets.redact(req);
    try {
      const support = engines.sessions;
      const id = support?.key(req);
      if (support === undefined || id === undefined) return await this.decideSnapshot(requestId, engines, req, parts, recorded, undefined);
      return await this.sessions.serially(id, async () => {
        for (let round = 0; round < SESSION_ROUNDS; round++) {
          const stored = await this.sessions.read(id);
          const session: SessionContext = { id, support, stored, input: this.sessions.input(stored), request: req, call: 0 };
          try {
            return await this.decideSnapshot(requestId, engines, req, parts, recorded, session);
          } catch (error) {
            if (!(error instanceof SessionConflict)) throw error;
          }
        }
        const reason = "the session changed too often while checking; try again";
        return this.answer({ requestId, parts, recorded, decision: gatewayDeny(reason, engines.policy), trust: undefined, approvers: [], action: "refuse", reason });
      });
    } catch (error) {
      return this.storeFailed(requestId, engines, parts, recorded, error);
    }
  }

  /**
   * The snapshot with its secret values sealed under the gateway's key
   * (./secrets.ts): what the repeat check and approval digests hash. The
   * key is made once per store and kept there; a snapshot without secrets
   * needs no key and is its own sealed form.
   */
  private async sealed(secrets: Secrets, req: unknown): Promise<unknown> {
    if (!secrets.holdsSecrets(req)) return req;
    this.sealKey ??= this.loadSealKey().catch((error: unknown) => {
      this.sealKey = undefined;
      throw error;
    });
    return secrets.seal(req, await this.sealKey).value;
  }

  private async loadSealKey(): Promise<Uint8Array> {
    for (;;) {
      const stored = await this.store.get(SEAL_KEY);
      if (stored !== undefined) {
        const key = sealKeyBytes(stored);
        if (key === undefined) throw new Error(`the state store's \`${SEAL_KEY}\` is damaged: the gateway cannot seal secret fields`);
        return key;
      }
      await this.store.compareAndSet(SEAL_KEY, undefined, newSealKey());
    }
  }

  /** `check` after the snapshot: everything that reads or writes the state store. Throws `SessionConflict` when the session's state was written by another check meanwhile (everything taken is given back). */
  private async decideSnapshot(requestId: string, engines: Engines, req: unknown, parts: Parts, recorded: RedactedRequest, session: SessionContext | undefined): Promise<CheckResult> {
    const engaged = await this.kill.check(parts.agent, parts.action, parts.env);
    if (engaged !== undefined) return this.refuseKilled(requestId, parts, recorded, engaged, engines);
    const sealed = await this.sealed(engines.secrets, req);
    const prior = parseStored<RunRecord>(await this.store.get(runKey(requestId)));
    if (prior !== undefined) return this.repeat(prior, parts, recorded, sealed, engines);

    const standing = this.trust === undefined ? undefined : await this.trust.standing(parts.agent);
    const trust = standing?.tier;
    const rates = standing?.rates;
    // The ticket is looked up once the policy says what the approval binds (its `binds`): by the digest of that binding.
    let digest: string | undefined;
    let ticket: ApprovalTicket | undefined;
    let given: GivenApproval[] | undefined;
    let counters: Record<string, number> = {};

    for (let round = 0; round < MAX_ROUNDS; round++) {
      const state: RuntimeState = {
        ...(trust === undefined ? {} : { trust }),
        ...(rates === undefined ? {} : { rates }),
        ...(given === undefined ? {} : { approvals: given }),
        ...(Object.keys(counters).length === 0 ? {} : { counters }),
      };
      const decision = this.decide(engines, req, state, session?.input);
      const common = { requestId, parts, recorded, decision, trust, shadow: { request: req, state, candidate: engines.shadow }, approvers: given ?? [], ...(session === undefined ? {} : { session }) };
      if (decision.effect === "deny") {
        const trustEvent = trustEventOf(decision);
        return this.answer({ ...common, action: "refuse", reason: decision.reasons[0] ?? "denied", ...(trustEvent === undefined ? {} : { trustEvent }) });
      }
      if (decision.effect === "approve") {
        const requirement = decision.approval ?? { quorums: [] };
        const binding = bindingOf(sealed, engines.policy.version, requirement.binds ?? []);
        let bound: string | undefined;
        try {
          bound = binding === undefined ? undefined : actionDigest(binding);
        } catch {
          bound = undefined; // a policy version that is not well-formed Unicode: nothing can be bound to it
        }
        if (bound === undefined || binding === undefined) {
          return this.answer({ ...common, action: "refuse", reason: "this request cannot be bound to an approval (it has no agent id or action)" });
        }
        if (requirement.requester === true && binding.human === null) {
          return this.answer({ ...common, action: "refuse", reason: "this request asks the requester to confirm, but it names no human the agent acts for" });
        }
        if (bound !== digest) {
          digest = bound;
          ticket = await this.approvals.forDigest(digest);
          if (ticket?.status === "approved") {
            // Approvals already given for exactly this binding: the engine re-checks them.
            given = ticket.approvals.map(({ id, groups }) => ({ id, groups }));
            continue;
          }
          given = undefined;
        }
        if (ticket?.status === "rejected" && ticket.rejection !== undefined && this.clock.now() < ticket.expiresAt) {
          const reason = `approval request \`${ticket.id}\` was rejected by \`${ticket.rejection.by}\`: ${ticket.rejection.reason}`;
          return this.answer({ ...common, action: "refuse", reason, ticket });
        }
        // The ticket shows the decided snapshot with its secrets redacted; the digest binds their sealed values.
        const shown = recorded.request as Record<string, unknown> | null;
        const context = ownMember(shown, "context") ?? {};
        const reasoning = ownMember(context, "reasoning");
        const open =
          ticket?.status === "approved"
            ? await this.approvals.require(ticket.id, requirement, decision.reasons)
            : await this.approvals.open({
                digest,
                requestId,
                agent: binding.agent,
                human: binding.human,
                action: binding.action,
                env: binding.env,
                args: ownMember(shown, "args") ?? null,
                context,
                reasoning: typeof reasoning === "string" ? reasoning : null,
                policy: engines.policy,
                requirement,
                reasons: decision.reasons,
              });
        const waiting = open ?? (await this.approvals.forDigest(digest));
        return this.answer({ ...common, action: "wait", reason: waitReason(decision), ...(waiting === undefined ? {} : { ticket: waiting }) });
      }

      // allow: every charge must be a usable amount before anything is reserved.
      const problem = decision.limits.map((charge) => chargeProblem(charge)).find((p) => p !== undefined);
      if (problem !== undefined) return this.answer({ ...common, action: "refuse", reason: `this request cannot be charged: ${problem}` });
      // Approvals given and a counter we reported past its cap mean the approval covers the overrun.
      const pastCap = new Set(given === undefined ? [] : Object.keys(counters));
      const reserved = await this.limits.reserve(requestId, decision.limits, pastCap);
      if (!reserved.ok) {
        counters = { ...counters, [reserved.limit.id]: reserved.used };
        continue;
      }
      if (reserved.repeated) {
        return this.answer({ ...common, action: "refuse", reason: `request id \`${requestId}\` is already being checked or was already used` });
      }
      const late = await this.kill.check(parts.agent, parts.action, parts.env);
      if (late !== undefined) {
        await this.limits.cancel(requestId);
        return this.refuseKilled(requestId, parts, recorded, late, engines);
      }
      if (given !== undefined && ticket !== undefined && !(await this.approvals.consume(ticket.id, requestId))) {
        // Used by a concurrent request, or expired meanwhile: this request is not approved any more.
        await this.limits.cancel(requestId);
        ticket = digest === undefined ? undefined : await this.approvals.forDigest(digest);
        given = undefined;
        counters = {};
        continue;
      }
      const used = given !== undefined && ticket !== undefined ? ticket : undefined;
      const watch = this.kill.watch(parts.agent, parts.action, parts.env);
      this.running.set(requestId, watch);
      const undo = async (): Promise<void> => {
        watch.stop();
        this.running.delete(requestId);
        await this.limits.cancel(requestId);
        if (used !== undefined) await this.approvals.release(used.id, requestId);
      };
      const approvers = given ?? [];
      const written = async (hash: string): Promise<void> => {
        const record: RunRecord = {
          requestId,
          audit: hash,
          agent: parts.agent,
          human: parts.human,
          action: parts.action,
          env: parts.env,
          model: parts.model,
          tool: parts.tool,
          mutating: recorded.readOnly === null ? null : !recorded.readOnly,
          approvers: approvers.map((a) => a.id),
          request: requestKey(sealed, this.sha256),
          decision,
          ticket: used?.id ?? null,
          ...(session !== undefined && session.call > 0 ? { session: { id: session.id, call: session.call, ...keptForOutcome(engines.live.manifest, req, recorded, engines.secrets) } } : {}),
        };
        await this.store.compareAndSet(runKey(requestId), undefined, JSON.stringify(record), { expiresAt: this.clock.now() + RETENTION });
      };
      return this.answer({ ...common, action: "run", reservation: reserved.reservation, signal: watch.signal, ...(used === undefined ? {} : { ticket: used }), undo, written });
    }
    const decision = this.decide(engines, req, { ...(trust === undefined ? {} : { trust }), ...(rates === undefined ? {} : { rates }), counters }, session?.input);
    return this.answer({ requestId, parts, recorded, decision, trust, approvers: [], action: "refuse", reason: "the limits changed too often while checking; try again" });
  }

  /**
   * Reports how a `run` went: commits its reservation (with `actualCost`
   * for budgets, one number or limit id → cost, each a finite number from 0
   * to `MAX_AMOUNT`) or, for `failed` without a cost, refunds it; moves
   * trust; audits the outcome linked to the decision, with any budget the
   * actual cost took past its cap (`overruns`). Nothing changes when the
   * report is refused, or when its audit entry cannot be written
   * (`audit_failed`: report again). See ./gateway-report.ts.
   */
  report(requestId: string, outcome: Outcome, options: ReportOptions = {}): Promise<ReportResult> {
    return reportOutcome(
      {
        store: this.store,
        limits: this.limits,
        audit: this.audit,
        trust: this.trust,
        clock: this.clock,
        session: (record, outcome) => this.recordOutcome(record, outcome),
        finished: (id) => {
          this.running.get(id)?.stop();
          this.running.delete(id);
        },
      },
      requestId,
      outcome,
      options,
    );
  }

  /**
   * Records a run's outcome in its session (compare-and-set, again while
   * another check writes the session first). Undefined when nothing is to be
   * recorded; else a problem, or how to take the record back.
   */
  private async recordOutcome(record: RunRecord, outcome: Outcome): Promise<string | { readonly undo: () => Promise<void> } | undefined> {
    const call = record.session;
    const support = this.engines.sessions;
    if (call === undefined) return undefined;
    if (support === undefined) return `request \`${record.requestId}\` ran in session \`${call.id}\`, but the live policy has no session rules; the outcome cannot be recorded`;
    if (call.request === undefined) {
      return `the outcome of request \`${record.requestId}\` cannot be recorded in session \`${call.id}\`: the policy's session rules read \`${call.secret ?? "?"}\` of its outcome, which the catalog marks secret, and the gateway keeps no secret`;
    }
    const sessions = this.sessions;
    return sessions.serially(call.id, async () => {
      for (let round = 0; round < 4 * SESSION_ROUNDS; round++) {
        const stored = await sessions.read(call.id);
        const update = support.outcome(call.request, sessions.input(stored), call.call, outcome);
        if (!update.ok) return `the outcome could not be recorded in session \`${call.id}\`: ${update.error.message}`;
        if (await sessions.write(stored, update.state, support.retainMs)) return { undo: () => sessions.restore(call.id, update.state, stored, support.retainMs) };
      }
      return `session \`${call.id}\` changed too often to record the outcome; report again`;
    });
  }

  /** Waits for pending writes, then closes the store and the audit sink. */
  async close(): Promise<void> {
    await this.audit.close();
    await this.store.close();
  }

  /** The live engine's decision; a deny saying so when it throws or returns something that is not a decision. */
  private decide(engines: Engines, request: unknown, state: RuntimeState, session: SessionInput | undefined): Decision {
    let decision: unknown;
    try {
      decision = session === undefined ? engines.live.decide(request, state) : engines.live.decide(request, state, session);
    } catch (error) {
      return engineFailed(`the policy engine failed: ${describeThrown(error)}`, engines.policy);
    }
    const problem = decisionProblem(decision);
    if (problem !== undefined) {
      if (typeof (decision as { then?: unknown } | null)?.then === "function") void Promise.resolve(decision).catch(() => undefined);
      return engineFailed(`the policy engine returned ${problem}`, engines.policy);
    }
    return decision as Decision;
  }

  private async repeat(prior: RunRecord, parts: Parts, recorded: RedactedRequest, sealed: unknown, engines: Engines): Promise<CheckResult> {
    const id = prior.requestId;
    const refusal =
      prior.outcome !== undefined
        ? `request id \`${id}\` was already run and reported as ${prior.outcome}`
        : prior.request !== requestKey(sealed, this.sha256)
          ? `request id \`${id}\` was already used for another request`
          : undefined;
    if (refusal !== undefined) {
      return this.answer({ requestId: id, parts, recorded, decision: gatewayDeny(refusal, engines.policy), trust: undefined, approvers: [], action: "refuse", reason: refusal });
    }
    const reservation = await this.limits.get(id);
    const signal = this.running.get(id)?.signal;
    return {
      action: "run",
      requestId: id,
      decision: prior.decision,
      audit: prior.audit,
      repeated: true,
      ...(reservation === undefined ? {} : { reservation }),
      ...(signal === undefined ? {} : { signal }),
    };
  }

  private async refuseKilled(requestId: string, parts: Parts, recorded: RedactedRequest, engaged: KillSwitchRecord, engines: Engines): Promise<CheckResult> {
    const decision = gatewayDeny(killReason(engaged), engines.policy);
    const reason = `${killReason(engaged)} (by ${engaged.by}: ${engaged.reason})`;
    return this.answer({ requestId, parts, recorded, decision, trust: undefined, approvers: [], action: "refuse", reason, kill: engaged });
  }

  private async answer(a: Answer): Promise<CheckResult> {
    const recorded = a.session === undefined || a.decision.error !== undefined ? undefined : await this.recordCall(a, a.session);
    const shadow: ShadowRecord | undefined = a.shadow === undefined ? undefined : a.shadow.candidate?.decide(a.shadow.request, a.shadow.state, a.decision, a.parts.action);
    let entry: AuditEntry;
    try {
      entry = await this.audit.append(decisionEntry(a, a.action, a.reason, shadow));
    } catch (error) {
      await a.undo?.();
      await recorded?.();
      return this.auditFailed(a, error);
    }
    if (a.trustEvent !== undefined) await this.trust?.record(a.parts.agent, a.trustEvent);
    await a.written?.(entry.hash);
    return {
      action: a.action,
      requestId: a.requestId,
      decision: a.decision,
      audit: entry.hash,
      ...(a.reason === undefined || a.action === "run" ? {} : { reason: a.reason }),
      ...(a.ticket === undefined ? {} : { ticket: a.ticket }),
      ...(a.reservation === undefined ? {} : { reservation: a.reservation }),
      ...(a.signal === undefined ? {} : { signal: a.signal }),
    };
  }

  /**
   * Records the answered call in its session with what the gateway enforces
   * (run: allowed, wait: parked, refuse: refused). Throws `SessionConflict`
   * after giving back what the check took when another check wrote the
   * session first; returns how to take the record back (an audit failure).
   */
  private async recordCall(a: Answer, session: SessionContext): Promise<(() => Promise<void>) | undefined> {
    const effect = a.action === "run" ? "allow" : a.action === "wait" ? "approve" : "deny";
    const update = session.support.record(session.request, session.input, effect);
    if (!update.ok) throw new Error(`a decided call could not be recorded in its session: ${update.error.message}`);
    if (update.call === 0) return undefined; // no session rule watches this action
    if (!(await this.sessions.write(session.stored, update.state, session.support.retainMs))) {
      await a.undo?.();
      throw new SessionConflict();
    }
    session.call = update.call;
    return () => this.sessions.restore(session.id, update.state, session.stored, session.support.retainMs);
  }

  /** The answer's entry could not be written: refuse, and try once to audit the refusal itself. */
  /**
   * The state store failed mid-check (a shared store unreachable, timing out,
   * or a script error): fail closed. What this check reserved is given back
   * where the store still answers (else it expires with its window), and the
   * refusal is audited where the sink still answers.
   */
  private async storeFailed(requestId: string, engines: Engines, parts: Parts, recorded: RedactedRequest, error: unknown): Promise<CheckResult> {
    this.running.get(requestId)?.stop();
    this.running.delete(requestId);
    try {
      await this.limits.cancel(requestId);
    } catch {
      // The store is still failing: the reservation expires with its window.
    }
    const reason = `the gateway could not complete this check: ${describeThrown(error)}; nothing was run, so this request is refused (it may be retried with the same request id)`;
    const a: Answer = { requestId, parts, recorded, decision: gatewayDeny(reason, engines.policy), trust: undefined, approvers: [], action: "refuse", reason };
    let audit = "";
    try {
      audit = (await this.audit.append(decisionEntry(a, "refuse", reason, undefined))).hash;
    } catch {
      // The sink shares the failing store (Redis): the refusal stands unaudited, the one answer that is safe without evidence.
    }
    return { action: "refuse", requestId, decision: a.decision, reason, audit };
  }

  private async auditFailed(a: Answer, error: unknown): Promise<CheckResult> {
    const reason = `${describeThrown(error)}; nothing runs without its audit entry, so this request is refused (it may be retried with the same request id)`;
    let audit = "";
    try {
      audit = (await this.audit.append(decisionEntry(a, "refuse", reason, undefined))).hash;
    } catch {
      // The sink is still failing: the refusal stands unaudited, which is the one answer that is safe without evidence.
    }
    return { action: "refuse", requestId: a.requestId, decision: a.decision, reason, audit };
  }
}
