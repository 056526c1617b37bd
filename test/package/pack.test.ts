/**
 * The two published packages, as a user gets them: `npm pack` of
 * @agp/runtime and of agp, unpacked into throwaway projects, offline.
 *
 * - @agp/runtime installed alone (from its tarball, `npm install --offline`)
 *   brings nothing else, stays small, and decides with a module the packed
 *   compiler made;
 * - every subpath agp exports resolves (the runtime ones are @agp/runtime's
 *   very modules), the CLI runs from the package, a catalog shipped in a
 *   package is found through `npm:` in agp.json, and the types resolve under
 *   `moduleResolution` node10 (typesVersions) and nodenext;
 * - the tarballs hold no dist/bench, no source maps, and hold LICENSE,
 *   examples and the meta-schemas.
 * Needs `npm run build` (npm test runs it). Takes tens of seconds.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(".");
const work = mkdtempSync(join(tmpdir(), "agp-pack-"));
const npm = (args: string[], cwd: string): string => execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" } });

interface Packed {
  readonly filename: string;
  readonly files: readonly { readonly path: string; readonly size: number }[];
  readonly unpackedSize: number;
}

function pack(directory: string): Packed {
  const [result] = JSON.parse(npm(["pack", "--json", "--pack-destination", work], directory)) as Packed[];
  return { ...result!, filename: join(work, result!.filename) };
}

function node(script: string, cwd: string): { code: number | null; out: string; err: string } {
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd, encoding: "utf8", timeout: 120_000 });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

function untar(tarball: string, into: string): void {
  mkdirSync(into, { recursive: true });
  execFileSync("tar", ["-xzf", tarball, "-C", into, "--strip-components=1"]);
}

/** Bytes under a folder. */
function size(directory: string): number {
  return readdirSync(directory).reduce((sum, name) => {
    const path = join(directory, name);
    const info = statSync(path);
    return sum + (info.isDirectory() ? size(path) : info.size);
  }, 0);
}

let runtime: Packed;
let agp: Packed;
/** A project holding the agp tarball and, linked from this repository, the packages agp depends on. */
const consumer = join(work, "consumer");
/** A project holding only the @agp/runtime tarball. */
const gateway = join(work, "gateway");

