/**
 * Loading: from bytes, an ArrayBuffer or a compiled module, sync or async;
 * and every way a module can be unusable is a `PolicyLoadError` that says
 * what is wrong, at load time (deciding never throws).
 */
import { describe, expect, it } from "vitest";
import { loadPolicy, loadPolicySync, PolicyLoadError, ABI_VERSION } from "../../runtime/index.js";
import type { Manifest } from "../../runtime/manifest.js";
import { fakeModule } from "./fake-module.js";
import { packManifest } from "../../runtime/load/manifest-wire.js";
import { OPEN_RULES, shell, testManifest } from "./harness.js";

const manifest = testManifest({ rules: OPEN_RULES });
const allow = () => ({ effect: "allow" as const, deciding: [3] });
const good = fakeModule({ manifest, results: allow });
const WasmModule = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object } }).WebAssembly.Module;

/**
 * The error of a corrupt module: at load; or, for the parts an engine
 * checks on first use (rule entries, action schemas and slots: ADR 0050),
 * at the first read of `engine.manifest`, which checks them all.
 */
function loadError(bytes: Uint8Array): string {
  try {
    void loadPolicySync(bytes).manifest;
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyLoadError);
    return (error as Error).message;
  }
  throw new Error("expected a PolicyLoadError");
}

function corrupt(change: (m: Record<string, unknown>) => void): string {
  const copy = JSON.parse(JSON.stringify(manifest)) as Record<string, unknown>;
  change(copy);
  return loadError(fakeModule({ manifest: copy as unknown as Manifest, results: allow }));
}

/** The error of the manifest whose wire form (what the section holds) `change` damaged. */
function corruptWire(change: (w: Record<string, unknown>) => void): string {
  const wire = JSON.parse(JSON.stringify(packManifest(manifest))) as Record<string, unknown>;
  change(wire);
  return loadError(fakeModule({ manifest, section: JSON.stringify(wire), results: allow }));
}

