/**
 * Golden files: each test/format/fixtures/<name>/input.agp formats to
 * exactly expected.agp, and expected.agp is a fixed point. The inputs are
 * whole files written the way people write in a hurry (one-line rules,
 * clauses in any order, extra parentheses, stray blank lines, comments
 * everywhere). `UPDATE_GOLDEN=1` rewrites expected.agp; a fixture folder
 * without input.agp fails the run.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { format } from "../../compiler/format/index.js";

const root = join("test", "format", "fixtures");
const names = readdirSync(root, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const update = process.env["UPDATE_GOLDEN"] === "1";

describe("format fixtures", () => {
  it("exist, each with an input", () => {
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => !existsSync(join(root, name, "input.agp")))).toEqual([]);
  });

  it.each(names)("%s formats to expected.agp", (name) => {
    const input = join(root, name, "input.agp");
    const golden = join(root, name, "expected.agp");
    const result = format(readFileSync(input, "utf8"), input);
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    if (update) writeFileSync(golden, result.text);
    expect(result.text).toBe(readFileSync(golden, "utf8"));
    expect(format(result.text, golden).changed).toBe(false);
  });
});
