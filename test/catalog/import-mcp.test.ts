/**
 * import-mcp: an MCP tool list (here, AgentDojo's tools in MCP shape)
 * becomes a catalog that loads clean, and every field lacking a bound is
 * named so the author can add it.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { describeMissingBound, importMcp, loadCatalog } from "../../compiler/catalog/index.js";

const tools: unknown = JSON.parse(readFileSync("test/fixtures/catalog/mcp/agentdojo-tools.json", "utf8"));

describe("importMcp on AgentDojo's tools", () => {
  const imported = importMcp(tools, "workspace", "workspace.json");

  it("produces a catalog that loads without diagnostics, one action per tool", () => {
    expect(imported.problems).toEqual([]);
    expect(imported.diagnostics).toEqual([]);
    const { catalog, diagnostics } = loadCatalog("workspace.json", imported.text!);
    expect(diagnostics).toEqual([]);
    expect(catalog?.actions.map((a) => a.name)).toEqual([
      "workspace.send_email",
      "workspace.delete_email",
      "workspace.get_unread_emails",
      "workspace.search_calendar_events",
      "workspace.send_money",
      "workspace.send_direct_message",
      "workspace.get_users_in_channel",
    ]);
  });

  it("keeps descriptions and maps readOnlyHint to readOnly", () => {
    const { catalog } = loadCatalog("workspace.json", imported.text!);
    const unread = catalog?.actions.find((a) => a.name === "workspace.get_unread_emails");
    expect(unread?.metadata.get("readOnly")?.value).toBe(true);
    expect(catalog?.actions[0]?.metadata.get("readOnly")?.value).toBe(false);
    expect(catalog?.actions[0]?.description).toMatch(/^Sends an email/);
  });

  it("lists exactly the fields that lack maxLength / maxItems", () => {
    expect(imported.missingBounds.map(describeMissingBound)).toEqual([
      "tool `send_email`: `recipients` (array) has no maxItems; policies cannot quantify over it until you add one",
      "tool `send_email`: `recipients[]` (string) has no maxLength; policies cannot use `startsWith`, `endsWith`, `contains` or `matches` on it until you add one",
      "tool `send_email`: `subject` (string) has no maxLength; policies cannot use `startsWith`, `endsWith`, `contains` or `matches` on it until you add one",
      "tool `send_email`: `body` (string) has no maxLength; policies cannot use `startsWith`, `endsWith`, `contains` or `matches` on it until you add one",
      "tool `send_email`: `attachments` (array) has no maxItems; policies cannot quantify over it until you add one",
      "tool `send_email`: `cc` (array) has no maxItems; policies cannot quantify over it until you add one",
      "tool `send_email`: `cc[]` (string) has no maxLength; policies cannot use `startsWith`, `endsWith`, `contains` or `matches` on it until you add one",
      "tool `send_email`: `bcc` (array) has no maxItems; policies cannot quantify over it until you add one",
      "tool `send_email`: `bcc[]` (string) has no maxLength; policies cannot use `startsWith`, `endsWith`, `contains` or `matches` on it until you add one",
      "tool `delete_email`: `email_id` (string) has no maxLength; policies cannot use `startsWith`, `endsWith`, `contains` or `matches` on it until you add one",
      "tool `search_calendar_events`: `query` (string) has no maxLength; policies cannot use `startsWith`, `endsWith`, `contains` or `matches` on it until you add one",
      "tool `search_calendar_events`: `date` (string) has no maxLength; policies cannot use `startsWith`, `endsWith`, `contains` or `matches` on it until you add one",
      "tool `send_money`: `recipient` (string) has no maxLength; policies cannot use `startsWith`, `endsWith`, `contains` or `matches` on it until you add one",
      "tool `send_money`: `subject` (string) has no maxLength; policies cannot use `startsWith`, `endsWith`, `contains` or `matches` on it until you add one",
      "tool `send_money`: `date` (string) has no maxLength; policies cannot use `startsWith`, `endsWith`, `contains` or `matches` on it until you add one",
      "tool `send_direct_message`: `recipient` (string) has no maxLength; policies cannot use `startsWith`, `endsWith`, `contains` or `matches` on it until you add one",
      "tool `send_direct_message`: `body` (string) has no maxLength; policies cannot use `startsWith`, `endsWith`, `contains` or `matches` on it until you add one",
      "tool `get_users_in_channel`: `channel` (string) has no maxLength; policies cannot use `startsWith`, `endsWith`, `contains` or `matches` on it until you add one",
    ]);
  });

  it("points each missing bound at the schema that needs it", () => {
    const cc = imported.missingBounds.find((b) => b.field === "cc[]");
    expect(cc).toEqual({
      tool: "send_email",
      field: "cc[]",
      type: "string",
      missing: "maxLength",
      pointer: "/actions/send_email/args/properties/cc/anyOf/0/items",
    });
  });

  it("lists nothing once the bounds are added", () => {
    const bounded = JSON.parse(imported.text!) as { actions: Record<string, { args: { properties: Record<string, unknown> } }> };
    bounded.actions.delete_email!.args.properties.email_id = { type: "string", maxLength: 64 };
    const again = importMcp({ tools: [{ name: "delete_email", inputSchema: bounded.actions.delete_email!.args }] }, "mail", "mail.json");
    expect(again.missingBounds).toEqual([]);
  });
});

describe("importMcp on other shapes of tool list", () => {
  const annotated = {
    jsonrpc: "2.0",
    id: 1,
    result: {
      tools: [
        {
          name: "repo.delete",
          title: "Delete a repository",
          inputSchema: {
            $schema: "http://json-schema.org/draft-07/schema#",
            type: "object",
            properties: { repo: { $ref: "#/definitions/repo" } },
            required: ["repo"],
            definitions: { repo: { type: "string", maxLength: 140 } },
          },
          annotations: { readOnlyHint: false, destructiveHint: true },
        },
        { name: "repo.get", inputSchema: { properties: { repo: { type: "string", maxLength: 140 } } }, annotations: { readOnlyHint: true } },
      ],
    },
  };

  it("accepts a tools/list response, moves definitions into $defs and maps MCP hints to metadata", () => {
    const imported = importMcp(annotated, "git", "git.json");
    expect(imported.problems).toEqual([]);
    expect(imported.diagnostics).toEqual([]);
    expect(imported.missingBounds).toEqual([]);
    expect(imported.catalog).toMatchObject({
      $defs: { "repo.delete.repo": { type: "string", maxLength: 140 } },
      metadata: { destructive: { type: "boolean", default: true } },
      actions: {
        "repo.delete": {
          title: "Delete a repository",
          metadata: { readOnly: false, destructive: true },
          args: { type: "object", properties: { repo: { $ref: "#/$defs/repo.delete.repo" } } },
        },
        "repo.get": { metadata: { readOnly: true }, args: { type: "object" } },
      },
    });
    expect(JSON.stringify(imported.catalog)).not.toContain("draft-07");
    const { catalog } = loadCatalog("git.json", imported.text!);
    expect(catalog?.actions.find((a) => a.name === "git.repo.get")?.metadata.get("destructive")?.value).toBe(true);
  });

  it("accepts a bare array of tools", () => {
    expect(importMcp([{ name: "ping", inputSchema: { type: "object" } }], "net", "net.json").problems).toEqual([]);
  });

  it.each([
    [{ servers: [] }, "the input is not an MCP tool list: expected `{ \"tools\": [...] }` or an array of tools"],
    ["tools", "the input is not an MCP tool list: expected `{ \"tools\": [...] }` or an array of tools"],
    [[{ description: "no name" }], "tool 1 has no `name`"],
    [[{ name: "///", inputSchema: {} }], "tool `///`: no action name can be made of it; rename the tool"],
    [[{ name: "a", inputSchema: {} }, { name: "a", inputSchema: {} }], "tool `a` is listed twice"],
    [[{ name: "a" }], "tool `a` has no `inputSchema` object"],
  ])("refuses %j: %s", (input, problem) => {
    const imported = importMcp(input, "fam", "fam.json");
    expect(imported.problems).toEqual([problem]);
    expect(imported.catalog).toBeUndefined();
  });

  it("refuses a family name policies could not write", () => {
    expect(importMcp([], "my family", "x.json").problems).toEqual([
      "`my family` is not a valid family name: use letters, digits, `_` and inner `-`",
    ]);
  });

  it("passes the new catalog's own problems through, located in the written text", () => {
    const imported = importMcp([{ name: "a", inputSchema: { type: "object", properties: { x: { allOf: [] } } } }], "fam", "fam.json");
    expect(imported.diagnostics.map((d) => [d.code, d.span.file])).toEqual([["AGP403", "fam.json"]]);
  });
});

describe("importMcp with names JavaScript treats specially", () => {
  // A hostile or careless server can name a tool or a property `__proto__`; it must arrive in
  // the catalog as written, with its constraints, not vanish into a prototype.
  const input = JSON.parse(`{"tools": [
    {"name": "__proto__", "inputSchema": {"type": "object", "properties": {"x": {"type": "string", "maxLength": 4}}}},
    {"name": "send", "inputSchema": {
      "type": "object",
      "properties": {"__proto__": {"type": "string", "maxLength": 5}, "constructor": {"type": "integer", "maximum": 3}},
      "required": ["__proto__"],
      "$defs": {"__proto__": {"type": "string", "maxLength": 2}}
    }}
  ]}`) as unknown;

  it("imports a tool and a property named `__proto__` faithfully, with their bounds", () => {
    const imported = importMcp(input, "mail", "mail.json");
    expect(imported.problems).toEqual([]);
    expect(imported.diagnostics).toEqual([]);
    expect(imported.text).toContain('"__proto__": {"type": "string", "maxLength": 5}');
    const { catalog } = loadCatalog("mail.json", imported.text!);
    expect(catalog?.actions.map((a) => a.name).sort()).toEqual(["mail.__proto__", "mail.send"]);
    const send = catalog?.actions.find((a) => a.name === "mail.send");
    expect(send?.args.fields.get("__proto__")).toMatchObject({ required: true, type: { kind: "string", maxLength: 5 } });
    expect(send?.args.fields.get("constructor")).toMatchObject({ type: { kind: "number", maximum: 3 } });
    expect(Object.getPrototypeOf(imported.catalog!["actions"])).toBe(Object.prototype);
    expect(Object.keys(imported.catalog!["$defs"] as object)).toEqual(["send.__proto__"]);
  });
});

describe("importMcp renames tools whose names are not action names", () => {
  it("maps each to an action key, records the tool's name beside it, and never lets two collide", () => {
    const tools = ["1password_lookup", "ns/tool", "ns.tool", "send email", "trailing-", "ok_name"].map((name) => ({ name, inputSchema: { type: "object" } }));
    const imported = importMcp(tools, "t", "t.json");
    expect(imported.problems).toEqual([]);
    expect(imported.renamed).toEqual([
      { tool: "1password_lookup", action: "_1password_lookup" },
      { tool: "ns/tool", action: "ns.tool" },
      { tool: "ns.tool", action: "ns.tool_2" },
      { tool: "send email", action: "send_email" },
      { tool: "trailing-", action: "trailing_" },
    ]);
    const actions = (imported.catalog as { actions: Record<string, { $comment?: string }> }).actions;
    expect(Object.keys(actions)).toEqual(["_1password_lookup", "ns.tool", "ns.tool_2", "send_email", "trailing_", "ok_name"]);
    expect(actions["_1password_lookup"]!.$comment).toBe('MCP tool "1password_lookup"');
    expect(actions["ok_name"]!.$comment).toBeUndefined();
    expect(imported.diagnostics).toEqual([]);
  });

  it("every name a server may send becomes a loadable action or a plain problem, never a throw", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 12 }), { minLength: 1, maxLength: 6 }), (names) => {
        const unique = [...new Set(names)];
        const imported = importMcp(unique.map((name) => ({ name, inputSchema: { type: "object" } })), "f", "f.json");
        if (imported.problems.length > 0) {
          expect(imported.problems.every((p) => p.endsWith("no action name can be made of it; rename the tool"))).toBe(true);
          return;
        }
        expect(imported.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        expect(Object.keys((imported.catalog as { actions: object }).actions)).toHaveLength(unique.length);
      }),
      { seed: 18, numRuns: 200 },
    );
  });
});

describe("importMcp on a schema nested without end", () => {
  it("is a problem named for the tool, never a stack overflow", () => {
    let schema: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 50_000; i++) schema = { type: "object", properties: { a: schema } };
    const imported = importMcp([{ name: "deep", inputSchema: schema }], "f", "f.json", { maxLength: 5, closeObjects: true });
    expect(imported.problems).toEqual(["tool `deep`: its `inputSchema` nests deeper than 256 levels (agp reads schemas at most 32 deep)"]);
  });
});
