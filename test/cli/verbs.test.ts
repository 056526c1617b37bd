/**
 * The verb table main.ts shows instead of loading every command module:
 * it must say what the modules say, list every module, and a verb must load
 * only what it needs (no binaryen for `--version`, `fmt` or `check`).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Command, Help } from "commander";
import { describe, expect, it } from "vitest";
import { captureIo } from "../../compiler/cli/io.js";
import { main } from "../../compiler/cli/main.js";
import { VERBS, verbOf } from "../../compiler/cli/verbs.js";

describe("the verb table", () => {
  it("says what each command module registers: name, summary and help term", async () => {
    const help = new Help();
    for (const verb of VERBS) {
      const program = new Command("agp");
      (await verb.load())(program, captureIo(), () => {});
      const real = program.commands.find((c) => c.name() === verb.name);
      expect(real, verb.name).toBeDefined();
      expect(real!.description(), verb.name).toBe(verb.summary);
      expect(help.subcommandTerm(real!), verb.name).toBe(verb.term);
    }
  });

  it("lists every command module under compiler/cli/commands", () => {
    const registered = readdirSync("compiler/cli/commands")
      .filter((f) => f.endsWith(".ts"))
      .flatMap((f) => [...readFileSync(`compiler/cli/commands/${f}`, "utf8").matchAll(/^export function (register\w+Command)\(program/gm)].map((m) => m[1]));
    const table = readFileSync("compiler/cli/verbs.ts", "utf8");
    for (const name of registered) expect(table, name).toContain(`.${name}`);
  });

  it("finds the verb after options and behind `help`", () => {
    expect(verbOf(["check", "x"])?.name).toBe("check");
    expect(verbOf(["help", "test"])?.name).toBe("test");
    expect(verbOf(["--version"])).toBeUndefined();
    expect(verbOf(["chek"])).toBeUndefined();
  });

  it("`agp --help` lists every verb as loading it would", async () => {
    const io = captureIo();
    expect(await main(["--help"], io)).toBe(0);
    for (const verb of VERBS) expect(io.out).toContain(verb.term);
    expect(io.out).toContain("Exit codes: 0 ok");
  });

  it("an unknown verb is a usage error with a suggestion", async () => {
    const io = captureIo();
    expect(await main(["chek"], io)).toBe(2);
    expect(io.err).toContain("(Did you mean check?)");
  });
});

/**
 * The packages a module of the build loads before it runs anything: its
 * static imports, followed through dist/ (what tsc kept, type-only imports
 * gone). Dynamic `import()` is not followed: that is how verbs defer.
 */
function staticPackages(entry: string): Set<string> {
  const pattern = /^\s*(?:import|export)\b[^'"]*?from\s+["']([^"']+)["']|^\s*import\s+["']([^"']+)["']/gm;
  const packages = new Set<string>();
  const seen = new Set<string>();
  const queue = [resolve(entry)];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of readFileSync(file, "utf8").matchAll(pattern)) {
      const specifier = (m[1] ?? m[2])!;
      if (specifier.startsWith(".")) queue.push(resolve(dirname(file), specifier));
      else if (!specifier.startsWith("node:")) packages.add(/^(@[^/]+\/)?[^/]+/.exec(specifier)![0]);
    }
  }
  return packages;
}

describe("what a verb loads before it runs (the build in dist/)", () => {
  const heavy = ["binaryen", "z3-solver", "vscode-languageserver", "ioredis", "prom-client"];
  const cases: [string, string[]][] = [
    ["main.js", [...heavy, "chevrotain", "ajv"]],
    ["commands/check.js", heavy],
    ["commands/fmt.js", [...heavy, "ajv"]],
    ["commands/test.js", heavy],
    ["commands/eval.js", [...heavy, "chevrotain"]],
    ["commands/inspect.js", [...heavy]],
    ["commands/schema.js", heavy],
    ["commands/init.js", [...heavy, "chevrotain", "ajv"]],
  ];
  it.each(cases)("dist/compiler/cli/%s loads none of the heavy packages it does not need", (file, absent) => {
    const path = `dist/compiler/cli/${file}`;
    expect(existsSync(path), "run `npm run build` first").toBe(true);
    const packages = staticPackages(path);
    expect(absent.filter((p) => packages.has(p))).toEqual([]);
  });

  it("compile does load binaryen (the walk follows imports)", () => {
    expect(staticPackages("dist/compiler/cli/commands/compile.js").has("binaryen")).toBe(true);
  });
});
