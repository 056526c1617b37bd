/**
 * Schema validation of a tokenized request, in ADR 0006's order and with its
 * codes, over the schema nodes the compiler laid out (stdlib/README.md, "JSON
 * plan"; compiler/codegen/json-plan.ts): the same checks as
 * runtime/encode/validate.ts, so the JSON path refuses exactly what the JS
 * path refuses, at the same path.
 *
 * In: schema node addresses and token indices. Out: true, or false with the
 * first problem written to the result header (code, schema node id, detail,
 * the offending value's byte span) and its path (segments appended while
 * unwinding, innermost first; json-encode.ts reverses them).
 * Must not allocate; recursion is bounded by the schema's depth (the
 * catalog loader caps it, MAX_SCHEMA_DEPTH).
 */
import { dfa_matches } from "./dfa";
import { set_lookup } from "./hash-set";
import { numberOf } from "./json-number";
import {
  P, NONE, T_NULL, T_FALSE, T_TRUE, T_NUMBER, T_STRING, T_ARRAY, T_OBJECT,
  R_CODE, R_NODE, R_DETAIL, R_START, R_END, R_PATH_COUNT, R_PATH,
  tkind, tstart, tend, tx, skip, strPtr, strLen, same,
} from "./json-context";

// Error codes (result +16 when status is 1), as docs/abi.md lists them.
export const E_WRONG_TYPE: u32 = 1;
export const E_MISSING: u32 = 2;
export const E_UNKNOWN_FIELD: u32 = 3;
export const E_TOO_LONG: u32 = 4;
export const E_TOO_MANY: u32 = 5;
export const E_RANGE: u32 = 6;
export const E_ENUM: u32 = 7;
export const E_INVALID_STRING: u32 = 8;
export const E_UNKNOWN_ACTION: u32 = 9;
export const E_TOO_LARGE: u32 = 10;
export const E_TOO_SHORT: u32 = 11;
export const E_TOO_FEW: u32 = 12;
export const E_MULTIPLE: u32 = 13;
export const E_PATTERN: u32 = 14;
export const E_DUPLICATE: u32 = 15;
export const E_TOO_MANY_PROPERTIES: u32 = 16;
export const E_TOO_FEW_PROPERTIES: u32 = 17;
export const E_AMBIGUOUS: u32 = 18;

// Schema node kinds (u32 at +0; +4 is the node's id, its pre-order index).
const N_ANY: u32 = 0;
const N_NULL: u32 = 1;
const N_BOOLEAN: u32 = 2;
const N_NUMBER: u32 = 3;
const N_STRING: u32 = 4;
const N_ARRAY: u32 = 5;
const N_OBJECT: u32 = 6;
const N_UNION: u32 = 7;

// Set once an object's one-walk check has failed during this call, so that every
// later object is checked in ADR 0006's order only: a failure deep in the request
// then costs at most two walks, never one per level (reset by resetChecks).
// @ts-ignore: mutable global, reset by every call
let SLOW: bool = false;

/** Resets the per-call state of the checks; json_encode calls it first. */
export function resetChecks(): void {
  SLOW = false;
}

/** Records a problem (replacing any earlier one) with an empty path; returns false. */
export function refuse(code: u32, node: usize, detail: u32, value: u32): bool {
  const r = <usize>P.result;
  store<u32>(r + R_CODE, code);
  store<i32>(r + R_NODE, node == 0 ? -1 : load<i32>(node, 4));
  store<u32>(r + R_DETAIL, detail);
  const virtual = value == NONE || tstart(value) == NONE;
  store<u32>(r + R_START, virtual ? NONE : tstart(value));
  store<u32>(r + R_END, virtual ? NONE : tend(value));
  store<u32>(r + R_PATH_COUNT, 0);
  return false;
}

/** Appends a key segment to the problem's path (while unwinding). */
export function pushKey(ptr: usize, len: u32): void {
  const r = <usize>P.result;
  const n = load<u32>(r + R_PATH_COUNT);
  const at = r + R_PATH + <usize>n * 12;
  store<u32>(at, 0);
  store<u32>(at, <u32>ptr, 4);
  store<u32>(at, len, 8);
  store<u32>(r + R_PATH_COUNT, n + 1);
}

function pushIndex(i: u32): void {
  const r = <usize>P.result;
  const n = load<u32>(r + R_PATH_COUNT);
  const at = r + R_PATH + <usize>n * 12;
  store<u32>(at, 1);
  store<u32>(at, i, 4);
  store<u32>(at, 0, 8);
  store<u32>(r + R_PATH_COUNT, n + 1);
}

