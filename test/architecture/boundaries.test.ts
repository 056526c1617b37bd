/**
 * The layering DESIGN.md and STYLE.md promise, enforced:
 * - a stage imports another stage only through that stage's index.ts;
 * - runtime/ imports nothing from compiler/ (it must stay light for browsers and workers);
 * - only compiler/codegen/module.ts imports binaryen, only compiler/syntax imports chevrotain;
 * - runtime/bundle (signed bundles) is browser-safe: its own files and the runtime only, no Node built-ins;
 * - runtime/serve (agp serve) is Node-only and is reached from no browser-safe folder.
 * - only compiler/analyze/solver.ts loads z3-solver (lazily: other verbs never pay for Z3).
 * - only compiler/lsp imports the language server library;
 * - what the browser playground runs (every module reachable from
 *   playground/src/evaluate.ts) imports no Node built-in and uses no Buffer:
 *   Node-only defaults sit behind the seams of ADR 0022.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative, sep } from "node:path";
import { describe, expect, it } from "vitest";

function tsFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return path.endsWith(".ts") && !path.endsWith(".d.ts") ? [path] : [];
  });
}

interface Import {
  readonly file: string;
  readonly specifier: string;
}

function imports(files: readonly string[]): Import[] {
  const pattern = /^\s*(?:import|export)\b[^'"]*?from\s+["']([^"']+)["']|^\s*import\s+["']([^"']+)["']/gm;
  return files.flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(pattern)].map((m) => ({ file, specifier: (m[1] ?? m[2])! })),
  );
}

const compilerImports = imports(tsFiles("compiler"));
const runtimeImports = imports(tsFiles("runtime"));

/** "compiler/check/types.ts" → "check" */
function stageOf(path: string): string | undefined {
  const parts = normalize(path).split(sep);
  return parts[0] === "compiler" ? parts[1] : undefined;
}

