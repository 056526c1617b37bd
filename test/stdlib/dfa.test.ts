/**
 * The stdlib's DFA stepping, reading tables encoded by compiler/lower,
 * agrees with the reference glob matcher and with the TS walk.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import { compileGlob, dfaAccepts, encodeClassMap, encodeDfaTable, rowOffset, runDfa, type Dfa } from "../../compiler/lower/glob.js";
import { globWithSamples, inputsFor } from "../lower/glob-arbitraries.js";
import { referenceGlobMatch } from "../lower/reference-glob.js";
import { stdlibInstance, type StdlibInstance } from "./instance.js";

let lib: StdlibInstance;
beforeAll(async () => {
  lib = await stdlibInstance();
});

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function dfaOf(glob: string): Dfa {
  const result = compileGlob(glob);
  if (!result.ok) throw new Error(result.error.message);
  return result.dfa;
}

/** Writes the class map and table into scratch memory; returns the table address. */
function place(dfa: Dfa): number {
  const classMap = lib.put(encodeClassMap(dfa));
  return lib.put(encodeDfaTable(dfa, classMap), 4);
}

describe("wasm DFA stepping", () => {
  test("agrees with the reference matcher and the TS walk on random globs (fixed seed)", () => {
    fc.assert(
      fc.property(
        globWithSamples.chain(({ glob, samples }) => fc.tuple(fc.constant(glob), fc.array(inputsFor(samples), { minLength: 1, maxLength: 8 }))),
        ([glob, inputs]) => {
          lib.reset();
          const dfa = dfaOf(glob);
          const table = place(dfa);
          for (const input of inputs) {
            const at = lib.put(input, 1);
            const expected = referenceGlobMatch(glob, input);
            expect(lib.exports.dfa_matches(table, at, input.length) === 1, `${glob} on [${input}]`).toBe(expected);
            expect(dfaAccepts(dfa, input)).toBe(expected);
            // Final states agree too, not just the verdict (the table names states by row offset).
            const state = lib.exports.dfa_run(table, lib.exports.dfa_start(table), at, input.length);
            expect(state).toBe(rowOffset(dfa, runDfa(dfa, input).state));
          }
        },
      ),
      { seed: 0xdfa, numRuns: 400 },
    );
  });

  test("step by step equals a whole run, so a string can be fed in pieces", () => {
    lib.reset();
    const dfa = dfaOf("*/secrets/*.pem");
    const table = place(dfa);
    const input = utf8("/home/é/secrets/key.pem");
    let state = lib.exports.dfa_start(table);
    for (const byte of input) state = lib.exports.dfa_step(table, state, byte);
    expect(lib.exports.dfa_accepts(table, state)).toBe(1);
    const at = lib.put(input, 1);
    const half = 7;
    const mid = lib.exports.dfa_run(table, lib.exports.dfa_start(table), at, half);
    expect(lib.exports.dfa_run(table, mid, at + half, input.length - half)).toBe(state);
  });

  test("class maps can be shared between tables", () => {
    lib.reset();
    const a = dfaOf("*.md");
    const b = dfaOf("*.dm");
    const shared = lib.put(encodeClassMap(a));
    expect([...encodeClassMap(b)]).toEqual([...encodeClassMap(a)]);
    const ta = lib.put(encodeDfaTable(a, shared), 4);
    const tb = lib.put(encodeDfaTable(b, shared), 4);
    const input = utf8("x.dm");
    const at = lib.put(input);
    expect(lib.exports.dfa_matches(ta, at, input.length)).toBe(0);
    expect(lib.exports.dfa_matches(tb, at, input.length)).toBe(1);
  });

  test("a pathological glob on a long input finishes in one pass", () => {
    lib.reset();
    const dfa = dfaOf("*a*a*a*a*a*b");
    const table = place(dfa);
    const input = utf8("a".repeat(100_000));
    const at = lib.put(input);
    expect(lib.exports.dfa_matches(table, at, input.length)).toBe(0);
    lib.put(utf8("b"), 1);
    expect(lib.exports.dfa_matches(table, at, input.length + 1)).toBe(1);
  });
});
