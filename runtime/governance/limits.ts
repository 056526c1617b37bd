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
 * Must not decide anything about policy: what happens at a cap (deny, or
 * park for approval) is the engine's answer, asked again by the gateway.
 */
import type { LimitCharge } from "../decision.js";
import { canonicalJson } from "./digest.js";
import type { Clock } from "./clock.js";
import { parseStored, type CounterOp, type StateStore } from "./store.js";
import { windowAt } from "./windows.js";

const MICRO = 1_000_000;
const DAY = 86_400_000;

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

/** Reserve, commit and refund limit charges. */
export class Limits {
  private readonly retentionMs: number;

  constructor(
    private readonly store: StateStore,
    private readonly clock: Clock,
    options: LimitsOptions = {},
  ) {
    this.retentionMs = options.retentionMs ?? 7 * DAY;
  }

  /**
   * Reserves every charge, or none. `pastCap` lists limit ids an approval
   * allows past their cap (charged without a cap). Repeating a request id
   * returns its first reservation and charges nothing.
   */
  async reserve(requestId: string, charges: readonly LimitCharge[], pastCap: ReadonlySet<string> = new Set()): Promise<ReserveResult> {
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
    await this.store.compareAndSet(key, JSON.stringify(pending), JSON.stringify(reservation), { expiresAt });
    return { ok: true, reservation, repeated: false };
  }

  /**
   * Commits a reservation. `actualCost` (one number for every budget charge,
   * or limit id → cost) replaces the reserved amount of budgets: the
   * difference is charged (or given back) in the window it was reserved in,
   * without a cap — the action already ran. Rates commit as reserved.
   * Committing twice, or after a refund, changes nothing and returns undefined.
   */
  async commit(requestId: string, actualCost?: number | Readonly<Record<string, number>>): Promise<Reservation | undefined> {
    const done = await this.transition(requestId, "committed");
    if (done === undefined) return undefined;
    const ops: CounterOp[] = [];
    for (const c of done.charges) {
      const actual = c.kind !== "budget" ? undefined : typeof actualCost === "number" ? actualCost : actualCost?.[c.id];
      if (actual === undefined || !Number.isFinite(actual) || actual < 0) continue;
      const delta = toMicro(actual) - toMicro(c.amount);
      if (delta !== 0) ops.push({ key: c.counter, window: c.window, amount: delta, exact: true, expiresAt: c.windowEnd + DAY });
    }
    if (ops.length > 0) await this.store.charge(ops);
    return done;
  }

  /** Gives back every charge of a reservation; a second refund, or one after a commit, changes nothing and returns undefined. */
  async refund(requestId: string): Promise<Reservation | undefined> {
    const done = await this.transition(requestId, "refunded");
    if (done === undefined) return undefined;
    const ops = done.charges.map((c) => ({ key: c.counter, window: c.window, amount: -toMicro(c.amount), exact: true, expiresAt: c.windowEnd + DAY }));
    if (ops.length > 0) await this.store.charge(ops);
    return done;
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

  /** Moves a reserved reservation to `status` with compare-and-set; undefined when it was not reserved. */
  private async transition(requestId: string, status: "committed" | "refunded"): Promise<Reservation | undefined> {
    const key = reservationKey(requestId);
    for (;;) {
      const text = await this.store.get(key);
      const current = parseStored<Reservation>(text);
      if (current === undefined || current.status !== "reserved") return undefined;
      const next: Reservation = { ...current, status };
      const expiresAt = Math.max(this.clock.now(), ...current.charges.map((c) => c.windowEnd)) + this.retentionMs;
      if (await this.store.compareAndSet(key, text, JSON.stringify(next), { expiresAt })) return next;
    }
  }
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
