/**
 * Canonical JSON (RFC 8785) and SHA-256: what approval binding and the audit
 * chain stand on.
 */
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { actionDigest, bindingOf, canonicalJson, digestOf, sha256Hex, toJsonSafe } from "../../runtime/governance/index.js";
import { merge } from "./harness.js";

describe("sha256Hex", () => {
  it("matches the FIPS 180-2 test vectors", () => {
    expect(sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).toBe("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  });

  it("agrees with node:crypto on any string, across block boundaries", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (text) => {
        expect(sha256Hex(text)).toBe(createHash("sha256").update(text, "utf8").digest("hex"));
      }),
      { numRuns: 100, seed: 7 },
    );
  });
});

describe("canonicalJson", () => {
  it("sorts keys by UTF-16 code units and drops whitespace (RFC 8785 §3.2.3)", () => {
    expect(canonicalJson({ b: 1, a: [true, null, "x"], "\u20ac": 1, "\r": 2, "\ud83d\ude00": 3, "\ufb33": 4 })).toBe(
      '{"\\r":2,"a":[true,null,"x"],"b":1,"\u20ac":1,"\ud83d\ude00":3,"\ufb33":4}',
    );
  });

  it("writes numbers in ECMAScript shortest form (RFC 8785 §3.2.2.3)", () => {
    expect(canonicalJson([1.0, -0, 1e21, 1e-7, 0.1 + 0.2, 333333333.3333333, 4.5])).toBe("[1,0,1e+21,1e-7,0.30000000000000004,333333333.3333333,4.5]");
  });

  it("the same value in any key order gives the same text", () => {
    expect(canonicalJson({ x: { b: 2, a: 1 }, y: 0 })).toBe(canonicalJson({ y: 0, x: { a: 1, b: 2 } }));
  });

  it("refuses what JSON cannot carry, saying where", () => {
    expect(() => canonicalJson({ a: { b: Number.NaN } })).toThrow("`a.b` is NaN, which JSON cannot represent");
    expect(() => canonicalJson({ s: "x\ud800" })).toThrow("`s` is not well-formed Unicode (a lone surrogate)");
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow("`self` contains itself");
  });

  // The fast path (JSON.stringify with one sorted property list) must write exactly what RFC 8785 says, or hand over.
  it("writes exactly the RFC 8785 text of any JSON value, with keys a property list could get wrong", () => {
    const key = fc.oneof(
      fc.string({ maxLength: 4 }),
      fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty", "0", "1", "10", "9", "-1", "01", "4294967295", "\ud800x", "\\ud800"),
      fc.string({ unit: "binary", maxLength: 3 }),
    );
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.constantFrom(null, true, false, -0, 1e21, 1e-7, 0.1),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.string({ unit: "binary", maxLength: 6 }),
        fc.array(tie("value"), { maxLength: 4 }),
        fc.array(fc.tuple(key, tie("value")), { maxLength: 5 }).map((pairs) => {
          const o: Record<string, unknown> = {};
          for (const [k, v] of pairs) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
          return o;
        }),
      ),
    })).value;
    fc.assert(
      fc.property(json, (value) => {
        let expected: string;
        try {
          expected = oracle(value);
        } catch {
          expect(() => canonicalJson(value)).toThrow(/lone surrogate/);
          return;
        }
        expect(canonicalJson(value)).toBe(expected);
      }),
      { numRuns: 3000, seed: 1905 },
    );
  });

  it("hands values JSON.stringify would write differently to the careful writer", () => {
    class Point {
      constructor(readonly x: number) {}
    }
    expect(() => canonicalJson({ p: new Point(1) })).not.toThrow();
    expect(canonicalJson({ p: new Point(1) })).toBe('{"p":{"x":1}}');
    expect(() => canonicalJson({ d: { toJSON: () => 5, a: 1 } })).toThrow("`d.toJSON` is a function, which JSON cannot represent");
    expect(() => canonicalJson({ a: [1, undefined] })).toThrow("`a[1]` is undefined");
    expect(() => canonicalJson({ f: () => 1 })).toThrow("`f` is a function, which JSON cannot represent");
    const polluted = Object.prototype as Record<string, unknown>;
    Object.defineProperty(polluted, "leak", { value: "from the prototype", configurable: true, enumerable: false, writable: true });
    try {
      expect(canonicalJson({ a: { leak: 1 }, b: {} })).toBe('{"a":{"leak":1},"b":{}}');
    } finally {
      delete polluted["leak"];
    }
  });

  it("toJsonSafe makes anything writable without throwing", () => {
    expect(canonicalJson(toJsonSafe({ a: Number.POSITIVE_INFINITY, s: "x\ud800", f: () => 1, u: [undefined] }))).toBe('{"a":null,"f":"[function]","s":"x\ufffd","u":[null]}');
  });
});

describe("the approval digest", () => {
  const digest = (request: unknown, version = "1.0.0") => actionDigest(bindingOf(request, version)!);

  it("binds action, exact args, agent, human, env and bundle version — not context or key order", () => {
    const base = digest(merge(1));
    expect(digest(merge(2))).not.toBe(base);
    expect(digest(merge(1, { agent: { id: "other", groups: [], trust: 2 } }))).not.toBe(base);
    expect(digest(merge(1, { human: { id: "alice", groups: [], roles: [] } }))).not.toBe(base);
    expect(digest(merge(1, { env: "staging" }))).not.toBe(base);
    expect(digest(merge(1), "1.0.1")).not.toBe(base);
    expect(digest(merge(1, { context: { reasoning: "something else" } }))).toBe(base);
    expect(digest({ ...merge(1), args: { number: 1, repo: "acme/infra" } })).toBe(base);
    expect(base).toBe(digestOf({ action: "github.pull_request.merge", args: { repo: "acme/infra", number: 1 }, agent: "ci-fixer", human: null, env: "production", policyVersion: "1.0.0" }));
  });

  it("a request without an agent id or action cannot be bound", () => {
    expect(bindingOf({ action: "x", args: {} }, "1")).toBeUndefined();
    expect(bindingOf(null, "1")).toBeUndefined();
    expect(bindingOf({ agent: { id: "a" }, action: "x", human: { name: "no id" } }, "1")).toBeUndefined();
  });
});

/** RFC 8785 written the plain way, for the property test: own keys sorted by UTF-16 code units, JSON.stringify for scalars. */
function oracle(value: unknown): string {
  if (typeof value === "string") {
    if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value)) throw new Error("lone surrogate");
    return JSON.stringify(value);
  }
  if (typeof value !== "object" || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(oracle).join(",")}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .sort()
    .map((k) => `${oracle(k)}:${oracle(record[k])}`)
    .join(",")}}`;
}

