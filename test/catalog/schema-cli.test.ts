/**
 * `agp schema import-mcp | check | show`: exact output and exit codes, run in-process.
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
  help: list what is allowed (\`enum\`, bounds) instead

1 error, 0 warnings
`,
    );
  });

  it("exits 2 when the input cannot be read", async () => {
    const result = await run(["schema", "import-mcp", "missing.json", "--family", "x"], tempDir());
    expect(result).toEqual({ code: 2, out: "", err: "agp: cannot read `missing.json`: no such file or directory\n" });
  });

  it("creates missing folders for -o, and exits 2 when the output cannot be written", async () => {
    const dir = tempDir();
    const created = await run(["schema", "import-mcp", FIXTURE, "--family", "x", "-o", "new/dir/x.json"], dir);
    expect(created.code).toBe(0);
    expect(readFileSync(join(dir, "new/dir/x.json"), "utf8")).toContain('"family": "x"');
    writeFileSync(join(dir, "file"), "");
    const result = await run(["schema", "import-mcp", FIXTURE, "--family", "x", "-o", "file/x.json"], dir);
    expect(result).toEqual({ code: 2, out: "", err: "agp: cannot write `file/x.json`: a part of the path is not a directory\n" });
  });

  it("exits 2 without --family", async () => {
    const result = await run(["schema", "import-mcp", FIXTURE]);
    expect(result.code).toBe(2);
    expect(result.err).toBe("error: required option '--family <name>' not specified\n");
  });
});

describe("agp schema check", () => {
  it("validates the example catalogs", async () => {
    const files = ["github", "shell", "aws", "deploy", "slack", "project"].map((f) => `examples/schemas/${f}.json`);
    expect(await run(["schema", "check", ...files])).toEqual({
      code: 0,
      out: "",
      err: "checked 6 catalogs (54 actions): no problems\n",
    });
  });

  it("exits 1 on catalog errors, with every error of every catalog", async () => {
    const dir = "test/fixtures/catalog/merge";
    const result = await run(["schema", "check", `${dir}/github-a.json`, `${dir}/github-b.json`, `${dir}/project.json`]);
    expect(result.code).toBe(1);
    expect(result.err).toContain("error AGP410: action `github.pull_request.merge` is declared by two catalogs");
    expect(result.err).toContain("error AGP411: the request shape is declared by two catalogs");
    expect(result.err).toMatch(/2 errors, 0 warnings\n$/);
  });

  it("passes warnings, unless --strict", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "shell.json"),
      JSON.stringify({ $schema: "https://json-schema.org/draft/2020-12/schema", family: "shell", actions: { exec: { args: { type: "object", properties: { cmd: { type: "string", maxLength: 100, nullable: true } } } } } }),
    );
    const lenient = await run(["schema", "check", "shell.json"], dir);
    expect(lenient.code).toBe(0);
    expect(lenient.err).toMatch(/warning AGP408[\s\S]*0 errors, 1 warning\nchecked 1 catalog \(1 action\): no errors\n$/);
    const strict = await run(["schema", "check", "--strict", "shell.json"], dir);
    expect(strict.code).toBe(1);
    expect(strict.err).toContain("error AGP408");
  });

  it("reports strings and arrays without bounds (AGP430): a warning, an error under --strict", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "mail.json"),
      JSON.stringify({ $schema: "https://json-schema.org/draft/2020-12/schema", family: "mail", actions: { send: { args: { type: "object", properties: { to: { type: "array", items: { type: "string", maxLength: 254 } }, body: { type: "string" } } } } } }, null, 2),
    );
    const lenient = await run(["schema", "check", "mail.json"], dir);
    expect(lenient.code).toBe(0);
    expect(lenient.err).toContain(
      "mail.json:9:11: warning AGP430: `to` of `mail.send` (array) has no maxItems: policies cannot quantify over it\n" +
        "  9 |           \"to\": {\n" +
        "    |           ^^^^\n" +
        '  help: add `"maxItems": N` to its schema (bounded-time evaluation reads at most N); `agp schema import-mcp --max-items N` adds one where a tool gives none\n',
    );
    expect(lenient.err).toContain("warning AGP430: `body` of `mail.send` (string) has no maxLength: policies cannot use `startsWith`, `endsWith`, `contains` or `matches` on it");
    expect(lenient.err).toMatch(/0 errors, 2 warnings\nchecked 1 catalog \(1 action\): no errors\n$/);
    const strict = await run(["schema", "check", "--strict", "mail.json"], dir);
    expect(strict.code).toBe(1);
    expect(strict.err).toContain("2 errors, 0 warnings");
  });

  it("prints JSON with --format json", async () => {
    const result = await run(["schema", "check", "--format", "json", "test/fixtures/catalog/merge/project.json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toEqual({
      catalogs: ["test/fixtures/catalog/merge/project.json"],
      diagnostics: [],
      summary: { errors: 0, warnings: 0 },
    });
  });

  it("exits 2 when a catalog cannot be read", async () => {
    const result = await run(["schema", "check", "nope.json"], tempDir());
    expect(result.code).toBe(2);
    expect(result.err).toContain("error AGP400: cannot read catalog `nope.json`: no such file or directory");
  });
});

describe("agp schema show", () => {
  it("lists what policies can read, with types, bounds and `has` guards", async () => {
    const result = await run(["schema", "show", "examples/schemas/github.json", "--action", "github.pull_request.merge"]);
    expect(result).toEqual({
      code: 0,
      err: "",
      out: `request (from <agp built-in>)
  agent.id                     string, at most 128 chars
  agent.groups                 array of string, at most 64 items
  agent.trust                  integer 0..4
  human.id                     string, at most 128 chars
  human.groups                 array of string, at most 64 items
  human.roles                  array of string, at most 64 items
  env                          string, at most 64 chars
  context.session    optional  string, at most 128 chars
  context.reasoning  optional  string, at most 4096 chars
  context.intent     optional  array of string, at most 64 items

github.pull_request.merge: Merge a pull request.
  action.readOnly              false
  args.repo                    string, at most 140 chars
  args.number                  integer 1..
  args.merge_method            one of merge, squash, rebase
  args.commit_title  optional  string, at most 256 chars
  args.sha           optional  string, at most 40 chars
`,
    });
  });

  it("prints what docs/catalogs.md shows", async () => {
    const result = await run(["schema", "show", "examples/schemas/github.json", "--action", "github.pull_request.merge"]);
    expect(readFileSync("docs/catalogs.md", "utf8")).toContain(
      `$ agp schema show examples/schemas/github.json --action github.pull_request.merge\n${result.out}`,
    );
  });

  it("shows ordered metadata with its order, and nested fields", async () => {
    const result = await run(["schema", "show", "examples/schemas/aws.json", "--action", "aws.ec2.run_instances"]);
    expect(result.out).toContain('  action.costClass                   "medium" (of low < medium < high < critical)\n');
    expect(result.out).toContain("  args.tags[].key          optional  string, at most 128 chars\n");
  });

  it("exits 2 when the pattern matches no action", async () => {
    expect(await run(["schema", "show", "examples/schemas/github.json", "--action", "gitlab.*"])).toEqual({
      code: 2,
      out: "",
      err: "agp: no action matches `gitlab.*`\n",
    });
  });

  it("exits 1 and shows the errors when a catalog is broken", async () => {
    const dir = "test/fixtures/catalog/merge";
    const result = await run(["schema", "show", `${dir}/github-a.json`, `${dir}/github-b.json`]);
    expect(result.code).toBe(1);
    expect(result.out).toBe("");
    expect(result.err).toContain("error AGP410");
  });
});
