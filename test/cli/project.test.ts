/**
 * The CLI habits of issue 18, as a user meets them: agp.json found by
 * walking up (sets, npm: catalogs, strict, suppress; a bad setting stops
 * every verb, located), paths that hold no policy or are catalogs, output
 * folders created, `-o <dir>`, `fmt --diff` and headers, `eval --requests`,
 * and FORCE_COLOR / NO_COLOR.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { colorWanted } from "../../compiler/cli/color.js";
import { captureIo } from "../../compiler/cli/io.js";
import { main } from "../../compiler/cli/main.js";
import { INIT_FILES } from "../../compiler/cli/init/templates.js";

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

/** A project as `agp init` writes it, with `changes` applied (undefined deletes). */
function project(changes: Record<string, string | undefined> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "agp-project-"));
  roots.push(dir);
  const files = new Map<string, string | undefined>([...INIT_FILES, ...Object.entries(changes)]);
  for (const [file, text] of files) {
    if (text === undefined) continue;
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

async function agp(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo(cwd);
  const code = await main(args, io);
  return { code, out: io.out, err: io.err };
}

const policy = INIT_FILES.find(([f]) => f === "policies/tickets.agp")![1];
/** A rule whose condition the schema makes impossible (`number` has minimum 1): warning AGP301. */
const warned = `${policy}
rule never:
  deny tickets.issue.read
  when args.number < 0
`;

describe("agp.json", () => {
  it("is found from a subdirectory, and its sets are what check runs on", async () => {
    const dir = project();
    const check = await agp(["check"], join(dir, "schemas"));
    expect(check.code).toBe(0);
    expect(check.err).toMatch(/checked 2 files/);
  });

  it("`strict` makes warnings errors; --no-strict and `suppress` undo it", async () => {
    const dir = project({ "policies/tickets.agp": warned });
    const strict = await agp(["check"], dir);
    expect(strict.code).toBe(1);
    expect(strict.err).toContain("error AGP301");
    const lenient = await agp(["check", "--no-strict"], dir);
    expect(lenient.code).toBe(0);
    expect(lenient.err).toContain("warning AGP301");
    const suppressed = project({
      "policies/tickets.agp": warned,
      "agp.json": JSON.stringify({ sets: { tickets: "policies" }, strict: true, suppress: { AGP301: ["policies/**"] } }),
    });
    const quiet = await agp(["check"], suppressed);
    expect(quiet.err).not.toContain("AGP301");
    expect(quiet.code).toBe(0);
  });

  it("a misspelled setting stops the verb, located in agp.json (AGP905)", async () => {
    const dir = project({ "agp.json": '{\n  "sets": { "platform": "policies" },\n  "strickt": true\n}\n' });
    for (const verb of [["check"], ["test"], ["fmt", "--check"]]) {
      const run = await agp(verb, dir);
      expect(run.code, verb[0]).toBe(2);
      expect(run.err, verb[0]).toContain("agp.json:3:3: error AGP905: unknown setting `strickt`\n");
    }
  });

  it("reads catalogs from npm packages (`npm:<package>/<file>`), and says when one is not installed (AGP906)", async () => {
    const catalog = INIT_FILES.find(([f]) => f === "schemas/tickets.json")![1];
    const withNpm = {
      "agp.json": JSON.stringify({ sets: { tickets: "policies" }, catalogs: ["npm:@acme/agp-catalogs/tickets.json"] }),
      "policies/tickets.agp": policy.replace('actions "../schemas/tickets.json"\n', ""),
      "schemas/tickets.json": undefined,
    };
    const missing = project(withNpm);
    const none = await agp(["check"], missing);
    expect(none.code).toBe(2);
    expect(none.err).toContain("error AGP906: cannot find the catalog `npm:@acme/agp-catalogs/tickets.json`: the package `@acme/agp-catalogs` is not installed");
    const installed = project({ ...withNpm, "node_modules/@acme/agp-catalogs/package.json": '{"name":"@acme/agp-catalogs","version":"1.0.0"}', "node_modules/@acme/agp-catalogs/tickets.json": catalog });
    const ok = await agp(["check"], installed);
    expect(ok.err).not.toContain("error");
    expect(ok.code).toBe(0);
  });
});

describe("this repository's own agp.json", () => {
  it("makes `agp test` at the root run the example sets, not every .agp under it", async () => {
    const run = await agp(["test", "--engine", "interpreter"], process.cwd());
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/\n\d+ cases: (\d+) passed, 0 failed \(interpreter\)\ncoverage: rules (\d+)\/\2 \(100%\)/);
  });
});

