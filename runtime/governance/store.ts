/**
 * The storage contracts every governance feature is written against, so an
 * embedded store (in memory, or in files for a single gateway) and a shared
 * one (Redis, for gateways on several machines) are interchangeable without
 * changing callers.
 *
 * In: nothing (interfaces). Out: `StateStore` (keys with string values,
 * compare-and-set, windowed counters charged all-or-nothing) and
 * `AuditSink` (append-only lines; shared sinks add `appendAfter`, a
 * compare-and-append on the chain's head). Must not import anything but types.
 *
 * Every `StateStore` method is one atomic step. The Redis implementation
 * (runtime/redis/) maps `compareAndSet` and `charge` to one server-side
 * script each and `get`/`getMany`/`counter` to reads (see ADR 0018).
 */

/** The largest value a counter holds: counters saturate there (they never wrap or lose precision). */
export const COUNTER_MAX = Number.MAX_SAFE_INTEGER;

/**
 * One change to a windowed counter.
 *
 * `charge` applies its ops in order, each to the counter's value as the
 * earlier ops of the same call left it, and writes all of them or none:
 *
 * - `exact` (a refund, a commit's correction): if the counter exists and its
 *   window is `window`, `used = clamp(used + amount)`; otherwise nothing
 *   changes (an absent counter is created at 0 in `window`). A cap is ignored.
 * - not `exact` (a reservation): the op applies to the counter's newest
 *   window — `window` if the stored one is older (the counter restarts at
 *   0), the stored one if it is newer. Then, **when the op has a `cap` and
 *   `amount >= 0`, the whole charge fails if `used >= cap` or
 *   `used + amount > cap`** — so a counter at or over its cap refuses every
 *   further capped charge, even one of amount 0. Otherwise
 *   `used = clamp(used + amount)`.
 *
 * `clamp(x)` is `min(COUNTER_MAX, max(0, x))`. Amounts, caps and windows are
 * integers (amounts and caps in micro-units, see limits.ts) whose magnitude
 * is at most `COUNTER_MAX`; a store throws a TypeError for anything else
 * (NaN, ±Infinity, a fraction), changing nothing.
 */
export interface CounterOp {
  /** The counter's key (a limit id and its key values). */
  readonly key: string;
  /** The start (ms since the epoch) of the window this op belongs to. */
  readonly window: number;
  /** What to add; negative to give back. */
  readonly amount: number;
  /**
   * The cap (see above). Absent means no cap (a commit of an actual cost,
   * an approved overrun).
   */
  readonly cap?: number;
  /**
   * When true the op applies only if the counter is still in `window` (a
   * refund or a commit's correction: once the window has rolled over, there
   * is nothing to give back). When false (a reservation) the op applies to the
   * counter's newest window: to `window` if the stored window is older (the
   * counter restarts at 0), to the stored window if it is newer — so a gateway
   * whose clock lags never reopens a window another gateway has closed.
   */
  readonly exact: boolean;
  /** When the store may forget the counter (ms since the epoch). */
  readonly expiresAt: number;
}

/** Why `op` is not a well-formed counter op, or undefined (the check every store makes before charging). */
export function counterOpProblem(op: CounterOp, index: number): string | undefined {
  const integer = (v: unknown): boolean => typeof v === "number" && Number.isSafeInteger(v);
  if (typeof op !== "object" || op === null) return `op ${index} is not an object`;
  if (typeof op.key !== "string") return `op ${index} has no string \`key\``;
  if (!integer(op.amount)) return `op ${index} has amount ${String(op.amount)}; amounts are integers (micro-units) of magnitude at most ${COUNTER_MAX}`;
  if (op.cap !== undefined && (!integer(op.cap) || op.cap < 0)) return `op ${index} has cap ${String(op.cap)}; caps are integers (micro-units) from 0 to ${COUNTER_MAX}`;
  if (!integer(op.window)) return `op ${index} has window ${String(op.window)}; windows are integers (ms since the epoch)`;
  if (typeof op.expiresAt !== "number" || !Number.isFinite(op.expiresAt)) return `op ${index} has expiresAt ${String(op.expiresAt)}; it must be a finite time (ms since the epoch)`;
  if (typeof op.exact !== "boolean") return `op ${index} has no boolean \`exact\``;
  return undefined;
}

