/**
 * JSON number text → f64 for the JSON entry point.
 *
 * In: a number token's bytes (already checked against the JSON grammar).
 * Out: its value. Exact (correctly rounded, as JSON.parse) when the
 * significand has at most 19 digits, fits 2^53 and the decimal exponent
 * brings it within 10^±22 (every integer up to 2^53 and every decimal like
 * 120, 1.5, 0.25, 3.14159 is in this class); otherwise a product of powers of
 * ten that may differ from JSON.parse in the last bit (docs/abi.md says so).
 * Out-of-range magnitudes give ±Infinity or ±0 as JSON.parse does.
 * Must not keep static data (no tables): powers are computed by squaring.
 */
import { P } from "./json-context";

/** 10^n for 0 <= n <= 22, exact (every step is an exactly representable product). */
function exactPow10(n: i32): f64 {
  let v: f64 = 1;
  for (let k = 0; k < n; k++) v *= 10;
  return v;
}

/** 10^n by squaring (inexact for large n). */
function pow10(n: i32): f64 {
  let result: f64 = 1;
  let base: f64 = 10;
  let e = n < 0 ? -n : n;
  while (e > 0) {
    if (e & 1) result *= base;
    base *= base;
    e >>= 1;
  }
  return n < 0 ? 1 / result : result;
}

/** The value of the number text at [start, end) of the input. */
export function numberValue(start: u32, end: u32): f64 {
  const base = <usize>P.input;
  let i = start;
  let negative = false;
  if (load<u8>(base + <usize>i) == 0x2d) {
    negative = true;
    i++;
  }
  let m: u64 = 0;
  let significant: i32 = 0;
  let exponent: i32 = 0;
  let inexact = false;
  let c: u32 = 0;
  while (i < end) {
    c = load<u8>(base + <usize>i);
    if (c < 0x30 || c > 0x39) break;
    if (significant < 19) {
      m = m * 10 + <u64>(c - 0x30);
      if (m != 0) significant++;
    } else {
      exponent++;
      if (c != 0x30) inexact = true;
    }
    i++;
  }
  if (i < end && c == 0x2e) {
    i++;
    while (i < end) {
      c = load<u8>(base + <usize>i);
      if (c < 0x30 || c > 0x39) break;
      if (significant < 19) {
        m = m * 10 + <u64>(c - 0x30);
        if (m != 0) significant++;
        exponent--;
      } else if (c != 0x30) inexact = true;
      i++;
    }
  }
  if (i < end) {
    // e / E
    i++;
    let sign: i32 = 1;
    c = load<u8>(base + <usize>i);
    if (c == 0x2b || c == 0x2d) {
      if (c == 0x2d) sign = -1;
      i++;
    }
    let e: i32 = 0;
    while (i < end) {
      c = load<u8>(base + <usize>i);
      if (e < 100000) e = e * 10 + <i32>(c - 0x30);
      i++;
    }
    exponent += sign * e;
  }
  let v: f64;
  if (m == 0) v = 0;
  else if (!inexact && m <= 9007199254740992 && exponent >= -22 && exponent <= 22) {
    v = exponent >= 0 ? <f64>m * exactPow10(exponent) : <f64>m / exactPow10(-exponent);
  } else if (exponent < -300) {
    v = (<f64>m * pow10(exponent + 300)) / exactPow10(22) / pow10(278);
  } else if (exponent > 300) {
    v = <f64>m * pow10(exponent - 300) * pow10(300);
  } else {
    v = exponent >= 0 ? <f64>m * pow10(exponent) : <f64>m / pow10(-exponent);
  }
  return negative ? -v : v;
}
