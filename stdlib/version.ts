/**
 * The stdlib's version: what the code generator's loader checks.
 *
 * In: nothing. Out: one exported function returning a constant.
 * Must not: change without bumping STDLIB_VERSION in compiler/codegen/module.ts
 * too; bump it whenever an exported signature or a memory layout in
 * stdlib/README.md changes, so a stale build is refused instead of misread.
 */

/** Major version of the exported functions and the memory layouts they read. */
export function stdlib_version(): u32 {
  return 4;
}
