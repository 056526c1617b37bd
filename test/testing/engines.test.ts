/**
 * Engines: `--engine`, `--both` (the compiled module and the reference
 * interpreter must agree on every case; a disagreement fails the case) and
 * what happens when no compiler is available. The compiled module is faked
 * here by hooks: a "compiler" returning placeholder bytes and a loader
 * returning an engine built on the interpreter, which disagrees on purpose
 * where a test says so.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Decision } from "../../runtime/decision.js";
import { diagnostic } from "../../compiler/diagnostics/index.js";
import { interpreterEngine, loadSuite, type Engine } from "../../compiler/testing/index.js";
import type { Interpreter } from "../../compiler/interpret/index.js";
import { agp, DEPLOY } from "./harness.js";
import { expectGolden } from "./golden.js";

let interpreter: Interpreter;

beforeAll(async () => {
  const loaded = await loadSuite(["."], { cwd: DEPLOY });
  if (loaded.suite === undefined) throw new Error("the deploy fixture does not load");
  interpreter = loaded.suite.interpreter;
});

/** A fake compiled module: the interpreter's decisions, except where `twist` changes them. */
function fakeWasm(twist: (request: { args: { service?: string } }, decision: Decision) => Decision = (_, d) => d) {
  const compiled: Uint8Array[] = [];
  const hooks = {
    compile: () => {
      const bytes = new Uint8Array([0, 97, 115, 109]);
      compiled.push(bytes);
      return bytes;
    },
    loadWasm: (bytes: Uint8Array): Engine => {
      expect(compiled).toContain(bytes);
      return { name: "wasm", decide: (request, state) => twist(request as never, interpreter.decide(request, state)), session: () => interpreterEngine(interpreter).session() };
    },
    color: false,
  };
  return hooks;
}

describe("engines", () => {
  it("with a compiler, cases run on the compiled module by default", async () => {
    const run = await agp(["test"], { hooks: fakeWasm() });
    expect(run.code).toBe(0);
    expect(run.out).toContain("5 cases: 5 passed, 0 failed (wasm)\n");
  });

  it("--engine interpreter runs on the reference interpreter even when a compiler is there", async () => {
    const run = await agp(["test", "--engine", "interpreter"], { hooks: fakeWasm() });
    expect(run.out).toContain("5 cases: 5 passed, 0 failed (interpreter)\n");
  });

  it("--both passes when the engines agree on every case", async () => {
    const run = await agp(["test", "--both"], { hooks: fakeWasm() });
    expect(run.code).toBe(0);
    expect(run.out).toContain("5 cases: 5 passed, 0 failed (wasm and interpreter)\n");
  });

  it("--both fails a case the engines disagree on, even when the expectation holds for the primary engine", async () => {
    const twist = (request: { args: { service?: string } }, d: Decision): Decision =>
      request.args.service === "payments" ? { ...d, audit: "info" } : d;
    const run = await agp(["test", "--both"], { hooks: fakeWasm(twist) });
    expect(run.code).toBe(1);
    expectGolden(run.out, "both.disagree.txt");
  });

  it("without a compiler, the wasm engine and --both are usage errors that say what to do", async () => {
    const none = { compile: undefined, color: false };
    for (const args of [["test", "--engine", "wasm"], ["test", "--both"]]) {
      const run = await agp(args, { hooks: none });
      expect(run.code).toBe(2);
      expect(run.err).toBe("agp: this build of agp cannot compile policies to wasm yet; run with --engine interpreter (and without --both)\n");
    }
    const fallback = await agp(["test"], { hooks: none });
    expect(fallback.out).toContain("(interpreter)\n");
  });

  it("a compiler failure is reported and exits 2", async () => {
    const hooks = {
      compile: () => {
        throw new Error("the stdlib build is missing");
      },
    };
    const run = await agp(["test", "--engine", "wasm"], { hooks });
    expect(run.code).toBe(2);
    expect(run.err).toBe("agp: cannot compile the policies to wasm: the stdlib build is missing\n");
  });

  it("compile errors (AGP6xx) are shown like policy errors and stop the run with exit 2", async () => {
    const span = { file: "deploy.agp", line: 23, column: 8, endLine: 23, endColumn: 30, offset: 0, endOffset: 0 };
    const hooks = {
      compile: () => ({ diagnostics: [diagnostic("AGP601", span, { message: "the glob is too complex", help: "simplify it" })] }),
    };
    const run = await agp(["test"], { hooks });
    expect(run.code).toBe(2);
    expect(run.out).toBe("");
    expect(run.err).toMatch(/^deploy\.agp:23:8: error AGP601: the glob is too complex\n/);
  });
});
