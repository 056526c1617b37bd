/**
 * The embedded stores: state and audit held in memory, for one process.
 *
 * In: a clock (for expiry). Out: `MemoryStateStore` and `MemoryAuditSink`.
 * Every `MemoryStateStore` method does its whole work synchronously before
 * its promise resolves, so it is atomic with respect to every other call in
 * the process — this is what makes concurrent reservations unable to pass a
 * cap. An optional `onWrite` hook sees every change in order (the file store
 * journals them). Must not import Node built-ins.
 */
import { checkClock, systemClock, type Clock } from "./clock.js";
import { COUNTER_MAX, counterOpProblem, type AuditSink, type ChargeResult, type CounterOp, type CounterValue, type StateStore, type WriteOptions } from "./store.js";

/** One change, as `onWrite` sees it: a key's new value (undefined: deleted). */
export type StoreChange =
  | { readonly type: "value"; readonly key: string; readonly value: string | undefined; readonly expiresAt?: number }
  | { readonly type: "counter"; readonly key: string; readonly counter: CounterValue; readonly expiresAt: number };

interface Entry<T> {
  value: T;
  expiresAt: number | undefined;
}

/** Options for `MemoryStateStore`. */
export interface MemoryStoreOptions {
  readonly clock?: Clock;
  /** Called synchronously with each atomic step's changes, in order. */
  readonly onWrite?: (changes: readonly StoreChange[]) => void;
}

/** State in memory. */
export class MemoryStateStore implements StateStore {
  private readonly values = new Map<string, Entry<string>>();
  private readonly counters = new Map<string, Entry<CounterValue>>();
  private readonly clock: Clock;
  private readonly onWrite: ((changes: readonly StoreChange[]) => void) | undefined;
  private writes = 0;

  /** Throws a TypeError for options that are not what `MemoryStoreOptions` says. */
  constructor(options: MemoryStoreOptions = {}) {
    if (typeof options !== "object" || options === null) throw new TypeError("MemoryStateStore options must be an object: { clock?, onWrite? }");
    this.clock = options.clock === undefined ? systemClock : checkClock(options.clock, "MemoryStateStore's `clock`");
    if (options.onWrite !== undefined && typeof options.onWrite !== "function") throw new TypeError("MemoryStateStore's `onWrite` must be a function");
    this.onWrite = options.onWrite;
  }

  async get(key: string): Promise<string | undefined> {
    return this.live(this.values, key);
  }

  async getMany(keys: readonly string[]): Promise<readonly (string | undefined)[]> {
    return keys.map((k) => this.live(this.values, k));
  }

  async compareAndSet(key: string, expected: string | undefined, value: string | undefined, options: WriteOptions = {}): Promise<boolean> {
    if (this.live(this.values, key) !== expected) return false;
    this.setValue(key, value, options.expiresAt);
    this.onWrite?.([{ type: "value", key, value, ...(options.expiresAt === undefined ? {} : { expiresAt: options.expiresAt }) }]);
    this.sweepSometimes();
    return true;
  }

