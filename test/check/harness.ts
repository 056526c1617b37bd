/**
 * Runs the checker on policy texts the way `agp check` does: the texts and
 * the fixture catalogs (test/fixtures/check/catalogs) are written to a fresh
 * directory, which is the working directory, so file names in the rendered
 * output are short and stable ("policy.agp", "demo.json").
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { checkPaths, type CheckPathsResult } from "../../compiler/check/index.js";
import { renderDiagnostics } from "../../compiler/diagnostics/index.js";

export const CATALOGS = resolve("test/fixtures/check/catalogs");

/** The usual head of a test policy: the demo package and catalog. */
export const HEADER = 'package demo\nactions "demo.json"\n\n';

export interface RunOptions {
  readonly strict?: boolean;
  readonly groups?: readonly string[];
}

export async function runCheck(files: Readonly<Record<string, string>>, options: RunOptions = {}): Promise<CheckPathsResult> {
  const directory = mkdtempSync(join(tmpdir(), "agp-check-"));
  try {
    cpSync(CATALOGS, directory, { recursive: true });
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(directory, name)), { recursive: true });
      writeFileSync(join(directory, name), text);
    }
    return await checkPaths(["."], { cwd: directory, ...options });
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** The rendered diagnostics whose code is in `codes` (all when absent). */
export function rendered(result: CheckPathsResult, codes?: readonly string[]): string {
  const shown = codes === undefined ? result.diagnostics : result.diagnostics.filter((d) => codes.includes(d.code));
  return renderDiagnostics(shown, result.sources);
}

/** Checks one policy (the demo header prepended) and returns its diagnostics' codes. */
export async function codesOf(body: string, options: RunOptions = {}): Promise<string[]> {
  const result = await runCheck({ "policy.agp": HEADER + body }, options);
  return result.diagnostics.map((d) => d.code);
}
