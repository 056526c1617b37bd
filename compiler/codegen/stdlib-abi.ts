/**
 * What the code generator expects of the stdlib build: its version and the
 * signature of every export it may call.
 *
 * In: nothing. Out: constants, checked by module.ts when it loads the build.
 * Must not: drift from stdlib/*.ts: bump STDLIB_VERSION together with
 * stdlib/version.ts whenever a signature or a memory layout changes.
 */

/** The version stdlib/version.ts must return. */
export const STDLIB_VERSION = 4;

/**
 * Bytes the number decoder's slow path needs (stdlib/json-number.ts
 * `NUMBER_SCRATCH_BYTES`: four big integers of 96 u32 limbs); the JSON plan
 * reserves this much and `json_number` callers pass as much.
 */
export const NUMBER_SCRATCH_BYTES = 1536;

/** A wasm value type, in the codegen's terms. */
export type ValueType = "i32" | "i64" | "f32" | "f64";

/** Parameters and result of one stdlib export. */
export interface StdlibSignature {
  readonly params: readonly ValueType[];
  readonly result: ValueType;
}

/** Every export the stdlib must have. Pointers and lengths are i32 (wasm32). */
export const STDLIB_FUNCTIONS = {
  stdlib_version: { params: [], result: "i32" },
  // strings.ts: (a, aLen, b, bLen)
  bytes_eq: { params: ["i32", "i32", "i32", "i32"], result: "i32" },
  bytes_cmp: { params: ["i32", "i32", "i32", "i32"], result: "i32" },
  starts_with: { params: ["i32", "i32", "i32", "i32"], result: "i32" },
  ends_with: { params: ["i32", "i32", "i32", "i32"], result: "i32" },
  contains: { params: ["i32", "i32", "i32", "i32"], result: "i32" },
  // dfa.ts: table address first
  dfa_start: { params: ["i32"], result: "i32" },
  dfa_step: { params: ["i32", "i32", "i32"], result: "i32" },
  dfa_run: { params: ["i32", "i32", "i32", "i32"], result: "i32" },
  dfa_accepts: { params: ["i32", "i32"], result: "i32" },
  dfa_matches: { params: ["i32", "i32", "i32"], result: "i32" },
  // hash-set.ts
  hash_bytes: { params: ["i32", "i32", "i32"], result: "i32" },
  hash_u64: { params: ["i64", "i32"], result: "i32" },
  set_lookup: { params: ["i32", "i32", "i32"], result: "i32" },
  set_lookup_f64: { params: ["i32", "f64"], result: "i32" },
  // views.ts: (s, sLen, dst) → the view's length at dst; under_base(p, pLen, base, baseLen) → 0/1
  view_lower: { params: ["i32", "i32", "i32"], result: "i32" },
  view_domain: { params: ["i32", "i32", "i32"], result: "i32" },
  view_normpath: { params: ["i32", "i32", "i32"], result: "i32" },
  under_base: { params: ["i32", "i32", "i32", "i32"], result: "i32" },
  // json-encode.ts: (plan, len) → status; the JSON entry point (compiler/codegen/json-entry.ts)
  json_encode: { params: ["i32", "i32"], result: "i32" },
  // session.ts: SipHash-2-4 of keys, correlated sets (docs/decisions/0024-session-rules.md)
  siphash: { params: ["i64", "i64", "i32", "i32"], result: "i64" },
  keyed_find: { params: ["i32", "i32", "i64"], result: "i32" },
  keyed_insert: { params: ["i32", "i32", "i32", "i64", "f64", "f64", "f64"], result: "i32" },
  keyed_payload: { params: ["i32"], result: "i32" },
  // json-number.ts: (text, len, scratch) → the number's value, correctly rounded (tests call it directly)
  json_number: { params: ["i32", "i32", "i32"], result: "f64" },
} as const satisfies Record<string, StdlibSignature>;

/** Name of a stdlib export. */
export type StdlibFunction = keyof typeof STDLIB_FUNCTIONS;
