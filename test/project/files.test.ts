/**
 * The file system seam (compiler/project/files.ts): the in-memory file system
 * and its POSIX paths behave as the disk and Node's `path.posix` do, so a
 * policy set checked in memory (the playground) gets exactly the diagnostics
 * it gets on disk (the CLI).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, posix } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkPaths } from "../../compiler/check/index.js";
import { describeIoError, memoryFiles, posixPath } from "../../compiler/project/index.js";
import { loadSuite } from "../../compiler/testing/index.js";

// No empty segments: paths the drivers build never hold `//` (where Node keeps leading doubles).
const segment = fc.constantFrom("a", "b", "..", ".", "c.agp", "x y");
const relativePath = fc.array(segment, { maxLength: 6 }).map((s) => s.join("/"));
const anyPath = fc.tuple(fc.boolean(), relativePath).map(([abs, p]) => (abs ? `/${p}` : p));

describe("posixPath", () => {
  it("agrees with Node's path.posix (resolve from `/`, join, dirname, relative, isAbsolute)", () => {
    fc.assert(
      fc.property(anyPath, anyPath, (a, b) => {
        expect(posixPath.resolve("/", a, b)).toBe(posix.resolve("/", a, b));
        expect(posixPath.join(a, b)).toBe(posix.join(a, b));
        expect(posixPath.dirname(a)).toBe(posix.dirname(a));
        expect(posixPath.relative(`/${a}`, `/${b}`)).toBe(posix.relative(`/${a}`, `/${b}`));
        expect(posixPath.isAbsolute(a)).toBe(posix.isAbsolute(a));
      }),
      { seed: 17, numRuns: 500 },
    );
  });
});

/** Every file under `dir`, as absolute path under `/` → text. */
function snapshot(dir: string, into = new Map<string, string>(), prefix = ""): Map<string, string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) snapshot(path, into, `${prefix}/${name}`);
    else into.set(`${prefix}/${name}`, readFileSync(path, "utf8"));
  }
  return into;
}

describe("memoryFiles", () => {
  const texts = snapshot("examples");

  it("reads, lists and reports missing files with the disk's words", async () => {
    const files = memoryFiles(texts);
    expect(await files.kind("/platform")).toBe("directory");
    expect(await files.kind("/platform/github.agp")).toBe("file");
    expect((await files.list("/platform")).map((e) => e.name).sort()).toContain("github.agp");
    await expect(files.readText("/nope.agp")).rejects.toSatisfy((e) => describeIoError(e) === "no such file or directory");
    await expect(files.readText("/platform")).rejects.toSatisfy((e) => describeIoError(e) === "it is a directory");
  });

  it("checks the examples in memory with exactly the diagnostics, sources and checked set of the disk", async () => {
    const disk = await checkPaths(["examples"], { cwd: process.cwd() });
    const memory = await checkPaths(["examples"], { cwd: "/", files: memoryFiles(new Map([...texts].map(([p, t]) => [`/examples${p}`, t]))) });
    expect(memory.files).toEqual(disk.files);
    expect(memory.diagnostics).toEqual(disk.diagnostics);
    expect([...memory.sources.keys()].sort()).toEqual([...disk.sources.keys()].sort());
    expect(memory.checked?.rules.map((r) => r.id)).toEqual(disk.checked?.rules.map((r) => r.id));
  });

  it("reports a missing catalog and a broken policy in memory as on disk", async () => {
    const files = memoryFiles(new Map([["/p/a.agp", 'package p\nactions "missing.json"\nrule r: allow x.y\nrule s: alow x.y\n']]));
    const result = await checkPaths(["p"], { cwd: "/", files });
    expect(result.diagnostics.map((d) => `${d.code} ${d.span.file}:${d.span.line}:${d.span.column}`)).toEqual([
      "AGP400 p/a.agp:2:9",
      "AGP104 p/a.agp:4:9",
    ]);
  });

  it("loads a test suite in memory", async () => {
    const result = await loadSuite(["examples/deploys"], { cwd: "/", files: memoryFiles(new Map([...texts].map(([p, t]) => [`/examples${p}`, t]))) });
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(result.suite?.cases.length).toBeGreaterThan(3);
  });
});
