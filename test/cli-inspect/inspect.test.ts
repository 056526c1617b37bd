/**
 * `agp inspect`: what a compiled module holds (size, no imports, exports with
 * signatures, sections, hash and version, actions with their cost bounds,
 * rules, limits) as text and JSON; `--manifest`; `--ir` prints the IR of
 * policy sources with the IR printer; usage errors exit 2. And the binary
 * reader behind it, on a hand-made module with an import and a global.
 */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { captureIo } from "../../compiler/cli/io.js";
import { main } from "../../compiler/cli/main.js";
import { summarizeWasm } from "../../compiler/cli/wasm-binary.js";
import { compilePaths, type CompiledPolicy } from "../../compiler/compile/index.js";
import { printIr } from "../../compiler/ir/index.js";
import { ABI_VERSION } from "../../runtime/manifest.js";

interface WasmGlobal {
  Module: (new (bytes: Uint8Array) => object) & {
    exports(m: object): { name: string; kind: string }[];
    imports(m: object): { module: string; name: string; kind: string }[];
    customSections(m: object, name: string): ArrayBuffer[];
  };
}
const WASM = (globalThis as unknown as { WebAssembly: WasmGlobal }).WebAssembly;

let dir = "";
let wasm = "";
let compiled: CompiledPolicy;

async function run(args: readonly string[], cwd = process.cwd()) {
  const io = captureIo(cwd);
  const code = await main(args, io);
  return { code, out: io.out, err: io.err };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "agp-inspect-"));
  const result = await compilePaths(["examples/platform"], { version: "2.0.0" });
  if (result.result === undefined) throw new Error("examples/platform does not compile");
  compiled = result.result;
  wasm = join(dir, "platform.wasm");
  writeFileSync(wasm, compiled.wasm);
});

