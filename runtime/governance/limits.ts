/**
 * Limits: reserve → commit (with the actual cost) or refund, against the
 * windowed counters of a `StateStore`, idempotent by request id.
 *
 * In: a decision's `limits` (the charges: limit id, keys, amount, cap,
 * window) and a request id. Out: a reservation, or the limit whose cap the
 * charge would pass and how much of it was used.
 * Amounts are kept in micro-units (amount × 10⁶, rounded) so that budgets
 * in decimal currency add exactly (0.1 + 0.2 is 0.3 at the cap).
 * All charges of one reservation go to the store in one all-or-nothing
 * `charge`, so concurrent requests can never take a counter past its cap.
 * Every amount that enters — a decision's charge, an actual cost at commit —
 * is checked first: a finite number from 0 to `MAX_AMOUNT`, else a clear
 * error and nothing changes (an Infinity must never reach a counter).
 * A commit records the actual cost even past the cap (the action ran), and
 * says which counters it took past their caps (`Overrun`): such a counter
 * refuses every further reservation until its window rolls over (ADR 0012).
 * Must not decide anything about policy: what happens at a cap (deny, or
 * park for approval) is the engine's answer, asked again by the gateway.
 */
import type { LimitCharge } from "../decision.js";
import { canonicalJson } from "./digest.js";
import type { Clock } from "./clock.js";
import { COUNTER_MAX, parseStored, type CounterOp, type StateStore } from "./store.js";
import { defineMember } from "./snapshot.js";
import { windowAt } from "./windows.js";

const MICRO = 1_000_000;
const DAY = 86_400_000;

/** The largest amount (of a charge, a cap or an actual cost) a counter can keep exactly in micro-units. */
export const MAX_AMOUNT = Math.floor(COUNTER_MAX / MICRO);

const UNITS = ["second", "minute", "hour", "day", "week", "month"];

/** One charge as reserved: where it went and how much. */
export interface ReservedCharge {
  readonly id: string;
  readonly kind: "rate" | "budget";
  /** The counter's store key. */
  readonly counter: string;
  /** The window it was charged in (ms since the epoch). */
  readonly window: number;
  readonly windowEnd: number;
  /** The amount reserved, in the limit's unit. */
  readonly amount: number;
  readonly cap: number;
}

/** What happened to a request's charges. */
export type ReservationStatus = "pending" | "reserved" | "committed" | "refunded";

/** A request's reservation. */
export interface Reservation {
  readonly requestId: string;
  readonly status: ReservationStatus;
  readonly charges: readonly ReservedCharge[];
  /** When it was reserved (ms since the epoch). */
  readonly at: number;
}

/** The result of `reserve`. */
export type ReserveResult =
  | { readonly ok: true; readonly reservation: Reservation; /** True when this request id had already reserved. */ readonly repeated: boolean }
  | { readonly ok: false; /** The limit whose cap the charge would pass. */ readonly limit: LimitCharge; /** Its counter before the charge. */ readonly used: number };

/** Options for `Limits`. */
export interface LimitsOptions {
  /** How long a reservation record is kept for idempotency after its window ends (default 7 days). */
  readonly retentionMs?: number;
}

/** A counter a commit took past its cap: the actual cost was more than the room the reservation left. */
export interface Overrun {
  /** The limit's id. */
  readonly limit: string;
  readonly cap: number;
  /** The counter after the commit (more than `cap`). */
  readonly used: number;
  /** What was reserved for this request. */
  readonly reserved: number;
  /** What was committed (the actual cost). */
  readonly actual: number;
}

/** What a commit or refund did, and how to take it back. */
export interface Settlement {
  /** The reservation as it is now (`committed` or `refunded`). */
  readonly reservation: Reservation;
  /** Counters this commit took past their caps (empty for a refund). */
  readonly overruns: readonly Overrun[];
  /**
   * Puts the reservation back to `reserved` and reverses the counter changes
   * (in the same window only): for a report whose audit entry could not be
   * written, so it can be reported again.
   */
  undo(): Promise<void>;
}

/** Reserve, commit and refund limit charges. */
export class Limits {
  private readonly retentionMs: number;

