/**
 * Fail closed through the compiled module: the shared refusal cases
 * (test/support/refusal-cases.ts), which the reference interpreter runs too.
 */
import { describe, expect, it } from "vitest";
import { refusalCases } from "../support/refusal-cases.js";
import { openEngine } from "./harness.js";

const open = openEngine();

describe("runtime request validation", () => {
  refusalCases(open);

  it("carries the policy hash and version even when refusing", () => {
    expect(open.decide(null).policy).toEqual({ hash: "sha256:test", version: "1.0.0" });
  });
});
