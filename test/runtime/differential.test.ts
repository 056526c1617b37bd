/**
 * Differential: the runtime against the reference interpreter on the same
 * catalogs, for valid and mangled requests and runtime states. With a
 * policy that allows every action, every difference is a difference in
 * validation, state handling or finishing: the decisions must be equal,
 * texts, codes and paths included. Fixed seed.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { policy } from "../interpret/harness.js";
import { arbitraryRequest } from "../interpret/arbitrary-request.js";
import { CATALOGS, openEngine } from "./harness.js";

const reference = policy(`
rule any_aws: allow aws.*
rule any_deploy: allow deploy.*
rule any_github: allow github.*
rule any_shell: allow shell.*
`);
const runtime = openEngine();

const odd = fc.oneof(
  fc.constantFrom(null, undefined, true, 0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "", "x", "\ud800", "😀", [], {}, [1], { a: 1 }, "x".repeat(300)),
  fc.string({ maxLength: 80 }),
  fc.integer(),
  fc.double(),
  fc.anything({ maxDepth: 2 }),
);

type Json = Record<string, unknown> | unknown[];

/** Every (container, key) in a value, the root included as ["", root]. */
function places(value: unknown, into: [Json, string | number][] = []): [Json, string | number][] {
  if (Array.isArray(value)) value.forEach((v, i) => (into.push([value, i]), places(v, into)));
  else if (typeof value === "object" && value !== null) for (const [k, v] of Object.entries(value)) into.push([value as Json, k]), places(v, into);
  return into;
}

/** A request with one change: a value replaced, a key deleted or added. */
const mangled = fc
  .tuple(arbitraryRequest(CATALOGS), fc.nat(), fc.constantFrom("replace", "delete", "add"), odd, fc.constantFrom("extra", "force", "zz", "a b", "__proto__x", "trust", "id"))
  .map(([request, pick, how, value, key]) => {
    const copy = structuredClone(request);
    const all = places(copy);
    const [container, at] = all[pick % Math.max(1, all.length)] ?? [copy, "agent"];
    if (how === "replace") (container as Record<string | number, unknown>)[at] = value;
    else if (how === "delete") {
      if (Array.isArray(container)) container.splice(at as number, 1);
      else delete (container as Record<string, unknown>)[at];
    } else {
      const target = (container as Record<string | number, unknown>)[at];
      if (typeof target === "object" && target !== null && !Array.isArray(target)) (target as Record<string, unknown>)[key] = value;
      else (copy as Record<string, unknown>)[key] = value;
    }
    return copy;
  });

const state = fc.option(
  fc.record(
    {
      trust: fc.oneof(fc.integer({ min: -1, max: 5 }), odd),
      counters: fc.oneof(fc.dictionary(fc.constantFrom("a", "b c"), fc.oneof(fc.nat(), odd)), odd),
      approvals: fc.oneof(fc.array(fc.record({ id: fc.oneof(fc.string({ maxLength: 3 }), odd), groups: fc.oneof(fc.array(fc.string({ maxLength: 3 })), odd) })), odd),
      killed: fc.oneof(
        fc.array(fc.oneof(fc.constantFrom("global", "aws", "shell", "ci-fixer", "nobody"), fc.record({ env: fc.oneof(fc.constantFrom("production", "Production", "dev"), odd), action: fc.oneof(fc.constantFrom("aws.*", "shell.exec", "aws.ec2.*", "*", "deploy"), odd) }, { requiredKeys: [] }))),
        odd,
      ),
      rates: fc.oneof(fc.dictionary(fc.constantFrom("success", "failure", "rollback", "violation", "speed"), fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), odd)), odd),
      kill: odd,
    },
    { requiredKeys: [] },
  ),
  { nil: undefined },
);

describe("runtime vs reference interpreter", () => {
  it("valid requests: the same decision", () => {
    fc.assert(
      fc.property(arbitraryRequest(CATALOGS), (request) => {
        const expected = reference.decide(request);
        expect(expected.effect).toBe("allow");
        expect(runtime.decide(request)).toEqual(expected);
        expect(JSON.stringify(runtime.decide(request))).toBe(JSON.stringify(expected));
      }),
      { seed: 20261121, numRuns: 500 },
    );
  });

  it("mangled requests: the same decision, the same error text, code and path", () => {
    const codes = new Set<string>();
    fc.assert(
      fc.property(mangled, (request) => {
        const decision = runtime.decide(request);
        codes.add(decision.error?.code ?? decision.effect);
        expect(JSON.stringify(decision)).toBe(JSON.stringify(reference.decide(request)));
      }),
      { seed: 20261121, numRuns: 3000 },
    );
    // The mangling reaches every kind of refusal (else this test proves little).
    for (const code of ["allow", "wrong_type", "missing_field", "unknown_field", "too_long", "out_of_range", "not_in_enum", "invalid_string", "unknown_action"]) {
      expect(codes).toContain(code);
    }
  });

  it("runtime states, valid or not: the same decision", () => {
    fc.assert(
      fc.property(arbitraryRequest(CATALOGS), state, (request, s) => {
        expect(JSON.stringify(runtime.decide(request, s as never))).toBe(JSON.stringify(reference.decide(request, s as never)));
      }),
      { seed: 20261121, numRuns: 2000 },
    );
  });
});