describe("paths", () => {
  it("a folder without policies says so (AGP902); a catalog given to check points at schema check (AGP903)", async () => {
    const dir = project({ "empty/README.md": "x" });
    const empty = await agp(["check", "empty"], dir);
    expect(empty).toEqual({ code: 2, out: "", err: "empty:1:1: error AGP902: no .agp files under `empty`\n  help: policies are files ending in .agp; check the path (hidden directories, node_modules and the project's `ignore` globs are skipped)\n\n1 error, 0 warnings\n" });
    const json = await agp(["check", "schemas/tickets.json"], dir);
    expect(json.code).toBe(2);
    expect(json.err).toContain("help: to validate an action catalog, run `agp schema check schemas/tickets.json`");
  });

  it("outputs create their folders; -o <dir> writes <set>.wasm; a file in the way is a clear error", async () => {
    const dir = project();
    const nested = await agp(["compile", "policies", "-o", "out/deep/p.wasm"], dir);
    expect(nested.code).toBe(0);
    expect(existsSync(join(dir, "out/deep/p.wasm"))).toBe(true);
    mkdirSync(join(dir, "modules"));
    const intoDir = await agp(["compile", "-o", "modules"], dir);
    expect(intoDir.code).toBe(0);
    expect(existsSync(join(dir, "modules/tickets.wasm"))).toBe(true);
    const report = await agp(["test", "--reporter", "junit", "--output", "reports/ci/junit.xml", "--coverage-lcov", "reports/cov/lcov.info"], dir);
    expect(report.code).toBe(0);
    expect(readFileSync(join(dir, "reports/ci/junit.xml"), "utf8")).toMatch(/<testsuite [^>]*time="/);
    expect(existsSync(join(dir, "reports/cov/lcov.info"))).toBe(true);
    writeFileSync(join(dir, "blocker"), "");
    const blocked = await agp(["compile", "policies", "-o", "blocker/p.wasm"], dir);
    expect(blocked.code).toBe(2);
    expect(blocked.err).toContain("a part of the path is not a directory");
  });
});

describe("agp fmt", () => {
  it("--diff prints a diff of each unformatted file and exits 1, changing nothing", async () => {
    const messy = policy.replace("rule read_anything:\n  allow tickets.*", "rule read_anything:\n      allow tickets.*");
    const dir = project({ "policies/tickets.agp": messy });
    const run = await agp(["fmt", "--diff", "policies/tickets.agp"], dir);
    expect(run.code).toBe(1);
    expect(run.out).toContain("-      allow tickets.*\n+  allow tickets.*\n");
    expect(readFileSync(join(dir, "policies/tickets.agp"), "utf8")).toBe(messy);
    const clean = await agp(["fmt", "--diff", "policies/tickets.test.agp"], dir);
    expect(clean).toMatchObject({ code: 0, out: "" });
  });

  it("prints several files each after a header, never run together", async () => {
    const dir = project();
    const run = await agp(["fmt", "policies/tickets.agp", "policies/tickets.test.agp"], dir);
    expect(run.code).toBe(0);
    expect(run.out.startsWith("==> policies/tickets.agp <==\n")).toBe(true);
    expect(run.out).toContain("\n\n==> policies/tickets.test.agp <==\npackage tickets\n");
  });
});

describe("agp eval --requests", () => {
  it("decides every line of a JSONL file with one module, and a bad line does not stop the others", async () => {
    const dir = project();
    expect((await agp(["compile", "-o", "build/"], dir)).code).toBe(0);
    const base = { agent: { id: "bot", groups: ["bots"], trust: 1 }, env: "production" };
    const lines = [
      { ...base, action: "tickets.issue.read", args: { project: "web", number: 7 } },
      { ...base, action: "tickets.issue.close", args: { project: "web", number: 7, reason: "not_planned" } },
    ].map((r) => JSON.stringify(r));
    writeFileSync(join(dir, "requests.jsonl"), `${lines.join("\n")}\nnot json\n`);
    const run = await agp(["eval", "--policy", "build/tickets.wasm", "--requests", "requests.jsonl"], dir);
    const out = run.out.trim().split("\n");
    expect(out).toHaveLength(3);
    expect(out[0]).toMatch(/^requests\.jsonl:1: allow/);
    expect(out[1]).toMatch(/^requests\.jsonl:2: deny/);
    expect(out[2]).toMatch(/^requests\.jsonl:3: /);
    expect(run.code).toBe(2);
  });
});

describe("colours", () => {
  it("--no-color wins, then FORCE_COLOR, then NO_COLOR, then a terminal outside CI", () => {
    expect(colorWanted(false, true, { FORCE_COLOR: "1" })).toBe(false);
    expect(colorWanted(undefined, false, { FORCE_COLOR: "1", NO_COLOR: "1" })).toBe(true);
    expect(colorWanted(undefined, true, { FORCE_COLOR: "0" })).toBe(false);
    expect(colorWanted(undefined, true, { NO_COLOR: "1" })).toBe(false);
    expect(colorWanted(undefined, true, { NO_COLOR: "" })).toBe(true);
    expect(colorWanted(undefined, true, { CI: "true" })).toBe(false);
    expect(colorWanted(undefined, false, {})).toBe(false);
  });
});
