/**
 * The agp stdlib: the entry file asc compiles (see /asconfig.json).
 *
 * In: nothing at run time; the code generator loads the built module
 * (stdlib/build/stdlib.wasm) with binaryen and adds the policy's functions.
 * Out: the exports below, over raw linear memory (layouts in README.md).
 * Must not: import anything, allocate (stub runtime, never called), or keep
 * state: every function is a pure function of its arguments and memory.
 */
export { stdlib_version } from "./version";
export { bytes_eq, bytes_cmp, starts_with, ends_with, contains } from "./strings";
export { dfa_start, dfa_step, dfa_run, dfa_accepts, dfa_matches } from "./dfa";
export { hash_bytes, hash_u64, set_lookup, set_lookup_f64 } from "./hash-set";
export { view_lower, view_domain, view_normpath, under_base } from "./views";
export { json_encode } from "./json-encode"; // JSON entry point (docs/abi.md)
export { json_number } from "./json-number";
export { siphash, keyed_find, keyed_insert, keyed_payload } from "./session"; // session monitors (ADR 0024)
