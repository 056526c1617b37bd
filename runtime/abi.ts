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
 *   +20  u32 reserved (0)
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
  lists: 24,
  chargeSize: 16,
} as const;
