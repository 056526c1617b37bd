/**
 * The stdlib's string views (`view_lower`, `view_domain`, `view_normpath`)
 * and `under_base` agree with the reference interpreter's
 * (compiler/interpret/views.ts) and the compiler's (compiler/check/views.ts)
 * on random strings built from the characters the views look at, run as
 * wasm after loading through the codegen wrapper (ADR 0028).
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { applyView, isUnder, normalPath } from "../../compiler/check/index.js";
import { domainView, lowerView, normpathView, underBase } from "../../compiler/interpret/views.js";
import { stdlibInstance, type StdlibInstance } from "./instance.js";

let lib: StdlibInstance;
beforeAll(async () => {
  lib = await stdlibInstance();
});

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** Strings of path and address characters, upper and lower case, NUL, backslashes and non-ASCII. */
const subject = fc.oneof(
  fc.string({ unit: fc.constantFrom("/", ".", "a", "B", "@", "z", "Z", "\u0000", "\\", "%", "é", "İ", "K", "😀", "..", "/..", "/."), maxLength: 24 }),
  fc.string({ unit: "grapheme", maxLength: 16 }),
  fc.constantFrom("/", "//", "/..", "/../..", "/a/../..", "a/b", "", "@", "x@", "x@.", "a@b@C.COM.", "/workspace/../etc/passwd", "//workspace//x"),
);

function view(name: "view_lower" | "view_domain" | "view_normpath", s: string): string {
  lib.reset();
  const bytes = utf8(s);
  const at = lib.put(bytes, 1);
  const dst = lib.put(new Uint8Array(Math.max(1, bytes.length)), 1);
  const length = lib.exports[name](at, bytes.length, dst);
  expect(length).toBeLessThanOrEqual(bytes.length);
  return text(new Uint8Array(lib.exports.memory.buffer, dst, length));
}

function under(s: string, base: string): boolean {
  const normal = view("view_normpath", s);
  lib.reset();
  const p = lib.put(utf8(normal), 1);
  const b = lib.put(utf8(base), 1);
  return lib.exports.under_base(p, utf8(normal).length, b, utf8(base).length) === 1;
}

describe("string views: stdlib = interpreter = compiler", () => {
  it("lower", () => {
    fc.assert(fc.property(subject, (s) => {
      expect(view("view_lower", s)).toBe(lowerView(s));
      expect(lowerView(s)).toBe(applyView("lower", s));
    }), { seed: 28, numRuns: 2000 });
  });

  it("domain", () => {
    fc.assert(fc.property(subject, (s) => {
      expect(view("view_domain", s)).toBe(domainView(s));
      expect(domainView(s)).toBe(applyView("domain", s));
    }), { seed: 28, numRuns: 2000 });
  });

  it("normpath", () => {
    fc.assert(fc.property(subject, (s) => {
      expect(view("view_normpath", s)).toBe(normpathView(s));
      expect(normpathView(s)).toBe(normalPath(s));
    }), { seed: 28, numRuns: 3000 });
  });

  it("under", () => {
    const base = fc.constantFrom("/", "/workspace", "/a", "/a/b", "/é", "/..".replace("/..", "/x"));
    fc.assert(fc.property(subject, base, (s, b) => {
      expect(under(s, b)).toBe(underBase(s, b));
      expect(underBase(s, b)).toBe(isUnder(s, b));
    }), { seed: 28, numRuns: 3000 });
  });

  it("the examples of docs/language.md", () => {
    expect(normpathView("/workspace/../etc/passwd")).toBe("/etc/passwd");
    expect(underBase("/workspace/../etc/passwd", "/workspace")).toBe(false);
    expect(underBase("/workspace/./a//b/", "/workspace")).toBe(true);
    expect(underBase("/workspace", "/workspace")).toBe(true);
    expect(underBase("/workspace2/a", "/workspace")).toBe(false);
    expect(underBase("workspace/a", "/workspace")).toBe(false);
    expect(underBase("/../../workspace/a", "/workspace")).toBe(true);
    expect(underBase("/workspace/a\u0000/../../etc", "/workspace")).toBe(false);
    expect(underBase("/workspace/%2e%2e/etc", "/workspace")).toBe(true);
    expect(domainView("Bob <bob@Acme.COM.>")).toBe("acme.com.>");
    expect(domainView("bob@ACME.COM.")).toBe("acme.com");
    expect(domainView("bob")).toBe("");
    expect(lowerView("Acme/Production-Infra")).toBe("acme/production-infra");
    expect(lowerView("ÀÉÎ")).toBe("ÀÉÎ");
  });
});