  /** Throws a TypeError for an option that is not what `LimitsOptions` says. */
  constructor(
    private readonly store: StateStore,
    private readonly clock: Clock,
    options: LimitsOptions = {},
  ) {
    if (typeof options !== "object" || options === null) throw new TypeError("`limits` options must be an object");
    for (const key of Object.keys(options)) if (key !== "retentionMs") throw new TypeError(`unknown \`limits\` option \`${key}\`; use retentionMs`);
    const retention = options.retentionMs ?? 7 * DAY;
    if (!Number.isSafeInteger(retention) || retention < 0) throw new TypeError(`\`limits.retentionMs\` must be a whole number of ms at least 0, got ${String(retention)}`);
    this.retentionMs = retention;
  }

  /**
   * Reserves every charge, or none. `pastCap` lists limit ids an approval
   * allows past their cap (charged without a cap). Repeating a request id
   * returns its first reservation and charges nothing. Throws a TypeError,
   * charging nothing, for a charge `chargeProblem` refuses.
   */
  async reserve(requestId: string, charges: readonly LimitCharge[], pastCap: ReadonlySet<string> = new Set()): Promise<ReserveResult> {
    for (const charge of charges) {
      const problem = chargeProblem(charge);
      if (problem !== undefined) throw new TypeError(problem);
    }
    const key = reservationKey(requestId);
    const existing = await this.get(requestId);
    // A "pending" reservation is another reserve of this id still in flight: the caller must not run twice.
    if (existing !== undefined) return { ok: true, reservation: existing, repeated: true };
    const now = this.clock.now();
    const reserved = charges.map((c) => reservedCharge(c, now));
    const expiresAt = Math.max(now, ...reserved.map((c) => c.windowEnd)) + this.retentionMs;
    const pending: Reservation = { requestId, status: "pending", charges: reserved, at: now };
    // Claim the request id first, so two concurrent reserves of one id cannot both charge.
    if (!(await this.store.compareAndSet(key, undefined, JSON.stringify(pending), { expiresAt }))) {
      const winner = await this.get(requestId);
      return winner === undefined ? this.reserve(requestId, charges, pastCap) : { ok: true, reservation: winner, repeated: true };
    }
    const ops: CounterOp[] = reserved.map((c) => ({
      key: c.counter,
      window: c.window,
      amount: toMicro(c.amount),
      exact: false,
      expiresAt: c.windowEnd + DAY,
      ...(pastCap.has(c.id) ? {} : { cap: toMicro(c.cap) }),
    }));
    const result = ops.length === 0 ? ({ ok: true, used: [] } as const) : await this.store.charge(ops);
    if (!result.ok) {
      await this.store.compareAndSet(key, JSON.stringify(pending), undefined);
      return { ok: false, limit: charges[result.index]!, used: fromMicro(result.used) };
    }
    const reservation: Reservation = { ...pending, status: "reserved" };
    try {
      await this.store.compareAndSet(key, JSON.stringify(pending), JSON.stringify(reservation), { expiresAt });
    } catch (error) {
      // The charge applied but its record could not be confirmed: give the charge back while the store answers, so
      // a failing store leaves no charge behind. A charge whose own outcome is unknown (the store failed inside it)
      // is never given back: the claim stays "pending" until it expires, which over-counts, never under-counts.
      try {
        await this.store.charge(ops.map((op) => ({ key: op.key, window: op.window, amount: -op.amount, exact: true, expiresAt: op.expiresAt })));
        await this.store.compareAndSet(key, JSON.stringify(pending), undefined);
      } catch {
        // Still failing: the "pending" claim and the charge expire with the window.
      }
      throw error;
    }
    return { ok: true, reservation, repeated: false };
  }

  /**
   * Commits a reservation. `actualCost` (one number for every budget charge,
   * or limit id → cost) replaces the reserved amount of budgets: the
   * difference is charged (or given back) in the window it was reserved in,
   * without a cap — the action already ran. Rates commit as reserved.
   * Committing twice, or after a refund, changes nothing and returns undefined.
   * Throws a TypeError, changing nothing, for a cost `actualCostProblem` refuses.
   */
  async commit(requestId: string, actualCost?: number | Readonly<Record<string, number>>): Promise<Reservation | undefined> {
    return (await this.settle(requestId, "commit", actualCost))?.reservation;
  }

  /** Gives back every charge of a reservation; a second refund, or one after a commit, changes nothing and returns undefined. */
  async refund(requestId: string): Promise<Reservation | undefined> {
    return (await this.settle(requestId, "refund"))?.reservation;
  }