function isInteger(v: f64): bool {
  return isFinite<f64>(v) && Math.trunc(v) == v;
}

/** The JSON kind of a value as a bit (null 1, boolean 2, integer 4, other number 8, string 16, array 32, object 64). */
export function kindBit(t: u32): u32 {
  const k = tkind(t);
  if (k == T_NULL) return 1;
  if (k == T_FALSE || k == T_TRUE) return 2;
  if (k == T_NUMBER) return isInteger(numberOf(t)) ? 4 : 8;
  if (k == T_STRING) return 16;
  if (k == T_ARRAY) return 32;
  return 64;
}

/** Validates value token `t` against the schema node at `node`. */
export function check(node: usize, t: u32): bool {
  const kind = load<u32>(node);
  if (kind == N_ANY) return true;
  const k = tkind(t);
  if (kind == N_NULL) return k == T_NULL ? true : refuse(E_WRONG_TYPE, node, 0, t);
  if (kind == N_BOOLEAN) return k == T_FALSE || k == T_TRUE ? true : refuse(E_WRONG_TYPE, node, 0, t);
  if (kind == N_NUMBER) return checkNumber(node, t);
  if (kind == N_STRING) return checkString(node, t);
  if (kind == N_ARRAY) return checkArray(node, t);
  if (kind == N_OBJECT) return checkObject(node, t);
  return checkUnion(node, t);
}

function checkNumber(node: usize, t: u32): bool {
  if (tkind(t) != T_NUMBER) return refuse(E_WRONG_TYPE, node, 0, t);
  const v = numberOf(t);
  if (!isFinite<f64>(v)) return refuse(E_WRONG_TYPE, node, 0, t);
  const flags = load<u32>(node, 8);
  if ((flags & 1) != 0 && !isInteger(v)) return refuse(E_WRONG_TYPE, node, 0, t);
  const count = load<u32>(node, 12);
  if (count > 0) {
    const members = <usize>load<u32>(node, 16);
    let found = false;
    for (let i: u32 = 0; i < count; i++) {
      if (load<f64>(members + (<usize>i << 3)) == v) {
        found = true;
        break;
      }
    }
    if (!found) return refuse(E_ENUM, node, 0, t);
  }
  if ((flags & 2) != 0) {
    const lo = load<f64>(node, 24);
    if ((flags & 8) != 0 ? v <= lo : v < lo) return refuse(E_RANGE, node, 0, t);
  }
  if ((flags & 4) != 0) {
    const hi = load<f64>(node, 32);
    if ((flags & 16) != 0 ? v >= hi : v > hi) return refuse(E_RANGE, node, 1, t);
  }
  // The IEEE double quotient must be an integer (ADR 0010; ajv's parseInt test differs from 1e21 up).
  if ((flags & 32) != 0 && !isInteger(v / load<f64>(node, 40))) return refuse(E_MULTIPLE, node, 0, t);
  return true;
}

/** The UTF-16 index of the first lone surrogate (3-byte WTF-8 ED A0..BF ..), or -1. */
function loneSurrogate(p: usize, n: u32): i32 {
  let units: i32 = 0;
  let i: u32 = 0;
  while (i < n) {
    const b = <u32>load<u8>(p + <usize>i);
    if (b == 0xed && i + 1 < n && <u32>load<u8>(p + <usize>i + 1) >= 0xa0) return units;
    const len: u32 = b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
    units += len == 4 ? 2 : 1;
    i += len;
  }
  return -1;
}

function codePoints(p: usize, n: u32): u32 {
  let count: u32 = 0;
  for (let i: u32 = 0; i < n; i++) if ((<u32>load<u8>(p + <usize>i) & 0xc0) != 0x80) count++;
  return count;
}

