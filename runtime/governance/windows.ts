/**
 * Limit windows: which window a moment falls in.
 *
 * In: a time (ms since the epoch) and a limit's window (`{count, unit}`).
 * Out: the window's start and end. Windows are fixed, not sliding, and all
 * in UTC:
 * - `month`: calendar months; `N month` windows are N-month blocks counted
 *   from January 1970 (so `3 month` windows are calendar quarters);
 * - `week`: 7-day blocks starting Monday 00:00 UTC;
 * - `second`, `minute`, `hour`, `day`: fixed-size blocks aligned to the
 *   epoch, so `1 day` is the UTC calendar day and `1 hour` the clock hour.
 * A moment exactly on a boundary belongs to the window that starts there.
 * Must not read the clock itself: callers pass the time.
 */
import type { LimitCharge } from "../decision.js";

/** A limit's window, as a decision's charge carries it. */
export type LimitWindow = LimitCharge["window"];

/** One window: [start, end) in ms since the epoch. */
export interface WindowSpan {
  readonly start: number;
  readonly end: number;
}

const UNIT_MS = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000 } as const;
/** 1970-01-05, the first Monday after the epoch. */
const FIRST_MONDAY = 4 * 86_400_000;

/** The window of `window` that contains `time`. */
export function windowAt(time: number, window: LimitWindow): WindowSpan {
  const count = Math.max(1, Math.floor(window.count));
  if (window.unit === "month") {
    const date = new Date(time);
    const index = (date.getUTCFullYear() - 1970) * 12 + date.getUTCMonth();
    const first = Math.floor(index / count) * count;
    return { start: Date.UTC(1970, first, 1), end: Date.UTC(1970, first + count, 1) };
  }
  const size = UNIT_MS[window.unit] * count;
  const offset = window.unit === "week" ? FIRST_MONDAY : 0;
  const start = Math.floor((time - offset) / size) * size + offset;
  return { start, end: start + size };
}
