/**
 * Every example policy checks clean under --strict: the examples are what
 * users copy. AGP305 (actions no rule mentions) is reported only and may
 * remain; nothing else may.
 */
import { describe, expect, it } from "vitest";
import { checkPaths } from "../../compiler/check/index.js";
import { renderDiagnostics } from "../../compiler/diagnostics/index.js";

describe("examples", () => {
  it("check clean under --strict", async () => {
    const result = await checkPaths(["examples"], { strict: true });
    const problems = result.diagnostics.filter((d) => d.code !== "AGP305");
    expect(renderDiagnostics(problems, result.sources)).toBe("");
    expect(result.files.length).toBeGreaterThanOrEqual(3);
    expect(result.checked).toBeDefined();
    expect(result.diagnostics.every((d) => d.severity === "warning")).toBe(true);
  });
});
