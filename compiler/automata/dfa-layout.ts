/**
 * DFA → the bytes stdlib/dfa.ts reads (layout in stdlib/README.md).
 *
 * In: a DFA with at most 65535 states and 256 classes.
 * Out: a 256-byte class map, and a table that points at the class map by
 * absolute address, so DFAs with identical class maps can share one copy.
 * Must not: depend on where the table itself is placed (it holds no pointer
 * to itself), or silently truncate: DFAs that do not fit (see fitsDfaTable;
 * compileGlob reports them as too complex) are our bug and throw.
 *
 * In the table a state is named by its row offset, `state * C * 2` (the byte
 * offset of its row in the transition array), so the stdlib steps with an
 * add instead of a multiply.
 *
 * Table, little-endian:
 *   +0  u32  class map address (absolute, in linear memory)
 *   +4  u16  class count C
 *   +6  u16  state count S
 *   +8  u16  start state's row offset
 *   +10 u16  dead state's row offset, or 0xFFFF when there is none
 *   +12 u16[S*C] transitions, row-major: the next state's row offset is at
 *        byte 12 + row + 2 * class
 *   then u8[ceil(S/8)] accepting bitmap: state s = row / (2C) accepts when
 *        bit (s & 7) of byte (s >> 3) is set
 */
import type { Dfa } from "./dfa.js";

/** The dead-state field's value when the DFA has no dead state. */
export const NO_DEAD_STATE = 0xffff;

const HEADER = 12;

/** True when every row offset of the DFA fits the table's u16 fields. */
export function fitsDfaTable(dfa: Dfa): boolean {
  return dfa.classCount <= 256 && (dfa.stateCount - 1) * dfa.classCount * 2 < NO_DEAD_STATE;
}

/** A state's name in the table and in the stdlib's `dfa_*` functions. */
export function rowOffset(dfa: Dfa, state: number): number {
  return state * dfa.classCount * 2;
}

/** The class map: byte b's class is map[b]. */
export function encodeClassMap(dfa: Dfa): Uint8Array {
  return Uint8Array.from(dfa.classOf);
}

/** Size in bytes of the table encodeDfaTable produces. */
export function dfaTableSize(dfa: Dfa): number {
  return HEADER + 2 * dfa.stateCount * dfa.classCount + Math.ceil(dfa.stateCount / 8);
}

/** The table for `dfa`, given where its class map lives in memory. */
export function encodeDfaTable(dfa: Dfa, classMapAddress: number): Uint8Array {
  if (!fitsDfaTable(dfa)) {
    throw new Error(`internal error: DFA with ${dfa.stateCount} states and ${dfa.classCount} classes does not fit the table layout`);
  }
  const bytes = new Uint8Array(dfaTableSize(dfa));
  const view = new DataView(bytes.buffer);
  view.setUint32(0, classMapAddress >>> 0, true);
  view.setUint16(4, dfa.classCount, true);
  view.setUint16(6, dfa.stateCount, true);
  view.setUint16(8, rowOffset(dfa, dfa.start), true);
  view.setUint16(10, dfa.dead < 0 ? NO_DEAD_STATE : rowOffset(dfa, dfa.dead), true);
  dfa.transitions.forEach((next, i) => view.setUint16(HEADER + 2 * i, rowOffset(dfa, next), true));
  const bitmap = HEADER + 2 * dfa.transitions.length;
  for (let s = 0; s < dfa.stateCount; s++) {
    if (dfa.accepting[s] === 1) bytes[bitmap + (s >> 3)]! |= 1 << (s & 7);
  }
  return bytes;
}
