/**
 * Glob automaton stepping over a table the compiler laid out in memory.
 *
 * In: a DFA table address (layout in stdlib/README.md, "DFA table"), a
 * state, and input bytes as (pointer, length).
 * Out: the next / final state, or 1/0 for "accepted".
 * Must not: allocate, import, or backtrack: each input byte costs one class
 * lookup and one transition load, so a run is O(length) whatever the glob.
 * The table is compiler output and is trusted; a corrupt table can only make
 * a load trap, which the host treats as a deny.
 *
 * A state is named by its row's byte offset in the transition array
 * (state index · classes · 2), and transitions store such offsets: the next
 * row's address is then one add away, with no multiply on the path from one
 * byte to the next, which is what bounds a DFA's speed.
 */

// Header offsets, in bytes from the table's start.
const CLASS_MAP: usize = 0; // u32: absolute address of the 256-byte class map
const CLASS_COUNT: usize = 4; // u16
const STATE_COUNT: usize = 6; // u16
const START: usize = 8; // u16: the start state's row offset
const DEAD: usize = 10; // u16: the dead state's row offset; 0xFFFF (odd, so never a row) when none
const TRANSITIONS: usize = 12; // u16[stateCount * classCount]: next row offsets, row-major

/** The state a run begins in. */
export function dfa_start(table: usize): u32 {
  return load<u16>(table + START);
}

/** One step: the state after reading `byte` in `state`. */
export function dfa_step(table: usize, state: u32, byte: u32): u32 {
  const classes = <usize>load<u32>(table + CLASS_MAP);
  const cls = <usize>load<u8>(classes + <usize>(byte & 0xff));
  return load<u16>(table + TRANSITIONS + <usize>state + (cls << 1));
}

/**
 * Runs the bytes from `state` and returns the state reached. Stops early in
 * the dead state, which no input can leave.
 */
export function dfa_run(table: usize, state: u32, s: usize, sLen: u32): u32 {
  const classes = <usize>load<u32>(table + CLASS_MAP);
  const dead = <u32>load<u16>(table + DEAD);
  const rows = table + TRANSITIONS;
  for (let i: u32 = 0; i < sLen; i++) {
    if (state == dead) return state;
    const cls = <usize>load<u8>(classes + <usize>load<u8>(s + <usize>i));
    state = load<u16>(rows + <usize>state + (cls << 1));
  }
  return state;
}

/** 1 when `state` is accepting. */
export function dfa_accepts(table: usize, state: u32): i32 {
  const classCount = <u32>load<u16>(table + CLASS_COUNT);
  const stateCount = <u32>load<u16>(table + STATE_COUNT);
  const index = state / (classCount << 1);
  const bitmap = table + TRANSITIONS + ((<usize>(stateCount * classCount)) << 1);
  return (load<u8>(bitmap + <usize>(index >> 3)) >> (index & 7)) & 1;
}

/** 1 when the whole byte string is accepted from the start state. */
export function dfa_matches(table: usize, s: usize, sLen: u32): i32 {
  return dfa_accepts(table, dfa_run(table, dfa_start(table), s, sLen));
}
