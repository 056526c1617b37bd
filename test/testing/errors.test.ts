/**
 * Errors in test files, reported exactly like policy errors (code, caret,
 * did-you-mean) before any case runs; `agp test` exits 2. One golden per
 * directory of test/fixtures/testing/errors, named `<code>-<what>`: its
 * .agp files join the deploy fixture (without its passing suite) and
 * expected.diag.txt is the exact stderr. Every AGP5xx code has one, and
 * docs/errors.md shows each AGP5xx golden as it is rendered.
 * `UPDATE_GOLDEN=1` rewrites them.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TESTING_CODES } from "../../compiler/diagnostics/codes/testing.js";
import { agp } from "./harness.js";

const ERRORS = "test/fixtures/testing/errors";
const cases = readdirSync(ERRORS).sort();

describe("test-file errors", () => {
  it.each(cases)("%s", async (name) => {
    const directory = join(ERRORS, name);
    const files: Record<string, string | null> = { "passing.test.agp": null };
    for (const file of readdirSync(directory).filter((f) => f.endsWith(".agp"))) files[file] = readFileSync(join(directory, file), "utf8");
    const run = await agp(["test"], { files });
    const expectedFile = join(directory, "expected.diag.txt");
    if (process.env["UPDATE_GOLDEN"] === "1") writeFileSync(expectedFile, run.err);
    expect(run.code).toBe(2);
    expect(run.out).toBe("");
    expect(run.err).toContain(`error ${name.slice(0, 6)}`);
    expect(run.err).toBe(readFileSync(expectedFile, "utf8"));
  });

  const testing = cases.filter((c) => c.slice(0, 6) in TESTING_CODES);

  it.each(testing)("%s is shown in docs/errors.md", (name) => {
    const expected = readFileSync(join(ERRORS, name, "expected.diag.txt"), "utf8");
    const body = expected.trimEnd().split("\n\n").slice(0, -1).join("\n\n");
    expect(readFileSync("docs/errors.md", "utf8")).toContain(body);
  });

  it("cover every AGP5xx code", () => {
    const covered = new Set(cases.map((c) => c.slice(0, 6)));
    expect(Object.keys(TESTING_CODES).filter((c) => !covered.has(c))).toEqual([]);
  });
});