describe("agp inspect <file.wasm>", () => {
  it("text: size, policy, no imports, exports with signatures, sections, actions, rules, limits", async () => {
    const { code, out, err } = await run(["inspect", wasm]);
    expect(err).toBe("");
    expect(code).toBe(0);
    const lines = out.split("\n");
    expect(lines.slice(0, 5)).toEqual([
      `${wasm}: agp policy module, ${compiled.wasm.length} bytes`,
      `policy:   sha256 ${compiled.manifest.policy.hash}, version 2.0.0`,
      `compiler: ${compiled.manifest.compiler}, abi ${ABI_VERSION}`,
      `memory:   slots ${compiled.manifest.memory.slotBytes} bytes, string arena ${compiled.manifest.memory.arenaBytes} bytes; JSON buffer 32768 bytes`,
      "requests: nesting ≤ 64 levels, ≤ 100000 values",
    ]);
    expect(out).toContain("\nimports: none\n");
    const names = WASM.Module.exports(new WASM.Module(compiled.wasm)).map((e) => e.name);
    expect(out).toContain(`\nexports (${names.length}):\n`);
    expect(lines).toContain("  agp_decide       function  func (i32, i32) -> i32");
    expect(lines).toContain("  agp_abi_version  function  func () -> i32");
    expect(lines.some((l) => /^ {2}memory {11}memory {4}memory \d+(\.\.\d+)? pages$/.test(l))).toBe(true);
    expect(lines.some((l) => /^ {2}custom:agp\.manifest {2}\d+ bytes$/.test(l))).toBe(true);
    // The action table: the worst-case cost bound per action, from the manifest.
    const exec = compiled.manifest.actions.findIndex((a) => a.name === "shell.exec");
    const action = compiled.manifest.actions[exec]!;
    expect(out).toContain(`\nactions (${compiled.manifest.actions.length}):\n  id  name                            slots  human  cost bound\n`);
    expect(lines).toContain(`  ${String(exec).padEnd(2)}  shell.exec                      ${String(action.slots.length).padEnd(5)}  no     ${action.costBound}`);
    expect(out).toContain(`\nrules (${compiled.manifest.rules.length}):\n`);
    expect(lines.find((l) => l.includes(" destructive "))).toMatch(/^ {2}\d+ +destructive +deny +agent +examples\/platform\/shell\.agp:19 +destructive command$/);
    expect(out).toContain("\nlimits (1):\n  #  id           cap                       keys   otherwise  where\n  0  daily_spend  budget 500 usd per 1 day  agent  deny       examples/platform/aws.agp:30\n");
  });

  it("--format json: the same facts as a document", async () => {
    const { code, out } = await run(["inspect", wasm, "--format", "json"]);
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report).toMatchObject({ file: wasm, bytes: compiled.wasm.length, policy: compiled.manifest.policy, abi: ABI_VERSION, imports: [] });
    const module = new WASM.Module(compiled.wasm);
    expect(report.exports.map((e: { name: string }) => e.name)).toEqual(WASM.Module.exports(module).map((e) => e.name));
    expect(report.exports.find((e: { name: string }) => e.name === "agp_decide")).toEqual({ name: "agp_decide", kind: "function", signature: "func (i32, i32) -> i32" });
    const manifestSection = report.sections.find((s: { name: string }) => s.name === "custom:agp.manifest");
    expect(manifestSection.bytes).toBeGreaterThan(WASM.Module.customSections(module, "agp.manifest")[0]!.byteLength);
    expect(report.actions).toEqual(
      compiled.manifest.actions.map((a, id) => ({ id, name: a.name, slots: a.slots.length, humanCovered: a.humanCovered, costBound: a.costBound })),
    );
    expect(report.rules.map((r: { id: string }) => r.id)).toEqual(compiled.manifest.rules.map((r) => r.id));
    expect(report.limits).toEqual(compiled.manifest.limits);
  });

  it("--manifest prints the manifest as JSON", async () => {
    const { code, out } = await run(["inspect", wasm, "--manifest"]);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual(compiled.manifest);
  });

  it("files that are not agp policy modules, and bad usage, exit 2", async () => {
    const notWasm = join(dir, "policy.agp");
    writeFileSync(notWasm, "rule r:\n  allow shell.exec\n");
    const text = await run(["inspect", notWasm]);
    expect(text.code).toBe(2);
    expect(text.err).toMatch(/^agp: `.*policy\.agp` is not a WebAssembly module: .* \(to see the IR of policy sources, use `agp inspect --ir`\)\n$/);
    const empty = join(dir, "empty.wasm");
    writeFileSync(empty, new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
    expect(await run(["inspect", empty])).toMatchObject({ code: 2, err: `agp: \`${empty}\` is not an agp policy module: no \`agp.manifest\` custom section\n` });
    expect((await run(["inspect", wasm, wasm])).code).toBe(2);
    expect((await run(["inspect", wasm, "--format", "xml"])).code).toBe(2);
    expect((await run(["inspect", join(dir, "missing.wasm")])).code).toBe(2);
  });
});

describe("agp inspect --ir <paths...>", () => {
  it("prints the IR of the sources with the IR printer", async () => {
    const { code, out } = await run(["inspect", "--ir", "examples/platform"]);
    expect(code).toBe(0);
    expect(out).toBe(printIr(compiled.ir));
    expect(out).toContain("action 30 shell.exec: mode both, cost ≤ ");
  });

  it("--format json: the IR and its content hash, which is the module's", async () => {
    const { code, out } = await run(["inspect", "--ir", "examples/platform", "--format", "json"]);
    expect(code).toBe(0);
    const document = JSON.parse(out);
    expect(document.hash).toBe(compiled.manifest.policy.hash);
    expect(document.ir).toEqual(JSON.parse(JSON.stringify(compiled.ir)));
  });

  it("policy errors exit 1 with diagnostics; a .wasm exits 2", async () => {
    const bad = join(dir, "bad");
    mkdirSync(join(bad, "schemas"), { recursive: true });
    copyFileSync("examples/schemas/shell.json", join(bad, "schemas", "shell.json"));
    writeFileSync(join(bad, "bad.agp"), 'actions "schemas/shell.json"\n\nrule r:\n  allow shell.exec\n  when args.nope == 1\n');
    const errors = await run(["inspect", "--ir", "bad.agp"], bad);
    expect(errors.code).toBe(1);
    expect(errors.out).toBe("");
    expect(errors.err).toContain("AGP201");
    const module = await run(["inspect", "--ir", wasm]);
    expect(module.code).toBe(2);
    expect(module.err).toBe(`agp: --ir lowers policy sources; \`${wasm}\` is a compiled module, which keeps no IR (inspect it without --ir)\n`);
  });
});

