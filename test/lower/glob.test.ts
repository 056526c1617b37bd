/**
 * Globs compile to minimal DFAs that agree with a straightforward matcher,
 * read each byte at most once, and report bad patterns as values.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { compileGlob, dfaAccepts, escapeGlob, runDfa, type Dfa } from "../../compiler/lower/glob.js";
import { globWithSamples, inputsFor } from "./glob-arbitraries.js";
import { referenceGlobMatch } from "./reference-glob.js";

const SEED = 0x5eed;
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function dfaOf(glob: string): Dfa {
  const result = compileGlob(glob);
  if (!result.ok) throw new Error(`${glob}: ${result.error.message}`);
  return result.dfa;
}

const matches = (glob: string, input: string): boolean => dfaAccepts(dfaOf(glob), utf8(input));

describe("glob semantics", () => {
  test("`*` matches any run of characters, including `/` and nothing", () => {
    expect(matches("rm -rf /*", "rm -rf /")).toBe(true);
    expect(matches("rm -rf /*", "rm -rf /home/alice")).toBe(true);
    expect(matches("rm -rf /*", "rm -rf ./build")).toBe(false);
    expect(matches("*.md", "docs/README.md")).toBe(true);
    expect(matches("*.md", "README.mdx")).toBe(false);
  });

  test("`?` matches exactly one code point, however many bytes it takes", () => {
    for (const ch of ["a", "é", "€", "😀"]) expect(matches("x?y", `x${ch}y`)).toBe(true);
    expect(matches("x?y", "xy")).toBe(false);
    expect(matches("x?y", "xaby")).toBe(false);
    expect(matches("x??y", "x😀y")).toBe(false); // one code point, not two UTF-16 units
  });

  test("`?` does not match a byte that is not a whole UTF-8 character", () => {
    const dfa = dfaOf("x?y");
    expect(dfaAccepts(dfa, Uint8Array.of(0x78, 0xc3, 0x79))).toBe(false); // truncated é
    expect(dfaAccepts(dfa, Uint8Array.of(0x78, 0xc0, 0x80, 0x79))).toBe(false); // overlong NUL
    expect(dfaAccepts(dfa, Uint8Array.of(0x78, 0xed, 0xa0, 0x80, 0x79))).toBe(false); // surrogate
  });

  test("classes: members, ranges by code point, negation with `!`", () => {
    expect(matches("[abc]", "b")).toBe(true);
    expect(matches("[abc]", "d")).toBe(false);
    expect(matches("v[0-9].[0-9]", "v1.2")).toBe(true);
    expect(matches("v[0-9].[0-9]", "vx.2")).toBe(false);
    expect(matches("[à-ÿ]", "é")).toBe(true);
    expect(matches("[à-ÿ]", "e")).toBe(false);
    expect(matches("[!a]", "b")).toBe(true);
    expect(matches("[!a]", "😀")).toBe(true);
    expect(matches("[!a]", "a")).toBe(false);
    expect(matches("[^a]", "a")).toBe(true); // `^` is an ordinary character (ADR 0006)
    expect(matches("[^a]", "^")).toBe(true);
    expect(matches("[^a]", "b")).toBe(false);
    expect(matches("[!a]", "")).toBe(false);
  });

  test("`-` first or last is literal; `]` ends a class unless escaped; `\\` escapes everywhere", () => {
    expect(matches("[\\]a]", "]")).toBe(true);
    expect(matches("[a]]", "a]")).toBe(true); // the second `]` is a literal outside the class
    expect(matches("[a-]", "-")).toBe(true);
    expect(matches("[-a]", "-")).toBe(true);
    expect(matches("[\\]]", "]")).toBe(true);
    expect(matches("\\*", "*")).toBe(true);
    expect(matches("\\*", "a")).toBe(false);
    expect(matches("a\\?", "a?")).toBe(true);
    expect(matches("\\[x]", "[x]")).toBe(true);
  });

  test("matching is byte-wise and case-sensitive", () => {
    expect(matches("README*", "readme.md")).toBe(false);
  });
});

describe("glob DFA agrees with the reference matcher", () => {
  test("on random globs and inputs (fixed seed)", () => {
    fc.assert(
      fc.property(
        globWithSamples.chain(({ glob, samples }) => fc.tuple(fc.constant(glob), fc.array(inputsFor(samples), { minLength: 1, maxLength: 8 }))),
        ([glob, inputs]) => {
          const dfa = dfaOf(glob);
          for (const input of inputs) expect(dfaAccepts(dfa, input), `${glob} on [${input}]`).toBe(referenceGlobMatch(glob, input));
        },
      ),
      { seed: SEED, numRuns: 400 },
    );
  });

  test("matches happen in the generated cases (the property is not vacuous)", () => {
    let matched = 0;
    let total = 0;
    fc.assert(
      fc.property(globWithSamples.chain(({ glob, samples }) => fc.tuple(fc.constant(glob), inputsFor(samples))), ([glob, input]) => {
        total++;
        if (referenceGlobMatch(glob, input)) matched++;
      }),
      { seed: SEED, numRuns: 400 },
    );
    expect(matched / total).toBeGreaterThan(0.15);
    expect(matched / total).toBeLessThan(0.85);
  });
});

describe("literal text as a glob", () => {
  test("escapeGlob matches exactly the text; `*` around it is `contains` in one pass", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("a", "*", "?", "[", "]", "\\", "!", "-", "é"), maxLength: 8 }), fc.string({ unit: fc.constantFrom("a", "*", "?", "[", "]", "\\", "é"), maxLength: 12 }), (needle, hay) => {
        expect(dfaAccepts(dfaOf(escapeGlob(needle)), utf8(hay))).toBe(hay === needle);
        expect(dfaAccepts(dfaOf(`*${escapeGlob(needle)}*`), utf8(hay))).toBe(hay.includes(needle));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});

describe("bounded time", () => {
  test("a pathological glob reads each byte once (linear steps, no backtracking)", () => {
    const dfa = dfaOf("*a*a*a*a*a*b");
    expect(dfa.stateCount).toBeLessThanOrEqual(7);
    for (const n of [10, 100, 1000, 10000, 100_000]) {
      const input = utf8("a".repeat(n));
      const run = runDfa(dfa, input);
      expect(run.steps).toBe(n);
      expect(dfa.accepting[run.state]).toBe(0);
      expect(runDfa(dfa, utf8("a".repeat(n) + "b")).steps).toBe(n + 1);
      expect(dfaAccepts(dfa, utf8("a".repeat(n) + "b"))).toBe(n >= 5);
    }
  });

  test("a run stops at the dead state: no more steps than bytes, often fewer", () => {
    const dfa = dfaOf("abc*");
    expect(dfa.dead).toBeGreaterThanOrEqual(0);
    expect(runDfa(dfa, utf8("x".repeat(1000))).steps).toBe(1);
  });

  test("minimal automata: equivalent globs give the same DFA", () => {
    const a = dfaOf("a**b");
    const b = dfaOf("a*b");
    expect(a.stateCount).toBe(b.stateCount);
    expect([...a.transitions]).toEqual([...b.transitions]);
    expect(dfaOf("*.md").stateCount).toBe(4); // start/seen-`.`/seen-`.m`/accept, no dead state
    expect(dfaOf("*.md").dead).toBe(-1);
  });

  test("an automaton over the state cap is a `too-complex` result, not a throw", () => {
    const result = compileGlob("*a??????????????????");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe("too-complex");
    expect(result.error.message).toBe("glob `*a??????????????????` is too complex: its automaton needs more than 1024 states");
    expect(compileGlob("*a????", { maxStates: 16 }).ok).toBe(false);
    expect(compileGlob("*a????", { maxStates: 4096 }).ok).toBe(true);
  });

  test("a table over 64 KB is `too-complex` too, even under the state cap", () => {
    // A long literal over every printable ASCII character: ~380 states × ~95 classes.
    const printable = Array.from({ length: 94 }, (_, i) => String.fromCharCode(0x21 + i));
    const literal = printable.map((c) => ("*?[\\".includes(c) ? `\\${c}` : c)).join("").repeat(4);
    const result = compileGlob(literal);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe("too-complex");
    expect(result.error.message).toMatch(/needs \d+ states × \d+ character classes, over the 64 KB table limit$/);
    expect(compileGlob(printable.map((c) => ("*?[\\".includes(c) ? `\\${c}` : c)).join("")).ok).toBe(true);
  });
});

describe("bad globs are error results in the author's terms", () => {
  const error = (glob: string) => {
    const result = compileGlob(glob);
    if (result.ok) throw new Error(`${glob} compiled`);
    return result.error;
  };

  test("unclosed `[`", () => {
    expect(error("src/[abc")).toMatchObject({
      kind: "syntax",
      message: "unclosed `[` in glob",
      help: "close the class with `]`, or write `\\[` to match a `[`",
      offset: 4,
      length: 1,
    });
  });

  test("empty class", () => {
    expect(error("a[]")).toMatchObject({ message: "empty class `[]` in glob", offset: 1, length: 2 });
    expect(error("[!]b")).toMatchObject({ message: "empty class `[!]` in glob", offset: 0, length: 3 });
  });

  test("trailing backslash", () => {
    expect(error("abc\\")).toMatchObject({ message: "glob ends with a lone `\\`", offset: 3, length: 1 });
    expect(error("[a\\").kind).toBe("syntax");
  });

  test("reversed range", () => {
    expect(error("x[z-a]")).toMatchObject({
      message: "`z-a` is an empty range in a glob class",
      help: "write the lower end first: `a-z`",
      offset: 2,
      length: 3,
    });
  });

  test("unpaired surrogate", () => {
    expect(error("a\ud800").message).toContain("unpaired surrogate `\\uD800`");
  });

  test("never throws on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("[", "]", "!", "^", "-", "\\", "*", "?", "a", "é", "\ud800") }), (glob) => {
        const result = compileGlob(glob);
        if (!result.ok) expect(typeof result.error.message).toBe("string");
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});
