/**
 * Every shipped example compiles: a module with no imports, the manifest in
 * its `agp.manifest` custom section (the wire form of the one returned), a valid IR,
 * an action table sorted by name, cost bounds for every action, and a
 * runtime that loads it.
 */
import { describe, expect, it } from "vitest";
import { countImports, listSections } from "../../compiler/codegen/index.js";
import { validateIr } from "../../compiler/ir/index.js";
import { packManifest, unpackManifest } from "../../runtime/load/manifest-wire.js";
import { MANIFEST_SECTION } from "../../runtime/manifest.js";
import { pairFromPaths } from "./harness.js";

describe("examples compile", () => {
  it("examples/platform: no imports, a manifest section, a valid IR, a module the runtime loads", async () => {
    const { compiled, engine } = await pairFromPaths(["examples/platform"]);
    expect(countImports(compiled.wasm)).toBe(0);
    const section = listSections(compiled.wasm).find((s) => s.name === MANIFEST_SECTION);
    expect(section).toBeDefined();
    const carried = JSON.parse(new TextDecoder().decode(compiled.wasm.subarray(section!.start, section!.end)));
    expect(carried).toEqual(JSON.parse(JSON.stringify(packManifest(compiled.manifest))));
    expect(JSON.parse(JSON.stringify(unpackManifest(carried)))).toEqual(JSON.parse(JSON.stringify(compiled.manifest)));
    expect(validateIr(compiled.ir)).toEqual([]);
    const names = compiled.manifest.actions.map((a) => a.name);
    expect(names).toEqual([...names].sort());
    expect(compiled.manifest.rules.length).toBeGreaterThan(5);
    for (const action of compiled.manifest.actions) expect(action.costBound).toBeGreaterThan(0);
    expect(engine.manifest.policy.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("each example file compiles on its own", async () => {
    for (const file of ["examples/platform/aws.agp", "examples/platform/github.agp", "examples/platform/shell.agp"]) {
      const { compiled } = await pairFromPaths([file]);
      expect(countImports(compiled.wasm), file).toBe(0);
      expect(compiled.manifest.rules.every((r) => r.file === file), file).toBe(true);
    }
  }, 180_000);
});