function checkString(node: usize, t: u32): bool {
  if (tkind(t) != T_STRING) return refuse(E_WRONG_TYPE, node, 0, t);
  const p = strPtr(t);
  const n = strLen(t);
  // The length before the scans (ADR 0035): more than 4 bytes per allowed code point is surely too long.
  const maxLength = load<u32>(node, 8);
  if (maxLength != NONE && n > maxLength && (<u64>n > (<u64>maxLength << 2) || codePoints(p, n) > maxLength)) return refuse(E_TOO_LONG, node, 0, t);
  if (tx(t) != 0) {
    const lone = loneSurrogate(p, n);
    if (lone >= 0) return refuse(E_INVALID_STRING, node, <u32>lone, t);
  }
  // Code points never outnumber bytes: fewer bytes than minLength is surely short; nor
  // are they fewer than a quarter of them: 4 bytes per allowed code point is surely long enough.
  const minLength = load<u32>(node, 20);
  if (minLength > 0 && (n < minLength || (<u64>n < (<u64>minLength << 2) && codePoints(p, n) < minLength))) return refuse(E_TOO_SHORT, node, 0, t);
  if (load<u32>(node, 12) > 0 && set_lookup(<usize>load<u32>(node, 16), p, n) < 0) return refuse(E_ENUM, node, 0, t);
  const pattern = <usize>load<u32>(node, 24);
  if (pattern != 0 && dfa_matches(pattern, p, n) == 0) return refuse(E_PATTERN, node, 0, t);
  return true;
}

function checkArray(node: usize, t: u32): bool {
  if (tkind(t) != T_ARRAY) return refuse(E_WRONG_TYPE, node, 0, t);
  const maxItems = load<u32>(node, 12);
  const minItems = load<u32>(node, 16);
  const end = tx(t);
  if (maxItems != NONE || minItems > 0) {
    let count: u32 = 0;
    for (let i = t + 1; i < end; i = skip(i)) count++;
    if (maxItems != NONE && count > maxItems) return refuse(E_TOO_MANY, node, 0, t);
    if (count < minItems) return refuse(E_TOO_FEW, node, 0, t);
  }
  const items = <usize>load<u32>(node, 8);
  let index: u32 = 0;
  for (let i = t + 1; i < end; i = skip(i)) {
    if (!check(items, i)) {
      pushIndex(index);
      return false;
    }
    index++;
  }
  if (load<u32>(node, 20) != 0) {
    // uniqueItems: the items are validated scalars, one token each, at most maxItems of them.
    for (let j: u32 = 1; j < index; j++) {
      for (let i: u32 = 0; i < j; i++) {
        if (sameScalar(t + 1 + i, t + 1 + j)) return refuse(E_DUPLICATE, node, (i << 16) | j, t);
      }
    }
  }
  return true;
}

/** Whether two scalar tokens are equal JSON values (numbers by value, strings by their decoded bytes). */
function sameScalar(a: u32, b: u32): bool {
  const k = tkind(a);
  if (k != tkind(b)) return false;
  if (k == T_NUMBER) return numberOf(a) == numberOf(b);
  if (k == T_STRING) return same(strPtr(a), strLen(a), strPtr(b), strLen(b));
  return true;
}

function checkObject(node: usize, t: u32): bool {
  if (tkind(t) != T_OBJECT) return refuse(E_WRONG_TYPE, node, 0, t);
  const minProperties = load<u32>(node, 24);
  const maxProperties = load<u32>(node, 28);
  if (minProperties > 0 || maxProperties != NONE) {
    const end = tx(t);
    let present: u32 = 0;
    for (let i = t + 1; i < end; i = skip(i + 1)) present++;
    if (maxProperties != NONE && present > maxProperties) return refuse(E_TOO_MANY_PROPERTIES, node, 0, t);
    if (present < minProperties) return refuse(E_TOO_FEW_PROPERTIES, node, 0, t);
  }
  // One walk over the keys first (ADR 0048): when every member passes, that is the answer.
  // Otherwise the walk in ADR 0006's order below finds and records the first problem.
  if (!SLOW) {
    if (allMembersPass(node, t)) return dependenciesMet(node, t);
    SLOW = true;
  }
  const count = load<u32>(node, 12);
  const props = <usize>load<u32>(node, 16);
  for (let i: u32 = 0; i < count; i++) {
    const prop = props + (<usize>i << 4);
    const name = <usize>load<u32>(prop);
    const nameLen = load<u32>(prop, 4);
    const v = memberOf(t, name, nameLen);
    if (v == NONE) {
      if (load<u32>(prop, 8) != 0) {
        refuse(E_MISSING, node, 0, NONE);
        pushKey(name, nameLen);
        return false;
      }
      continue;
    }
    if (!check(<usize>load<u32>(prop, 12), v)) {
      pushKey(name, nameLen);
      return false;
    }
  }
  if (!dependenciesMet(node, t)) return false;
  if (load<u32>(node, 8) != 0) {
    const extra = firstUndeclared(t, props, count);
    if (extra != NONE) {
      refuse(E_UNKNOWN_FIELD, node, 0, extra + 1);
      pushKey(strPtr(extra), strLen(extra));
      return false;
    }
  }
  const additional = <usize>load<u32>(node, 20);
  if (additional != 0) {
    // The undeclared key, first in code-unit order, whose value fails: ADR 0006's first problem.
    const end = tx(t);
    let worst = NONE;
    for (let i = t + 1; i < end; i = skip(i + 1)) {
      if (declaredName(props, count, strPtr(i), strLen(i))) continue;
      if (check(additional, i + 1)) continue;
      if (worst == NONE || compareUnits(strPtr(i), strLen(i), strPtr(worst), strLen(worst)) < 0) worst = i;
    }
    if (worst != NONE) {
      check(additional, worst + 1); // again, so that its problem is the one recorded
      pushKey(strPtr(worst), strLen(worst));
      return false;
    }
  }
  return true;
}

