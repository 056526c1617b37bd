/**
 * The module's binary interface: export names, call flags and the result
 * layout. Shared by the code generator (which emits them) and every host
 * (which calls them); docs/abi.md is the prose version for other languages.
 *
 * In: nothing. Out: constants. Must not import anything.
 *
 * A decision from a JS host:
 *   1. look the action up in the manifest (its index is the action id);
 *   2. validate the request against the manifest's schemas;
 *   3. write the action's slots at `agp_input()` (+ strings in the arena);
 *   4. `agp_decide(actionId, flags)` returns the address of the result;
 *   5. read the result (layout below) and finish the decision from the
 *      manifest (reasons, obligations, quorums, limit keys, runtime state).
 */

/** Exported function names. */
export const EXPORTS = {
  /** `() → i32`: equals ABI_VERSION (runtime/manifest.ts). */
  abiVersion: "agp_abi_version",
  /** `() → i32`: address of the input region (slot area, then the string arena). */
  input: "agp_input",
  /** `(action: i32, flags: i32) → i32`: decides; returns the result's address. */
  decide: "agp_decide",
  /** The module's memory. */
  memory: "memory",
} as const;

/** Bits of `agp_decide`'s `flags` argument. */
export const DECIDE_FLAGS = {
  /** The request names a human (`human` present and not null). */
  humanPresent: 1,
} as const;

/** Effects as the module encodes them. */
export const EFFECT_CODES = { allow: 0, approve: 1, deny: 2 } as const;

/** `blockedBy` as the module encodes it. */
export const PRINCIPAL_CODES = { none: 0, agent: 1, human: 2 } as const;

/**
 * The result region, little-endian, 8-aligned, fully rewritten by every call:
 *
 *   +0   u32 effect (EFFECT_CODES)
 *   +4   u32 blockedBy (PRINCIPAL_CODES)
 *   +8   u32 n_deciding        number of deciding rule indices
 *   +12  u32 n_obligation      number of rules whose obligations apply
 *   +16  u32 n_charges         number of limits that apply
 *   +20  u32 session fault: 0, or k + 1 for the k-th overflowed check (ABI 3)
 *   +24  u32[n_deciding]       deciding rule indices, ascending
 *        u32[n_obligation]     obligation rule indices, ascending
 *        (padding to 8)
 *        n_charges × { u32 limit index, u32 reserved, f64 amount }, by limit index
 *
 * A deny decided by default ("no rule allows") has n_deciding = 0.
 * Deciding rules for approve/deny include both principals' deciding rules
 * as docs/decisions/0006-decision-semantics.md says; the host derives
 * reasons, quorums and the audit level from the manifest's rules.
 */
export const RESULT = {
  effect: 0,
  blockedBy: 4,
  deciding: 8,
  obligation: 12,
  charges: 16,
  /** ABI 3: the session fault, 0 or k + 1 for the k-th of the action's `session.checks` that overflowed (the decision is then a session_error deny). */
  fault: 20,
  lists: 24,
  chargeSize: 16,
} as const;

/**
 * The portable JSON entry point (docs/abi.md, "The JSON entry point"):
 *   1. `agp_json_input() → i32`: address of the JSON input buffer
 *      (capacity `manifest.json.inputBytes`);
 *   2. write the request's UTF-8 JSON bytes there;
 *   3. `agp_decide_json(len) → i32`: validates, encodes and decides; returns
 *      the address of the JSON result header (JSON_RESULT); when its status
 *      is `decided`, +4 holds the address of the ordinary result (RESULT).
 */
export const JSON_EXPORTS = {
  /** `() → i32`: address of the JSON input buffer. */
  input: "agp_json_input",
  /** `(len: i32) → i32`: decides the JSON request of `len` bytes; returns the JSON result header's address. */
  decide: "agp_decide_json",
} as const;

/** The JSON result header, little-endian u32 / i32 fields, rewritten by every call. */
export const JSON_RESULT = {
  /** JSON_STATUS. */
  status: 0,
  /** Status `decided`: address of the ordinary result region (RESULT). */
  decision: 4,
  /** i32 action id when decided; -1 for every other status. */
  action: 8,
  /** The flags `agp_decide` was called with (DECIDE_FLAGS). */
  flags: 12,
  /** Refused: JSON_ERROR_CODES; malformed: JSON_MALFORMED_CODES; internal: JSON_INTERNAL_CODES. */
  code: 16,
  /** i32 id of the schema node that refused (pre-order numbering, docs/abi.md), -1 for request-level checks. */
  node: 20,
  /**
   * out_of_range: 0 lower bound, 1 upper bound; invalid_string: UTF-16 index of the lone surrogate;
   * missing_field: 0 `required`, d + 1 the node's `dependentRequired[d]`; duplicate_items and
   * ambiguous_one_of: (i << 16) | j, the two items or options; malformed: byte offset.
   */
  detail: 24,
  /** Byte span [start, end) of the offending value in the input; 0xFFFFFFFF when there is none (or the implicit `{}` context). */
  start: 28,
  end: 32,
  /** Number of path segments that follow. */
  pathCount: 36,
  /** Path segments, outermost first, 12 bytes each: u32 kind (0 key, 1 index), u32 key address | index, u32 key byte length. */
  path: 40,
  segmentSize: 12,
} as const;

