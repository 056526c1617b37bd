/**
 * Approvals: a parked action becomes an approval request (a ticket) bound to
 * the digest of its exact action, args, agent, human, env and bundle
 * version; humans approve or reject it; a satisfied ticket is used once.
 *
 * In: tickets opened by the gateway; verified approver identities from the
 * caller (`{id, groups}` — this module trusts the groups it is given, so
 * pass what your identity provider says, never what the agent says).
 * Out: tickets, approval results with exact messages, and `await`.
 * Rules: M-of-N distinct approver ids from the required groups for every
 * quorum, distinct across quorums unless the policy allows the same person
 * (ADR 0030); the requesting agent never approves, and the human it acts
 * for only confirms as the requester when the policy asks (`by requester`)
 * — ids compared by `identityKey` (runtime/identity.ts: `BOT` is `bot`);
 * a ticket expires; any eligible approver's rejection ends it; a satisfied
 * ticket is consumed (compare-and-set) by exactly one run. Every approve and
 * reject is audited; one whose audit entry cannot be written is taken back
 * and refused (`audit_failed`). Must not decide policy: the engine
 * re-checks the approvals when the request comes back.
 */
import type { ApprovalRequirement, GivenApproval } from "../decision.js";
import type { AuditBody, AuditLog } from "./audit.js";
import { approvalsMeet } from "../approval-quorums.js";
import { identityKey, sameIdentity } from "../identity.js";
import { describeThrown, kindWithArticle } from "./snapshot.js";
import type { Clock, IdSource } from "./clock.js";
import { parseStored, type StateStore } from "./store.js";

/** Where a ticket stands. `expired` is derived from the clock, never stored. */
export type TicketStatus = "pending" | "approved" | "rejected" | "used" | "expired";

/** One approval given. */
export interface TicketApproval extends GivenApproval {
  readonly at: number;
  readonly note?: string;
}

/** An approval request. */
export interface ApprovalTicket {
  readonly id: string;
  /** The digest of the bound action (see `bindingOf`). */
  readonly digest: string;
  readonly status: TicketStatus;
  /** The request id that opened it. */
  readonly requestId: string;
  readonly agent: string;
  readonly human: string | null;
  readonly action: string;
  readonly env: unknown;
  /** The args as the engine decided them, secret fields redacted (docs/governance.md, "Secrets"). */
  readonly args: unknown;
  /** The request's context (the agent's stated reasoning and plan), secret fields redacted; `{}` when it has none. */
  readonly context: unknown;
  /** `context.reasoning` when it is a string: what the agent says it is doing and why. */
  readonly reasoning: string | null;
  readonly policy: { readonly hash: string; readonly version: string };
  /** Who must approve; its `binds` are the context fields the digest covers besides the action. */
  readonly requirement: ApprovalRequirement;
  /** Why the policy asks, as the decision's reasons. */
  readonly reasons: readonly string[];
  readonly approvals: readonly TicketApproval[];
  readonly rejection?: { readonly by: string; readonly reason: string; readonly at: number };
  readonly createdAt: number;
  readonly expiresAt: number;
  /** The request id that used it. */
  readonly usedBy?: string;
}

/** What opening a ticket needs. */
export interface TicketRequest {
  readonly digest: string;
  readonly requestId: string;
  readonly agent: string;
  readonly human: string | null;
  readonly action: string;
  readonly env: unknown;
  readonly args: unknown;
  readonly context: unknown;
  readonly reasoning: string | null;
  readonly policy: { readonly hash: string; readonly version: string };
  readonly requirement: ApprovalRequirement;
  readonly reasons: readonly string[];
}

/** Why an approve or reject was refused. */
export type ApprovalErrorCode = "unknown_ticket" | "expired" | "closed" | "self_approval" | "duplicate" | "not_eligible" | "invalid" | "audit_failed";

/** The result of `approve` / `reject`. */
export type ApprovalResult =
  | { readonly ok: true; readonly ticket: ApprovalTicket }
  | { readonly ok: false; readonly code: ApprovalErrorCode; readonly message: string };

