/**
 * NFA → DFA over byte classes (subset construction), and running a DFA.
 *
 * In: an epsilon-free byte NFA (nfa.ts) and a state cap.
 * Out: a complete DFA whose alphabet is byte classes (bytes no edge of the
 * NFA tells apart share a class), or "over the cap" as a value.
 * Must not: throw on large automata (the cap is reported, not thrown) or
 * exceed the cap while building: construction stops as soon as it is hit.
 */
import type { Nfa } from "./nfa.js";

/**
 * A complete DFA over byte classes. Every state has a transition for every
 * class; `transitions[state * classCount + cls]` is the next state.
 */
export interface Dfa {
  readonly stateCount: number;
  readonly classCount: number;
  /** Byte value (0..255) → class. */
  readonly classOf: Uint8Array;
  readonly transitions: Uint32Array;
  /** 1 for accepting states. */
  readonly accepting: Uint8Array;
  readonly start: number;
  /** The non-accepting state no input leaves, or -1 when there is none. */
  readonly dead: number;
}

/** Either a DFA or the fact that it would exceed the cap. */
export type DeterminizeResult = { readonly ok: true; readonly dfa: Dfa } | { readonly ok: false; readonly cap: number };

/** Partitions 0..255 into classes at every edge boundary of the NFA. */
export function byteClasses(nfa: Nfa): { classOf: Uint8Array; classCount: number; representatives: number[] } {
  const cuts = new Uint8Array(257); // cuts[b] = 1: a new class begins at byte b
  cuts[0] = 1;
  for (const edges of nfa.edges) {
    for (const e of edges) {
      cuts[e.lo] = 1;
      cuts[e.hi + 1] = 1;
    }
  }
  const classOf = new Uint8Array(256);
  const representatives: number[] = [];
  for (let b = 0; b < 256; b++) {
    if (cuts[b] === 1) representatives.push(b);
    classOf[b] = representatives.length - 1;
  }
  return { classOf, classCount: representatives.length, representatives };
}

/** Subset construction; gives up (as a value) past `maxStates` states. */
export function determinize(nfa: Nfa, maxStates: number): DeterminizeResult {
  const { classOf, classCount } = byteClasses(nfa);
  const ids = new Map<string, number>();
  const sets: number[][] = [];
  const rows: number[] = [];
  /** The id of the sorted, duplicate-free NFA state set `set[0..length)` (copied when new). */
  const intern = (set: readonly number[], length: number): number => {
    let key = length === 0 ? "" : String(set[0]);
    for (let i = 1; i < length; i++) key += `,${String(set[i])}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = sets.length;
      ids.set(key, id);
      sets.push(set.slice(0, length));
    }
    return id;
  };
  intern([0], 1);
  // Reused per DFA state: target NFA states per class, `counts[c]` of them
  // valid (most hold 0–2). Lengths are kept apart because storing an
  // array's length is a runtime call, which dominated (ADR 0052).
  const targets: number[][] = Array.from({ length: classCount }, () => []);
  const counts = new Int32Array(classCount);
  for (let current = 0; current < sets.length; current++) {
    if (sets.length > maxStates) return { ok: false, cap: maxStates };
    counts.fill(0);
    // An edge covers a run of whole classes, since classes were cut at
    // every edge boundary.
    for (const state of sets[current]!) {
      for (const e of nfa.edges[state]!) {
        for (let c = classOf[e.lo]!; c <= classOf[e.hi]!; c++) targets[c]![counts[c]!++] = e.to;
      }
    }
    for (let c = 0; c < classCount; c++) {
      const list = targets[c]!;
      let kept = counts[c]!;
      if (kept > 1) {
        // Sort the valid entries (insertion sort for the usual few; combined
        // automata can have thousands), then drop repeats.
        if (kept > 16) {
          const sorted = list.slice(0, kept).sort((x, y) => x - y);
          for (let i = 0; i < kept; i++) list[i] = sorted[i]!;
        } else for (let i = 1; i < kept; i++) {
          const v = list[i]!;
          let j = i - 1;
          while (j >= 0 && list[j]! > v) {
            list[j + 1] = list[j]!;
            j--;
          }
          list[j + 1] = v;
        }
        let unique = 1;
        for (let i = 1; i < kept; i++) if (list[i] !== list[unique - 1]) list[unique++] = list[i]!;
        kept = unique;
      }
      rows.push(intern(list, kept));
    }
  }
  if (sets.length > maxStates) return { ok: false, cap: maxStates };
  const accepting = new Uint8Array(sets.length);
  sets.forEach((set, id) => {
    if (set.some((s) => nfa.accepting.has(s))) accepting[id] = 1;
  });
  const transitions = Uint32Array.from(rows);
  return {
    ok: true,
    dfa: {
      stateCount: sets.length,
      classCount,
      classOf,
      transitions,
      accepting,
      start: 0,
      dead: findDead(sets.length, classCount, transitions, accepting),
    },
  };
}

/** The non-accepting state whose every transition loops back, or -1. */
export function findDead(stateCount: number, classCount: number, transitions: Uint32Array, accepting: Uint8Array): number {
  for (let s = 0; s < stateCount; s++) {
    if (accepting[s] === 1) continue;
    let loops = true;
    for (let c = 0; c < classCount && loops; c++) loops = transitions[s * classCount + c] === s;
    if (loops) return s;
  }
  return -1;
}

/** The state reached and the number of bytes read (a run stops in the dead state). */
export interface DfaRun {
  readonly state: number;
  readonly steps: number;
}

/** Runs `bytes` from `state` (default: the start); one step per byte at most. */
export function runDfa(dfa: Dfa, bytes: Uint8Array, state: number = dfa.start): DfaRun {
  let steps = 0;
  for (const byte of bytes) {
    if (state === dfa.dead) break;
    state = dfa.transitions[state * dfa.classCount + dfa.classOf[byte]!]!;
    steps++;
  }
  return { state, steps };
}

/** True when the DFA accepts the whole byte string. */
export function dfaAccepts(dfa: Dfa, bytes: Uint8Array): boolean {
  return dfa.accepting[runDfa(dfa, bytes).state] === 1;
}
