/**
 * The JSON entry point's driver: JSON request bytes → validated request →
 * the action's slots written exactly as the JS encoder (runtime/encode/slots.ts)
 * writes them, ready for `agp_decide`.
 *
 * In: the plan's address and the byte length of the request written at
 * `P.input`. Out: a status (0 decided-ready, 1 refused, 2 malformed JSON,
 * 3 layout overflow) and the result header filled (docs/abi.md, "The JSON
 * entry point"); for 0 also the action id and the decide flags.
 * Steps, as ADR 0006 orders them: size cap; tokenize (json-parse.ts; past
 * the request bounds is a `too_large` refusal, status 1, code 10); the
 * request is an object; unknown top-level keys (UTF-16 order); agent, human
 * (present and not null), action (a string naming an action), args, env,
 * context (absent means {}); then the slots.
 * Must not trap on any input, allocate, or write outside the plan's regions.
 */
import { set_lookup } from "./hash-set";
import { numberOf } from "./json-number";
import { parseDocument } from "./json-parse";
import { check, declaredIndex, firstUndeclared, pushKey, refuse, resetChecks, E_MISSING, E_UNKNOWN_FIELD, E_UNKNOWN_ACTION, E_WRONG_TYPE, E_TOO_LARGE } from "./json-validate";
import {
  P, S, NONE, T_NULL, T_TRUE, T_NUMBER, T_STRING, T_ARRAY, T_OBJECT, M_LARGE, M_EMPTY, M_DEEP, M_VALUES,
  ST_DECIDED, ST_REFUSED, ST_MALFORMED, ST_INTERNAL,
  R_STATUS, R_ACTION, R_FLAGS, R_CODE, R_DETAIL, R_PATH_COUNT, R_PATH,
  State, setPlan, tok, tkind, tstart, tend, tx, skip, strPtr, strLen, member,
} from "./json-context";

// Slot kinds (u32 at +0 of a 40-byte slot record).
const S_STATE: u32 = 0;
const S_SYM: u32 = 1;
const S_STR: u32 = 2;
const S_NUM: u32 = 3;
const S_BOOL: u32 = 4;
const S_ARRAY: u32 = 5;

// Internal (status 3) codes.
const I_ARENA: u32 = 1;
const I_ITEMS: u32 = 2;

/** Validates and encodes the request of `len` bytes; returns the status (also at result +0). */
export function json_encode(plan: usize, len: u32): u32 {
  setPlan(plan);
  resetChecks();
  const last = S.lastArenaTop;
  memory.fill(changetype<usize>(S), 0, offsetof<State>());
  S.lastArenaTop = last;
  const r = <usize>P.result;
  memory.fill(r, 0, R_PATH);
  store<i32>(r + R_ACTION, -1);
  S.len = len;
  if (len > P.inputCap) return malformed(M_LARGE, P.inputCap);
  if (len == 0) return malformed(M_EMPTY, 0);
  if (!parseDocument()) {
    // Past the request bounds: the same `too_large` refusal the object path gives (ADR 0008), not malformed.
    if (S.err == M_DEEP || S.err == M_VALUES) {
      refuse(E_TOO_LARGE, 0, 0, NONE);
      return finish(ST_REFUSED);
    }
    return malformed(S.err, S.errAt);
  }
  // The virtual `{}` an absent context is checked as (start NONE: no bytes).
  const empty = S.ntok;
  const t = tok(empty);
  store<u32>(t, T_OBJECT);
  store<u32>(t, NONE, 4);
  store<u32>(t, NONE, 8);
  store<u32>(t, empty + 1, 12);
  S.empty = empty;
  if (!request()) {
    reversePath();
    return finish(ST_REFUSED);
  }
  store<u32>(r + R_ACTION, S.actionId);
  store<u32>(r + R_FLAGS, S.human == NONE ? 0 : 1);
  const code = encode();
  if (code != 0) {
    store<u32>(r + R_CODE, code);
    return finish(ST_INTERNAL);
  }
  return finish(ST_DECIDED);
}

