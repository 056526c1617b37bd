/**
 * `agp schema import-mcp --command` and `agp schema diff` against the
 * official MCP servers from npm (filesystem, memory, everything; dev
 * dependencies), each started over stdio, asked for its tools, and ended:
 * the catalog compiles without hand edits (`--max-length`, `--max-items`,
 * `--close-objects`), `schema check --strict` passes on it and fails on a
 * plain import (the bounds import warned about), and `schema diff` sees no
 * drift against the live server and exactly the drift made by hand. Then
 * the ways a server fails: it exits, it never answers (killed at the time
 * limit, its whole process group).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCatalog } from "../../compiler/catalog/index.js";
import { captureIo } from "../../compiler/cli/io.js";
import { main } from "../../compiler/cli/main.js";

const dir = mkdtempSync(join(tmpdir(), "agp-mcp-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bin = (name: string): string => JSON.stringify(resolve("node_modules", "@modelcontextprotocol", `server-${name}`, "dist", "index.js"));
const node = JSON.stringify(process.execPath);
const SERVERS: [string, string][] = [
  ["filesystem", `${node} ${bin("filesystem")} ${JSON.stringify(dir)}`],
  ["memory", `${node} ${bin("memory")}`],
  ["everything", `${node} ${bin("everything")} stdio`],
];

/** Whether a process runs: a zombie (dead, waiting for a parent that does not reap it, as PID 1 in some containers) does not. */
function alive(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (existsSync("/proc/self/stat")) return existsSync(stat) && !/^\d+ \(.*\) [ZX] /.test(readFileSync(stat, "utf8"));
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function agp(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo(dir);
  const code = await main(args, io);
  return { code, out: io.out, err: io.err };
}

describe.each(SERVERS)("the %s server, over stdio", (name, command) => {
  it("imports into a catalog that loads clean with nothing left to bound, passes schema check --strict, and has no drift", async () => {
    const file = `${name}.json`;
    const imported = await agp(["schema", "import-mcp", "--command", command, "--timeout", "60000", "--family", name, "--max-length", "4096", "--max-items", "256", "--close-objects", "-o", file]);
    expect(imported.err).toMatch(/^listed \d+ tools? from \S+/);
    expect(imported.err).not.toContain("has no max");
    expect(imported.code).toBe(0);
    const text = readFileSync(join(dir, file), "utf8");
    const loaded = loadCatalog(file, text);
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.catalog!.actions.length).toBeGreaterThan(0);

    const checked = await agp(["schema", "check", "--strict", file]);
    expect(checked.err).toBe(`checked 1 catalog (${loaded.catalog!.actions.length} actions): no problems\n`);
    expect(checked.code).toBe(0);

    const drift = await agp(["schema", "diff", file, "--command", command, "--timeout", "60000"]);
    expect(drift.out).toBe("");
    expect(drift.err).toMatch(new RegExp(`${file}: no drift: the server's \\d+ tools match the catalog\\n$`));
    expect(drift.code).toBe(0);
  });
});

describe("bounds an import warned about, and drift", () => {
  it("schema check --strict fails on a plain import's unbounded fields (AGP430), plain schema check warns", async () => {
    const [, command] = SERVERS[1]!;
    const imported = await agp(["schema", "import-mcp", "--command", command, "--timeout", "60000", "--family", "memory", "-o", "plain.json"]);
    expect(imported.code).toBe(0);
    expect(imported.err).toContain("tool `create_entities`: `entities` (array) has no maxItems; policies cannot quantify over it until you add one\n");
    const strict = await agp(["schema", "check", "--strict", "plain.json"]);
    expect(strict.code).toBe(1);
    expect(strict.err).toContain("error AGP430: `entities` of `memory.create_entities` (array) has no maxItems: policies cannot quantify over it");
    const plain = await agp(["schema", "check", "plain.json"]);
    expect(plain.code).toBe(0);
    expect(plain.err).toContain("warning AGP430:");
    expect(plain.err).toMatch(/checked 1 catalog \(\d+ actions\): no errors\n$/);
  });

  it("schema diff names each tool and argument changed since the import, and exits 1", async () => {
    const [, command] = SERVERS[1]!;
    const catalog = JSON.parse(readFileSync(join(dir, "plain.json"), "utf8")) as { actions: Record<string, { args: { properties: Record<string, unknown>; required?: string[] } }> };
    // As if the catalog had been imported from an older server: one tool fewer, one argument fewer, one more.
    delete catalog.actions["read_graph"];
    delete catalog.actions["search_nodes"]!.args.properties["query"];
    catalog.actions["search_nodes"]!.args.required = [];
    catalog.actions["open_nodes"]!.args.properties["limit"] = { type: "integer" };
    writeFileSync(join(dir, "old.json"), JSON.stringify(catalog, null, 2));
    const drift = await agp(["schema", "diff", "old.json", "--command", command, "--timeout", "60000"]);
    expect(drift.out).toBe(
      [
        "old.json: memory.open_nodes: argument `limit` removed",
        "old.json: memory.read_graph: tool added",
        "old.json: memory.search_nodes: argument `query` added (string, required)",
        "",
      ].join("\n"),
    );
    expect(drift.err).toMatch(/old\.json: drift: 3 changes in 3 tools\n$/);
    expect(drift.code).toBe(1);
    const json = await agp(["schema", "diff", "old.json", "--command", command, "--timeout", "60000", "--format", "json"]);
    expect((JSON.parse(json.out) as { drift: boolean; changes: { action: string; kind: string }[] }).changes.map((c) => [c.action, c.kind])).toEqual([
      ["memory.open_nodes", "argument removed"],
      ["memory.read_graph", "tool added"],
      ["memory.search_nodes", "argument added"],
    ]);
  });
});

describe("a server that does not list its tools", () => {
  it("one that exits: exit 2, saying so, with its stderr", async () => {
    const run = await agp(["schema", "import-mcp", "--family", "x", "--command", `${node} -e "console.error('no config'); process.exit(3)"`]);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/gave no tool list: it exited \(code 3\) before listing its tools \(its stderr: no config\)\n$/);
  });

  it("one that never answers: stopped at --timeout, its process ended", async () => {
    const pidFile = join(dir, "silent.pid");
    const script = `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000)`;
    const run = await agp(["schema", "import-mcp", "--family", "x", "--timeout", "1500", "--command", `${node} -e ${JSON.stringify(script)}`]);
    expect(run.code).toBe(2);
    expect(run.err).toContain("gave no tool list: no tool list within 1500 ms");
    expect(existsSync(pidFile)).toBe(true);
    const pid = Number(readFileSync(pidFile, "utf8"));
    // Signalled before agp answered; the kernel takes a moment to end it.
    for (let i = 0; i < 40 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
    expect(alive(pid)).toBe(false);
  });

  it("a file and --command together, or neither: a usage error", async () => {
    expect((await agp(["schema", "import-mcp", "--family", "x"])).err).toBe("agp: give the tool list as a file, or --command to ask the running server (not both)\n");
  });
});
