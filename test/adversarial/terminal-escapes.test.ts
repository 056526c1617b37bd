/**
 * Class G(2): agent-chosen and file-chosen text never reaches the
 * operator's terminal raw. In every verb and format — `audit query` table
 * and JSON, `audit verify`, `eval` text and JSON, `inspect`, the `test`
 * reporters, diagnostics — no C0 or C1 control, DEL, bidi control or
 * line/paragraph separator is printed as itself (agp's own colours
 * excepted), and no value can start a line of its own (forge a table row).
 *
 * Knobs: AGP_FUZZ_SEED (default 11), AGP_ESCAPE_RUNS (generated cases, default 60).
 */
import { cp, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { captureIo } from "../../compiler/cli/io.js";
import { main } from "../../compiler/cli/main.js";
import { ANSI, displayBlock, displayCell, displayJson, displayText } from "../../runtime/display-text.js";
import { GENESIS, auditLineOf, entryHash, type AuditEntry } from "../../runtime/governance/index.js";

const RUNS = Number(process.env["AGP_ESCAPE_RUNS"] ?? 60);
const SEED = Number(process.env["AGP_FUZZ_SEED"] ?? 11);

// eslint-disable-next-line no-control-regex
const RAW_UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const OWN_COLOURS = new RegExp(Object.values(ANSI).map((s) => s.replace("[", "\\[")).join("|"), "g");

/** The raw unsafe characters in `text`, apart from agp's own colour sequences. */
function rawUnsafe(text: string): string[] {
  return [...text.replace(OWN_COLOURS, "")].filter((c) => RAW_UNSAFE.test(c));
}

async function agp(cwd: string, ...argv: string[]) {
  const io = captureIo(cwd);
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

/** Characters an attacker would use, and a marker a forged line would start with. */
const HOSTILE = ["\n", "\r", "\t", "\u0000", "\u0007", "\u001b", "\u001b[2J", "\u001b]0;pwned\u0007", "\u007f", "\u0085", "\u009b", "\u061c", "\u200e", "\u200f", "\u2028", "\u2029", "\u202a", "\u202e", "\u2066", "\u2069", " ", '"', "\\", "-", "é", "\nFORGED "];
const hostile = fc.array(fc.constantFrom(...HOSTILE, "a", "b", "."), { minLength: 1, maxLength: 8 }).map((parts) => parts.join(""));
const forged = (text: string) => text.split("\n").some((line) => line.startsWith("FORGED"));

describe("the escaping helper", () => {
  it("escapes every unsafe character, keeps everything else, and keeps JSON equal in value", () => {
    expect(displayText("a\nb\u001b[2J\u202e\u0085c")).toBe("a\\nb\\u001b[2J\\u202e\\u0085c");
    expect(displayBlock(`ok\n\t${ANSI.red}FAIL${ANSI.reset}\u001b[8m`)).toBe(`ok\n\t${ANSI.red}FAIL${ANSI.reset}\\u001b[8m`);
    expect(displayCell("bot  deploy.service  production")).toBe('"bot  deploy.service  production"');
    expect(displayCell("-")).toBe('"-"');
    expect(displayCell("ci-fixer")).toBe("ci-fixer");
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        expect(rawUnsafe(displayText(s))).toEqual([]);
        expect(displayText(s)).not.toContain("\n");
        expect(rawUnsafe(displayCell(s))).toEqual([]);
        expect(JSON.parse(displayJson({ s }))).toEqual({ s });
        expect(rawUnsafe(displayJson({ s }).replace(/\n/g, ""))).toEqual([]);
      }),
      { numRuns: RUNS * 10, seed: SEED },
    );
  });
});

/** An audit line with the given fields (hash correct: query does not verify, but verify is run on it too). */
function entry(seq: number, prev: string, fields: Record<string, unknown>): AuditEntry {
  const unsealed = { kind: "decision", ...fields, seq, time: "2026-03-10T12:00:00.000Z", prev };
  return { ...unsealed, hash: entryHash(unsealed) } as AuditEntry;
}

function logOf(rows: readonly Record<string, unknown>[]): string {
  let prev = GENESIS;
  let text = "";
  rows.forEach((fields, i) => {
    const e = entry(i + 1, prev, fields);
    text += `${auditLineOf(e)}\n`;
    prev = e.hash;
  });
  return text;
}

