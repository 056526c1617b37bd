/**
 * Golden-file helpers for the syntax tests: read a fixture, compare with its
 * expected file, rewrite expected files under UPDATE_GOLDEN=1.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";

export const UPDATE = process.env["UPDATE_GOLDEN"] === "1";

/** Sub-directories of `dir`, sorted. */
export function fixtureDirs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** Asserts `actual` equals the golden file (rewriting it under UPDATE_GOLDEN=1). */
export function expectGolden(path: string, actual: string): void {
  if (UPDATE) writeFileSync(path, actual);
  expect(existsSync(path), `${path} is missing: run with UPDATE_GOLDEN=1`).toBe(true);
  expect(actual).toBe(readFileSync(path, "utf8"));
}

export function read(dir: string, name: string): string {
  return readFileSync(join(dir, name), "utf8");
}
