/**
 * `agp lsp` through the real protocol: a hand-written client (client.ts)
 * speaks JSON-RPC over stdio to a real `node bin/agp.js lsp` process and
 * checks what an editor would show: diagnostics with their exact code and
 * range, did-you-mean quick fixes that make them go away, hover, completion,
 * definitions (into the catalog at the JSON pointer), symbols, formatting
 * identical to `agp fmt`, and running a file's tests from a code lens.
 * Needs `npm run build` (bin/agp.js runs dist/).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseJsonSource } from "../../compiler/catalog/index.js";
import { format } from "../../compiler/format/index.js";
import { LspClient } from "./client.js";

const POLICY = `package demo.github
actions "../catalogs/github.json"

let production_repos = {"acme/payments", "acme/production-infra"}

rule open_prs:
  allow github.pull_request.open
  when args.repoo in production_repos
  because "agents may open pull requests"

rule no_self_review:
  deny github.pull_request.review
  when args.event == APROVE
  because "humans review"
`;

const TESTS = `defaults:
  agent { id: "bot", groups: ["coding-bots"], trust: 2 }
  env "production"
  context { session: "s-1" }

test "production pull requests are allowed":
  request github.pull_request.open { repo: "acme/payments", title: "t", head: "h", base: "main" }
  expect allow from open_prs

test "reviews are allowed":
  request github.pull_request.review { repo: "acme/tools", number: 7, event: "APPROVE" }
  expect allow
`;

const dir = mkdtempSync(join(tmpdir(), "agp-lsp-"));
const policyFile = join(dir, "policy", "github.agp");
const testFile = join(dir, "policy", "github.test.agp");
const catalogFile = join(dir, "catalogs", "github.json");
const uri = (file: string) => pathToFileURL(file).href;
const pos = (line: number, character: number) => ({ line, character });

let client: LspClient;
let version = 1;

beforeAll(async () => {
  mkdirSync(join(dir, "policy"));
  mkdirSync(join(dir, "catalogs"));
  mkdirSync(join(dir, "scratch"));
  copyFileSync(join(import.meta.dirname, "..", "..", "examples", "schemas", "github.json"), catalogFile);
  writeFileSync(policyFile, POLICY);
  writeFileSync(testFile, TESTS);
  client = new LspClient(dir);
  const init = await client.start(dir);
  expect(init.serverInfo.name).toBe("agp");
});

afterAll(async () => {
  expect(await client?.close()).toBe(0);
  rmSync(dir, { recursive: true, force: true });
});

/** Opens a file (unsaved text allowed) in the scratch directory and returns its URI. */
function openScratch(name: string, text: string): string {
  const u = uri(join(dir, "scratch", name));
  client.notify("textDocument/didOpen", { textDocument: { uri: u, languageId: "agp", version: 1, text } });
  return u;
}

