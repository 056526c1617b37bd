/**
 * The compiled glob automata and the reference interpreter's glob oracle
 * (compiler/interpret/glob.ts) are two readings of the same rules: they must
 * accept the same patterns and agree on every match. A divergence here is a
 * wasm-vs-interpreter mismatch waiting to happen.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { globMatches, parseGlob } from "../../compiler/interpret/index.js";
import { compileGlob, dfaAccepts } from "../../compiler/lower/glob.js";
import { globWithSamples, inputsFor } from "./glob-arbitraries.js";

const SEED = 0x0dd;
const strict = new TextDecoder("utf-8", { fatal: true });

test("same verdict on random globs and (well-formed) subjects", () => {
  fc.assert(
    fc.property(
      globWithSamples.chain(({ glob, samples }) => fc.tuple(fc.constant(glob), fc.array(inputsFor(samples), { minLength: 1, maxLength: 8 }))),
      ([glob, inputs]) => {
        const compiled = compileGlob(glob);
        const parsed = parseGlob(glob);
        if (!compiled.ok || !parsed.ok) throw new Error(`${glob} rejected`);
        for (const bytes of inputs) {
          let subject: string;
          try {
            subject = strict.decode(bytes);
          } catch {
            continue; // request strings are well-formed; only the automaton sees raw bytes
          }
          expect(dfaAccepts(compiled.dfa, bytes), `${glob} on ${JSON.stringify(subject)}`).toBe(globMatches(parsed.tokens, subject));
        }
      },
    ),
    { seed: SEED, numRuns: 400 },
  );
});

test("same patterns accepted and rejected", () => {
  const unit = fc.constantFrom("[", "]", "!", "^", "-", "\\", "*", "?", "a", "z", "é");
  fc.assert(
    fc.property(fc.string({ unit, maxLength: 10 }), (glob) => {
      const compiled = compileGlob(glob, { maxStates: 60000 });
      expect(compiled.ok || compiled.error.kind === "syntax", glob).toBe(true);
      expect(compiled.ok, glob).toBe(parseGlob(glob).ok);
    }),
    { seed: SEED, numRuns: 3000 },
  );
});