function finish(status: u32): u32 {
  store<u32>(<usize>P.result + R_STATUS, status);
  return status;
}

function malformed(code: u32, at: u32): u32 {
  const r = <usize>P.result;
  store<u32>(r + R_CODE, code);
  store<u32>(r + R_DETAIL, at);
  return finish(ST_MALFORMED);
}

/** Root name `i` (agent, human, action, args, env, context): 16-byte records, ptr and len first. */
function nameAt(i: u32): usize {
  return <usize>P.names + (<usize>i << 4);
}

function missing(i: u32): bool {
  refuse(E_MISSING, 0, 0, NONE);
  pushKey(<usize>load<u32>(nameAt(i)), load<u32>(nameAt(i), 4));
  return false;
}

function under(i: u32, ok: bool): bool {
  if (!ok) pushKey(<usize>load<u32>(nameAt(i)), load<u32>(nameAt(i), 4));
  return ok;
}

/**
 * One walk over the request's keys: each root part's value token goes into
 * its field of the state (agent, human, action, args, env, context; NONE
 * when absent). False when a key is not a root name (request() then finds
 * the first such key in code-unit order, as before).
 */
function rootMembers(): bool {
  S.agent = NONE;
  S.human = NONE;
  S.action = NONE;
  S.args = NONE;
  S.env = NONE;
  S.context = NONE;
  const names = <usize>P.names;
  const end = tx(0);
  let next: u32 = 0;
  for (let i: u32 = 1; i < end; i = skip(i + 1)) {
    const j = declaredIndex(names, 6, next, strPtr(i), strLen(i));
    if (j == NONE) return false;
    // The state's six root fields follow one another in the names' order.
    store<u32>(changetype<usize>(S) + offsetof<State>("agent") + (<usize>j << 2), i + 1);
    next = j + 1;
  }
  return true;
}

function request(): bool {
  if (tkind(0) != T_OBJECT) return refuse(E_WRONG_TYPE, 0, 0, 0);
  if (!rootMembers()) {
    const extra = firstUndeclared(0, <usize>P.names, 6);
    refuse(E_UNKNOWN_FIELD, 0, 0, extra + 1);
    pushKey(strPtr(extra), strLen(extra));
    return false;
  }
  const agent = S.agent;
  if (agent == NONE) return missing(0);
  if (!under(0, check(<usize>P.agent, agent))) return false;
  let human = S.human;
  if (human != NONE && tkind(human) == T_NULL) human = NONE;
  S.human = human;
  if (human != NONE && !under(1, check(<usize>P.human, human))) return false;
  const action = S.action;
  if (action == NONE) return missing(2);
  if (tkind(action) != T_STRING) return under(2, refuse(E_WRONG_TYPE, 0, 0, action));
  const id = P.actionCount == 0 ? -1 : set_lookup(<usize>P.actionSet, strPtr(action), strLen(action));
  if (id < 0) return under(2, refuse(E_UNKNOWN_ACTION, 0, 0, action));
  const args = S.args;
  if (args == NONE) return missing(3);
  const record = <usize>P.actions + (<usize>id << 4);
  if (!under(3, check(<usize>load<u32>(record), args))) return false;
  if (S.env == NONE) return missing(4);
  if (!under(4, check(<usize>P.env, S.env))) return false;
  if (S.context == NONE) S.context = S.empty;
  if (!under(5, check(<usize>P.context, S.context))) return false;
  S.actionId = <u32>id;
  return true;
}

function reversePath(): void {
  const r = <usize>P.result;
  const n = load<u32>(r + R_PATH_COUNT);
  if (n < 2) return;
  let a = r + R_PATH;
  let b = r + R_PATH + <usize>(n - 1) * 12;
  while (a < b) {
    for (let k: usize = 0; k < 12; k += 4) {
      const x = load<u32>(a + k);
      store<u32>(a + k, load<u32>(b + k));
      store<u32>(b + k, x);
    }
    a += 12;
    b -= 12;
  }
}

