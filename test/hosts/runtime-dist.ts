/**
 * The runtime as plain ES modules for hosts outside this process (Node child,
 * Chromium, workerd): every file reachable from runtime/index.ts, transpiled
 * one by one with TypeScript (no bundler), into a directory.
 *
 * In: runtime/*.ts. Out: `<dir>/index.js` and its import graph; the list of
 * files written. Throws when a file on the import path imports a Node
 * built-in or any package: browsers and workers could not load it.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import ts from "typescript";
import { ROOT } from "../stdlib/stdlib-build.js";

/** Writes the runtime's import graph from index.ts into `dir`; returns the paths written (relative, `/`-separated). */
export function writeRuntime(dir: string): string[] {
  const source = join(ROOT, "runtime");
  const written: string[] = [];
  const pending = ["index.ts"];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(join(source, file), "utf8");
    const output = ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 }, fileName: file }).outputText;
    for (const match of output.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s*["']([^"']+)["']/g)) {
      const specifier = match[1]!;
      if (!specifier.startsWith(".")) throw new Error(`runtime/${file} imports \`${specifier}\`: browsers and workers cannot load it`);
      pending.push(normalize(join(dirname(file), specifier.replace(/\.js$/, ".ts"))));
    }
    const target = join(dir, file.replace(/\.ts$/, ".js"));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, output);
    written.push(relative(dir, target).split("\\").join("/"));
  }
  return written.sort();
}
