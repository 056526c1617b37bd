/**
 * Where the repository is, from bench sources run by vitest (bench/…) or
 * compiled by `npm run bench` (dist/bench/…).
 *
 * In: nothing. Out: `repoPath(relative)`. Must not read files.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: the nearest ancestor holding package.json and examples/. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "examples"))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot find the repository root from bench/scenarios");
    dir = up;
  }
}

/** A path inside the repository. */
export function repoPath(relative: string): string {
  return join(repoRoot(), relative);
}