beforeAll(() => {
  expect(existsSync("dist/exports/runtime.js") && existsSync("packages/runtime/dist/index.js"), "run `npm run build` first").toBe(true);
  runtime = pack(join(ROOT, "packages", "runtime"));
  agp = pack(ROOT);

  mkdirSync(join(consumer, "node_modules", "@agp"), { recursive: true });
  writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  untar(agp.filename, join(consumer, "node_modules", "agp"));
  untar(runtime.filename, join(consumer, "node_modules", "@agp", "runtime"));
  // Offline: agp's own dependencies come from this repository's node_modules, as npm would have hoisted them.
  for (const name of readdirSync(join(ROOT, "node_modules"))) {
    if (name === "agp" || name === "@agp" || name.startsWith(".")) continue;
    if (name.startsWith("@")) {
      mkdirSync(join(consumer, "node_modules", name), { recursive: true });
      for (const inner of readdirSync(join(ROOT, "node_modules", name))) symlinkSync(join(ROOT, "node_modules", name, inner), join(consumer, "node_modules", name, inner));
    } else symlinkSync(join(ROOT, "node_modules", name), join(consumer, "node_modules", name));
  }

  mkdirSync(gateway, { recursive: true });
  writeFileSync(join(gateway, "package.json"), JSON.stringify({ name: "gateway", private: true, type: "module" }));
  npm(["install", "--offline", "--ignore-scripts", "--no-package-lock", runtime.filename], gateway);
}, 600_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("@agp/runtime, installed alone", () => {
  it("brings no other package and stays small", () => {
    const modules = readdirSync(join(gateway, "node_modules")).filter((n) => !n.startsWith("."));
    expect(modules).toEqual(["@agp"]);
    expect(readdirSync(join(gateway, "node_modules", "@agp"))).toEqual(["runtime"]);
    const bytes = size(join(gateway, "node_modules"));
    // The whole runtime (gateway, stores, signed bundles, serve, redis) with its type declarations: well under a megabyte,
    // against the compiler's install of over 100 MB.
    expect(bytes).toBeLessThan(1_000_000);
    const manifest = JSON.parse(readFileSync(join(gateway, "node_modules", "@agp", "runtime", "package.json"), "utf8")) as { dependencies?: object; version: string };
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.version).toBe((JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version);
  });

  it("decides with a module the packed compiler made (agp/compiler on the packed examples)", () => {
    const compiled = node(
      `import { compile } from "agp/compiler";
       import { writeFileSync } from "node:fs";
       const out = await compile({ root: "node_modules/agp/examples", paths: ["platform"] });
       if (!out.ok) { console.error(out.text); process.exit(1); }
       writeFileSync(${JSON.stringify(join(gateway, "platform.wasm"))}, out.wasm);
       console.log(out.hash);`,
      consumer,
    );
    expect(compiled.err).toBe("");
    expect(compiled.out).toMatch(/^[0-9a-f]{64}\n$/);
    cpSync(join(ROOT, "examples", "platform", "requests", "merge.json"), join(gateway, "merge.json"));
    const decided = node(
      `import { loadPolicy } from "@agp/runtime";
       import { Gateway, MemoryStateStore } from "@agp/runtime/governance";
       import { readFileSync } from "node:fs";
       const engine = await loadPolicy(readFileSync("platform.wasm"));
       const decision = engine.decide(JSON.parse(readFileSync("merge.json", "utf8")));
       console.log(JSON.stringify({ effect: decision.effect, rules: decision.rules.map((r) => r.id), gateway: typeof Gateway, store: typeof MemoryStateStore }));`,
      gateway,
    );
    expect(decided.err).toBe("");
    expect(JSON.parse(decided.out)).toEqual({ effect: "deny", rules: ["never_merge"], gateway: "function", store: "function" });
  });

  it("every entry point loads; redis and serve say which optional package they need", () => {
    const loaded = node(
      `const out = {};
       for (const name of ["", "/governance", "/bundle", "/node", "/redis", "/serve"]) {
         try { out[name || "."] = Object.keys(await import("@agp/runtime" + name)).length > 0; }
         catch (error) { out[name || "."] = String(error.message).match(/'(ioredis|prom-client)'/)?.[1] ?? error.message; }
       }
       console.log(JSON.stringify(out));`,
      gateway,
    );
    expect(JSON.parse(loaded.out)).toEqual({ ".": true, "/governance": true, "/bundle": true, "/node": true, "/redis": "ioredis", "/serve": "prom-client" });
  });
});

describe("agp, packed", () => {
  it("ships LICENSE, examples and the meta-schemas; no dist/bench, no source maps, no tests", () => {
    const paths = agp.files.map((f) => f.path);
    expect(paths).toContain("LICENSE");
    expect(paths).toContain("examples/platform/github.agp");
    expect(paths).toContain("dist/compiler/catalog/catalog.schema.json");
    expect(paths).toContain("dist/compiler/config/project.schema.json");
    expect(paths.filter((p) => p.startsWith("dist/bench") || p.endsWith(".map") || p.startsWith("test/") || p.startsWith("playground/"))).toEqual([]);
    expect(runtime.files.map((f) => f.path)).toContain("LICENSE");
    expect(runtime.files.filter((f) => f.path.endsWith(".map"))).toEqual([]);
    // No source file is referenced by a source map comment: there are none to point at.
    const js = readFileSync(join(consumer, "node_modules", "agp", "dist", "compiler", "cli", "main.js"), "utf8");
    expect(js).not.toContain("sourceMappingURL");
  });

  it("every subpath export resolves, and agp/runtime is @agp/runtime itself", () => {
    const manifest = JSON.parse(readFileSync(join(consumer, "node_modules", "agp", "package.json"), "utf8")) as { exports: Record<string, unknown> };
    const subpaths = Object.keys(manifest.exports).filter((k) => !k.includes("*"));
    const resolved = node(
      `const out = {};
       for (const subpath of ${JSON.stringify(subpaths)}) {
         const id = "agp" + subpath.slice(1);
         try { out[subpath] = import.meta.resolve(id).startsWith("file:") && (subpath.endsWith(".json") || Object.keys(await import(id)).length > 0); }
         catch (error) { out[subpath] = error.message; }
       }
       out.same = (await import("agp/governance")).Gateway === (await import("@agp/runtime/governance")).Gateway;
       out.example = import.meta.resolve("agp/examples/schemas/github.json").endsWith("/node_modules/agp/examples/schemas/github.json");
       console.log(JSON.stringify(out));`,
      consumer,
    );
    expect(resolved.err).toBe("");
    expect(JSON.parse(resolved.out)).toEqual({ ...Object.fromEntries(subpaths.map((s) => [s, true])), same: true, example: true });
  });

  it("the CLI runs from the package, and a catalog shipped in a package is found through npm: in agp.json", () => {
    const cli = join(consumer, "node_modules", "agp", "bin", "agp.js");
    // The catalog's other actions have no rule here: their AGP305 warnings are suppressed for files in node_modules.
    writeFileSync(join(consumer, "agp.json"), JSON.stringify({ sets: { bot: "policies" }, catalogs: ["npm:agp/examples/schemas/github.json"], suppress: { AGP305: ["node_modules/**"] } }));
    mkdirSync(join(consumer, "policies"), { recursive: true });
    // No `actions` statement: the project's catalog is every package's.
    writeFileSync(join(consumer, "policies", "bot.agp"), "package bot\n\nrule open:\n  allow github.pull_request.open\n");
    const run = spawnSync(process.execPath, [cli, "check"], { cwd: consumer, encoding: "utf8", timeout: 120_000 });
    expect(run.stderr).toBe("checked 1 file: no problems\n");
    expect(run.status).toBe(0);
    const version = spawnSync(process.execPath, [cli, "--version"], { cwd: consumer, encoding: "utf8" });
    expect(version.stdout).toBe(`${(JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version}\n`);
  });

  it.each(["node10", "nodenext"])("types resolve under moduleResolution %s", (resolution) => {
    const dir = join(consumer, `types-${resolution}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "use.ts"),
      [
        'import { loadPolicySync, type Decision } from "agp/runtime";',
        'import { Gateway } from "agp/governance";',
        'import { verifyBundle } from "agp/bundle";',
        'import { FileStateStore } from "agp/node";',
        'import { check, compile, type CompileOutput } from "agp/compiler";',
        'import { loadPolicy } from "@agp/runtime";',
        'import { MemoryStateStore } from "@agp/runtime/governance";',
        "export const used: unknown[] = [loadPolicySync, Gateway, verifyBundle, FileStateStore, check, compile, loadPolicy, MemoryStateStore];",
        "export type Used = [Decision, CompileOutput];",
      ].join("\n"),
    );
    const module = resolution === "node10" ? "commonjs" : "nodenext";
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { module, moduleResolution: resolution, target: "es2022", strict: true, noEmit: true, skipLibCheck: true, types: ["node"], typeRoots: [join(ROOT, "node_modules", "@types")] }, files: ["use.ts"] }));
    const tsc = spawnSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", dir], { cwd: consumer, encoding: "utf8", timeout: 180_000 });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  });
});