/** dependentRequired, in schema order: 16-byte records (name ptr, name len, count, requires ptr). */
function dependenciesMet(node: usize, t: u32): bool {
  const dependencies = load<u32>(node, 32);
  const records = <usize>load<u32>(node, 36);
  for (let d: u32 = 0; d < dependencies; d++) {
    const record = records + (<usize>d << 4);
    if (memberOf(t, <usize>load<u32>(record), load<u32>(record, 4)) == NONE) continue;
    const needs = load<u32>(record, 8);
    const names = <usize>load<u32>(record, 12);
    for (let r: u32 = 0; r < needs; r++) {
      const name = <usize>load<u32>(names + (<usize>r << 3));
      const nameLen = load<u32>(names + (<usize>r << 3), 4);
      if (memberOf(t, name, nameLen) != NONE) continue;
      refuse(E_MISSING, node, d + 1, NONE);
      pushKey(name, nameLen);
      return false;
    }
  }
  return true;
}

/**
 * Whether object `t` passes its node's property checks, in one walk over its
 * keys (each key's declared record found by declaredIndex): every declared
 * member's value passes, every required property is present, no key is
 * undeclared where the object is closed, every undeclared value passes
 * `additionalProperties`. Dependencies are not checked here. False says
 * nothing about which problem comes first, and what it recorded is not the
 * answer: checkObject then walks in ADR 0006's order, which records it.
 */
function allMembersPass(node: usize, t: u32): bool {
  const count = load<u32>(node, 12);
  const props = <usize>load<u32>(node, 16);
  const closed = load<u32>(node, 8) != 0;
  const additional = <usize>load<u32>(node, 20);
  const end = tx(t);
  let next: u32 = 0;
  let required: u32 = 0;
  for (let i = t + 1; i < end; i = skip(i + 1)) {
    const j = declaredIndex(props, count, next, strPtr(i), strLen(i));
    if (j == NONE) {
      if (closed) return false;
      if (additional != 0 && !check(additional, i + 1)) return false;
      continue;
    }
    const prop = props + (<usize>j << 4);
    if (!check(<usize>load<u32>(prop, 12), i + 1)) return false;
    if (load<u32>(prop, 8) != 0) required++;
    next = j + 1;
  }
  // Keys never repeat (the tokenizer refuses duplicates): counting the required ones met is enough.
  for (let j: u32 = 0; j < count; j++) if (load<u32>(props + (<usize>j << 4), 8) != 0) required--;
  return required == 0;
}

/**
 * The index of the record among the `count` 16-byte records at `props` (name
 * ptr, name len first) named (p, n), or NONE. The search starts at `from` and
 * wraps round: keys mostly come in the order the schema declares them, so
 * the record after the last one found is usually the one.
 */
export function declaredIndex(props: usize, count: u32, from: u32, p: usize, n: u32): u32 {
  let j = from < count ? from : 0;
  for (let k: u32 = 0; k < count; k++) {
    const prop = props + (<usize>j << 4);
    if (load<u32>(prop, 4) == n && same(<usize>load<u32>(prop), n, p, n)) return j;
    j = j + 1 < count ? j + 1 : 0;
  }
  return NONE;
}

function declaredName(props: usize, count: u32, p: usize, n: u32): bool {
  for (let j: u32 = 0; j < count; j++) {
    const prop = props + (<usize>j << 4);
    if (same(<usize>load<u32>(prop), load<u32>(prop, 4), p, n)) return true;
  }
  return false;
}

