/**
 * `agp init` starts a project that works as written: `agp check`, `agp test`
 * (at the 100% coverage its agp.json asks for) and `agp compile -o build/`
 * pass on it from its directory, with no path given (the project file's
 * sets). A second init overwrites nothing without --force.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { captureIo } from "../../compiler/cli/io.js";
import { main } from "../../compiler/cli/main.js";
import { INIT_FILES } from "../../compiler/cli/init/templates.js";

const root = mkdtempSync(join(tmpdir(), "agp-init-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function agp(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo(cwd);
  const code = await main(args, io);
  return { code, out: io.out, err: io.err };
}

describe("agp init", () => {
  it("writes a project on which check, test and compile pass with no arguments", async () => {
    const init = await agp(["init", "proj"], root);
    expect(init.code).toBe(0);
    expect(init.err).toBe(`${INIT_FILES.map(([file]) => `wrote ${join("proj", file)}\n`).join("")}next: cd proj && agp check && agp test && agp compile -o build/\n`);
    const dir = join(root, "proj");
    for (const [file, text] of INIT_FILES) expect(readFileSync(join(dir, file), "utf8")).toBe(text);

    const check = await agp(["check"], dir);
    expect(check.err).not.toMatch(/error|warning AGP/);
    expect(check.code).toBe(0);
    const test = await agp(["test"], dir);
    expect(test.code).toBe(0);
    expect(test.out).toMatch(/passed/);
    const compile = await agp(["compile", "-o", "build/"], dir);
    expect(compile.code).toBe(0);
    expect(existsSync(join(dir, "build", "tickets.wasm"))).toBe(true);
  });

  it("overwrites nothing without --force, and says which files exist", async () => {
    const again = await agp(["init", "proj"], root);
    expect(again.code).toBe(2);
    expect(again.err).toBe(`agp: ${INIT_FILES.map(([file]) => join("proj", file)).join(", ")} exist; pass --force to overwrite, or init another directory\n`);
    const forced = await agp(["init", "proj", "--force"], root);
    expect(forced.code).toBe(0);
  });
});