describe("agp lsp", () => {
  it("publishes the checker's diagnostics for an opened document, with exact codes and ranges", async () => {
    client.notify("textDocument/didOpen", { textDocument: { uri: uri(policyFile), languageId: "agp", version, text: POLICY } });
    const published = await client.diagnostics(uri(policyFile), version);
    expect(published.params.diagnostics.map((d: { code: string; range: unknown; message: string; severity: number }) => [d.code, d.severity, d.range, d.message])).toEqual([
      ["AGP201", 1, { start: pos(7, 7), end: pos(7, 17) }, "`args.repoo` does not exist on `github.pull_request.open`\nhelp: did you mean `args.repo`?"],
      ["AGP212", 1, { start: pos(12, 21), end: pos(12, 27) }, "`APROVE` is not a member of the enum of `args.event`\nhelp: did you mean `APPROVE`?"],
    ]);
  });

  it("offers each did-you-mean as a quick fix, and applying them clears the diagnostics", async () => {
    const edits = [];
    for (const at of [pos(7, 9), pos(12, 23)]) {
      const actions = await client.request("textDocument/codeAction", { textDocument: { uri: uri(policyFile) }, range: { start: at, end: at }, context: { diagnostics: [] } });
      expect(actions).toHaveLength(1);
      expect(actions[0].kind).toBe("quickfix");
      edits.push(...actions[0].edit.changes[uri(policyFile)]);
    }
    expect(edits.map((e: { newText: string }) => e.newText)).toEqual(["args.repo", "APPROVE"]);
    // Applied as an editor would: later edits first, as incremental changes.
    version++;
    client.notify("textDocument/didChange", { textDocument: { uri: uri(policyFile), version }, contentChanges: [...edits].reverse().map((e) => ({ range: e.range, text: e.newText })) });
    const published = await client.diagnostics(uri(policyFile), version);
    expect(published.params.diagnostics).toEqual([]);
  });

  it("hovers: a field's type from the catalog, a rule's effect and reason, a constant's value, an action", async () => {
    const hover = async (line: number, character: number) => (await client.request("textDocument/hover", { textDocument: { uri: uri(policyFile) }, position: pos(line, character) }))?.contents.value as string;
    const field = await hover(7, 12);
    expect(field).toContain("args.repo: string (at most 140 characters)");
    expect(field).toContain("required in its action");
    const rule = await hover(10, 8);
    expect(rule).toContain("**rule** `no_self_review` — **deny**");
    expect(rule).toContain('reason: "humans review"');
    expect(await hover(7, 25)).toContain('let production_repos = {"acme/payments", "acme/production-infra"}');
    expect(await hover(6, 20)).toContain("**action** `github.pull_request.open`");
    expect(await hover(12, 14)).toContain("one of APPROVE, REQUEST_CHANGES, COMMENT");
  });

  it("completes actions, request fields by type, enum members and keywords where the grammar allows them", async () => {
    const complete = async (u: string, line: number, character: number) =>
      ((await client.request("textDocument/completion", { textDocument: { uri: u }, position: pos(line, character) })) as { label: string; detail?: string }[]);
    const u = openScratch("draft.agp", 'package scratch\nactions "../catalogs/github.json"\nrule r:\n  deny github.\n  when args.\n');
    // The scratch set is analysed once opened; completion reads its catalogs.
    await client.diagnostics(u, 1);
    const actions = (await complete(u, 3, 14)).map((c) => c.label);
    expect(actions).toEqual(expect.arrayContaining(["pull_request", "issue", "repo", "branch", "*"]));
    client.notify("textDocument/didChange", { textDocument: { uri: u, version: 2 }, contentChanges: [{ text: 'package scratch\nactions "../catalogs/github.json"\nrule r:\n  deny github.pull_request.review\n  when args.\n' }] });
    await client.diagnostics(u, 2);
    const fields = await complete(u, 4, 12);
    expect(fields.map((c) => c.label)).toEqual(["body", "event", "number", "repo"]);
    expect(fields.find((c) => c.label === "event")?.detail).toBe("one of APPROVE, REQUEST_CHANGES, COMMENT");
    client.notify("textDocument/didChange", { textDocument: { uri: u, version: 3 }, contentChanges: [{ text: 'package scratch\nactions "../catalogs/github.json"\nrule r:\n  deny github.pull_request.review\n  when args.event == \n' }] });
    await client.diagnostics(u, 3);
    const members = (await complete(u, 4, 21)).map((c) => c.label);
    expect(members.slice(0, 3)).toEqual(["APPROVE", "COMMENT", "REQUEST_CHANGES"]);
    expect(members).toContain("agent");
    client.notify("textDocument/didChange", { textDocument: { uri: u, version: 4 }, contentChanges: [{ text: 'package scratch\nactions "../catalogs/github.json"\nrule r:\n  deny github.pull_request.review\n  ' }] });
    const clauses = (await complete(u, 4, 2)).map((c) => c.label);
    expect(clauses).toEqual(expect.arrayContaining(["when", "by", "with", "because", "audit", "for", "rule", "limit", "test"]));
    expect(clauses).not.toContain("and");
    client.notify("textDocument/didClose", { textDocument: { uri: u } });
  });

  it("goes to definitions: a constant's let, a field and an action in the catalog at their JSON pointer", async () => {
    const definition = async (line: number, character: number) => (await client.request("textDocument/definition", { textDocument: { uri: uri(policyFile) }, position: pos(line, character) })) as { uri: string; range: unknown }[];
    expect(await definition(7, 25)).toEqual([{ uri: uri(policyFile), range: { start: pos(3, 4), end: pos(3, 20) } }]);
    const json = parseJsonSource("github.json", (await import("node:fs")).readFileSync(catalogFile, "utf8"));
    const at = (pointer: string) => {
      const span = json.spanOf(pointer, { key: true });
      return { start: pos(span.line - 1, span.column - 1), end: pos(span.endLine - 1, span.endColumn - 1) };
    };
    expect(await definition(7, 12)).toEqual([{ uri: uri(catalogFile), range: at("/actions/pull_request.open/args/properties/repo") }]);
    expect(await definition(6, 20)).toEqual([{ uri: uri(catalogFile), range: at("/actions/pull_request.open") }]);
  });

  it("lists the document's symbols", async () => {
    const symbols = (await client.request("textDocument/documentSymbol", { textDocument: { uri: uri(policyFile) } })) as { name: string; detail: string }[];
    expect(symbols.map((s) => `${s.name}: ${s.detail}`)).toEqual([
      "demo.github: package",
      "../catalogs/github.json: catalog",
      "production_repos: constant",
      "open_prs: allow github.pull_request.open",
      "no_self_review: deny github.pull_request.review",
    ]);
  });

  it("formats exactly as agp fmt does", async () => {
    const messy = 'package scratch\nrule   r :  allow  github.repo.read_file   when action.readOnly\n';
    const u = openScratch("messy.agp", messy);
    const edits = (await client.request("textDocument/formatting", { textDocument: { uri: u }, options: { tabSize: 2, insertSpaces: true } })) as { range: unknown; newText: string }[];
    expect(edits).toHaveLength(1);
    expect(edits[0]!.range).toEqual({ start: pos(0, 0), end: pos(2, 0) });
    expect(edits[0]!.newText).toBe(format(messy, "messy.agp").text);
    expect(edits[0]!.newText).not.toBe(messy);
    client.notify("textDocument/didClose", { textDocument: { uri: u } });
  });

  it("runs a file's tests from its code lens and shows the failures where the cases are", async () => {
    client.notify("textDocument/didOpen", { textDocument: { uri: uri(testFile), languageId: "agp", version: 1, text: TESTS } });
    const lenses = (await client.request("textDocument/codeLens", { textDocument: { uri: uri(testFile) } })) as { range: { start: { line: number } }; command: { title: string; command: string; arguments: unknown[] } }[];
    expect(lenses.map((l) => [l.range.start.line, l.command.title])).toEqual([
      [5, "▶ Run the tests of this file"],
      [5, "▶ Run test"],
      [9, "▶ Run test"],
    ]);
    const since = client.notifications.length;
    const result = await client.request("workspace/executeCommand", { command: lenses[0]!.command.command, arguments: lenses[0]!.command.arguments });
    expect(result).toEqual({ passed: 1, failed: 1, failures: ["reviews are allowed"], errors: 0 });
    const shown = await client.waitFor((n) => n.method === "window/showMessage", 10_000, since);
    expect(shown.params.message).toBe("agp test: 1 passed, 1 failed");
    const published = await client.waitFor((n) => n.method === "textDocument/publishDiagnostics" && n.params.uri === uri(testFile) && n.params.diagnostics.length > 0, 10_000, since);
    expect(published.params.diagnostics).toHaveLength(1);
    expect(published.params.diagnostics[0].range.start).toEqual(pos(9, 0));
    expect(published.params.diagnostics[0].message).toMatch(/^test failed: reviews are allowed\nexpected: allow\nactual: {3}deny/);
  });
});
