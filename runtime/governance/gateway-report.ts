/**
 * `report`: how a `run` went, committed or refunded and audited.
 *
 * In: a request id the gateway answered `run`, an outcome, and the
 * caller's options (`actualCost`, `detail`; read once). Out: the outcome's
 * audit entry, the settled reservation and the budgets the actual cost took
 * past their caps — or a refusal with a message, having changed nothing.
 * Order: check everything given (costs must be finite numbers from 0 to
 * `MAX_AMOUNT`, per-limit costs must name budgets the run was charged
 * against) → settle the reservation (commit or refund) → claim the outcome
 * in the run record → record it in the run's session (session rules) →
 * audit → trust. If the audit entry cannot be written,
 * the claim and the settlement are taken back (`audit_failed`): a report
 * that is not in the audit log did not happen, and may be made again.
 * Must not refund or commit twice, and must not record an amount a counter
 * cannot hold.
 */
import type { Decision } from "../decision.js";
import type { AuditEntry, AuditLog } from "./audit.js";
import type { Clock } from "./clock.js";
import { actualCostProblem, type Limits, type Overrun, type Reservation, type Settlement } from "./limits.js";
import { describeThrown } from "./snapshot.js";
import { parseStored, type StateStore } from "./store.js";
import type { Trust } from "./trust.js";

/** How the action went. */
export type Outcome = "succeeded" | "failed" | "rolled_back";

/** What `report` may be told besides the outcome. */
export interface ReportOptions {
  /** The actual cost: one number for every budget charge, or limit id → cost. */
  readonly actualCost?: number | Readonly<Record<string, number>>;
  /** Free text for the audit entry. */
  readonly detail?: string;
}

/** The answer to `report`. */
export type ReportResult =
  | {
      readonly ok: true;
      readonly entry: AuditEntry;
      readonly reservation: Reservation | undefined;
      /** Budgets the actual cost took past their caps (they refuse every charge until their window rolls over). */
      readonly overruns: readonly Overrun[];
    }
  | { readonly ok: false; readonly code: "unknown_request" | "already_reported" | "invalid" | "audit_failed" | "session_conflict"; readonly message: string };

/** What the gateway remembers of a request it answered `run`. */
export interface RunRecord {
  readonly requestId: string;
  readonly audit: string;
  readonly agent: string;
  readonly human: string | null;
  readonly action: string;
  readonly env: unknown;
  /** `agent.model` and `context.tool`, as the decision entry recorded them (absent in records written before them). */
  readonly model?: string | null;
  readonly tool?: string | null;
  /** Whether the action changes something (the catalog's `readOnly`, negated); null when unknown. */
  readonly mutating?: boolean | null;
  /** Who approved the run (ids), empty when no approval was needed. */
  readonly approvers?: readonly string[];
  /** The digest of the whole request snapshot, secrets sealed (./gateway-parts.ts `requestKey`): a repeat must match it. */
  readonly request: string;
  readonly decision: Decision;
  readonly ticket: string | null;
  readonly outcome?: Outcome;
  /**
   * The call's session, its number there, and what its outcome reads of the
   * request (policies with session rules; ADR 0025): only the paths the
   * outcome's filters, keys and sums read, never a secret. `secret` instead
   * of `request` when an outcome would read a secret field: the outcome then
   * cannot be recorded, and `report` says so.
   */
  readonly session?: { readonly id: string; readonly call: number; readonly request?: unknown; readonly secret?: string };
}

/** The parts of a gateway a report touches. */
export interface ReportContext {
  readonly store: StateStore;
  readonly limits: Limits;
  readonly audit: AuditLog;
  readonly trust: Trust | undefined;
  readonly clock: Clock;
  /** Stops the run's kill-switch watch. */
  finished(requestId: string): void;
  /** Records the outcome in the run's session: nothing to do, a problem, or how to take it back. */
  session?(record: RunRecord, outcome: Outcome): Promise<string | { readonly undo: () => Promise<void> } | undefined>;
}

/** How long a run record is kept. */
export const RETENTION = 7 * 86_400_000;

const OUTCOMES: readonly string[] = ["succeeded", "failed", "rolled_back"];
const NO_RESERVATION: Reservation = { requestId: "", status: "reserved", charges: [], at: 0 };

/** The store key of a run record. */
export function runKey(requestId: string): string {
  return `run:${requestId}`;
}