describe("agp audit query and verify", () => {
  it("a newline in an action name no longer forges a row, and ESC never reaches the terminal", async () => {
    const dir = await mkdtemp(join(tmpdir(), "agp-escapes-"));
    const action = "deploy.service\n2026-03-10T12:00:00.000Z  9    decision  admin  -  deploy.service  production  allow→run  ok  -";
    await writeFile(join(dir, "audit.jsonl"), logOf([{ agent: "bot\u001b]0;owned\u0007", action, env: "production", result: "refuse", decision: { effect: "deny", rules: [] } }]));
    const { code, out } = await agp(dir, "audit", "query", "audit.jsonl");
    expect(code).toBe(0);
    expect(out.split("\n")).toEqual([
      expect.stringMatching(/^time +seq +kind +agent +human +action +env +result +rules +approvers$/),
      expect.stringMatching(
        /^2026-03-10T12:00:00\.000Z +1 +decision +"bot\\u001b\]0;owned\\u0007" +- +"deploy\.service\\n2026-03-10T12:00:00\.000Z  9    decision  admin  -  deploy\.service  production  allow→run  ok  -" +production +deny→refuse +- +-$/,
      ),
      "",
    ]);
  });

  it(`any control or bidi character in any field (${RUNS} generated logs): one row per entry, nothing raw, JSON equal in value`, async () => {
    const dir = await mkdtemp(join(tmpdir(), "agp-escapes-"));
    const fields = fc.record({
      agent: hostile,
      human: fc.oneof(hostile, fc.constant(null)),
      action: hostile,
      env: hostile,
      result: hostile,
      requestId: hostile,
      decision: fc.record({ effect: hostile, rules: fc.array(fc.record({ id: hostile }), { maxLength: 2 }) }),
      approvers: fc.array(fc.record({ id: hostile }), { maxLength: 2 }),
    });
    const other = fc.record({ kind: fc.constantFrom("outcome", "kill.engage", "approval.approve"), outcome: hostile, scope: hostile, name: hostile, by: hostile, ticket: hostile, approver: hostile });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fields, other), { minLength: 1, maxLength: 4 }), async (rows) => {
        await writeFile(join(dir, "audit.jsonl"), logOf(rows));
        const table = await agp(dir, "audit", "query", "audit.jsonl");
        expect(rawUnsafe(table.out)).toEqual([]);
        expect(table.out.split("\n")).toHaveLength(rows.length + 2);
        expect(forged(table.out)).toBe(false);
        const json = await agp(dir, "audit", "query", "audit.jsonl", "--format", "json");
        expect(rawUnsafe(json.out.replace(/\n/g, ""))).toEqual([]);
        expect((JSON.parse(json.out) as Record<string, unknown>[]).map((e) => ({ ...e }))).toEqual(logOf(rows).split("\n").filter(Boolean).map((l) => JSON.parse(l)));
        // verify's messages quote the file too (a respelled line): escaped as well.
        await writeFile(join(dir, "bad.jsonl"), logOf(rows).replace(/\\u00/g, "\\u0000").replace(/^\{/, "{ "));
        const verify = await agp(dir, "audit", "verify", "bad.jsonl");
        expect(rawUnsafe(verify.out)).toEqual([]);
        expect(forged(verify.out)).toBe(false);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});

/** A policy whose reason, rule file and test names hold hostile text; its catalog; a test file. */
async function hostileProject(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "agp-escapes-"));
  await writeFile(
    join(dir, "catalog.json"),
    JSON.stringify({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      family: "x",
      actions: { run: { metadata: { readOnly: false }, args: { type: "object", properties: { s: { type: "string", maxLength: 64 } }, required: ["s"], additionalProperties: false } } },
    }),
  );
  await writeFile(
    join(dir, "policy.agp"),
    [
      "package hostile",
      'actions "catalog.json"',
      "",
      "rule refuse_a:",
      "  deny x.run",
      '  when args.s == "a"',
      '  because "bad\\u001b[2J\\nFORGED row \\u202e\\u0085"',
      "",
      "rule allow_rest:",
      "  allow x.run",
      "",
    ].join("\n"),
  );
  await writeFile(
    join(dir, "policy.test.agp"),
    [
      'test "name with\\nFORGED line and \\u001b[31m colour":',
      '  request x.run { s: "a" }',
      '  agent { id: "bot", groups: [], trust: 1 }',
      '  env "production"',
      "  expect allow",
      "",
    ].join("\n"),
  );
  return dir;
}