function memberOf(o: u32, name: usize, nameLen: u32): u32 {
  const end = tx(o);
  let i = o + 1;
  while (i < end) {
    if (same(strPtr(i), strLen(i), name, nameLen)) return i + 1;
    i = skip(i + 1);
  }
  return NONE;
}

/**
 * The key token of object `o`, not among the `count` declared names at
 * `props` (16-byte records, name ptr/len first), that sorts first by UTF-16
 * code units (JS's default sort); NONE when every key is declared.
 */
export function firstUndeclared(o: u32, props: usize, count: u32): u32 {
  const end = tx(o);
  let best = NONE;
  let i = o + 1;
  while (i < end) {
    const p = strPtr(i);
    const n = strLen(i);
    let declared = false;
    for (let j: u32 = 0; j < count; j++) {
      const prop = props + (<usize>j << 4);
      if (same(<usize>load<u32>(prop), load<u32>(prop, 4), p, n)) {
        declared = true;
        break;
      }
    }
    if (!declared && (best == NONE || compareUnits(p, n, strPtr(best), strLen(best)) < 0)) best = i;
    i = skip(i + 1);
  }
  return best;
}

function cpAt(p: usize, i: u32): u32 {
  const b = <u32>load<u8>(p + <usize>i);
  if (b < 0x80) return b;
  if (b < 0xe0) return ((b & 0x1f) << 6) | (<u32>load<u8>(p + <usize>i + 1) & 0x3f);
  if (b < 0xf0) return ((b & 0x0f) << 12) | ((<u32>load<u8>(p + <usize>i + 1) & 0x3f) << 6) | (<u32>load<u8>(p + <usize>i + 2) & 0x3f);
  return ((b & 0x07) << 18) | ((<u32>load<u8>(p + <usize>i + 1) & 0x3f) << 12) | ((<u32>load<u8>(p + <usize>i + 2) & 0x3f) << 6) | (<u32>load<u8>(p + <usize>i + 3) & 0x3f);
}

/** Compares two (WTF-8) strings by UTF-16 code units: -1, 0, 1. */
export function compareUnits(a: usize, an: u32, b: usize, bn: u32): i32 {
  let i: u32 = 0;
  let j: u32 = 0;
  while (i < an && j < bn) {
    const x = cpAt(a, i);
    const y = cpAt(b, j);
    if (x != y) {
      // A supplementary code point's first unit is a high surrogate (D800..DBFF).
      const ux = x >= 0x10000 ? 0xd800 + ((x - 0x10000) >> 10) : x;
      const uy = y >= 0x10000 ? 0xd800 + ((y - 0x10000) >> 10) : y;
      if (ux != uy) return ux < uy ? -1 : 1;
      return x < y ? -1 : 1; // same high surrogate: the low ones order as the code points
    }
    const b0 = <u32>load<u8>(a + <usize>i);
    i += b0 < 0x80 ? 1 : b0 < 0xe0 ? 2 : b0 < 0xf0 ? 3 : 4;
    const b1 = <u32>load<u8>(b + <usize>j);
    j += b1 < 0x80 ? 1 : b1 < 0xe0 ? 2 : b1 < 0xf0 ? 3 : 4;
  }
  if (i < an) return 1;
  if (j < bn) return -1;
  return 0;
}

function checkUnion(node: usize, t: u32): bool {
  const count = load<u32>(node, 8);
  const options = <usize>load<u32>(node, 12);
  const bit = kindBit(t);
  let first = NONE;
  const exclusive = load<u32>(node, 16) != 0;
  for (let i: u32 = 0; i < count; i++) {
    const option = options + (<usize>i << 3);
    if (check(<usize>load<u32>(option), t)) {
      // A `oneOf` whose options overlap: no later option may accept too.
      if (exclusive) {
        for (let j = i + 1; j < count; j++) {
          if (check(<usize>load<u32>(options + (<usize>j << 3)), t)) return refuse(E_AMBIGUOUS, node, (i << 16) | j, t);
        }
      }
      return true;
    }
    if (first == NONE && (load<u32>(option, 4) & bit) != 0) first = i;
  }
  if (first == NONE) return refuse(E_WRONG_TYPE, node, 0, t);
  // Run the reporting option again: its problem is then the last one recorded.
  return check(<usize>load<u32>(options + (<usize>first << 3)), t);
}