/** Reports an outcome (see the file header). */
export async function reportOutcome(ctx: ReportContext, requestId: string, outcome: Outcome, options: ReportOptions): Promise<ReportResult> {
  if (typeof requestId !== "string" || requestId === "") return invalid("report needs a non-empty `requestId`");
  if (!OUTCOMES.includes(outcome)) return invalid(`unknown outcome \`${String(outcome)}\`; use succeeded, failed or rolled_back`);
  const given = readReportOptions(options);
  if (typeof given === "string") return invalid(given);
  const { actualCost, detail } = given;

  const key = runKey(requestId);
  for (;;) {
    const text = await ctx.store.get(key);
    const record = parseStored<RunRecord>(text);
    if (record === undefined) return { ok: false, code: "unknown_request", message: `no request \`${requestId}\` was answered \`run\`; only those can be reported` };
    if (record.outcome !== undefined) return { ok: false, code: "already_reported", message: `request \`${requestId}\` was already reported as ${record.outcome}` };
    const problem = actualCostProblem(actualCost, (await ctx.limits.get(requestId)) ?? NO_RESERVATION);
    if (problem !== undefined) return invalid(problem);
    const settlement: Settlement | undefined = await ctx.limits.settle(requestId, outcome === "failed" && actualCost === undefined ? "refund" : "commit", actualCost);
    // Claim the outcome; a concurrent report that got there first wins, and ours is taken back.
    // Once reported, the session needs nothing more of the request (ADR 0025): the record keeps the call's number only.
    const reported = JSON.stringify({ ...record, outcome, ...(record.session === undefined ? {} : { session: { id: record.session.id, call: record.session.call } }) });
    if (!(await ctx.store.compareAndSet(key, text, reported, { expiresAt: ctx.clock.now() + RETENTION }))) {
      await settlement?.undo();
      continue;
    }
    const overruns = settlement?.overruns ?? [];
    // The session's history gets the outcome before the audit entry, and gives it back with everything else.
    const recorded = record.session === undefined ? undefined : await ctx.session?.(record, outcome);
    if (typeof recorded === "string") {
      await ctx.store.compareAndSet(key, reported, text, { expiresAt: ctx.clock.now() + RETENTION });
      await settlement?.undo();
      return { ok: false, code: "session_conflict", message: recorded };
    }
    let entry: AuditEntry;
    try {
      entry = await ctx.audit.append({
        kind: "outcome",
        requestId,
        decision: record.audit,
        outcome,
        actualCost: actualCost ?? null,
        detail: detail ?? null,
        agent: record.agent,
        human: record.human,
        action: record.action,
        env: record.env,
        model: record.model ?? null,
        tool: record.tool ?? null,
        effect: record.decision.effect,
        level: record.decision.audit,
        mutating: record.mutating ?? null,
        rules: record.decision.rules.map((r) => r.id),
        approvers: record.approvers ?? [],
        ticket: record.ticket,
        policy: record.decision.policy,
        overruns,
      });
    } catch (error) {
      // Not in the audit log, so it did not happen: put everything back for a retry.
      await ctx.store.compareAndSet(key, reported, text, { expiresAt: ctx.clock.now() + RETENTION });
      await settlement?.undo();
      await recorded?.undo();
      return { ok: false, code: "audit_failed", message: `${describeThrown(error)}; the report was not recorded, report again` };
    }
    ctx.finished(requestId);
    await ctx.trust?.record(record.agent, outcome === "succeeded" ? "success" : outcome === "rolled_back" ? "rollback" : "failure");
    return { ok: true, entry, reservation: settlement?.reservation, overruns };
  }
}

/**
 * The report's options, each read once through its property descriptor
 * (never a getter), per-limit costs copied once: what is checked is what is
 * committed. A string says what is wrong.
 */
function readReportOptions(options: unknown): { actualCost?: number | Readonly<Record<string, number>>; detail?: string } | string {
  if (options === undefined || options === null) return {};
  if (typeof options !== "object" || Array.isArray(options)) return "the report's options must be an object: { actualCost?, detail? }";
  try {
    const out: { actualCost?: number | Readonly<Record<string, number>>; detail?: string } = {};
    for (const key of Reflect.ownKeys(options)) {
      if (typeof key !== "string") continue;
      const descriptor = Object.getOwnPropertyDescriptor(options, key);
      if (descriptor === undefined || descriptor.enumerable !== true) continue;
      if (!("value" in descriptor)) return `\`${key}\` is a getter; pass plain values to report`;
      const value: unknown = descriptor.value;
      if (value === undefined) continue;
      if (key === "detail") {
        if (typeof value !== "string") return "`detail` must be a string";
        out.detail = value;
      } else if (key === "actualCost") {
        if (typeof value === "object" && value !== null && !Array.isArray(value)) {
          const costs = costsOnce(value);
          if (typeof costs === "string") return costs;
          out.actualCost = costs;
        } else out.actualCost = value as number; // checked against the reservation by actualCostProblem
      } else return `unknown report option \`${key}\`; use actualCost or detail`;
    }
    return out;
  } catch (error) {
    return `the report's options cannot be read: ${describeThrown(error)}`;
  }
}

/** Per-limit costs copied once, own data members only; a string says what is wrong. */
function costsOnce(value: object): Readonly<Record<string, number>> | string {
  const copy: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key !== "string") continue;
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (descriptor === undefined || descriptor.enumerable !== true) continue;
    if (!("value" in descriptor)) return `\`actualCost.${key}\` is a getter; pass plain values to report`;
    copy[key] = descriptor.value as number;
  }
  return copy;
}

function invalid(message: string): ReportResult {
  return { ok: false, code: "invalid", message };
}