/** Zeroes what the previous call wrote, then writes every slot of the action; 0 or an internal code. */
function encode(): u32 {
  memory.fill(<usize>P.slotBase, 0, <usize>P.slotBytes);
  if (S.lastArenaTop > P.arenaStart) memory.fill(<usize>P.arenaStart, 0, <usize>(S.lastArenaTop - P.arenaStart));
  S.arenaTop = P.arenaStart;
  S.lastArenaTop = P.arenaEnd; // until done, assume the worst
  const record = <usize>P.actions + (<usize>S.actionId << 4);
  const count = load<u32>(record, 4);
  const slots = <usize>load<u32>(record, 8);
  for (let i: u32 = 0; i < count; i++) {
    const slot = slots + <usize>i * 40;
    const code = write(slot, rootToken(load<u32>(slot, 36)), <usize>P.slotBase);
    if (code != 0) return code;
  }
  S.lastArenaTop = S.arenaTop;
  return 0;
}

function rootToken(i: u32): u32 {
  if (i == 0) return S.agent;
  if (i == 1) return S.human;
  if (i == 2) return S.action;
  if (i == 3) return S.args;
  if (i == 4) return S.env;
  return S.context;
}

/** Writes one slot reading from token `from` (the slot's root, or an array item). */
function write(slot: usize, from: u32, base: usize): u32 {
  let v = from;
  const steps = load<u32>(slot, 8);
  const path = <usize>load<u32>(slot, 12);
  for (let i: u32 = 0; i < steps && v != NONE; i++) {
    v = member(v, <usize>load<u32>(path + (<usize>i << 3)), load<u32>(path + (<usize>i << 3), 4));
  }
  const kind = load<u32>(slot);
  const at = base + <usize>load<u32>(slot, 4);
  const k = v == NONE ? 0 : tkind(v);
  if (kind == S_STATE) {
    store<u32>(at, v == NONE ? 0 : k == T_NULL ? 2 : 1);
  } else if (kind == S_SYM) {
    let id: i32 = -1;
    const set = <usize>load<u32>(slot, 16);
    if (k == T_STRING && set != 0) {
      const found = set_lookup(set, strPtr(v), strLen(v));
      if (found >= 0) id = load<i32>(<usize>load<u32>(slot, 20) + (<usize>found << 2));
    }
    store<i32>(at, id);
  } else if (kind == S_STR) {
    const start = S.arenaTop;
    let n: u32 = 0;
    if (k == T_STRING) {
      n = strLen(v);
      if (start + n > P.arenaEnd) return I_ARENA;
      memory.copy(<usize>start, strPtr(v), <usize>n);
      S.arenaTop = start + n;
    }
    store<u32>(at, start);
    store<u32>(at, n, 4);
  } else if (kind == S_NUM) {
    store<f64>(at, k == T_NUMBER ? numberOf(v) : 0);
  } else if (kind == S_BOOL) {
    store<u32>(at, k == T_TRUE ? 1 : 0);
  } else if (kind == S_ARRAY) {
    let count: u32 = 0;
    if (k == T_ARRAY) for (let i = v + 1; i < tx(v); i = skip(i)) count++;
    if (count > load<u32>(slot, 24)) return I_ITEMS;
    store<u32>(at, count);
    const first = base + <usize>load<u32>(slot, 16);
    const stride = <usize>load<u32>(slot, 20);
    const itemCount = load<u32>(slot, 28);
    const items = <usize>load<u32>(slot, 32);
    let index: usize = 0;
    if (k == T_ARRAY) {
      for (let i = v + 1; i < tx(v); i = skip(i)) {
        for (let j: u32 = 0; j < itemCount; j++) {
          const code = write(items + <usize>j * 40, i, first + index * stride);
          if (code != 0) return code;
        }
        index++;
      }
    }
  }
  return 0;
}
