/**
 * Golden files for the harness's exact outputs: test/fixtures/testing/expected/<name>.
 * `UPDATE_GOLDEN=1` rewrites them (review the diff: they are what users see).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";

const EXPECTED = "test/fixtures/testing/expected";

export function expectGolden(actual: string, name: string): void {
  const file = join(EXPECTED, name);
  if (process.env["UPDATE_GOLDEN"] === "1") writeFileSync(file, actual);
  expect(actual).toBe(readFileSync(file, "utf8"));
}

/** A suite file from test/fixtures/testing/suites. */
export function suite(name: string): string {
  return readFileSync(join("test/fixtures/testing/suites", name), "utf8");
}
