/**
 * `agp eval`: prints the compiled module's decision (text and JSON), explains
 * it from the very sources the module was compiled from (and refuses to
 * when the sources differ), prints fail-closed denies as decisions, and
 * exits 2 on invalid JSON and on files that are not agp policy modules.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { beforeAll, describe, expect, it } from "vitest";
import { registerEvalCommand } from "../../compiler/cli/commands/eval.js";
import { captureIo } from "../../compiler/cli/io.js";
import { main } from "../../compiler/cli/main.js";
import { compilePaths } from "../../compiler/compile/index.js";
import { loadPolicySync } from "../../runtime/index.js";

let dir = "";
let wasm = "";
let hash = "";

async function run(args: readonly string[], cwd = process.cwd()) {
  const io = captureIo(cwd);
  const code = await main(args, io);
  return { code, out: io.out, err: io.err };
}

const coder = { agent: { id: "ci-fixer", groups: ["coding-bots"], trust: 2, kind: "coding" }, env: "dev", context: { session: "s-7" } };
const ops = { agent: { id: "ops-bot", groups: ["ops-bots"], trust: 3, kind: "ops" }, env: "production", context: { session: "s-9", ticket: "CHG-1234" } };
const build = { command: "npm test", cwd: "/workspace", timeout_seconds: 60, write_paths: ["/workspace/out"] };

function requestFile(name: string, request: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof request === "string" ? request : JSON.stringify(request, null, 2));
  return file;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "agp-eval-"));
  const compiled = await compilePaths(["examples/platform"], { version: "1.2.3" });
  if (compiled.result === undefined) throw new Error("examples/platform does not compile");
  wasm = join(dir, "platform.wasm");
  writeFileSync(wasm, compiled.result.wasm);
  hash = compiled.result.manifest.policy.hash;
}, 120_000); // a cold compile (binaryen's first load) takes seconds on a loaded machine

describe("agp eval: the decision", () => {
  it("prints an allow with its obligations", async () => {
    const request = requestFile("build.json", { ...coder, action: "shell.exec", args: build });
    const { code, out, err } = await run(["eval", "--policy", wasm, "--request", request]);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toBe(
      [
        "effect:      allow",
        "rules:       workspace_only (examples/platform/shell.agp:13)",
        "reasons:     commands run for at most 120 s and write only under /workspace",
        "obligations: max_runtime_seconds = 120",
        "audit:       info",
        `policy:      sha256 ${hash}, version 1.2.3`,
        "",
      ].join("\n"),
    );
  });

  it("prints an approve with its quorum and the limits to charge", async () => {
    const args = { account: "222222222222", region: "eu-west-1", estimated_cost_usd: 0, instance_ids: ["i-0abc1234def567890"] };
    const request = requestFile("terminate.json", { ...ops, action: "aws.ec2.terminate_instances", args });
    const { code, out } = await run(["eval", "--policy", wasm, "--request", request]);
    expect(code).toBe(0);
    expect(out).toBe(
      [
        "effect:      approve",
        "rules:       costly (examples/platform/aws.agp:24)",
        "reasons:     actions above a medium cost class need a cloud owner's approval",
        'approval:    1 of group "cloud-owners"',
        'limits:      daily_spend: budget +0 (key ["ops-bot"]; cap 500 per 1 day)',
        "blocked by:  agent",
        "audit:       info",
        `policy:      sha256 ${hash}, version 1.2.3`,
        "",
      ].join("\n"),
    );
  });

  it("--format json prints the runtime's Decision object", async () => {
    const request = { ...coder, action: "shell.exec", args: { ...build, command: "sudo rm -rf /" } };
    const file = requestFile("rm.json", request);
    const { code, out } = await run(["eval", "--policy", wasm, "--request", file, "--format", "json"]);
    expect(code).toBe(0);
    const decision = JSON.parse(out);
    expect(decision).toEqual(JSON.parse(JSON.stringify(loadPolicySync(readFileSync(wasm)).decide(request))));
    expect(decision).toMatchObject({ effect: "deny", rules: [{ kind: "rule", id: "destructive", file: "examples/platform/shell.agp", line: 19 }], audit: "security" });
  });

  it("uses the runtime state: a spent budget denies through the limit", async () => {
    const args = { account: "111111111111", region: "eu-west-1", estimated_cost_usd: 40, image_id: "ami-0abc1234", instance_type: "t3.micro", count: 1 };
    const request = requestFile("launch.json", { ...ops, action: "aws.ec2.run_instances", args });
    const state = requestFile("spent.json", { counters: { daily_spend: 480 } });
    const { code, out } = await run(["eval", "--policy", wasm, "--request", request, "--state", state]);
    expect(code).toBe(0);
    expect(out).toContain("effect:      deny\nrules:       limit daily_spend (examples/platform/aws.agp:30)\n");
    const fresh = await run(["eval", "--policy", wasm, "--request", request]);
    expect(fresh.out).toContain("effect:      allow\n");
  });

  it("prints a request that does not fit the schema as the fail-closed deny, exit 0", async () => {
    const request = requestFile("wrong.json", { ...ops, action: "aws.ec2.run_instances", args: { account: 111, region: "eu-west-1" } });
    const { code, out } = await run(["eval", "--policy", wasm, "--request", request]);
    expect(code).toBe(0);
    expect(out).toBe(
      [
        "effect:      deny",
        "rules:       none",
        "reasons:     `args.account` must be a string, got the number 111",
        "error:       wrong_type at `args.account`: `args.account` must be a string, got the number 111",
        "audit:       notice",
        `policy:      sha256 ${hash}, version 1.2.3`,
        "",
      ].join("\n"),
    );
  });

  it("--exit-code: 0 for allow, 1 for deny and approve", async () => {
    const allow = requestFile("build.json", { ...coder, action: "shell.exec", args: build });
    const deny = requestFile("long.json", { ...coder, action: "shell.exec", args: { ...build, timeout_seconds: 600 } });
    expect((await run(["eval", "--policy", wasm, "--request", allow, "--exit-code"])).code).toBe(0);
    const denied = await run(["eval", "--policy", wasm, "--request", deny, "--exit-code"]);
    expect(denied.code).toBe(1);
    expect(denied.out).toContain("effect:      deny\n");
    expect((await run(["eval", "--policy", wasm, "--request", deny])).code).toBe(0);
  });

  it("--request - reads stdin", async () => {
    const io = captureIo();
    let exit = -1;
    const program = new Command("agp").exitOverride();
    registerEvalCommand(program, io, (code) => (exit = code), { stdin: async () => JSON.stringify({ ...coder, action: "shell.exec", args: build }) });
    await program.parseAsync(["eval", "--policy", wasm, "--request", "-"], { from: "user" });
    expect(exit).toBe(0);
    expect(io.out).toMatch(/^effect: {6}allow\n/);
  });
});

describe("agp eval: usage and I/O errors exit 2", () => {
  it("a request file that is not JSON: the position of the error", async () => {
    const request = requestFile("broken.json", '{\n  "agent": { "id": "x" },\n  "args": }\n');
    const { code, out, err } = await run(["eval", "--policy", wasm, "--request", request]);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toBe(`agp: the request \`${request}\` is not valid JSON: ${request}:3:11: expected a JSON value, found \`}\`\n`);
  });

  it("a wasm module that is not an agp policy", async () => {
    const empty = join(dir, "empty.wasm");
    writeFileSync(empty, new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
    const request = requestFile("build.json", { ...coder, action: "shell.exec", args: build });
    const { code, err } = await run(["eval", "--policy", empty, "--request", request]);
    expect(code).toBe(2);
    expect(err).toBe(`agp: \`${empty}\` is not an agp policy module: no \`agp.manifest\` custom section\n`);
    const notWasm = await run(["eval", "--policy", request, "--request", request]);
    expect(notWasm.code).toBe(2);
    expect(notWasm.err).toMatch(/^agp: `.*build\.json` is not a WebAssembly module: /);
  });

  it("missing files and bad options", async () => {
    const request = requestFile("build.json", { ...coder, action: "shell.exec", args: build });
    expect(await run(["eval", "--policy", join(dir, "nope.wasm"), "--request", request])).toMatchObject({ code: 2, err: `agp: cannot read \`${join(dir, "nope.wasm")}\`: no such file or directory\n` });
    expect(await run(["eval", "--policy", wasm, "--request", join(dir, "nope.json")])).toMatchObject({ code: 2 });
    expect((await run(["eval", "--policy", wasm, "--request", request, "--format", "yaml"])).code).toBe(2);
    expect((await run(["eval", "--policy", wasm])).code).toBe(2);
    expect((await run(["eval", "--policy", wasm, "--request", request, "--sources", "."])).err).toBe("agp: --sources is used only with --explain\n");
  });
});

describe("agp eval --explain", () => {
  it("the deciding rule, its source lines and the value of each sub-expression", async () => {
    const request = requestFile("rm.json", { ...coder, action: "shell.exec", args: { ...build, command: "sudo rm -rf /" } });
    const { code, out } = await run(["eval", "--policy", wasm, "--request", request, "--explain"]);
    expect(code).toBe(0);
    expect(out).toBe(
      [
        "effect:      deny",
        "rules:       destructive (examples/platform/shell.agp:19)",
        "reasons:     destructive command",
        "blocked by:  agent",
        "audit:       security",
        `policy:      sha256 ${hash}, version 1.2.3`,
        "",
        "explanation:",
        "  rule destructive (examples/platform/shell.agp:19) decided (deny); its condition is true:",
        "    19 | rule destructive:",
        "    20 |   deny shell.exec",
        '    21 |   when args.command matches "*rm -rf /*"',
        '    22 |     or args.command matches "*mkfs*"',
        '    23 |     or args.command matches "*dd if=* of=/dev/*"',
        '    24 |     or args.command matches "*:(){*"',
        '    args.command matches "*rm -rf /*" or args.command matches "*mkfs*" or args.command matches "*dd if=* of=/dev/*" or args.command matches "*:(){*" = true',
        '      args.command matches "*rm -rf /*" or args.command matches "*mkfs*" or args.command matches "*dd if=* of=/dev/*" = true',
        '        args.command matches "*rm -rf /*" or args.command matches "*mkfs*" = true',
        '          args.command matches "*rm -rf /*" = true',
        '            args.command = "sudo rm -rf /"',
        '          args.command matches "*mkfs*": not evaluated',
        '        args.command matches "*dd if=* of=/dev/*": not evaluated',
        '      args.command matches "*:(){*": not evaluated',
        "",
      ].join("\n"),
    );
  });

  it("a default deny: no rule matched, and the rules covering the action with their values", async () => {
    const request = requestFile("long.json", { ...coder, action: "shell.exec", args: { ...build, timeout_seconds: 600 } });
    const { code, out } = await run(["eval", "--policy", wasm, "--request", request, "--explain"]);
    expect(code).toBe(0);
    const explanation = out.slice(out.indexOf("explanation:"));
    expect(explanation).toBe(
      [
        "explanation:",
        "  no rule matched: no rule allows `shell.exec`",
        "  2 rules cover `shell.exec`:",
        "  rule workspace_only (examples/platform/shell.agp:13) did not decide (allow); its condition is false:",
        "    13 | rule workspace_only:",
        "    14 |   allow shell.exec",
        "    15 |   when args.timeout_seconds <= 120 and (all p in args.write_paths: inside_workspace(p))",
        "    args.timeout_seconds <= 120 and (all p in args.write_paths: inside_workspace(p)) = false",
        "      args.timeout_seconds <= 120 = false",
        "        args.timeout_seconds = 600",
        "      all p in args.write_paths: inside_workspace(p): not evaluated",
        "  rule destructive (examples/platform/shell.agp:19) did not decide (deny); its condition is false:",
        "    19 | rule destructive:",
        "    20 |   deny shell.exec",
        '    21 |   when args.command matches "*rm -rf /*"',
        '    22 |     or args.command matches "*mkfs*"',
        '    23 |     or args.command matches "*dd if=* of=/dev/*"',
        '    24 |     or args.command matches "*:(){*"',
        '    args.command matches "*rm -rf /*" or args.command matches "*mkfs*" or args.command matches "*dd if=* of=/dev/*" or args.command matches "*:(){*" = false',
        '      args.command matches "*rm -rf /*" or args.command matches "*mkfs*" or args.command matches "*dd if=* of=/dev/*" = false',
        '        args.command matches "*rm -rf /*" or args.command matches "*mkfs*" = false',
        '          args.command matches "*rm -rf /*" = false',
        '            args.command = "npm test"',
        '          args.command matches "*mkfs*" = false',
        '            args.command = "npm test"',
        '        args.command matches "*dd if=* of=/dev/*" = false',
        '          args.command = "npm test"',
        '      args.command matches "*:(){*" = false',
        '        args.command = "npm test"',
        "",
      ].join("\n"),
    );
  });

  it("a limit that decided, with the counter the state gave", async () => {
    const args = { account: "111111111111", region: "eu-west-1", estimated_cost_usd: 40, image_id: "ami-0abc1234", instance_type: "t3.micro", count: 1 };
    const request = requestFile("launch.json", { ...ops, action: "aws.ec2.run_instances", args });
    const state = requestFile("spent.json", { counters: { daily_spend: 480 } });
    const { out } = await run(["eval", "--policy", wasm, "--request", request, "--state", state, "--explain"]);
    expect(out).toContain(
      [
        "explanation:",
        "  limit daily_spend (examples/platform/aws.agp:30) decided: the state says 480 used, and this request's charge would pass the cap 500",
        "    30 | limit daily_spend: budget 500 usd per day per agent on aws.* cost args.estimated_cost_usd",
        "  4 rules cover `aws.ec2.run_instances`:",
        "  rule read_aws (examples/platform/aws.agp:10) did not decide (allow); its condition is false:",
      ].join("\n"),
    );
  });

  it("a fail-closed deny: why the request is refused", async () => {
    const request = requestFile("wrong.json", { ...ops, action: "aws.ec2.run_instances", args: { account: 111, region: "eu-west-1" } });
    const { out } = await run(["eval", "--policy", wasm, "--request", request, "--explain"]);
    expect(out.slice(out.indexOf("\n\n"))).toBe("\n\nexplanation:\n  the request is refused before any rule runs: `args.account` must be a string, got the number 111\n");
  });

  it("--format json: the decision and the explanation tree", async () => {
    const request = requestFile("rm.json", { ...coder, action: "shell.exec", args: { ...build, command: "mkfs.ext4 /dev/sda1" } });
    const { out } = await run(["eval", "--policy", wasm, "--request", request, "--explain", "--format", "json"]);
    const document = JSON.parse(out);
    expect(document.decision.rules[0].id).toBe("destructive");
    const rule = document.explanation.rules[0];
    expect(rule).toMatchObject({ id: "destructive", decided: true, holds: true, source: expect.arrayContaining(["rule destructive:"]) });
    const first = rule.condition.children[0].children[0].children[0];
    expect(first).toEqual({ text: 'args.command matches "*rm -rf /*"', value: false, children: [{ text: "args.command", value: "mkfs.ext4 /dev/sda1" }] });
  });

  it("sources that are not the ones the module was compiled from: no explanation, the decision still printed", async () => {
    const sources = join(dir, "changed");
    mkdirSync(join(sources, "examples"), { recursive: true });
    cpSync("examples/platform", join(sources, "examples", "platform"), { recursive: true });
    cpSync("examples/schemas", join(sources, "examples", "schemas"), { recursive: true });
    const shell = join(sources, "examples", "platform", "shell.agp");
    writeFileSync(shell, readFileSync(shell, "utf8").replace("<= 120", "<= 90"));
    const changed = await compilePaths(["examples/platform"], { cwd: sources });
    const other = changed.result?.manifest.policy.hash ?? "";
    expect(other).not.toBe(hash);
    const request = requestFile("rm.json", { ...coder, action: "shell.exec", args: { ...build, command: "sudo rm -rf /" } });
    const { code, out } = await run(["eval", "--policy", wasm, "--request", request, "--explain", "--sources", sources]);
    expect(code).toBe(0);
    expect(out).toMatch(/^effect: {6}deny\nrules: {7}destructive \(examples\/platform\/shell\.agp:19\)\n/);
    expect(out).toContain(
      `\nexplanation: the sources in \`${sources}\` are not the ones this module was compiled from (hash ${other.slice(0, 12)}… ≠ ${hash.slice(0, 12)}…); no explanation\n`,
    );
    // The same copy, unchanged, explains.
    writeFileSync(shell, readFileSync("examples/platform/shell.agp", "utf8"));
    const same = await run(["eval", "--policy", wasm, "--request", request, "--explain", "--sources", sources]);
    expect(same.out).toContain("  rule destructive (examples/platform/shell.agp:19) decided (deny); its condition is true:\n");
  });

  it("sources that cannot be found", async () => {
    const request = requestFile("rm.json", { ...coder, action: "shell.exec", args: { ...build, command: "sudo rm -rf /" } });
    const { code, out } = await run(["eval", "--policy", wasm, "--request", request, "--explain"], dir);
    expect(code).toBe(0);
    expect(out).toContain("\nexplanation: cannot find `examples/platform/aws.agp` under `.` (the module names its policy files as they were given to `agp compile`; pass --sources <the directory it ran in>); no explanation\n");
    const json = await run(["eval", "--policy", wasm, "--request", request, "--explain", "--format", "json"], dir);
    expect(JSON.parse(json.out).explanation).toEqual({ status: "unavailable", message: expect.stringMatching(/^cannot find `examples\/platform\/aws\.agp` under `\.`/) });
  });

  it("a kill switch: no rule decided, and the rules covering the action", async () => {
    const request = requestFile("build.json", { ...coder, action: "shell.exec", args: build });
    const state = requestFile("killed.json", { killed: ["shell"] });
    const { out } = await run(["eval", "--policy", wasm, "--request", request, "--state", state, "--explain"]);
    expect(out).toContain("effect:      deny\nrules:       none\nreasons:     kill switch `shell` is engaged\n");
    expect(out).toContain("\nexplanation:\n  no rule decided: kill switch `shell` is engaged\n  2 rules cover `shell.exec`:\n  rule workspace_only (examples/platform/shell.agp:13) did not decide (allow); its condition is true:\n");
  });
});

describe("agp eval --explain: sources spread over files", () => {
  it("constants and catalogs in a file without rules: the directories are checked too", async () => {
    const project = mkdtempSync(join(tmpdir(), "agp-eval-project-"));
    mkdirSync(join(project, "schemas"));
    mkdirSync(join(project, "policy"));
    cpSync("examples/schemas/shell.json", join(project, "schemas", "shell.json"));
    writeFileSync(join(project, "policy", "common.agp"), 'package p\nactions "../schemas/shell.json"\n\nlet max_seconds = 120\n');
    writeFileSync(join(project, "policy", "rules.agp"), "package p\n\nrule quick:\n  allow shell.exec\n  when args.timeout_seconds <= max_seconds\n");
    const compiled = await compilePaths(["policy"], { cwd: project });
    if (compiled.result === undefined) throw new Error(compiled.diagnostics.map((d) => d.message).join("; "));
    expect(compiled.result.manifest.rules.map((r) => r.file)).toEqual(["policy/rules.agp"]);
    const module = join(project, "p.wasm");
    writeFileSync(module, compiled.result.wasm);
    const request = requestFile("quick.json", { agent: { id: "a", groups: [], trust: 1 }, env: "dev", action: "shell.exec", args: build });
    const { code, out } = await run(["eval", "--policy", module, "--request", request, "--explain", "--sources", project]);
    expect(code).toBe(0);
    expect(out.slice(out.indexOf("explanation:"))).toBe(
      [
        "explanation:",
        "  rule quick (policy/rules.agp:3) decided (allow); its condition is true:",
        "    3 | rule quick:",
        "    4 |   allow shell.exec",
        "    5 |   when args.timeout_seconds <= max_seconds",
        "    args.timeout_seconds <= max_seconds = true",
        "      args.timeout_seconds = 60",
        "      max_seconds = 120",
        "",
      ].join("\n"),
    );
  });
});
