/**
 * Bundle version order (SemVer 2.0.0 precedence), which downgrade
 * protection rests on: the spec's own ordering example, what is not a
 * version, and order laws over generated versions.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareVersions, parseVersion } from "../../runtime/bundle/index.js";

const v = (text: string) => {
  const parsed = parseVersion(text);
  if (parsed === undefined) throw new Error(`not a version: ${text}`);
  return parsed;
};

describe("bundle versions", () => {
  it("orders SemVer §11's example chain, and numbers of any size numerically", () => {
    const chain = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.2.0", "1.10.0", "2.0.0", "18446744073709551616.0.0"];
    for (let i = 1; i < chain.length; i++) expect(compareVersions(v(chain[i - 1]!), v(chain[i]!))).toBe(-1);
  });

  it("ignores build metadata", () => {
    expect(compareVersions(v("1.0.0+a"), v("1.0.0+b"))).toBe(0);
  });

  it("refuses what is not SemVer 2.0.0", () => {
    for (const text of ["", "1", "1.0", "v1.0.0", "01.0.0", "1.0.0-", "1.0.0-01", "1.0.0+", " 1.0.0", "1.0.0 ", "1.0.0-a..b", "latest", "9".repeat(300)]) {
      expect(parseVersion(text), text).toBeUndefined();
    }
  });

  it("is a total order: antisymmetric and transitive (generated versions)", () => {
    const id = fc.oneof(fc.nat({ max: 20 }).map(String), fc.stringMatching(/^[a-z][a-z0-9-]{0,3}$/));
    const version = fc
      .tuple(fc.nat({ max: 3 }), fc.nat({ max: 3 }), fc.nat({ max: 3 }), fc.array(id, { maxLength: 3 }))
      .map(([a, b, c, pre]) => `${a}.${b}.${c}${pre.length > 0 ? `-${pre.join(".")}` : ""}`);
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        const [x, y, z] = [v(a), v(b), v(c)];
        expect(Math.sign(compareVersions(x, y))).toBe(-Math.sign(compareVersions(y, x)) || 0);
        if (compareVersions(x, y) <= 0 && compareVersions(y, z) <= 0) expect(compareVersions(x, z)).toBeLessThanOrEqual(0);
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});
