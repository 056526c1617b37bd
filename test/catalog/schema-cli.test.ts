/**
 * `agp schema import-mcp`: exact output and exit codes, run in-process.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Command, CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import { loadCatalog } from "../../compiler/catalog/index.js";
import { registerSchemaCommand } from "../../compiler/cli/commands/schema.js";
import { captureIo } from "../../compiler/cli/io.js";

const FIXTURE = resolve("test/fixtures/catalog/mcp/agentdojo-tools.json");

/** Runs `agp <argv>` with only the schema command registered, as main.ts does. */
async function run(argv: string[], cwd = process.cwd()) {
  const io = captureIo(cwd);
  let code = 0;
  const program = new Command("agp").exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  registerSchemaCommand(program, io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    code = error.exitCode === 0 ? 0 : 2;
  }
  return { code, out: io.out, err: io.err };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "agp-schema-"));
}

describe("agp schema import-mcp", () => {
  it("prints the catalog on stdout and the missing bounds on stderr", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "tools.json"), JSON.stringify({ tools: [{ name: "send_email", inputSchema: { type: "object", properties: { recipients: { type: "array", items: { type: "string", maxLength: 254 } }, subject: { type: "string", maxLength: 200 } } } }] }));
    const result = await run(["schema", "import-mcp", "tools.json", "--family", "mail"], dir);
    expect(result.code).toBe(0);
    expect(result.err).toBe(
      "tool `send_email`: `recipients` (array) has no maxItems; policies cannot quantify over it until you add one\n",
    );
    expect(result.out).toBe(`{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "family": "mail",
  "description": "Imported from an MCP tool list by \`agp schema import-mcp\`.",
  "actions": {
    "send_email": {
      "metadata": {"readOnly": false},
      "args": {
        "type": "object",
        "properties": {
          "recipients": {"type": "array", "items": {"type": "string", "maxLength": 254}},
          "subject": {"type": "string", "maxLength": 200}
        }
      }
    }
  }
}
`);
  });

  it("writes the catalog with -o, and the written catalog loads clean", async () => {
    const dir = tempDir();
    const result = await run(["schema", "import-mcp", FIXTURE, "--family", "workspace", "-o", "workspace.json"], dir);
    expect(result.code).toBe(0);
    expect(result.out).toBe("");
    const lines = result.err.trimEnd().split("\n");
    expect(lines).toHaveLength(19);
    expect(lines[0]).toBe("tool `send_email`: `recipients` (array) has no maxItems; policies cannot quantify over it until you add one");
    expect(lines[18]).toBe("wrote 7 actions of family `workspace` to workspace.json");
    const written = readFileSync(join(dir, "workspace.json"), "utf8");
    expect(loadCatalog("workspace.json", written).diagnostics).toEqual([]);
  });

  it("prints what docs/catalogs.md shows for the mail example", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "schemas"));
    copyFileSync(resolve("test/fixtures/catalog/mcp/mail-tools.json"), join(dir, "tools.json"));
    const result = await run(["schema", "import-mcp", "tools.json", "--family", "mail", "-o", "schemas/mail.json"], dir);
    expect(result.code).toBe(0);
    const doc = readFileSync("docs/catalogs.md", "utf8");
    expect(doc).toContain(`$ agp schema import-mcp tools.json --family mail -o schemas/mail.json\n${result.err}`);
    expect(result.err).toContain("wrote 2 actions of family `mail` to schemas/mail.json\n");
  });

  it("exits 1 with a clear message when the input is not an MCP tool list", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "servers.json"), '{"servers": []}');
    const result = await run(["schema", "import-mcp", "servers.json", "--family", "x"], dir);
    expect(result).toEqual({
      code: 1,
      out: "",
      err: 'agp: servers.json: the input is not an MCP tool list: expected `{ "tools": [...] }` or an array of tools\n',
    });
  });

  it("exits 1 and says where when the input is not JSON", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "tools.json"), '{\n  "tools": [\n    { "name": "a" }\n    { "name": "b" }\n  ]\n}\n');
    const result = await run(["schema", "import-mcp", "tools.json", "--family", "x"], dir);
    expect(result).toEqual({ code: 1, out: "", err: "agp: tools.json:4:5: not valid JSON: missing `,` before this element\n" });
  });

  it("exits 1 and prints the new catalog's errors when a schema cannot be typed", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "tools.json"), JSON.stringify([{ name: "a", inputSchema: { type: "object", properties: { x: { not: {} } } } }]));
    const result = await run(["schema", "import-mcp", "tools.json", "--family", "x"], dir);
    expect(result.code).toBe(1);
    expect(result.out).toContain('"family": "x"');
    expect(result.err).toBe(
      `x.json:6:92: error AGP407: \`not\` at \`/actions/a/args/properties/x/not\` is not supported in catalogs: a policy type cannot be the complement of a schema
  6 |     "a": {"metadata": {"readOnly": false}, "args": {"type": "object", "properties": {"x": {"not": {}}}}}
    |                                                                                            ^^^^^

1 error, 0 warnings
`,
    );
  });

  it("exits 2 when the input cannot be read", async () => {
    const result = await run(["schema", "import-mcp", "missing.json", "--family", "x"], tempDir());
    expect(result).toEqual({ code: 2, out: "", err: "agp: cannot read `missing.json`: no such file or directory\n" });
  });

  it("exits 2 when the output cannot be written", async () => {
    const result = await run(["schema", "import-mcp", FIXTURE, "--family", "x", "-o", "no/such/dir/x.json"], tempDir());
    expect(result).toEqual({ code: 2, out: "", err: "agp: cannot write `no/such/dir/x.json`: no such file or directory\n" });
  });

  it("exits 2 without --family", async () => {
    const result = await run(["schema", "import-mcp", FIXTURE]);
    expect(result.code).toBe(2);
    expect(result.err).toBe("error: required option '--family <name>' not specified\n");
  });
});