describe("eval, inspect, the test reporters and diagnostics", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await hostileProject();
    const compiled = await agp(dir, "compile", "policy.agp", "-o", "policy.wasm");
    expect(compiled.err).toMatch(/^compiled 2 rules into policy\.wasm/);
  }, 120_000);

  it("agp eval prints a hostile reason escaped, on its own line, in text and JSON", async () => {
    await writeFile(join(dir, "request.json"), JSON.stringify({ agent: { id: "bot", groups: [], trust: 1 }, action: "x.run", args: { s: "a" }, env: "production" }));
    const text = await agp(dir, "eval", "--policy", "policy.wasm", "--request", "request.json");
    expect(text.out, text.out).toContain("reasons:     bad\\u001b[2J\\nFORGED row \\u202e\\u0085\n");
    expect(rawUnsafe(text.out)).toEqual([]);
    expect(forged(text.out)).toBe(false);
    const json = await agp(dir, "eval", "--policy", "policy.wasm", "--request", "request.json", "--format", "json");
    expect((JSON.parse(json.out) as { reasons: string[] }).reasons).toEqual(["bad\u001b[2J\nFORGED row \u202e\u0085"]);
    expect(rawUnsafe(json.out.replace(/\n/g, ""))).toEqual([]);
  });

  it(`agp eval on hostile requests (${RUNS} generated): nothing raw, no forged line`, async () => {
    await fc.assert(
      fc.asyncProperty(hostile, hostile, hostile, async (agentId, action, s) => {
        await writeFile(join(dir, "request.json"), JSON.stringify({ agent: { id: agentId, groups: [agentId], trust: 1 }, action, args: { s, [s]: s }, env: s }));
        for (const format of ["text", "json"]) {
          const result = await agp(dir, "eval", "--policy", "policy.wasm", "--request", "request.json", "--format", format);
          expect(result.code).toBe(0);
          expect(rawUnsafe(result.out.replace(/\n/g, "")).concat(rawUnsafe(result.err.replace(/\n/g, "")))).toEqual([]);
          expect(forged(result.out)).toBe(false);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it("agp inspect prints a module's reasons escaped", async () => {
    const text = await agp(dir, "inspect", "policy.wasm");
    expect(text.out).toContain("bad\\u001b[2J\\nFORGED row \\u202e\\u0085");
    expect(rawUnsafe(text.out)).toEqual([]);
    expect(forged(text.out)).toBe(false);
    for (const flags of [["--format", "json"], ["--manifest"]]) {
      const json = await agp(dir, "inspect", "policy.wasm", ...flags);
      expect(rawUnsafe(json.out.replace(/\n/g, ""))).toEqual([]);
    }
  });

  it("agp test: the pretty, JSON and JUnit reporters print hostile names and reasons escaped", async () => {
    for (const reporter of ["pretty", "json", "junit"]) {
      const result = await agp(dir, "test", ".", "--engine", "interpreter", "--reporter", reporter);
      expect(result.code, reporter).toBe(1);
      expect(rawUnsafe(result.out.replace(/\n/g, "")), reporter).toEqual([]);
      expect(forged(result.out), reporter).toBe(false);
    }
    const pretty = await agp(dir, "test", ".", "--engine", "interpreter");
    expect(pretty.out).toContain('FAIL policy.test.agp:1: name with\\nFORGED line and \\u001b[31m colour\n');
    expect(pretty.out).toContain("bad\\u001b[2J\\nFORGED row \\u202e\\u0085");
  });

  it("a diagnostic quoting a line with control characters escapes it and keeps the caret under the error", async () => {
    const bad = await mkdtemp(join(tmpdir(), "agp-escapes-"));
    await cp(join(dir, "catalog.json"), join(bad, "catalog.json"));
    await writeFile(join(bad, "bad.agp"), 'package bad\nactions "catalog.json"\nrule r: allow x.run when args.s == "\u001b[2J" and args.nope == 1\n');
    const result = await agp(bad, "check", "bad.agp");
    expect(result.code).toBe(1);
    const lines = result.err.split("\n");
    const excerpt = lines.findIndex((l) => l.startsWith("  3 | "));
    expect(lines[excerpt]).toBe('  3 | rule r: allow x.run when args.s == "\\u001b[2J" and args.nope == 1');
    const caret = lines[excerpt + 1]!;
    expect(caret.slice(caret.indexOf("^"), caret.lastIndexOf("^") + 1).length).toBeGreaterThan(0);
    expect(lines[excerpt]!.slice(caret.indexOf("^")).startsWith("nope") || lines[excerpt]!.slice(caret.indexOf("^")).startsWith("args.nope")).toBe(true);
    expect(rawUnsafe(result.err.replace(/\n/g, ""))).toEqual([]);
  });
});
