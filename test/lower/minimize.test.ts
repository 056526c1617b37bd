/**
 * Hopcroft minimization gives the minimal DFA: as many states as Moore's
 * plain partition refinement (written here for clarity) finds classes of
 * equivalent states, with the same language as before minimizing.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { determinize, dfaAccepts, type Dfa } from "../../compiler/automata/dfa.js";
import { minimize } from "../../compiler/automata/minimize.js";
import { NfaBuilder } from "../../compiler/automata/nfa.js";
import { utf8Sequences } from "../../compiler/automata/utf8-ranges.js";
import { parseGlob } from "../../compiler/lower/glob-syntax.js";
import { globWithSamples, inputsFor } from "./glob-arbitraries.js";

/** The unminimized DFA of a glob (the same construction compileGlob uses). */
function rawDfa(glob: string): Dfa {
  const parsed = parseGlob(glob);
  if (!parsed.ok) throw new Error(glob);
  const nfa = new NfaBuilder();
  for (const piece of parsed.pieces) {
    if (piece.kind === "star") nfa.loopAnyByte();
    else nfa.oneOf(piece.ranges.flatMap(([lo, hi]) => utf8Sequences(lo, hi)));
  }
  const built = determinize(nfa.finish(), 100_000);
  if (!built.ok) throw new Error(glob);
  return built.dfa;
}

/** Moore: refine by (block, blocks of successors) until stable; the number of blocks. */
function mooreBlockCount(dfa: Dfa): number {
  let block = Array.from(dfa.accepting, (a) => a);
  for (;;) {
    const signatures = new Map<string, number>();
    const next = block.map((b, s) => {
      const row = [b];
      for (let c = 0; c < dfa.classCount; c++) row.push(block[dfa.transitions[s * dfa.classCount + c]!]!);
      const key = row.join(",");
      if (!signatures.has(key)) signatures.set(key, signatures.size);
      return signatures.get(key)!;
    });
    if (new Set(next).size === new Set(block).size) return signatures.size;
    block = next;
  }
}

test("as many states as Moore's refinement finds, and the same language", () => {
  fc.assert(
    fc.property(
      globWithSamples.chain(({ glob, samples }) => fc.tuple(fc.constant(glob), fc.array(inputsFor(samples), { maxLength: 6 }))),
      ([glob, inputs]) => {
        const raw = rawDfa(glob);
        const min = minimize(raw);
        expect(min.stateCount, glob).toBe(mooreBlockCount(raw));
        expect(min.stateCount).toBeLessThanOrEqual(raw.stateCount);
        for (const input of inputs) expect(dfaAccepts(min, input)).toBe(dfaAccepts(raw, input));
      },
    ),
    { seed: 0x3003, numRuns: 300 },
  );
});

test("merged byte classes: no two classes of a minimal DFA have the same column", () => {
  fc.assert(
    fc.property(globWithSamples, ({ glob }) => {
      const min = minimize(rawDfa(glob));
      const columns = new Set<string>();
      for (let c = 0; c < min.classCount; c++) {
        const column: number[] = [];
        for (let s = 0; s < min.stateCount; s++) column.push(min.transitions[s * min.classCount + c]!);
        columns.add(column.join(","));
      }
      expect(columns.size).toBe(min.classCount);
    }),
    { seed: 0x3003, numRuns: 200 },
  );
});
