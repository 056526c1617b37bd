/**
 * `agp compile --max-depth / --max-values / --json-input-bytes`: the
 * request bounds and the JSON buffer are compile options (ADR 0008),
 * recorded in the manifest, enforced the same way by `decide` and
 * `decideJson`, covered by the content hash; out-of-range values are usage
 * errors with their exact text.
 */
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { captureIo } from "../../compiler/cli/io.js";
import { main } from "../../compiler/cli/main.js";
import { loadJsonDeciderSync, loadPolicySync, type Manifest } from "../../runtime/index.js";

async function run(args: string[]) {
  const io = captureIo();
  const code = await main(args, io);
  return { code, out: io.out, err: io.err };
}

const REQUEST = {
  agent: { id: "ci-fixer", kind: "coding", groups: ["coding-bots"], trust: 2 },
  action: "github.pull_request.open",
  args: { repo: "acme/tools", title: "Fix CI", head: "fix/ci", base: "main" },
  env: "production",
  context: { session: "s-42" },
};

describe("agp compile: request bounds and the JSON buffer", () => {
  it("records the options, and both request paths enforce them identically", async () => {
    const dir = await mkdtemp(join(tmpdir(), "agp-limits-"));
    const wasm = join(dir, "p.wasm");
    const manifestFile = join(dir, "m.json");
    const { code, err } = await run(["compile", "examples/platform", "-o", wasm, "--manifest", manifestFile, "--max-depth", "6", "--max-values", "40", "--json-input-bytes", "256"]);
    expect(err).toContain("compiled");
    expect(code).toBe(0);
    const manifest = JSON.parse(await readFile(manifestFile, "utf8")) as Manifest;
    expect(manifest.bounds).toEqual({ maxDepth: 6, maxValues: 40 });
    expect(manifest.json).toEqual({ inputBytes: 256, maxDepth: 6 });

    const engine = loadPolicySync(await readFile(wasm));
    const json = loadJsonDeciderSync(engine);
    const tooLarge = { code: "too_large", message: "the request is too large: the policy accepts at most 6 levels of nesting and 40 values", path: "" };
    const deep = { ...REQUEST, context: { session: "s", x: [[[[1]]]] } }; // request 1, context 2, x 3 … the 1's array 6: fine
    const deeper = { ...REQUEST, context: { session: "s", x: [[[[[1]]]]] } };
    const many = { ...REQUEST, context: { session: "s", x: Array.from({ length: 30 }, () => 0) } };
    for (const request of [REQUEST, deep, deeper, many]) {
      const object = engine.decide(request);
      expect(json.decideJson(JSON.stringify(request))).toEqual(object);
      // Longer than the 256-byte buffer once padded: decided by the runtime's reader, the same way.
      expect(json.decideJson(JSON.stringify(request, null, 40))).toEqual(object);
    }
    expect(engine.decide(deep).error?.code).not.toBe("too_large");
    expect(engine.decide(deeper).error).toEqual(tooLarge);
    expect(engine.decide(many).error).toEqual(tooLarge);

    // Another module: another content hash.
    const other = join(dir, "q.wasm");
    expect((await run(["compile", "examples/platform", "-o", other])).code).toBe(0);
    expect(loadPolicySync(await readFile(other)).policy.hash).not.toBe(engine.policy.hash);
  }, 120_000);

  it.each([
    [["--max-depth", "0"], "agp: `--max-depth` must be a whole number from 2 to 1000, got `0`"],
    [["--max-depth", "1001"], "agp: `--max-depth` must be a whole number from 2 to 1000, got `1001`"],
    [["--max-values", "1e6"], "agp: `--max-values` must be a whole number from 16 to 100000000, got `1e6`"],
    [["--json-input-bytes", "-5"], "agp: `--json-input-bytes` must be a whole number from 64 to 16777216, got `-5`"],
  ])("refuses %j", async (option, message) => {
    const { code, err } = await run(["compile", "examples/platform", "-o", join(tmpdir(), "never.wasm"), ...option]);
    expect(code).toBe(2);
    expect(err).toBe(`${message}\n`);
  });
});
