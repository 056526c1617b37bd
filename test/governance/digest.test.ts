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