describe("agp inspect of a module with session rules", () => {
  it("prints the state's bytes per session, the monitors, and what each action needs of its session; JSON says the same", async () => {
    const result = await compilePaths(["test/fixtures/testing/session/session.agp"], { version: "1.0.0" });
    if (result.result === undefined) throw new Error("the session fixture does not compile");
    const manifest = result.result.manifest;
    const session = manifest.session!;
    const file = join(dir, "session.wasm");
    writeFileSync(file, result.result.wasm);
    const { code, out, err } = await run(["inspect", file]);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toContain(`\nsessions: key context.session, ${session.stateBytes} bytes of state per session (layout ${session.layout}), kept 1 day after the last event\n`);
    expect(out).toContain(`\nsession monitors (${session.monitors.length}, ${session.stateBytes - 64} bytes after the 64-byte header):\n`);
    expect(out).toMatch(/\n {2}\d+ +count +count ws\.bank\.send where args\.recipient == current\.args\.recipient within 1 hour track 8 +1 hour +\d+ bytes +8 values\n/);
    const send = manifest.actions.findIndex((a) => a.name === "ws.bank.send");
    expect(out).toMatch(new RegExp(`\\n  ${send} +ws\\.bank\\.send +\\d+ +no +${manifest.actions[send]!.costBound} +reads \\(rule velocity\\)\\n`));
    expect(out).toMatch(/\n {2}\d+ +ws\.web\.fetch +\d+ +no +\d+ +recorded\n/);
    expect(session.monitors.reduce((n, m) => n + m.bytes, 64)).toBeLessThanOrEqual(session.stateBytes);
    const json = await run(["inspect", "--format", "json", file]);
    const report = JSON.parse(json.out) as { session: { stateBytes: number; monitors: unknown[] }; actions: { name: string; session?: unknown }[] };
    expect(report.session.stateBytes).toBe(session.stateBytes);
    expect(report.session.monitors).toHaveLength(session.monitors.length);
    expect(report.actions.find((a) => a.name === "ws.bank.send")!.session).toEqual({ needs: "reads", rule: "velocity" });
    expect(report.actions.find((a) => a.name === "ws.web.fetch")!.session).toEqual({ needs: "watched" });
  });
});

describe("the binary reader", () => {
  it("reads imports, exports with signatures, globals and custom sections", () => {
    const section = (id: number, bytes: number[]) => [id, bytes.length, ...bytes];
    const name = (text: string) => [text.length, ...[...text].map((c) => c.charCodeAt(0))];
    const bytes = new Uint8Array([
      ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
      ...section(1, [0x01, 0x60, 0x01, 0x7f, 0x01, 0x7e]), // (i32) -> i64
      ...section(2, [0x01, ...name("env"), ...name("f"), 0x00, 0x00]),
      ...section(3, [0x01, 0x00]),
      ...section(6, [0x01, 0x7f, 0x01, 0x41, 0x0b, 0x0b]), // mut i32 = i32.const 11 (0x0b, like `end`)
      ...section(7, [0x02, ...name("g"), 0x03, 0x00, ...name("h"), 0x00, 0x01]),
      ...section(10, [0x01, 0x04, 0x00, 0x42, 0x00, 0x0b]),
      ...section(0, [...name("hi"), 0x01, 0x02]),
    ]);
    expect(() => new WASM.Module(bytes)).not.toThrow();
    const summary = summarizeWasm(bytes);
    expect(summary.imports).toEqual([{ name: "f", module: "env", kind: "function", signature: "func (i32) -> i64" }]);
    expect(summary.exports).toEqual([
      { name: "g", kind: "global", signature: "global mut i32" },
      { name: "h", kind: "function", signature: "func (i32) -> i64" },
    ]);
    expect(summary.sections.map((s) => `${s.name} ${s.bytes}`)).toEqual(["type 6", "import 9", "function 2", "global 6", "export 9", "code 6", "custom:hi 5"]);
  });
});
