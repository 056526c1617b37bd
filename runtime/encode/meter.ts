/**
 * A work meter for validation: how many string code units and object keys
 * the runtime's own loops looked at, so tests can show that refusing an
 * oversized value costs work bounded by the schema, not by the value
 * (ADR 0035). Production code only adds to it; nothing reads it but tests.
 *
 * In: nothing. Out: one mutable counter record. Must stay a plain record of
 * numbers (one add per scan, never per character).
 */

/** Counts of what validation examined, since the last reset. */
export const meter = {
  /** UTF-16 code units scanned (by our loops or a native whole-string scan such as `isWellFormed`). */
  units: 0,
  /** Object keys compared while looking for the first undeclared or failing key. */
  keys: 0,
};

/** Sets every count back to zero (tests, before the work they measure). */
export function resetMeter(): void {
  meter.units = 0;
  meter.keys = 0;
}
