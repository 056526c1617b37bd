/**
 * Shared state of the JSON entry point (json-parse.ts, json-validate.ts,
 * json-encode.ts): the plan the compiler laid out (compiler/codegen/json-plan.ts
 * writes it; layouts in stdlib/README.md, "JSON plan"), the per-call state, the
 * token array and the result header (docs/abi.md, "The JSON entry point").
 *
 * In: the plan's address, set by `json_encode` at the start of every call.
 * Out: accessors over raw memory. Must not allocate or keep static data: the
 * two globals below are pointers rewritten by every call, nothing else persists.
 */

/** The plan's header: addresses and caps fixed at compile time. Field order is the layout. */
@unmanaged
export class Plan {
  input: u32;
  inputCap: u32;
  tokens: u32;
  tokenCap: u32;
  scratch: u32;
  scratchCap: u32;
  maxDepth: u32;
  result: u32;
  slotBase: u32;
  slotBytes: u32;
  arenaStart: u32;
  arenaEnd: u32;
  actionSet: u32;
  actionCount: u32;
  actions: u32;
  agent: u32;
  human: u32;
  env: u32;
  context: u32;
  names: u32;
  state: u32;
  /** u32 × 2 × (largest key count): where objects with many keys are sorted to find duplicates. */
  sortArea: u32;
  /** NUMBER_SCRATCH_BYTES (json-number.ts) for the big integers of the number decoder's slow path. */
  numberScratch: u32;
  /** Most values a request may hold (the request bounds, ADR 0008); `maxDepth` is the other bound. */
  maxValues: u32;
}

/** Per-call state (in reserved memory, zeroed by every call). */
@unmanaged
export class State {
  len: u32;
  pos: u32;
  ntok: u32;
  scratchTop: u32;
  err: u32;
  errAt: u32;
  arenaTop: u32;
  lastArenaTop: u32;
  empty: u32;
  agent: u32;
  human: u32;
  action: u32;
  args: u32;
  env: u32;
  context: u32;
  actionId: u32;
  /** Values tokenized so far (keys not counted), against `P.maxValues`. */
  values: u32;
}

// @ts-ignore: mutable global pointer, reset by every call
export let P: Plan = changetype<Plan>(0);
// @ts-ignore: mutable global pointer, reset by every call
export let S: State = changetype<State>(0);

export function setPlan(plan: usize): void {
  P = changetype<Plan>(plan);
  S = changetype<State>(<usize>P.state);
}

/** No token / no value. */
export const NONE: u32 = 0xffffffff;

// Token kinds (u32 at +0 of a 16-byte token: kind, start, end, x).
export const T_NULL: u32 = 1;
export const T_FALSE: u32 = 2;
export const T_TRUE: u32 = 3;
export const T_NUMBER: u32 = 4;
export const T_STRING: u32 = 5;
export const T_ARRAY: u32 = 6;
export const T_OBJECT: u32 = 7;

// Malformed-JSON reasons (result +16 when status is 2).
export const M_UNEXPECTED: u32 = 1;
export const M_END: u32 = 2;
export const M_UTF8: u32 = 3;
export const M_ESCAPE: u32 = 4;
export const M_CONTROL: u32 = 5;
export const M_DUPLICATE: u32 = 6;
export const M_DEEP: u32 = 7;
export const M_LARGE: u32 = 8;
export const M_NUMBER: u32 = 9;
export const M_TOKENS: u32 = 10;
export const M_EMPTY: u32 = 11;
/** More values than `P.maxValues` (reported, like M_DEEP, as a `too_large` refusal, not as malformed). */
export const M_VALUES: u32 = 12;

// Statuses (result +0).
export const ST_DECIDED: u32 = 0;
export const ST_REFUSED: u32 = 1;
export const ST_MALFORMED: u32 = 2;
export const ST_INTERNAL: u32 = 3;

// Result header offsets.
export const R_STATUS: usize = 0;
export const R_DECISION: usize = 4;
export const R_ACTION: usize = 8;
export const R_FLAGS: usize = 12;
export const R_CODE: usize = 16;
export const R_NODE: usize = 20;
export const R_DETAIL: usize = 24;
export const R_START: usize = 28;
export const R_END: usize = 32;
export const R_PATH_COUNT: usize = 36;
export const R_PATH: usize = 40;

// @ts-ignore: decorator
@inline
export function tok(i: u32): usize {
  return <usize>P.tokens + (<usize>i << 4);
}
// @ts-ignore: decorator
@inline
export function tkind(i: u32): u32 {
  return load<u32>(tok(i));
}
// @ts-ignore: decorator
@inline
export function tstart(i: u32): u32 {
  return load<u32>(tok(i), 4);
}
// @ts-ignore: decorator
@inline
export function tend(i: u32): u32 {
  return load<u32>(tok(i), 8);
}
// @ts-ignore: decorator
@inline
export function tx(i: u32): u32 {
  return load<u32>(tok(i), 12);
}

/** The token after `i`'s subtree. */
export function skip(i: u32): u32 {
  const k = tkind(i);
  return k == T_ARRAY || k == T_OBJECT ? tx(i) : i + 1;
}

/** Address of a string token's decoded bytes. */
export function strPtr(i: u32): usize {
  const x = tx(i);
  return x == 0 ? <usize>P.input + <usize>tstart(i) + 1 : <usize>x + 4;
}

/** Length of a string token's decoded bytes. */
export function strLen(i: u32): u32 {
  const x = tx(i);
  return x == 0 ? tend(i) - tstart(i) - 2 : load<u32>(<usize>x);
}

/** 1 when the byte strings are equal. */
export function same(a: usize, al: u32, b: usize, bl: u32): bool {
  if (al != bl) return false;
  for (let i: u32 = 0; i < al; i++) if (load<u8>(a + <usize>i) != load<u8>(b + <usize>i)) return false;
  return true;
}

/** The value of key (ptr, len) in object token `o`, or NONE. */
export function member(o: u32, name: usize, nameLen: u32): u32 {
  if (o == NONE || tkind(o) != T_OBJECT) return NONE;
  const end = tx(o);
  let i = o + 1;
  while (i < end) {
    if (same(strPtr(i), strLen(i), name, nameLen)) return i + 1;
    i = skip(i + 1);
  }
  return NONE;
}
