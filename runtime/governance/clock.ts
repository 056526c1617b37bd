/**
 * Time and ids, injectable so tests are deterministic and can stand on a
 * window's edge or skew one gateway's clock against another's.
 *
 * In: nothing. Out: the `Clock` and `IdSource` interfaces and their system
 * defaults (Date.now, crypto.randomUUID — both exist in Node 20, browsers
 * and workers). Must not import Node built-ins.
 */

import { kindWithArticle } from "./snapshot.js";

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

/** A moment: ms since the epoch, a `Date`, or an ISO 8601 string with a time zone (`"2026-03-10T12:00:00Z"`). */
export type TimeInput = number | string | Date;

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/**
 * A moment as ms since the epoch; throws a TypeError naming `what` for
 * anything else (NaN, Infinity, a fraction of a millisecond, a string that
 * is not ISO 8601 or has no time zone — local time would differ between
 * machines).
 */
export function timeOf(time: unknown, what: string): number {
  let ms: number;
  if (typeof time === "number") ms = time;
  else if (time instanceof Date) ms = time.getTime();
  else if (typeof time === "string") {
    if (!ISO_WITH_ZONE.test(time)) {
      throw new TypeError(`${what} needs an ISO 8601 time with a time zone, like "2026-03-10T12:00:00Z", got ${JSON.stringify(time)}`);
    }
    ms = Date.parse(time);
  } else {
    throw new TypeError(`${what} needs a time: ms since the epoch, a Date or an ISO 8601 string, got ${kindWithArticle(time)}`);
  }
  if (!Number.isSafeInteger(ms) || Math.abs(ms) > 8.64e15) {
    throw new TypeError(`${what} needs a time that is a whole number of ms within the Date range, got ${typeof time === "string" ? JSON.stringify(time) : String(ms)}`);
  }
  return ms;
}

/** Checks that `clock` is a Clock (an object with a `now` function); throws a TypeError naming `what`. */
export function checkClock(clock: unknown, what: string): Clock {
  if (typeof clock !== "object" || clock === null || typeof (clock as { now?: unknown }).now !== "function") {
    throw new TypeError(`${what} must be a clock: an object with a \`now()\` method returning ms since the epoch`);
  }
  return clock as Clock;
}

/** A clock that only returns what it is set to: for tests and simulations. */
export class ManualClock implements Clock {
  private time: number;

  /** Starts at `time` (default 2026-01-01T00:00:00Z); throws a TypeError for anything that is not a time. */
  constructor(time: TimeInput = Date.UTC(2026, 0, 1)) {
    this.time = timeOf(time, "ManualClock");
  }
  now(): number {
    return this.time;
  }
  /** Sets the time (ms since the epoch, a Date, or an ISO string with a time zone). */
  set(time: TimeInput): void {
    this.time = timeOf(time, "ManualClock.set");
  }
  /** Moves the time by `ms` (negative moves it back, as a skewed clock may). */
  advance(ms: number): void {
    if (typeof ms !== "number" || !Number.isSafeInteger(ms)) throw new TypeError(`ManualClock.advance needs a whole number of ms, got ${String(ms)}`);
    this.time = timeOf(this.time + ms, "ManualClock.advance");
  }
}

/** Ids `prefix-1`, `prefix-2`, …: deterministic, for tests. */
export function sequentialIds(prefix = "id"): IdSource {
  if (typeof prefix !== "string") throw new TypeError(`sequentialIds needs a string prefix, got ${typeof prefix}`);
  let next = 0;
  return () => `${prefix}-${++next}`;
}
