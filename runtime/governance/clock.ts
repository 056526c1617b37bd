/**
 * Time and ids, injectable so tests are deterministic and can stand on a
 * window's edge or skew one gateway's clock against another's.
 *
 * In: nothing. Out: the `Clock` and `IdSource` interfaces and their system
 * defaults (Date.now, crypto.randomUUID — both exist in Node 20, browsers
 * and workers). Must not import Node built-ins.
 */

/** Milliseconds since the Unix epoch, UTC. */
export interface Clock {
  now(): number;
}

/** A source of unique ids (approval tickets). */
export type IdSource = () => string;

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** Random UUIDs from WebCrypto. */
export const randomIds: IdSource = () => globalThis.crypto.randomUUID();

/** A clock that only returns what it is set to: for tests and simulations. */
export class ManualClock implements Clock {
  constructor(private time: number = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.time;
  }
  /** Sets the time (ms since the epoch, or an ISO string). */
  set(time: number | string): void {
    this.time = typeof time === "string" ? Date.parse(time) : time;
  }
  /** Moves the time by `ms` (negative moves it back, as a skewed clock may). */
  advance(ms: number): void {
    this.time += ms;
  }
}

/** Ids `prefix-1`, `prefix-2`, …: deterministic, for tests. */
export function sequentialIds(prefix = "id"): IdSource {
  let next = 0;
  return () => `${prefix}-${++next}`;
}