  /**
   * `commit` or `refund`, saying which counters the commit took past their
   * caps and how to undo it. Undefined when the reservation was not
   * `reserved` (never made, or already settled).
   */
  async settle(requestId: string, how: "commit" | "refund", given?: number | Readonly<Record<string, number>>): Promise<Settlement | undefined> {
    const actualCost = readOnce(given);
    const before = await this.get(requestId);
    if (before === undefined) return undefined;
    if (how === "commit") {
      const problem = actualCostProblem(actualCost, before);
      if (problem !== undefined) throw new TypeError(problem);
    }
    const done = await this.transition(requestId, "reserved", how === "commit" ? "committed" : "refunded");
    if (done === undefined) return undefined;
    const ops: CounterOp[] = [];
    const changed: { charge: ReservedCharge; actual: number }[] = [];
    for (const c of done.charges) {
      if (how === "refund") {
        ops.push({ key: c.counter, window: c.window, amount: -toMicro(c.amount), exact: true, expiresAt: c.windowEnd + DAY });
        continue;
      }
      const actual = c.kind !== "budget" ? undefined : typeof actualCost === "number" ? actualCost : actualCost?.[c.id];
      if (actual === undefined) continue;
      const delta = toMicro(actual) - toMicro(c.amount);
      if (delta === 0) continue;
      ops.push({ key: c.counter, window: c.window, amount: delta, exact: true, expiresAt: c.windowEnd + DAY });
      changed.push({ charge: c, actual });
    }
    const result = ops.length === 0 ? undefined : await this.store.charge(ops);
    const overruns: Overrun[] = [];
    if (result?.ok === true && how === "commit") {
      changed.forEach(({ charge, actual }, i) => {
        const used = result.used[i]!;
        if (used > toMicro(charge.cap)) overruns.push({ limit: charge.id, cap: charge.cap, used: fromMicro(used), reserved: charge.amount, actual });
      });
    }
    const undo = async (): Promise<void> => {
      if ((await this.transition(requestId, done.status, "reserved")) === undefined) return;
      const back = ops.map((op) => ({ ...op, amount: -op.amount }));
      if (back.length > 0) await this.store.charge(back);
    };
    return { reservation: done, overruns, undo };
  }

  /**
   * Undoes a reservation as if it never happened: gives back its charges and
   * forgets the request id, so the same id may reserve again (a run that was
   * stopped before it started). Returns false when there was none reserved.
   */
  async cancel(requestId: string): Promise<boolean> {
    const key = reservationKey(requestId);
    for (;;) {
      const text = await this.store.get(key);
      const current = parseStored<Reservation>(text);
      if (current === undefined || current.status !== "reserved") return false;
      if (!(await this.store.compareAndSet(key, text, undefined))) continue;
      const ops = current.charges.map((c) => ({ key: c.counter, window: c.window, amount: -toMicro(c.amount), exact: true, expiresAt: c.windowEnd + DAY }));
      if (ops.length > 0) await this.store.charge(ops);
      return true;
    }
  }

  /** A request's reservation, if it has one. */
  async get(requestId: string): Promise<Reservation | undefined> {
    return parseStored<Reservation>(await this.store.get(reservationKey(requestId)));
  }

  /** How much of a limit's counter for `charge`'s keys is used in the window containing now. */
  async used(charge: LimitCharge): Promise<number> {
    const counter = await this.store.counter(counterKey(charge));
    const window = windowAt(this.clock.now(), charge.window).start;
    return counter === undefined || counter.window < window ? 0 : fromMicro(counter.used);
  }

  /** Moves a reservation from `from` to `to` with compare-and-set; undefined when it was not `from`. */
  private async transition(requestId: string, from: ReservationStatus, to: ReservationStatus): Promise<Reservation | undefined> {
    const key = reservationKey(requestId);
    for (;;) {
      const text = await this.store.get(key);
      const current = parseStored<Reservation>(text);
      if (current === undefined || current.status !== from) return undefined;
      const next: Reservation = { ...current, status: to };
      const expiresAt = Math.max(this.clock.now(), ...current.charges.map((c) => c.windowEnd)) + this.retentionMs;
      if (await this.store.compareAndSet(key, text, JSON.stringify(next), { expiresAt })) return next;
    }
  }
}

