/**
 * The reference glob matcher (`matches`): the oracle the code generator's
 * automata are tested against, so every rule of docs/language.md is pinned here.
 */
import { describe, expect, it } from "vitest";
import { globMatches, parseGlob } from "../../compiler/interpret/index.js";

function matches(pattern: string, subject: string): boolean {
  const parsed = parseGlob(pattern);
  if (!parsed.ok) throw new Error(`malformed test pattern ${pattern}: ${parsed.message}`);
  return globMatches(parsed.tokens, subject);
}

describe("glob matching", () => {
  it("anchors at both ends: literals match only themselves", () => {
    expect(matches("abc", "abc")).toBe(true);
    expect(matches("abc", "abcd")).toBe(false);
    expect(matches("abc", "xabc")).toBe(false);
    expect(matches("", "")).toBe(true);
    expect(matches("", "a")).toBe(false);
  });

  it("`*` matches any run, including none and including `/`", () => {
    expect(matches("rm -rf /*", "rm -rf /")).toBe(true);
    expect(matches("rm -rf /*", "rm -rf /home/user")).toBe(true);
    expect(matches("rm -rf /*", "rm -r /home")).toBe(false);
    expect(matches("*.txt", "a/b/c.txt")).toBe(true);
    expect(matches("a*b*c", "abc")).toBe(true);
    expect(matches("a*b*c", "axxbyyc")).toBe(true);
    expect(matches("a*b*c", "axxbyy")).toBe(false);
    expect(matches("*", "")).toBe(true);
  });

  it("`?` matches exactly one code point, also outside the BMP", () => {
    expect(matches("a?c", "abc")).toBe(true);
    expect(matches("a?c", "ac")).toBe(false);
    expect(matches("a?c", "abbc")).toBe(false);
    expect(matches("a?c", "a😀c")).toBe(true);
    expect(matches("??", "😀")).toBe(false);
  });

  it("classes: sets, ranges, negation with `!`", () => {
    expect(matches("[abc]x", "bx")).toBe(true);
    expect(matches("[abc]x", "dx")).toBe(false);
    expect(matches("v[0-9]", "v7")).toBe(true);
    expect(matches("v[0-9]", "va")).toBe(false);
    expect(matches("[!0-9]*", "abc")).toBe(true);
    expect(matches("[!0-9]*", "1bc")).toBe(false);
    expect(matches("[a-cx-z]", "y")).toBe(true);
    expect(matches("[a-cx-z]", "m")).toBe(false);
  });

  it("inside a class, `-` first or last is literal and `^` is an ordinary member", () => {
    expect(matches("[-a]", "-")).toBe(true);
    expect(matches("[a-]", "-")).toBe(true);
    expect(matches("[a-]", "b")).toBe(false);
    expect(matches("[^a]", "^")).toBe(true);
    expect(matches("[^a]", "b")).toBe(false);
  });

  it("`\\` escapes the next character, in and out of classes", () => {
    expect(matches("a\\*", "a*")).toBe(true);
    expect(matches("a\\*", "ab")).toBe(false);
    expect(matches("\\?", "?")).toBe(true);
    expect(matches("\\[x]", "[x]")).toBe(true);
    expect(matches("[\\]]", "]")).toBe(true);
    expect(matches("\\\\", "\\")).toBe(true);
  });

  it("is case-sensitive", () => {
    expect(matches("Deploy*", "deploy-api")).toBe(false);
  });

  it("stays fast on patterns that make naive backtracking explode", () => {
    const subject = "a".repeat(2000);
    const started = Date.now();
    expect(matches("*a*a*a*a*a*a*a*a*b", subject)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("rejects malformed patterns with a reason", () => {
    expect(parseGlob("[abc")).toEqual({ ok: false, message: "a `[` class is not closed with `]`" });
    expect(parseGlob("[]")).toEqual({ ok: false, message: "a `[]` class is empty" });
    expect(parseGlob("[!]")).toEqual({ ok: false, message: "a `[]` class is empty" });
    expect(parseGlob("a\ud800")).toEqual({ ok: false, message: "the pattern contains a lone surrogate" });
    expect(parseGlob("[z-a]")).toEqual({ ok: false, message: "the range `z-a` is reversed" });
    expect(parseGlob("abc\\")).toEqual({ ok: false, message: "the pattern ends with a lone `\\`" });
  });
});
