/** The shared did-you-mean helper. */
import { describe, expect, it } from "vitest";
import { closestMatch, didYouMean, editDistance } from "../../compiler/diagnostics/index.js";

describe("did you mean", () => {
  it("counts an adjacent swap as one edit", () => {
    expect(editDistance("alow", "allow")).toBe(1);
    expect(editDistance("rlue", "rule")).toBe(1);
  });

  it("suggests the closest candidate for a typo", () => {
    expect(didYouMean("alow", ["allow", "approve", "deny"])).toBe("did you mean `allow`?");
    expect(closestMatch("args.reop".split(".")[1]!, ["repo", "number"])).toBe("repo");
  });

  it("prefers a case-only difference", () => {
    expect(closestMatch("readonly", ["readOnly", "reader"])).toBe("readOnly");
  });

  it("suggests nothing when no candidate is close", () => {
    expect(didYouMean("zzz", ["allow", "approve", "deny"])).toBeUndefined();
  });

  it("never suggests the word itself", () => {
    expect(closestMatch("deny", ["deny"])).toBeUndefined();
  });
});