describe("architecture", () => {
  it("stages import each other only through index.ts", () => {
    const violations = compilerImports
      .filter((i) => i.specifier.startsWith("."))
      .map((i) => ({ ...i, target: normalize(join(dirname(i.file), i.specifier)) }))
      .filter((i) => stageOf(i.target) !== stageOf(i.file) && stageOf(i.target) !== undefined)
      .filter((i) => !/[/\\]index\.js$/.test(i.target))
      .map((i) => `${i.file} imports ${i.specifier}`);
    expect(violations).toEqual([]);
  });

  it("runtime imports nothing from the compiler", () => {
    const violations = runtimeImports
      .filter((i) => i.specifier.startsWith(".") && relative("runtime", join(dirname(i.file), i.specifier)).startsWith(".."))
      .map((i) => `${i.file} imports ${i.specifier}`);
    expect(violations).toEqual([]);
    expect(runtimeImports.filter((i) => ["binaryen", "chevrotain", "ajv", "commander"].includes(i.specifier))).toEqual([]);
  });

  it("runtime/redis (Node only, ioredis) is reached only through its own entry, and is the only importer of ioredis", () => {
    const intoRedis = runtimeImports
      .filter((i) => i.specifier.startsWith(".") && !normalize(i.file).startsWith(normalize("runtime/redis/")))
      .filter((i) => normalize(join(dirname(i.file), i.specifier)).startsWith(normalize("runtime/redis/")))
      .map((i) => `${i.file} imports ${i.specifier}`);
    expect(intoRedis).toEqual([]);
    const ioredis = [...runtimeImports, ...compilerImports].filter((i) => i.specifier === "ioredis").map((i) => normalize(i.file));
    expect(ioredis.length).toBeGreaterThan(0);
    expect(ioredis.every((f) => f.startsWith(normalize("runtime/redis/")))).toBe(true);
    // runtime/redis builds on the governance runtime and nothing of the compiler, Node's file stores or the engine.
    const fromRedis = runtimeImports.filter((i) => normalize(i.file).startsWith(normalize("runtime/redis/")) && i.specifier.startsWith("."));
    expect(fromRedis.filter((i) => !/^\.\/|^\.\.\/governance\//.test(i.specifier)).map((i) => `${i.file} imports ${i.specifier}`)).toEqual([]);
  });

  it("only codegen/module.ts imports binaryen and only syntax/ imports chevrotain", () => {
    const binaryen = compilerImports.filter((i) => i.specifier === "binaryen").map((i) => normalize(i.file));
    expect(binaryen.every((f) => f === normalize("compiler/codegen/module.ts"))).toBe(true);
    const chevrotain = compilerImports.filter((i) => i.specifier.startsWith("chevrotain") || i.specifier.startsWith("@chevrotain"));
    expect(chevrotain.every((i) => stageOf(i.file) === "syntax")).toBe(true);
  });

  it("runtime/bundle imports only relative runtime files (no Node built-ins, no packages)", () => {
    const bundle = runtimeImports.filter((i) => normalize(i.file).startsWith(normalize("runtime/bundle/")));
    expect(bundle.length).toBeGreaterThan(5);
    expect(bundle.filter((i) => !i.specifier.startsWith(".") || relative("runtime", join(dirname(i.file), i.specifier)).startsWith("..")).map((i) => `${i.file} imports ${i.specifier}`)).toEqual([]);
    const code = tsFiles("runtime/bundle").map((f) => readFileSync(f, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1"));
    expect(code.filter((text) => /\bprocess\.|\bBuffer\b|\brequire\(/.test(text))).toEqual([]);
  });

  it("runtime/serve is Node-only: node built-ins, prom-client and runtime files; no browser-safe folder imports it or runtime/node", () => {
    const serve = runtimeImports.filter((i) => normalize(i.file).startsWith(normalize("runtime/serve/")));
    expect(serve.length).toBeGreaterThan(10);
    expect(serve.filter((i) => !(i.specifier.startsWith(".") || i.specifier.startsWith("node:") || i.specifier === "prom-client")).map((i) => `${i.file} imports ${i.specifier}`)).toEqual([]);
    const browserSafe = runtimeImports.filter((i) => !/^runtime[/\\](serve|node|redis)[/\\]/.test(normalize(i.file)));
    const reaching = browserSafe.filter((i) => i.specifier.startsWith(".") && /^runtime[/\\](serve|node)[/\\]/.test(normalize(join(dirname(i.file), i.specifier))));
    expect(reaching.map((i) => `${i.file} imports ${i.specifier}`)).toEqual([]);
  });

  it("only analyze/solver.ts loads z3-solver, and only with a dynamic import", () => {
    const mentions = [...tsFiles("compiler"), ...tsFiles("runtime")].filter((f) => /["']z3-solver["']/.test(readFileSync(f, "utf8")));
    expect(mentions.map(normalize)).toEqual([normalize("compiler/analyze/solver.ts")]);
    expect(compilerImports.filter((i) => i.specifier === "z3-solver")).toEqual([]);
  });

  it("only compiler/lsp imports the language server library", () => {
    const lsp = compilerImports.filter((i) => i.specifier.startsWith("vscode-languageserver"));
    expect(lsp.length).toBeGreaterThan(0);
    expect(lsp.filter((i) => stageOf(i.file) !== "lsp").map((i) => i.file)).toEqual([]);
    expect(runtimeImports.filter((i) => i.specifier.startsWith("vscode-"))).toEqual([]);
  });
});

describe("the compiler in the browser", () => {
  it("no module the playground reaches imports a Node built-in or uses Buffer", () => {
    const pending = [normalize("playground/src/evaluate.ts")];
    const seen = new Set<string>();
    const problems: string[] = [];
    while (pending.length > 0) {
      const file = pending.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      if (!existsSync(file) && existsSync(file.replace(/\.ts$/, ".d.ts"))) continue; // declarations only (cst.generated)
      const text = readFileSync(file, "utf8");
      if (/\bBuffer\./.test(text.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, ""))) problems.push(`${file} uses Buffer`);
      for (const { specifier } of imports([file])) {
        if (specifier.startsWith("node:")) problems.push(`${file} imports ${specifier}`);
        if (!specifier.startsWith(".")) continue;
        // Type-only imports vanish in the bundle, but following them costs nothing and keeps the rule simple.
        pending.push(normalize(join(dirname(file), specifier.replace(/\.js$/, ".ts"))));
      }
    }
    expect(seen.size).toBeGreaterThan(50);
    expect(problems).toEqual([]);
  });
});
