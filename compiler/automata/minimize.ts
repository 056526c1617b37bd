/**
 * DFA minimization (Hopcroft's partition refinement), then class merging.
 *
 * In: a complete DFA over byte classes (dfa.ts), all states reachable.
 * Out: the minimal equivalent DFA, states numbered in breadth-first order
 * from the start (so the start is 0 and output is deterministic), and byte
 * classes merged where no state tells them apart.
 * Must not: change the language accepted. O(classes · states · log states).
 */
import { findDead, type Dfa } from "./dfa.js";

/** The minimal DFA accepting the same byte strings. */
export function minimize(dfa: Dfa): Dfa {
  const blockOf = refine(dfa);
  return mergeClasses(quotient(dfa, blockOf));
}

/** Hopcroft: block id per state, equal ids exactly for equivalent states. */
function refine(dfa: Dfa): Int32Array {
  const n = dfa.stateCount;
  const k = dfa.classCount;
  // Predecessors per (class, target), in CSR form.
  const predStart = new Int32Array(k * n + 1);
  for (let s = 0; s < n; s++) {
    for (let c = 0; c < k; c++) predStart[c * n + dfa.transitions[s * k + c]! + 1]!++;
  }
  for (let i = 0; i < k * n; i++) predStart[i + 1]! += predStart[i]!;
  const fill = predStart.slice(0, k * n);
  const preds = new Int32Array(k * n);
  for (let s = 0; s < n; s++) {
    for (let c = 0; c < k; c++) preds[fill[c * n + dfa.transitions[s * k + c]!]!++] = s;
  }

  const blockOf = new Int32Array(n);
  const members: number[][] = [];
  const accepting: number[] = [];
  const rejecting: number[] = [];
  for (let s = 0; s < n; s++) (dfa.accepting[s] === 1 ? accepting : rejecting).push(s);
  for (const block of [accepting, rejecting]) {
    if (block.length === 0) continue;
    for (const s of block) blockOf[s] = members.length;
    members.push(block);
  }
  const work: number[] = members.map((_, b) => b);
  const inWork: boolean[] = members.map(() => true);

  // Per class: the blocks with a predecessor in the splitter, and those
  // predecessors; arrays reused across rounds rather than a Map per round,
  // their valid lengths kept apart (storing an array's length is a runtime
  // call, which dominated; ADR 0052).
  const marked: number[][] = [];
  const markedCount: number[] = [];
  const touched: number[] = [];
  while (work.length > 0) {
    const splitter = work.pop()!;
    inWork[splitter] = false;
    const targets = [...members[splitter]!]; // the splitter may itself split below
    for (let c = 0; c < k; c++) {
      let touchedCount = 0;
      for (const t of targets) {
        for (let i = predStart[c * n + t]!; i < predStart[c * n + t + 1]!; i++) {
          const p = preds[i]!;
          const b = blockOf[p]!;
          const list = (marked[b] ??= []);
          const count = markedCount[b] ?? 0;
          if (count === 0) touched[touchedCount++] = b;
          list[count] = p;
          markedCount[b] = count + 1;
        }
      }
      for (let j = 0; j < touchedCount; j++) {
        const b = touched[j]!;
        const hit = marked[b]!;
        const hits = markedCount[b]!;
        const all = members[b]!;
        if (hits < all.length) {
          const fresh = members.length;
          for (let i = 0; i < hits; i++) blockOf[hit[i]!] = fresh;
          members[b] = all.filter((s) => blockOf[s] === b);
          members.push(hit.slice(0, hits));
          inWork.push(false);
          if (inWork[b]) {
            work.push(fresh);
            inWork[fresh] = true;
          } else {
            const smaller = hits < members[b]!.length ? fresh : b;
            work.push(smaller);
            inWork[smaller] = true;
          }
        }
        markedCount[b] = 0;
      }
    }
  }
  return blockOf;
}

/** One state per block, numbered breadth-first from the start's block. */
function quotient(dfa: Dfa, blockOf: Int32Array): Dfa {
  const k = dfa.classCount;
  const representative = new Map<number, number>();
  for (let s = 0; s < dfa.stateCount; s++) if (!representative.has(blockOf[s]!)) representative.set(blockOf[s]!, s);
  const number = new Map<number, number>([[blockOf[dfa.start]!, 0]]);
  const order = [blockOf[dfa.start]!];
  for (let i = 0; i < order.length; i++) {
    const rep = representative.get(order[i]!)!;
    for (let c = 0; c < k; c++) {
      const b = blockOf[dfa.transitions[rep * k + c]!]!;
      if (!number.has(b)) {
        number.set(b, order.length);
        order.push(b);
      }
    }
  }
  const stateCount = order.length;
  const transitions = new Uint32Array(stateCount * k);
  const accepting = new Uint8Array(stateCount);
  order.forEach((b, id) => {
    const rep = representative.get(b)!;
    accepting[id] = dfa.accepting[rep]!;
    for (let c = 0; c < k; c++) transitions[id * k + c] = number.get(blockOf[dfa.transitions[rep * k + c]!]!)!;
  });
  return { ...dfa, stateCount, transitions, accepting, start: 0, dead: findDead(stateCount, k, transitions, accepting) };
}

/** Merges byte classes whose transition columns are identical. */
function mergeClasses(dfa: Dfa): Dfa {
  const k = dfa.classCount;
  const column = (c: number): string => {
    const parts: number[] = [];
    for (let s = 0; s < dfa.stateCount; s++) parts.push(dfa.transitions[s * k + c]!);
    return parts.join(",");
  };
  const newClass = new Map<string, number>();
  const oldToNew: number[] = [];
  const keep: number[] = []; // new class → an old class with that column
  // Number new classes in order of their first byte, for deterministic output.
  const classOf = new Uint8Array(256);
  for (let byte = 0; byte < 256; byte++) {
    const old = dfa.classOf[byte]!;
    if (oldToNew[old] === undefined) {
      const key = column(old);
      let fresh = newClass.get(key);
      if (fresh === undefined) {
        fresh = keep.length;
        newClass.set(key, fresh);
        keep.push(old);
      }
      oldToNew[old] = fresh;
    }
    classOf[byte] = oldToNew[old]!;
  }
  const classCount = keep.length;
  const transitions = new Uint32Array(dfa.stateCount * classCount);
  for (let s = 0; s < dfa.stateCount; s++) {
    keep.forEach((old, c) => (transitions[s * classCount + c] = dfa.transitions[s * k + old]!));
  }
  return { ...dfa, classCount, classOf, transitions };
}