/** Options for `Approvals`. */
export interface ApprovalsOptions {
  /** How long a ticket stays open (default 1 hour). */
  readonly ttlMs?: number;
  /** How often `await` re-reads the store for changes made by other processes (default 1000 ms). */
  readonly pollMs?: number;
}

const RETENTION = 7 * 86_400_000;

/** The approval requests of one store. */
export class Approvals {
  private readonly ttlMs: number;
  private readonly pollMs: number;
  private readonly listeners = new Map<string, Set<() => void>>();

  /** Throws a TypeError for options that are not what `ApprovalsOptions` says. */
  constructor(
    private readonly store: StateStore,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    private readonly audit: AuditLog,
    options: ApprovalsOptions = {},
  ) {
    if (typeof ids !== "function") throw new TypeError("`ids` must be a function returning a new ticket id");
    if (typeof options !== "object" || options === null) throw new TypeError("`approvals` options must be an object");
    for (const key of Object.keys(options)) if (key !== "ttlMs" && key !== "pollMs") throw new TypeError(`unknown \`approvals\` option \`${key}\`; use ttlMs or pollMs`);
    this.ttlMs = options.ttlMs ?? 3_600_000;
    this.pollMs = options.pollMs ?? 1_000;
    for (const [key, value] of [["ttlMs", this.ttlMs], ["pollMs", this.pollMs]] as const) {
      if (!Number.isSafeInteger(value) || value < 1) throw new TypeError(`\`approvals.${key}\` must be a whole number of ms at least 1, got ${String(value)}`);
    }
  }

  /** A ticket as it stands now (an open ticket past its expiry reads as `expired`). */
  async get(id: string): Promise<ApprovalTicket | undefined> {
    return this.view(parseStored<ApprovalTicket>(await this.store.get(ticketKey(id))));
  }

  /** The latest ticket for a digest, as it stands now. */
  async forDigest(digest: string): Promise<ApprovalTicket | undefined> {
    const id = await this.store.get(digestKey(digest));
    return id === undefined ? undefined : this.get(id);
  }

