/**
 * Running a catalog `pattern`'s automaton (runtime/manifest.ts,
 * `PatternAutomaton`) on a JS string, as the compiled module runs it on
 * UTF-8 bytes: the same states, so both request paths agree.
 *
 * In: the automaton from the manifest (already checked by load/check-manifest)
 * and a well-formed string (validation refuses lone surrogates first).
 * Out: whether the string matches. Must not allocate per call or backtrack:
 * one table step per UTF-8 byte, encoded on the fly.
 */
import type { PatternAutomaton } from "../manifest.js";

/** A matcher over one automaton's tables. */
export type PatternTest = (s: string) => boolean;

/** Prepares the automaton's tables once; the returned test is what validation calls. */
export function patternTest(automaton: PatternAutomaton): PatternTest {
  const classOf = Uint8Array.from(automaton.classOf);
  const transitions = Uint32Array.from(automaton.transitions);
  const accepting = new Uint8Array(transitions.length / automaton.classCount);
  for (const s of automaton.accepting) accepting[s] = 1;
  const k = automaton.classCount;
  const dead = automaton.dead;
  const start = automaton.start;
  const next = (state: number, byte: number): number => transitions[state * k + classOf[byte]!]!;
  return (s) => {
    let state = start;
    for (let i = 0; i < s.length && state !== dead; i++) {
      let cp = s.charCodeAt(i);
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < s.length) {
        const low = s.charCodeAt(i + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          i++;
        }
      }
      if (cp < 0x80) state = next(state, cp);
      else if (cp < 0x800) state = next(next(state, 0xc0 | (cp >> 6)), 0x80 | (cp & 0x3f));
      else if (cp < 0x10000) state = next(next(next(state, 0xe0 | (cp >> 12)), 0x80 | ((cp >> 6) & 0x3f)), 0x80 | (cp & 0x3f));
      else state = next(next(next(next(state, 0xf0 | (cp >> 18)), 0x80 | ((cp >> 12) & 0x3f)), 0x80 | ((cp >> 6) & 0x3f)), 0x80 | (cp & 0x3f));
    }
    return accepting[state] === 1;
  };
}
