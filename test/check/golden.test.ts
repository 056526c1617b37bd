/**
 * One golden test per AGP2xx/AGP3xx code: each directory under
 * test/fixtures/check/golden is named `<code>-<what>` and holds .agp files
 * (and optionally options.json: { strict, groups }) plus expected.diag.txt,
 * the exact rendered text of the diagnostics of that code. Every other
 * diagnostic of the run must be a warning, so a golden never hides an
 * unexpected error, and docs/errors.md shows each one as it is rendered.
 * `UPDATE_GOLDEN=1` rewrites the expected files (then update docs/errors.md).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHECK_CODES } from "../../compiler/diagnostics/codes/check.js";
import { rendered, runCheck, type RunOptions } from "./harness.js";

const GOLDEN = "test/fixtures/check/golden";
const cases = readdirSync(GOLDEN).sort();

describe("golden diagnostics", () => {
  it.each(cases)("%s", async (name) => {
    const code = name.slice(0, 6);
    const directory = join(GOLDEN, name);
    const files: Record<string, string> = {};
    for (const file of readdirSync(directory).filter((f) => f.endsWith(".agp"))) {
      files[file] = readFileSync(join(directory, file), "utf8");
    }
    const optionsFile = join(directory, "options.json");
    const options = existsSync(optionsFile) ? (JSON.parse(readFileSync(optionsFile, "utf8")) as RunOptions) : {};
    const result = await runCheck(files, options);
    const actual = rendered(result, [code]);
    const expectedFile = join(directory, "expected.diag.txt");
    if (process.env["UPDATE_GOLDEN"] === "1") writeFileSync(expectedFile, actual);
    expect(actual).toContain(code);
    expect(actual).toBe(readFileSync(expectedFile, "utf8"));
    const unexpected = result.diagnostics.filter((d) => d.code !== code && d.severity === "error");
    expect(unexpected.map((d) => `${d.code}: ${d.message}`)).toEqual([]);
  });

  it.each(cases)("%s is shown in docs/errors.md", (name) => {
    const expected = readFileSync(join(GOLDEN, name, "expected.diag.txt"), "utf8");
    const body = expected.trimEnd().split("\n\n").slice(0, -1).join("\n\n");
    expect(readFileSync("docs/errors.md", "utf8")).toContain(body);
  });

  it("cover every check code, and only known codes", () => {
    const covered = new Set(cases.map((c) => c.slice(0, 6)));
    expect(Object.keys(CHECK_CODES).filter((c) => !covered.has(c))).toEqual([]);
    expect([...covered].filter((c) => !(c in CHECK_CODES))).toEqual([]);
  });
});
