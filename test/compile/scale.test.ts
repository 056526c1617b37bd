/**
 * Compiling at scale (issue 19, ADR 0034): conditions of thousands of
 * tests compile (no stack overflow, no superlinear optimizer time on one
 * huge function) and decide as the reference interpreter does. The policy
 * a user writes here — one rule over a 10,000-literal set, or hundreds of
 * `==` joined by `or` — used to crash the compiler or take minutes.
 * No timing is asserted; the suite's timeout is the only clock.
 */
import { describe, expect, it } from "vitest";
import { checkText, pairOf } from "./harness.js";

const CATALOG = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  family: "big",
  actions: {
    call: {
      args: {
        type: "object",
        properties: { s: { type: "string", maxLength: 64 }, n: { type: "integer" }, list: { type: "array", items: { type: "string", maxLength: 32 }, maxItems: 8 } },
        required: ["s", "n", "list"],
        additionalProperties: false,
      },
    },
  },
};

const request = (args: Record<string, unknown>) => ({ agent: { id: "a", groups: [], trust: 1 }, action: "big.call", args, env: "production", context: {} });

function pairFor(when: string) {
  const { checked, catalogs } = checkText({ "big.agp": `package big\nactions "big.json"\n\nrule huge:\n  allow big.call\n  when ${when}\n` }, { "big.json": CATALOG });
  return pairOf(checked, catalogs);
}

describe("compiling at scale", () => {
  it("a quantifier over a 10,000-literal set compiles and agrees with the interpreter", () => {
    const literals = Array.from({ length: 10_000 }, (_, i) => `"p-${String(i)}/"`).join(", ");
    const pair = pairFor(`any p in {${literals}}: args.s startsWith p`);
    for (const s of ["p-0/x", "p-9999/y", "p-10000/z", "q-1/", "p-5000", ""]) {
      const r = request({ s, n: 0, list: [] });
      expect(pair.engine.decide(r as never), s).toEqual(pair.interpreter.decide(r as never));
    }
    expect(pair.engine.decide(request({ s: "p-9999/y", n: 0, list: [] }) as never).effect).toBe("allow");
  });

  it("thousands of equalities joined by `or` (one set test) and hundreds of membership tests compile and agree with the interpreter", () => {
    const numbers = Array.from({ length: 3000 }, (_, i) => `args.n == ${String(i * 3)}`).join(" or ");
    const strings = Array.from({ length: 200 }, (_, i) => `"g-${String(i)}" in args.list`).join(" or ");
    const pair = pairFor(`(${numbers}) and not (${strings})`);
    for (const [n, list] of [[0, []], [8997, ["x"]], [8998, []], [3, ["g-199"]], [-3, []], [6, ["g-200", "g-0"]]] as const) {
      const r = request({ s: "", n, list });
      expect(pair.engine.decide(r as never), `${String(n)} ${JSON.stringify(list)}`).toEqual(pair.interpreter.decide(r as never));
    }
    expect(pair.engine.decide(request({ s: "", n: 8997, list: ["x"] }) as never).effect).toBe("allow");
  });
});
