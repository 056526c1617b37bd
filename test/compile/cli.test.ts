/**
 * `agp compile`: writes a module the runtime loads, the manifest and the
 * source map on request, records the bundle version, reports errors without
 * writing, and exits 2 on usage errors.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { captureIo } from "../../compiler/cli/io.js";
import { main } from "../../compiler/cli/main.js";
import { loadPolicySync } from "../../runtime/index.js";

async function run(args: readonly string[], cwd = process.cwd()) {
  const io = captureIo(cwd);
  const code = await main(args, io);
  return { code, out: io.out, err: io.err };
}

describe("agp compile", () => {
  it("writes the module, the manifest and the source map", async () => {
    const dir = mkdtempSync(join(tmpdir(), "agp-compile-"));
    const wasm = join(dir, "out", "policy.wasm");
    const { code, err } = await run(["compile", "examples/platform", "-o", wasm, "--manifest", join(dir, "manifest.json"), "--source-map", join(dir, "map.json"), "--bundle-version", "2.0.1"]);
    expect(code).toBe(0);
    expect(err).toMatch(/^compiled \d+ rules into .*policy\.wasm \(\d+ bytes, sha256 [0-9a-f]{12}…, version 2\.0\.1\)\n$/m);
    const engine = loadPolicySync(readFileSync(wasm));
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    expect(manifest.policy.version).toBe("2.0.1");
    expect(engine.manifest.policy).toEqual(manifest.policy);
    const map = JSON.parse(readFileSync(join(dir, "map.json"), "utf8"));
    expect(map.rules.map((r: { id: string }) => r.id)).toContain("destructive");
    const line = readFileSync("examples/platform/shell.agp", "utf8").split("\n").indexOf("rule destructive:") + 1;
    expect(map.rules.find((r: { id: string }) => r.id === "destructive")).toMatchObject({ file: "examples/platform/shell.agp", line });
    expect(manifest.rules.length).toBe(map.rules.length);
  });

  it("--format json prints the summary and the diagnostics", async () => {
    const dir = mkdtempSync(join(tmpdir(), "agp-compile-"));
    const { code, out } = await run(["compile", "examples/platform", "-o", join(dir, "p.wasm"), "--format", "json"]);
    expect(code).toBe(0);
    const document = JSON.parse(out);
    expect(document).toMatchObject({ version: "0.0.0-dev", summary: { errors: 0 } });
    expect(document.rules).toBeGreaterThan(5);
    expect(document.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("reports errors and writes nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "agp-compile-"));
    mkdirSync(join(dir, "schemas"));
    writeFileSync(join(dir, "schemas", "shell.json"), readFileSync("examples/schemas/shell.json"));
    writeFileSync(join(dir, "bad.agp"), 'actions "schemas/shell.json"\n\nrule r:\n  allow shell.exec\n  when args.nope == 1\n');
    const { code, err } = await run(["compile", "bad.agp", "-o", "out.wasm"], dir);
    expect(code).toBe(1);
    expect(err).toContain("AGP201");
    expect(existsSync(resolve(dir, "out.wasm"))).toBe(false);
  });

  it("needs -o", async () => {
    const { code } = await run(["compile", "examples/platform"]);
    expect(code).toBe(2);
  });
});
