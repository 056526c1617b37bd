/**
 * The `agp` command line as a user meets it: help, version, exit codes,
 * diagnostics on stderr, JSON on stdout, fmt's three modes.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { captureIo } from "../../compiler/cli/io.js";
import { main } from "../../compiler/cli/main.js";
import packageJson from "../../package.json" with { type: "json" };

async function run(args: string[], cwd?: string) {
  const io = captureIo(cwd);
  const code = await main(args, io);
  return { code, out: io.out, err: io.err };
}

async function scratch(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "agp-cli-"));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text, "utf8");
  return dir;
}

const formatted = `package demo

rule open_prs:
  allow github.pull_request.open
`;

const broken = `package demo

rule never_merge:
  merge github.pull_request.merge
`;

describe("agp", () => {
  it("prints its version from package.json", async () => {
    const { code, out } = await run(["--version"]);
    expect(code).toBe(0);
    expect(out.trim()).toBe(packageJson.version);
  });

  it.each(["check", "fmt"])("has --help for `%s`", async (verb) => {
    const { code, out } = await run([verb, "--help"]);
    expect(code).toBe(0);
    expect(out).toContain(`Usage: agp ${verb}`);
  });

  it("lists its verbs and exit codes in --help", async () => {
    const { code, out } = await run(["--help"]);
    expect(code).toBe(0);
    expect(out).toMatch(/check/);
    expect(out).toMatch(/fmt/);
    expect(out).toContain("Exit codes: 0 ok, 1 policy errors, 2 usage or I/O errors.");
  });

  it("exits 2 on an unknown verb, with a suggestion", async () => {
    const { code, err } = await run(["chek", "x.agp"]);
    expect(code).toBe(2);
    expect(err).toContain("unknown command 'chek'");
    expect(err).toContain("(Did you mean check?)");
  });

  it("exits 2 on an unknown --format", async () => {
    const { code, err } = await run(["check", "--format", "yaml", "x.agp"]);
    expect(code).toBe(2);
    expect(err).toBe("agp: unknown format `yaml`; use text or json\n");
  });
});

describe("agp check", () => {
  it("exits 2 and names the path when a file does not exist", async () => {
    const dir = await scratch({});
    const { code, err } = await run(["check", "missing.agp"], dir);
    expect(code).toBe(2);
    expect(err).toContain("missing.agp:1:1: error AGP901: cannot read `missing.agp`: no such file or directory");
  });

  it("exits 1 with a caret excerpt for a syntax error", async () => {
    const dir = await scratch({ "broken.agp": broken });
    const { code, err } = await run(["check", "broken.agp"], dir);
    expect(code).toBe(1);
    expect(err).toContain("broken.agp:4:3: error AGP");
    expect(err).toContain("expected a rule effect (allow, approve or deny) after `rule never_merge:`");
    expect(err).toContain("  4 |   merge github.pull_request.merge\n    |   ^^^^^");
  });

  it("prints JSON diagnostics on stdout with --format json", async () => {
    const dir = await scratch({ "broken.agp": broken });
    const { code, out } = await run(["check", "--format", "json", "broken.agp"], dir);
    expect(code).toBe(1);
    const report = JSON.parse(out) as { diagnostics: { file: string; line: number; column: number; code: string }[]; summary: { errors: number } };
    expect(report.summary.errors).toBe(1);
    expect(report.diagnostics[0]).toMatchObject({ file: "broken.agp", line: 4, column: 3 });
    expect(report.diagnostics[0]?.code).toMatch(/^AGP1\d\d$/);
  });
});

describe("agp fmt", () => {
  it("prints the canonical text to stdout by default", async () => {
    const dir = await scratch({ "a.agp": "package demo\nrule open_prs: allow github.pull_request.open\n" });
    const { code, out } = await run(["fmt", "a.agp"], dir);
    expect(code).toBe(0);
    expect(out).toBe(formatted);
  });

  it("--check lists unformatted files and exits 1, changing nothing", async () => {
    const source = "package demo\nrule open_prs: allow github.pull_request.open\n";
    const dir = await scratch({ "a.agp": source, "b.agp": formatted });
    const { code, err } = await run(["fmt", "--check", "."], dir);
    expect(code).toBe(1);
    expect(err).toBe("not formatted: a.agp\n");
    expect(await readFile(join(dir, "a.agp"), "utf8")).toBe(source);
  });

  it("--check exits 0 when everything is formatted", async () => {
    const dir = await scratch({ "b.agp": formatted });
    const { code, err } = await run(["fmt", "--check", "b.agp"], dir);
    expect(code).toBe(0);
    expect(err).toBe("");
  });

  it("--write rewrites unformatted files in place", async () => {
    const dir = await scratch({ "a.agp": "package demo\nrule open_prs: allow github.pull_request.open\n" });
    const { code, err } = await run(["fmt", "--write", "a.agp"], dir);
    expect(code).toBe(0);
    expect(err).toBe("formatted: a.agp\n");
    expect(await readFile(join(dir, "a.agp"), "utf8")).toBe(formatted);
  });

  it("never rewrites a file with syntax errors", async () => {
    const dir = await scratch({ "broken.agp": broken });
    const { code, err } = await run(["fmt", "--write", "broken.agp"], dir);
    expect(code).toBe(1);
    expect(err).toContain("expected a rule effect (allow, approve or deny) after `rule never_merge:`");
    expect(await readFile(join(dir, "broken.agp"), "utf8")).toBe(broken);
  });

  it("refuses --check together with --write", async () => {
    const { code, err } = await run(["fmt", "--check", "--write", "x.agp"]);
    expect(code).toBe(2);
    expect(err).toBe("agp: use one of --check, --diff and --write, not --check and --write\n");
  });
});