/** Status of a JSON decision (JSON_RESULT.status). */
export const JSON_STATUS = { decided: 0, refused: 1, malformed: 2, internal: 3 } as const;

/** Validation problems (status `refused`), as DecisionErrorCode names them. */
export const JSON_ERROR_CODES = {
  1: "wrong_type",
  2: "missing_field",
  3: "unknown_field",
  4: "too_long",
  5: "too_many_items",
  6: "out_of_range",
  7: "not_in_enum",
  8: "invalid_string",
  9: "unknown_action",
  /** Past the request bounds (manifest `bounds`): node -1, no path, no value span. */
  10: "too_large",
  11: "too_short",
  12: "too_few_items",
  13: "not_multiple_of",
  14: "pattern_mismatch",
  15: "duplicate_items",
  16: "too_many_properties",
  17: "too_few_properties",
  18: "ambiguous_one_of",
} as const;

/** Why the bytes are not an acceptable JSON document (status `malformed`); the text is what hosts print. */
export const JSON_MALFORMED_CODES = {
  1: "unexpected character",
  2: "unexpected end of input",
  3: "invalid UTF-8",
  4: "invalid escape sequence",
  5: "control character in a string",
  6: "duplicate key",
  /** Never reported as malformed: status 1, `too_large` (code 10) instead. */
  7: "nesting deeper than the limit",
  8: "request larger than the input buffer",
  9: "invalid number",
  10: "too many values",
  11: "empty input",
  /** Never reported as malformed: status 1, `too_large` (code 10) instead. */
  12: "too many values",
} as const;

/** Layout overflows (status `internal`): the request fit the schema but not the slot layout. */
export const JSON_INTERNAL_CODES = {
  1: "the request's strings do not fit the module's string arena",
  2: "an array has more items than the layout holds",
} as const;

/**
 * The session ABI (docs/abi.md, "Sessions"; docs/decisions/0024-session-rules.md).
 * A module compiled with session rules exports these besides the others.
 */
export const SESSION_EXPORTS = {
  /** `() → i32`: address of the session region: f64 `now` at +0, the state at +8. */
  region: "agp_session",
  /** `() → ()`: fills the state of a new session; the host writes the 16 key bytes at state +16 first. */
  init: "agp_session_init",
  /** `(action: i32, effect: i32) → i32`: records a call (effect codes) for the slots in the input region; returns 0. */
  record: "agp_session_record",
  /** `(action: i32, outcome: i32, call: i32) → i32`: records an outcome (1 succeeded, 2 failed, 3 rolled_back) of call number `call`; returns 0. */
  outcome: "agp_session_outcome",
} as const;

/** The session region (at `agp_session()`) and the state header, byte offsets. */
export const SESSION = {
  /** f64: the host's `now` for this call, in ms (region offset). */
  now: 0,
  /** Where the state starts (region offset). */
  state: 8,
  /** Size of the state header. */
  headerBytes: 64,
  /** u32 at state +0: "AGPS". */
  magic: 0x53504741,
  magicAt: 0,
  /** u32: the state's size in bytes. */
  stateBytesAt: 4,
  /** u32: the layout id (its 8 hex digits as a number). */
  layoutAt: 8,
  /** u32: calls recorded so far (the number of the last call). */
  callsAt: 12,
  /** 16 bytes: the SipHash key of the session. */
  keyAt: 16,
  /** f64: time of the last event (-Infinity: none). */
  lastEventAt: 32,
  /** f64: time of the last call (-Infinity: none). */
  lastCallAt: 40,
  /** u32: the last call's effect code. */
  lastEffectAt: 48,
  /** u32: the last call's outcomes, a bit set (1 succeeded, 2 failed, 4 rolled_back; 0 none). */
  lastOutcomeAt: 52,
} as const;

/** Statuses of session events, as monitors and queries code them: effect codes, then outcomes. */
export const SESSION_STATUS = { allowed: 0, parked: 1, refused: 2, succeeded: 3, failed: 4, rolled_back: 5 } as const;

/** Outcome codes of `agp_session_outcome`. */
export const OUTCOME_CODES = { succeeded: 1, failed: 2, rolled_back: 3 } as const;
