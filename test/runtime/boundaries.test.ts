/**
 * The runtime stays loadable in browsers, workers and edge runtimes: its
 * import graph holds nothing but its own files (no compiler, no Node
 * built-ins, no packages), it generates no code at run time, and it bundles
 * small (goal: under 30 KB minified).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

function files(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return files(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

const sources = files("runtime").map((file) => ({ file, text: readFileSync(file, "utf8") }));
/** Source without comments (headers may well say "no `new Function`"). */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");

describe("runtime boundaries", () => {
  it("imports only its own files, by relative path with a .js suffix", () => {
    const bad = sources.flatMap(({ file, text }) =>
      [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+["']([^"']+)["']/g)]
        .map((m) => m[1]!)
        .filter((specifier) => !(specifier.startsWith("./") || specifier.startsWith("../")) || !specifier.endsWith(".js"))
        .map((specifier) => `${file} imports ${specifier}`),
    );
    expect(bad).toEqual([]);
  });

  it("generates no code at run time and uses no Node globals", () => {
    const bad = sources.filter(({ text }) => /\bnew Function\b|\beval\(|\brequire\(|\bprocess\.|\bBuffer\b|\bimport\(/.test(code(text))).map((s) => s.file);
    expect(bad).toEqual([]);
  });

  it("bundles, minified, under 30 KB with no imports left", async () => {
    let rolldown: { build(options: object): Promise<{ output: { code?: string }[] }> };
    try {
      rolldown = (await import("rolldown")) as unknown as typeof rolldown;
    } catch {
      return; // the bundler comes with vitest; without it there is nothing to measure
    }
    const result = await rolldown.build({ input: "runtime/index.ts", platform: "browser", write: false, output: { format: "esm", minify: true } });
    const bundle = result.output[0]?.code ?? "";
    expect(bundle.length).toBeGreaterThan(1000);
    expect(bundle).not.toMatch(/\bimport\s*[{*"']|\brequire\(/);
    expect(bundle.length).toBeLessThan(30 * 1024);
  });
});