/** Whether `amount` can be charged: a finite number from 0 to `MAX_AMOUNT`. */
export function isAmount(amount: unknown): amount is number {
  return typeof amount === "number" && Number.isFinite(amount) && amount >= 0 && amount <= MAX_AMOUNT;
}

/** Why a decision's charge cannot be reserved, or undefined when it can (a decision comes from any engine: check it). */
export function chargeProblem(charge: LimitCharge): string | undefined {
  if (typeof charge !== "object" || charge === null) return "a limit charge is not an object";
  const id = typeof charge.id === "string" ? charge.id : "?";
  const of = `the charge of limit \`${id}\``;
  if (typeof charge.id !== "string" || charge.id === "") return "a limit charge has no id";
  if (charge.kind !== "rate" && charge.kind !== "budget") return `${of} has kind ${describeAmount(charge.kind)}; it must be rate or budget`;
  if (!isAmount(charge.amount)) return `${of} is ${describeAmount(charge.amount)}; a cost must be a number from 0 to ${MAX_AMOUNT}`;
  if (!isAmount(charge.cap)) return `${of} has the cap ${describeAmount(charge.cap)}; a cap must be a number from 0 to ${MAX_AMOUNT}`;
  const window = charge.window as { count?: unknown; unit?: unknown } | undefined;
  if (typeof window !== "object" || window === null || !Number.isSafeInteger(window.count) || (window.count as number) < 1 || !UNITS.includes(window.unit as string)) {
    return `${of} has no valid window (a whole count at least 1 and a unit: ${UNITS.join(", ")})`;
  }
  if (!Array.isArray(charge.key)) return `${of} has no key list`;
  return undefined;
}

/**
 * Why `actualCost` cannot be committed to `reservation`, or undefined: each
 * cost must be a finite number from 0 to `MAX_AMOUNT`, and a per-limit
 * record may only name budgets the request was charged against.
 */
export function actualCostProblem(actualCost: unknown, reservation: Reservation): string | undefined {
  if (actualCost === undefined) return undefined;
  const range = `a finite number from 0 to ${MAX_AMOUNT}`;
  if (typeof actualCost === "number") return isAmount(actualCost) ? undefined : `\`actualCost\` must be ${range}, got ${describeAmount(actualCost)}`;
  if (typeof actualCost !== "object" || actualCost === null || Array.isArray(actualCost)) {
    return `\`actualCost\` must be a number or an object of limit id → cost, got ${describeAmount(actualCost)}`;
  }
  const budgets = reservation.charges.filter((c) => c.kind === "budget").map((c) => c.id);
  for (const [id, cost] of Object.entries(actualCost)) {
    if (!budgets.includes(id)) {
      const known = budgets.length === 0 ? "it was charged against no budget" : `its budgets: ${budgets.map((b) => `\`${b}\``).join(", ")}`;
      return `\`actualCost\` names \`${id}\`, which is not a budget this request was charged against (${known})`;
    }
    if (!isAmount(cost)) return `\`actualCost.${id}\` must be ${range}, got ${describeAmount(cost)}`;
  }
  return undefined;
}

/** A caller's per-limit costs copied once (each member read once), so what is checked is what is committed. */
function readOnce<T>(given: T): T {
  if (typeof given !== "object" || given === null || Array.isArray(given)) return given;
  const copy: Record<string, unknown> = {};
  for (const [id, cost] of Object.entries(given)) defineMember(copy, id, cost);
  return copy as T;
}

function describeAmount(value: unknown): string {
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  return Array.isArray(value) ? "an array" : typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function reservedCharge(charge: LimitCharge, now: number): ReservedCharge {
  const span = windowAt(now, charge.window);
  return { id: charge.id, kind: charge.kind, counter: counterKey(charge), window: span.start, windowEnd: span.end, amount: charge.amount, cap: charge.cap };
}

/** The store key of a limit's counter for one set of key values. */
export function counterKey(charge: Pick<LimitCharge, "id" | "key">): string {
  return `counter:${charge.id}:${canonicalJson(charge.key)}`;
}

function reservationKey(requestId: string): string {
  return `reservation:${requestId}`;
}

function toMicro(amount: number): number {
  return Math.round(amount * MICRO);
}

function fromMicro(units: number): number {
  return units / MICRO;
}
