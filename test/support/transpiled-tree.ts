/**
 * Sources as plain ES modules for a separate `node` process (tests that need
 * real processes: file locks, kill -9, bounded memory), without `npm run
 * build`: every file reachable from the entries, transpiled one by one with
 * TypeScript into a directory inside the repository's node_modules/.cache,
 * so the packages they import resolve as they do for the sources.
 *
 * In: entry files relative to the repository root. Out: the directory (its
 * layout mirrors the repository: `<dir>/runtime/node/index.js`) and a
 * function removing it. Must not write anywhere else.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname, join, normalize } from "node:path";
import ts from "typescript";
import { ROOT } from "../stdlib/stdlib-build.js";

/** A transpiled tree and how to remove it. */
export interface TranspiledTree {
  readonly dir: string;
  remove(): void;
}

/** Transpiles the import graph of `entries` (e.g. `runtime/node/index.ts`). */
export function transpileTree(entries: readonly string[]): TranspiledTree {
  const dir = join(ROOT, "node_modules", ".cache", `agp-test-${process.pid}-${randomBytes(4).toString("hex")}`);
  const pending = [...entries];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const file = normalize(pending.pop()!);
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(join(ROOT, file), "utf8");
    const output = ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 }, fileName: file }).outputText;
    for (const match of output.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s*["']([^"']+)["']/g)) {
      const specifier = match[1]!;
      if (specifier.startsWith(".")) pending.push(join(dirname(file), specifier.replace(/\.js$/, ".ts")));
    }
    const target = join(dir, file.replace(/\.ts$/, ".js"));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, output);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