  /** Every ticket, optionally only those with one status, oldest first. */
  async list(filter: { readonly status?: TicketStatus } = {}): Promise<ApprovalTicket[]> {
    const tickets = (await this.store.list("approval:")).flatMap(([, v]) => this.view(parseStored<ApprovalTicket>(v)) ?? []);
    return tickets.filter((t) => filter.status === undefined || t.status === filter.status).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  /**
   * The open ticket for this digest (pending or approved, not expired), or a
   * new one. Asking again for the same parked action does not ask the
   * approvers twice.
   */
  async open(request: TicketRequest): Promise<ApprovalTicket> {
    const indexKey = digestKey(request.digest);
    for (;;) {
      const currentId = await this.store.get(indexKey);
      const current = currentId === undefined ? undefined : await this.get(currentId);
      if (current !== undefined && (current.status === "pending" || current.status === "approved")) return current;
      const now = this.clock.now();
      const ticket: ApprovalTicket = { ...request, id: this.newId(), status: "pending", approvals: [], createdAt: now, expiresAt: now + this.ttlMs };
      const expiresAt = ticket.expiresAt + RETENTION;
      // INVARIANT: a ticket exists before the index points at it, so a concurrent open never sees a dangling index.
      const text = JSON.stringify(ticket);
      if (!(await this.store.compareAndSet(ticketKey(ticket.id), undefined, text, { expiresAt }))) continue;
      if (await this.store.compareAndSet(indexKey, currentId, ticket.id, { expiresAt })) return ticket;
      await this.store.compareAndSet(ticketKey(ticket.id), text, undefined); // lost the race: another open's ticket stands

    }
  }

  /**
   * Records one approval. When the requirement is met the ticket becomes
   * `approved`. Refused: the agent approving, its human approving when the
   * policy does not ask the requester to confirm, the same id twice, an
   * approver in none of the required groups (and not the requester asked
   * for), a closed or expired ticket.
   */
  async approve(id: string, approver: GivenApproval, note?: string): Promise<ApprovalResult> {
    if (note !== undefined && typeof note !== "string") return { ok: false, code: "invalid", message: "an approval's note must be a string" };
    const result = await this.update(id, approver, (ticket, who) => {
      const approvals = [...ticket.approvals, { id: who.id, groups: who.groups, at: this.clock.now(), ...(note === undefined ? {} : { note }) }];
      return { ...ticket, approvals, status: meets(ticket.requirement, approvals, ticket) ? "approved" : "pending" };
    }, (ticket, who) => ({ kind: "approval.approve", ticket: id, approver: who.id, groups: who.groups, note: note ?? null, status: ticket.status, ...bound(ticket) }));
    return result;
  }

  /** Rejects a ticket: it is closed for good, whatever approvals it had. */
  async reject(id: string, approver: GivenApproval, reason: string): Promise<ApprovalResult> {
    if (typeof reason !== "string" || reason.trim() === "") return { ok: false, code: "invalid", message: "a rejection needs a reason" };
    return this.update(
      id,
      approver,
      (ticket, who) => ({ ...ticket, status: "rejected", rejection: { by: who.id, reason, at: this.clock.now() } }),
      (ticket, who) => ({ kind: "approval.reject", ticket: id, approver: who.id, groups: who.groups, reason, ...bound(ticket) }),
    );
  }

  /**
   * Marks an approved ticket used by `requestId`; false when it is not
   * approved any more (used by a concurrent request, expired): single use.
   */
  async consume(id: string, requestId: string): Promise<boolean> {
    for (;;) {
      const text = await this.store.get(ticketKey(id));
      const ticket = this.view(parseStored<ApprovalTicket>(text));
      if (ticket === undefined || ticket.status !== "approved") return false;
      const used: ApprovalTicket = { ...ticket, status: "used", usedBy: requestId };
      if (await this.store.compareAndSet(ticketKey(id), text, JSON.stringify(used), { expiresAt: ticket.expiresAt + RETENTION })) {
        this.notify(id);
        return true;
      }
    }
  }

  /**
   * Gives back an approval `requestId` consumed (used → approved), for a
   * run whose audit entry could not be written; false when it was not used
   * by that request or has expired meanwhile.
   */
  async release(id: string, requestId: string): Promise<boolean> {
    for (;;) {
      const text = await this.store.get(ticketKey(id));
      const ticket = parseStored<ApprovalTicket>(text);
      if (ticket === undefined || ticket.status !== "used" || ticket.usedBy !== requestId) return false;
      const { usedBy: _usedBy, ...rest } = ticket;
      const back: ApprovalTicket = { ...rest, status: "approved" };
      if (await this.store.compareAndSet(ticketKey(id), text, JSON.stringify(back), { expiresAt: ticket.expiresAt + RETENTION })) {
        this.notify(id);
        return true;
      }
    }
  }

  /**
   * Asks for more approvals on an approved ticket whose approvals no longer
   * meet what the policy asks (the requirement grew, e.g. a limit reached
   * its cap): back to `pending` with the new requirement, approvals kept.
   */
  async require(id: string, requirement: ApprovalRequirement, reasons: readonly string[]): Promise<ApprovalTicket | undefined> {
    for (;;) {
      const text = await this.store.get(ticketKey(id));
      const ticket = this.view(parseStored<ApprovalTicket>(text));
      if (ticket === undefined || (ticket.status !== "approved" && ticket.status !== "pending")) return ticket;
      const next: ApprovalTicket = { ...ticket, requirement, reasons, status: meets(requirement, ticket.approvals, ticket) ? "approved" : "pending" };
      if (await this.store.compareAndSet(ticketKey(id), text, JSON.stringify(next), { expiresAt: ticket.expiresAt + RETENTION })) return next;
    }
  }

  /**
   * Resolves with the ticket once it is no longer pending (approved,
   * rejected, used or expired). Approvals made through this object wake it
   * at once; others are seen by polling. Rejects when `signal` aborts.
   */
  await(id: string, options: { readonly signal?: AbortSignal } = {}): Promise<ApprovalTicket> {
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const listeners = this.listeners.get(id) ?? new Set();
      this.listeners.set(id, listeners);
      const done = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        listeners.delete(wake);
        if (listeners.size === 0) this.listeners.delete(id);
        options.signal?.removeEventListener("abort", abort);
      };
      const wake = (): void => {
        void this.get(id).then((ticket) => {
          if (ticket === undefined) {
            done();
            reject(new Error(`no approval request \`${id}\``));
          } else if (ticket.status !== "pending") {
            done();
            resolve(ticket);
          } else {
            if (timer !== undefined) clearTimeout(timer);
            timer = setTimeout(wake, this.pollMs);
          }
        }, (error: unknown) => {
          done();
          reject(error);
        });
      };
      const abort = (): void => {
        done();
        reject(options.signal?.reason ?? new Error("aborted"));
      };
      if (options.signal?.aborted) return abort();
      options.signal?.addEventListener("abort", abort);
      listeners.add(wake);
      wake();
    });
  }

  private async update(
    id: string,
    given: GivenApproval,
    change: (ticket: ApprovalTicket, approver: GivenApproval) => ApprovalTicket,
    entry: (ticket: ApprovalTicket, approver: GivenApproval) => AuditBody,
  ): Promise<ApprovalResult> {
    const approver = readApprover(given);
    if (typeof approver === "string") return { ok: false, code: "invalid", message: approver };
    for (;;) {
      const text = await this.store.get(ticketKey(id));
      const ticket = this.view(parseStored<ApprovalTicket>(text));
      if (ticket === undefined) return { ok: false, code: "unknown_ticket", message: `no approval request \`${id}\`` };
      const refusal = refuse(ticket, approver);
      if (refusal !== undefined) return refusal;
      const next = change(ticket, approver);
      const nextText = JSON.stringify(next);
      if (!(await this.store.compareAndSet(ticketKey(id), text, nextText, { expiresAt: ticket.expiresAt + RETENTION }))) continue;
      try {
        await this.audit.append(entry(next, approver));
      } catch (error) {
        // An approval that is not in the audit log must not count: take it back.
        await this.store.compareAndSet(ticketKey(id), nextText, text, { expiresAt: ticket.expiresAt + RETENTION });
        return { ok: false, code: "audit_failed", message: `${describeThrown(error)}; the ${entry(next, approver).kind === "approval.reject" ? "rejection" : "approval"} was not recorded, try again` };
      }
      this.notify(id);
      return { ok: true, ticket: next };
    }
  }

  private newId(): string {
    const id: unknown = this.ids();
    if (typeof id !== "string" || id === "") throw new TypeError(`the ticket id source returned ${typeof id === "string" ? "an empty string" : kindWithArticle(id)}; it must return a new non-empty string`);
    return id;
  }

  private notify(id: string): void {
    for (const wake of this.listeners.get(id) ?? []) wake();
  }

  private view(ticket: ApprovalTicket | undefined): ApprovalTicket | undefined {
    if (ticket === undefined) return undefined;
    const open = ticket.status === "pending" || ticket.status === "approved";
    return open && this.clock.now() >= ticket.expiresAt ? { ...ticket, status: "expired" } : ticket;
  }
}