/** What `charge` did. */
export type ChargeResult =
  | { readonly ok: true; /** Each counter's value afterwards, in op order. */ readonly used: readonly number[] }
  | {
      readonly ok: false;
      /** The first op that would have passed its cap. */
      readonly index: number;
      /** That counter's value before the charge (in its newest window). */
      readonly used: number;
    };

/** The value of a windowed counter. */
export interface CounterValue {
  readonly window: number;
  readonly used: number;
}

/** Options for a write. */
export interface WriteOptions {
  /** When the store may forget the key (ms since the epoch); absent means never. */
  readonly expiresAt?: number;
}

/** Keys with string values (JSON, written by the features), plus windowed counters. */
export interface StateStore {
  /** The value at `key`; undefined when absent or expired. */
  get(key: string): Promise<string | undefined>;
  /** The values at several keys, in order, in one round trip. */
  getMany(keys: readonly string[]): Promise<readonly (string | undefined)[]>;
  /**
   * Atomically: if the value at `key` is `expected` (undefined: absent), sets
   * it to `value` (undefined: deletes it) and returns true; else changes
   * nothing and returns false.
   */
  compareAndSet(key: string, expected: string | undefined, value: string | undefined, options?: WriteOptions): Promise<boolean>;
  /** Every live key starting with `prefix`, with its value, sorted by key. */
  list(prefix: string): Promise<readonly (readonly [string, string])[]>;
  /**
   * Applies every op or none (see `CounterOp` for the exact rule): fails,
   * changing nothing, when any capped op finds its counter at or over its
   * cap, or would take it past the cap. Throws a TypeError, changing
   * nothing, for an op that is not well formed (`counterOpProblem`).
   */
  charge(ops: readonly CounterOp[]): Promise<ChargeResult>;
  /** A counter's value; undefined when it was never charged or has expired. */
  counter(key: string): Promise<CounterValue | undefined>;
  /** Waits until every write so far is durable (a no-op in memory) and releases resources. */
  close(): Promise<void>;
}

/** Where audit lines go: append-only, in order. */
export interface AuditSink {
  /**
   * The last line written so far, to continue the hash chain after a
   * restart; undefined when empty. Throws when the sink ends with a
   * truncated line (a crash mid-write): appending after it would hide it.
   */
  lastLine(): Promise<string | undefined>;
  /**
   * Appends lines in the order given, after every earlier append. Resolves
   * when they are as durable as the sink promises (see docs/governance.md,
   * "Durability"). Rejects when they could not be written: the audit log
   * then treats none of them as written (its head stays put, and its next
   * append starts with an `audit.write_failed` entry chained to the last
   * line that was acknowledged), so a sink should write a call's lines all
   * or nothing. The log issues one call at a time.
   */
  append(lines: readonly string[]): Promise<void>;
  /** Waits for pending appends and releases resources. */
  close(): Promise<void>;
  /**
   * Only for a sink several writers share (a chain kept in Redis): appends
   * `lines` atomically, and only if the chain's last entry is still the one
   * whose hash is `head` (`GENESIS`: the chain is empty); `newHead` is the
   * hash of the last of `lines`. When another writer got there first it
   * appends nothing and returns the chain's last line now, and the
   * `AuditLog` links its entries after that line and tries again. A sink
   * with one writer (memory, file) leaves this out: the `AuditLog` then
   * keeps the head in process and uses `append`.
   */
  appendAfter?(head: string, lines: readonly string[], newHead: string): Promise<AppendAfterResult>;
}

/** What `appendAfter` did. */
export type AppendAfterResult =
  | { readonly appended: true }
  | { readonly appended: false; /** The chain's last line now; undefined when the chain is empty. */ readonly last: string | undefined };

/** Reads a JSON value written by a feature; a value that does not parse is treated as absent. */
export function parseStored<T>(text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