describe("loading a policy", () => {
  it("loads from bytes, an ArrayBuffer or a compiled module, synchronously or not", async () => {
    const engines = [
      loadPolicySync(good),
      loadPolicySync(good.slice().buffer),
      loadPolicySync(new WasmModule(good)),
      await loadPolicy(good),
      await loadPolicy(good.slice().buffer),
      await loadPolicy(new WasmModule(good)),
    ];
    for (const e of engines) {
      expect(e.policy).toEqual({ hash: "sha256:test", version: "1.0.0" });
      expect(e.decide(shell()).effect).toBe("allow");
      expect(e.actions()).toEqual(manifest.actions.map((a) => a.name));
      expect(Object.isFrozen(e.manifest.actions[0])).toBe(true);
    }
    // a compiled module can be shared: a second engine over the first one's module
    expect(loadPolicySync(engines[0]!.module).decide(shell()).effect).toBe("allow");
  });

  it("pins a bundle by hash when asked", async () => {
    expect(loadPolicySync(good, { hash: "sha256:test" }).policy.hash).toBe("sha256:test");
    expect(() => loadPolicySync(good, { hash: "sha256:other" })).toThrow("the policy's hash is `sha256:test`, expected `sha256:other`");
    await expect(loadPolicy(good, { hash: "x" })).rejects.toBeInstanceOf(PolicyLoadError);
  });

  it("refuses what is not WebAssembly, or not a source at all", async () => {
    expect(loadError(new TextEncoder().encode("not wasm"))).toMatch(/^not a WebAssembly module: /);
    await expect(loadPolicy(new Uint8Array([0, 97, 115, 109]))).rejects.toThrow(/^not a WebAssembly module: /);
    expect(() => loadPolicySync({} as unknown as Uint8Array)).toThrow(
      "a policy must be given as bytes (Uint8Array or ArrayBuffer) or a compiled WebAssembly.Module",
    );
  });

  it("refuses a module without a manifest, or with two", () => {
    expect(loadError(fakeModule({ manifest, section: null }))).toBe("not an agp policy module: no `agp.manifest` custom section");
    expect(loadError(fakeModule({ manifest, duplicateSection: true }))).toBe(
      "corrupt policy module: 2 `agp.manifest` sections, expected one",
    );
  });

  it("refuses a manifest that is not UTF-8 JSON", () => {
    expect(loadError(fakeModule({ manifest, section: new Uint8Array([0xff, 0xfe]) }))).toBe(
      "corrupt policy manifest: the `agp.manifest` section is not UTF-8",
    );
    expect(loadError(fakeModule({ manifest, section: '{"abi": 1,' }))).toMatch(/^corrupt policy manifest: the `agp.manifest` section is not JSON \(/);
  });

  it("refuses another ABI, in the manifest or from the module", () => {
    expect(corrupt((m) => (m.abi = ABI_VERSION + 1))).toBe(
      `the policy module was compiled for ABI ${ABI_VERSION + 1}, this runtime speaks ABI ${ABI_VERSION}; recompile the policy or upgrade the runtime`,
    );
    expect(loadError(fakeModule({ manifest, abi: 7 }))).toBe(`the policy module reports ABI 7 but its manifest says ${ABI_VERSION}; the module is corrupt`);
  });

  it("asks to recompile a module of ABI 3, whose manifest is not packed", () => {
    // What agp compiled before the compact manifest (ADR 0044): the rules as objects, no file table.
    const old = { ...JSON.parse(JSON.stringify(manifest)), abi: 3 };
    expect(loadError(fakeModule({ manifest, section: JSON.stringify(old), results: allow, abi: 3 }))).toBe(
      `the policy module was compiled for ABI 3, this runtime speaks ABI ${ABI_VERSION}; recompile the policy or upgrade the runtime`,
    );
  });

  it("names the first wrong field of a corrupt manifest", () => {
    expect(corrupt((m) => delete m.policy)).toBe("corrupt policy manifest: `manifest.policy` must be an object");
    expect(corruptWire((w) => ((w.rules as unknown[][])[1]![3] = 3))).toBe(
      "corrupt policy manifest: `manifest.rules[1][3]` must be rule flags (docs/abi.md, section 2)",
    );
    expect(corruptWire((w) => ((w.rules as unknown[][])[1]![4] = { reason: "x", why: 1 }))).toBe(
      "corrupt policy manifest: `manifest.rules[1][4]` must be an object of reason, obligations, quorums and binds (not `why`)",
    );
    expect(corruptWire((w) => ((w.rules as unknown[][])[1]![4] = { obligations: [{ key: "k", value: {} }] }))).toBe(
      "corrupt policy manifest: `manifest.rules[1].obligations[0].value` must be a string, number, boolean, null or array of strings",
    );
    expect(corruptWire((w) => ((w.rules as unknown[][])[0]![1] = 9))).toBe(
      "corrupt policy manifest: `manifest.rules[0][1]` must be an index into manifest.files (below 1)",
    );
    expect(corruptWire((w) => delete w.files)).toBe("corrupt policy manifest: `manifest.files` must be an array");
    expect(corrupt((m) => ((m.actions as Record<string, unknown>[])[0]!.args = { type: "date" }))).toBe(
      "corrupt policy manifest: `manifest.actions[0].args.type` must be one of any, null, boolean, string, number, array, object, union",
    );
    expect(
      corrupt((m) => ((m.actions as Record<string, unknown>[])[2]!.slots = [{ kind: "num", path: ["args", "x"], offset: 64 }])),
    ).toBe("corrupt policy manifest: `manifest.actions[2].slots[0].offset` must be inside the slot area (64 bytes)");
    expect(
      corrupt(
        (m) =>
          ((m.actions as Record<string, unknown>[])[2]!.slots = [
            { kind: "array", path: ["args", "x"], offset: 0, itemsOffset: 8, stride: 8, maxItems: 8, items: [] },
          ]),
      ),
    ).toBe("corrupt policy manifest: `manifest.actions[2].slots[0].maxItems` must be items inside the slot area (64 bytes)");
    expect(corrupt((m) => ((m.actions as Record<string, unknown>[])[1]!.name = (m.actions as Record<string, string>[])[0]!.name))).toMatch(
      /`manifest.actions\[1\].name` must be a unique action name/,
    );
    expect(corrupt((m) => ((m.memory as Record<string, unknown>).arenaBytes = -1))).toBe(
      "corrupt policy manifest: `manifest.memory.arenaBytes` must be a non-negative integer",
    );
  });

  it("refuses a module that imports, lacks an export, or whose input region is outside its memory", () => {
    expect(loadError(fakeModule({ manifest, withImport: true }))).toBe("not an agp policy module: it imports `env.log` (policy modules import nothing)");
    expect(loadError(fakeModule({ manifest, omitExport: "agp_decide" }))).toBe("not an agp policy module: no exported function `agp_decide`");
    expect(loadError(fakeModule({ manifest, omitExport: "memory" }))).toBe("not an agp policy module: no exported memory `memory`");
    expect(loadError(fakeModule({ manifest, reportedInput: 65536 * 3 - 100 }))).toMatch(/^corrupt policy module: the input region \(\d+\.\.\d+\) lies outside its memory/);
  });
});
