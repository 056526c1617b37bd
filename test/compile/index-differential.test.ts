/**
 * Differential for the indexes (ADR 0033): policies that put many rules of
 * each shape on one action (test/compile/generate-indexed.ts) compiled and
 * run through the runtime, against the reference interpreter (which never
 * indexes), decision for decision, on requests that often match many rules
 * at once. The generated policies must between them form every kind of
 * index, top-level and per item, so no index goes unchecked. Fixed seeds in
 * the suite; AGP_DIFF_SEEDS=n runs n more policies.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateIndexed, indexedRequest, INDEX_CATALOG } from "./generate-indexed.js";
import { checkText, pairOf, type Pair } from "./harness.js";

const EXTRA = Number(process.env["AGP_DIFF_SEEDS"] ?? 0);
const POLICIES = 36 + EXTRA;
const REQUESTS = 70;

function agree(pair: Pair, seed: number, runs: number): number {
  let matchedMany = 0;
  fc.assert(
    fc.property(indexedRequest(), (request) => {
      const expected = pair.interpreter.decide(request as never);
      const actual = pair.engine.decide(request as never);
      expect(actual, JSON.stringify(request)).toEqual(expected);
      if (expected.rules.length > 2) matchedMany++;
    }),
    { seed, numRuns: runs },
  );
  return matchedMany;
}

describe("differential: every index against the interpreter", () => {
  it(`agrees on ${POLICIES} generated indexed policies × ${REQUESTS} requests`, () => {
    const kinds = new Set<string>();
    let many = 0;
    for (let seed = 1; seed <= POLICIES; seed++) {
      const text = generateIndexed(seed);
      const { checked, catalogs } = checkText({ "ix.agp": text }, { "ix.json": INDEX_CATALOG });
      const pair = pairOf(checked, catalogs);
      for (const action of pair.compiled.ir.actions) {
        for (const side of [action.agent, action.human]) for (const index of side.indexes) kinds.add(`${index.kind}${index.array === undefined ? "" : " per item"}`);
      }
      try {
        many += agree(pair, seed, REQUESTS);
      } catch (error) {
        throw new Error(`policy seed ${seed}:\n${text}\n${error instanceof Error ? error.message : String(error)}`);
      }
    }
    expect([...kinds].sort()).toEqual(
      expect.arrayContaining(["infix", "infix per item", "num", "num per item", "prefix", "prefix per item", "range", "range per item", "suffix", "sym", "sym per item"]),
    );
    // Requests that match several rules at once are common, not an accident.
    expect(many).toBeGreaterThan(POLICIES * 3);
  }, 180_000 + EXTRA * 4_000);
});