/** The approver's id and groups, read once; or what is wrong with them. */
function readApprover(given: unknown): GivenApproval | string {
  const invalid = "an approver needs an `id` (a non-empty string) and `groups` (an array of strings)";
  if (typeof given !== "object" || given === null) return invalid;
  const id: unknown = (given as { id?: unknown }).id;
  const groups: unknown = (given as { groups?: unknown }).groups;
  if (typeof id !== "string" || identityKey(id) === "" || !Array.isArray(groups)) return invalid;
  const copy = [...(groups as unknown[])];
  if (!copy.every((g) => typeof g === "string")) return invalid;
  return { id, groups: copy as string[] };
}

/** Why `approver` may not act on `ticket`, or undefined when they may. Ids are compared by `identityKey`. */
function refuse(ticket: ApprovalTicket, approver: GivenApproval): ApprovalResult | undefined {
  const id = ticket.id;
  if (ticket.status === "expired") return { ok: false, code: "expired", message: `approval request \`${id}\` expired at ${new Date(ticket.expiresAt).toISOString()}` };
  if (ticket.status !== "pending") return { ok: false, code: "closed", message: `approval request \`${id}\` is already ${ticket.status}` };
  const as = (other: string): string => (other === approver.id ? "" : ` \`${other}\` (ids that differ only in case or Unicode form are one identity)`);
  if (sameIdentity(approver.id, ticket.agent)) {
    return { ok: false, code: "self_approval", message: `\`${approver.id}\` is the requesting agent${as(ticket.agent)} and cannot act on its own approval request \`${id}\`` };
  }
  const requester = ticket.requirement.requester === true;
  const isHuman = ticket.human !== null && sameIdentity(approver.id, ticket.human);
  if (isHuman && !requester) {
    return { ok: false, code: "self_approval", message: `\`${approver.id}\` is the human the agent acts for${as(ticket.human!)} and cannot act on approval request \`${id}\`` };
  }
  const earlier = ticket.approvals.find((a) => sameIdentity(a.id, approver.id));
  if (earlier !== undefined) {
    const same = earlier.id === approver.id ? "" : ` as \`${earlier.id}\` (ids that differ only in case or Unicode form are one identity)`;
    return { ok: false, code: "duplicate", message: `\`${approver.id}\` has already approved approval request \`${id}\`${same}` };
  }
  if (isHuman) return undefined; // the requester confirms (or declines) their own agent's action
  const quorums = ticket.requirement.quorums;
  if (quorums.length === 0 && requester) {
    return { ok: false, code: "not_eligible", message: `\`${approver.id}\` is not the requester \`${ticket.human ?? "(none)"}\`; approval request \`${id}\` asks only the requester to confirm` };
  }
  if (quorums.length > 0 && !quorums.some((q) => eligible(q.groups, approver))) {
    const groups = [...new Set(quorums.flatMap((q) => q.groups))].sort().map((g) => `\`${g}\``).join(", ");
    return { ok: false, code: "not_eligible", message: `\`${approver.id}\` is in none of the groups approval request \`${id}\` needs: ${groups}${requester ? " (or the requester)" : ""}` };
  }
  return undefined;
}

function eligible(groups: readonly string[], approver: { readonly groups: readonly string[] }): boolean {
  return groups.length === 0 || approver.groups.some((g) => groups.includes(g));
}

/**
 * Whether the approvals meet the requirement (ADR 0006, ADR 0030): the
 * requester's confirmation when asked, and every quorum by distinct
 * approvers — distinct across quorums unless `samePerson` — never the agent
 * or its human; ids that share an `identityKey` are one approver (ADR
 * 0013), counted with the groups of each of their approvals. The same
 * function the engines use (../approval-quorums.ts).
 */
export function meets(requirement: ApprovalRequirement, approvals: readonly GivenApproval[], ticket: { agent: string; human: string | null }): boolean {
  return approvalsMeet(requirement, approvals, ticket.agent, ticket.human);
}

/** The bound action's fields an approval audit entry repeats, so queries find it. */
function bound(ticket: ApprovalTicket): Record<string, unknown> {
  return { digest: ticket.digest, agent: ticket.agent, human: ticket.human, action: ticket.action, env: ticket.env, policy: ticket.policy };
}

function ticketKey(id: string): string {
  return `approval:${id}`;
}

function digestKey(digest: string): string {
  return `approval-digest:${digest}`;
}