  async list(prefix: string): Promise<readonly (readonly [string, string])[]> {
    const found: [string, string][] = [];
    for (const key of this.values.keys()) {
      if (!key.startsWith(prefix)) continue;
      const value = this.live(this.values, key);
      if (value !== undefined) found.push([key, value]);
    }
    return found.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  async charge(ops: readonly CounterOp[]): Promise<ChargeResult> {
    // INVARIANT: nothing is written until every op has been checked (all or nothing).
    for (const [index, op] of ops.entries()) {
      const problem = counterOpProblem(op, index);
      if (problem !== undefined) throw new TypeError(`charge: ${problem}`);
    }
    const next: CounterValue[] = [];
    const pending = new Map<string, CounterValue>();
    for (const [index, op] of ops.entries()) {
      const current = pending.get(op.key) ?? this.live(this.counters, op.key);
      const after = applyOp(current, op);
      if (after === "over") return { ok: false, index, used: inWindow(current, op.window) };
      pending.set(op.key, after);
      next.push(after);
    }
    const changes: StoreChange[] = [];
    for (const [index, op] of ops.entries()) {
      const counter = next[index]!;
      const previous = this.counters.get(op.key);
      const expiresAt = Math.max(op.expiresAt, previous?.value.window === counter.window ? (previous.expiresAt ?? 0) : 0);
      this.counters.set(op.key, { value: counter, expiresAt });
      changes.push({ type: "counter", key: op.key, counter, expiresAt });
    }
    this.onWrite?.(changes);
    this.sweepSometimes();
    return { ok: true, used: next.map((c) => c.used) };
  }

  async counter(key: string): Promise<CounterValue | undefined> {
    return this.live(this.counters, key);
  }

  async close(): Promise<void> {}

  /** Loads a change without calling `onWrite` (the file store replaying its journal). */
  restore(change: StoreChange): void {
    if (change.type === "value") this.setValue(change.key, change.value, change.expiresAt);
    else this.counters.set(change.key, { value: change.counter, expiresAt: change.expiresAt });
  }

  /** Every live key and counter, as changes that rebuild this store (for compaction). */
  snapshot(): StoreChange[] {
    const changes: StoreChange[] = [];
    for (const [key, entry] of this.values) {
      if (this.live(this.values, key) === undefined) continue;
      changes.push({ type: "value", key, value: entry.value, ...(entry.expiresAt === undefined ? {} : { expiresAt: entry.expiresAt }) });
    }
    for (const [key, entry] of this.counters) {
      if (this.live(this.counters, key) !== undefined) changes.push({ type: "counter", key, counter: entry.value, expiresAt: entry.expiresAt ?? 0 });
    }
    return changes;
  }

  private setValue(key: string, value: string | undefined, expiresAt: number | undefined): void {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, { value, expiresAt });
  }

  private live<T>(map: Map<string, Entry<T>>, key: string): T | undefined {
    const entry = map.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.clock.now()) {
      map.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /**
   * Drops expired keys once the writes since the last sweep outnumber the
   * keys (at least 1024), so memory does not grow with old windows and each
   * write pays O(1) amortized.
   */
  private sweepSometimes(): void {
    if (++this.writes < Math.max(1024, this.values.size + this.counters.size)) return;
    this.writes = 0;
    for (const key of [...this.values.keys()]) this.live(this.values, key);
    for (const key of [...this.counters.keys()]) this.live(this.counters, key);
  }
}

/** The counter after `op`, or "over" when a capped op finds the counter at or over its cap, or would pass it (store.ts, `CounterOp`). */
function applyOp(current: CounterValue | undefined, op: CounterOp): CounterValue | "over" {
  if (op.exact) {
    if (current === undefined || current.window !== op.window) return current ?? { window: op.window, used: 0 };
    return { window: current.window, used: clamp(current.used + op.amount) };
  }
  const window = current !== undefined && current.window > op.window ? current.window : op.window;
  const used = inWindow(current, window);
  if (op.cap !== undefined && op.amount >= 0 && (used >= op.cap || used + op.amount > op.cap)) return "over";
  return { window, used: clamp(used + op.amount) };
}

function clamp(used: number): number {
  return Math.min(COUNTER_MAX, Math.max(0, used));
}

/** The counter's value in `window` or a newer one; 0 when it is older. */
function inWindow(current: CounterValue | undefined, window: number): number {
  return current !== undefined && current.window >= window ? current.used : 0;
}

/** Audit lines in memory. */
export class MemoryAuditSink implements AuditSink {
  /** Every line appended, in order. */
  readonly lines: string[] = [];

  async lastLine(): Promise<string | undefined> {
    return this.lines.at(-1);
  }

  async append(lines: readonly string[]): Promise<void> {
    this.lines.push(...lines);
  }

  async close(): Promise<void> {}

  /** The lines as a JSONL file's text. */
  text(): string {
    return this.lines.map((l) => `${l}\n`).join("");
  }
}
