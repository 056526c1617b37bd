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

/** One change to a windowed counter. */
export interface CounterOp {
  /** The counter's key (a limit id and its key values). */
  readonly key: string;
  /** The start (ms since the epoch) of the window this op belongs to. */
  readonly window: number;
  /** What to add; negative to give back. */
  readonly amount: number;
  /**
   * The cap: a positive `amount` that would take the counter past it fails the
   * whole charge. Absent means no cap (a commit of an actual cost, an
   * approved overrun).
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
   * Applies every op or none (see `CounterOp`): fails, changing nothing, when
   * any positive op with a cap would pass it.
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
   * "Durability").
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
