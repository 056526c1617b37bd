/**
 * Class G: the audit log is evidence. A line is accepted only as the exact
 * bytes that were hashed (no duplicate key, no second spelling); no edit,
 * insertion, duplication, reordering or truncation of a log ever verifies;
 * entries cut from the end are caught by the head file the file sink
 * keeps; and verify and query handle logs of any size in bounded memory.
 *
 * Knobs: AGP_FUZZ_SEED (default 11), AGP_AUDIT_FUZZ_RUNS (generated mutations, default 300),
 * AGP_AUDIT_ENTRIES (the large-log size, default 150,000; try 2,000,000).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { appendFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureIo } from "../../compiler/cli/io.js";
import { main } from "../../compiler/cli/main.js";
import { AuditLog, GENESIS, ManualClock, auditLineOf, canonicalJson, entryHash, readAuditLine, sealAuditEntry, verifyAudit, type AuditEntry } from "../../runtime/governance/index.js";
import { FileAuditSink, openFileGateway, verifyAuditFile } from "../../runtime/node/index.js";
import { engine, gateway, merge, shell, spend, ALICE } from "../governance/harness.js";
import { transpileTree, type TranspiledTree } from "../support/transpiled-tree.js";

const RUNS = Number(process.env["AGP_AUDIT_FUZZ_RUNS"] ?? 300);
const SEED = Number(process.env["AGP_FUZZ_SEED"] ?? 11);
const BIG = Number(process.env["AGP_AUDIT_ENTRIES"] ?? 150_000);

async function agp(cwd: string, ...argv: string[]) {
  const io = captureIo(cwd);
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

/** A log whose entries hold hostile-looking but legal values: escapes, numbers of every spelling, non-ASCII. */
async function diverseLog(): Promise<string> {
  const { gw, sink } = await gateway();
  await gw.check(shell("rm -rf /"), { requestId: "r1" });
  await gw.check(spend(0.1), { requestId: "r2" });
  await gw.check(merge(7, { human: ALICE, context: { reasoning: 'quote " backslash \\ tab \t nl \n é 𝄞 \u202e \u0085' } }), { requestId: "r3" });
  await gw.check(spend(1e-7, { agent: { id: "bot\u001b[2J", groups: [], trust: 0 } }), { requestId: "r4" });
  await gw.report("r2", "succeeded", { actualCost: 1e-7 }); // costs past 9007199254 are refused at report (ADR 0012)
  await gw.kill.engage({ scope: "agent", name: "bot" }, { by: "ana", reason: "-0 and 5e-324" });
  await gw.check(spend(3), { requestId: "r5" });
  return sink.text();
}

const linesOf = (text: string) => text.split("\n").filter((l) => l !== "");

describe("a line is exactly the canonical form that was hashed", () => {
  it("a duplicate key placed before the real one is refused, naming the line, the key and the column", async () => {
    const { gw, sink } = await gateway();
    await gw.check(shell("rm -rf /"), { requestId: "r1" }); // deny → refuse
    await gw.check(spend(1), { requestId: "r2" });
    const forged = sink.text().replace(/^\{/, '{"result":"run","decision":{"effect":"allow"},');
    // JSON.parse keeps the last of two equal keys, so the hash still matches what it parses to.
    expect(JSON.parse(forged.split("\n")[0]!)).toMatchObject({ result: "refuse" });
    const dir = await mkdtemp(join(tmpdir(), "agp-evidence-"));
    await writeFile(join(dir, "audit.jsonl"), forged);
    expect(await agp(dir, "audit", "verify", "audit.jsonl")).toEqual({
      code: 1,
      out:
        // The column of the real `decision` key, after the forged one.
        `audit.jsonl: line 1: not the canonical form that was hashed — duplicate key \`decision\` at column ${forged.indexOf('"decision":', 20) + 1}\n` +
        "audit.jsonl: tampered — 1 problem in 2 entries\n" +
        "audit.jsonl: no head file audit.jsonl.head: entries removed from the end are found only with --head\n",
      err: "",
    });
  });

  it("every other spelling of the same entry is refused, saying what differs and where", async () => {
    const [first, second] = linesOf(await (async () => {
      const { gw, sink } = await gateway();
      await gw.check(shell("rm -rf /"), { requestId: "r1" });
      await gw.check(spend(1), { requestId: "r2" });
      return sink.text();
    })());
    const respelled: [string, string][] = [
      [JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(first!) as object).reverse())), "keys out of canonical order at column 3"],
      [first!.replace('"ci-fixer"', '"ci\\u002dfixer"'), 'at column 35 expected `-fixer","approvers":[],"…`, found `\\u002dfixer","approvers"…`'],
      // Columns are 1-based positions in the line: where the respelling starts.
      [`${first!.slice(0, first!.lastIndexOf('"trust":2'))}"trust":2e0}`, `at column ${first!.length} expected \`}\`, found \`e0}\``],
      [`${first!}\r`, `whitespace outside strings at column ${first!.length + 1}`],
      [first!.replace('"kind":', ' "kind":'), `whitespace outside strings at column ${first!.indexOf('"kind":') + 1}`],
      [first!.replace('"decision":{', '"decision":{"effect":"allow",'), `duplicate key \`effect\` at column ${first!.replace('"decision":{', '"decision":{"effect":"allow",').indexOf('"effect":', first!.indexOf('"decision":{') + 13) + 1}`],
    ];
    for (const [line, what] of respelled) {
      expect(verifyAudit(`${line}\n${second!}\n`).problems.map((p) => p.message)).toEqual([`line 1: not the canonical form that was hashed — ${what}`]);
    }
    expect(verifyAudit(`\ufeff${first!}\n${second!}\n`).ok).toBe(false);
  });

  it("the gateway writes every line in canonical form, whatever the request held", async () => {
    const text = await diverseLog();
    for (const line of linesOf(text)) expect(line).toBe(canonicalJson(JSON.parse(line)));
    expect(verifyAudit(text)).toMatchObject({ ok: true, entries: 7 });
  });

  it("whatever JSON an entry holds, the line written is read back as canonical with the hash it carries", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), (fields, text) => {
        const unsealed = { ...fields, note: text, kind: "outcome", seq: 1, time: "2026-03-10T12:00:00.000Z", prev: GENESIS };
        const entry = { ...unsealed, hash: entryHash(unsealed) } as AuditEntry;
        expect(sealAuditEntry(unsealed)).toEqual({ entry, line: auditLineOf(entry) });
        const read = readAuditLine(auditLineOf(entry));
        expect(read).toMatchObject({ status: "entry", hash: entry.hash });
        expect(read.status === "entry" && read.nonCanonical).toBe(undefined);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it("a gateway refuses to continue a log whose last line is not canonical", async () => {
    const dir = await mkdtemp(join(tmpdir(), "agp-evidence-"));
    const gw = await openFileGateway(dir, { engine: engine(), clock: new ManualClock(0) });
    await gw.check(spend(1), { requestId: "r1" });
    await gw.close();
    const path = join(dir, "audit.jsonl");
    await writeFile(path, (await readFile(path, "utf8")).replace('"kind":', ' "kind":'));
    const sink = await FileAuditSink.open(path);
    await expect(AuditLog.open(sink, new ManualClock(0))).rejects.toThrow("the audit log's last entry is damaged; run `agp audit verify` on it before appending");
    await sink.close();
  });
});

/** One random change to a log's text. */
type Mutation =
  | { kind: "insert"; at: number; text: string }
  | { kind: "delete"; at: number; length: number }
  | { kind: "replace"; at: number; text: string }
  | { kind: "truncate"; at: number }
  | { kind: "dropLine"; line: number }
  | { kind: "duplicateLine"; line: number; to: number }
  | { kind: "swapLines"; a: number; b: number }
  | { kind: "respell"; line: number; how: number };

const text = fc.string({ unit: fc.constantFrom("\n", "\r", " ", '"', "\\", ",", "{", "}", ":", "0", "1", ".", "e", "a", "\u0000", "\u001b", "\u2028", "é", "\ud83d", "\ude00"), minLength: 1, maxLength: 6 });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant("replace" as const), at: fc.nat(), text }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("dropLine" as const), line: fc.nat() }),
  fc.record({ kind: fc.constant("duplicateLine" as const), line: fc.nat(), to: fc.nat() }),
  fc.record({ kind: fc.constant("swapLines" as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant("respell" as const), line: fc.nat(), how: fc.nat() }),
);

/** Another spelling of the same JSON value (whitespace, key order, escapes, numbers, a duplicate key). */
function respell(line: string, how: number): string {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `${line}x`; // an earlier mutation already broke the line
  }
  if (typeof value !== "object" || value === null) return `${line}x`;
  const keys = Object.keys(value);
  const key = keys[how % keys.length]!;
  switch (how % 6) {
    case 0:
      return JSON.stringify(value, null, 1);
    case 1:
      return JSON.stringify(Object.fromEntries(Object.entries(value).reverse()));
    case 2:
      return line.replace(/[a-z]/, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
    case 3:
      return line.replace(/"seq":(\d+)/, '"seq":$1.0');
    case 4:
      return `{${JSON.stringify(key)}:${JSON.stringify(value[key] === null ? 0 : null)},${line.slice(1)}`;
    default:
      return `${line} `;
  }
}

function apply(original: string, m: Mutation): string {
  const at = (n: number, max: number) => (max <= 0 ? 0 : n % max);
  const lines = original.split("\n");
  lines.pop();
  const rejoin = (ls: readonly string[]) => ls.map((l) => `${l}\n`).join("");
  switch (m.kind) {
    case "insert": {
      const i = at(m.at, original.length + 1);
      return original.slice(0, i) + m.text + original.slice(i);
    }
    case "delete": {
      const i = at(m.at, original.length);
      return original.slice(0, i) + original.slice(i + m.length);
    }
    case "replace": {
      const i = at(m.at, original.length);
      return original.slice(0, i) + m.text + original.slice(i + 1);
    }
    case "truncate":
      return original.slice(0, at(m.at, original.length));
    case "dropLine":
      return rejoin(lines.filter((_, i) => i !== at(m.line, lines.length)));
    case "duplicateLine": {
      const copy = [...lines];
      copy.splice(at(m.to, copy.length + 1), 0, lines[at(m.line, lines.length)]!);
      return rejoin(copy);
    }
    case "swapLines": {
      const copy = [...lines];
      const a = at(m.a, copy.length);
      const b = at(m.b, copy.length);
      [copy[a], copy[b]] = [copy[b]!, copy[a]!];
      return rejoin(copy);
    }
    case "respell": {
      const copy = [...lines];
      const i = at(m.line, copy.length);
      copy[i] = respell(copy[i]!, m.how);
      return rejoin(copy);
    }
  }
}

describe("no change to a log ever verifies", () => {
  let original: string;
  let last: AuditEntry;
  beforeAll(async () => {
    original = await diverseLog();
    last = JSON.parse(linesOf(original).at(-1)!) as AuditEntry;
  });

  it(`random edits, insertions, deletions, duplications, reorderings, respellings and truncations (${RUNS} runs)`, () => {
    const anchors = [{ seq: last.seq, hash: last.hash, source: "the head file" }];
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        const changed = mutations.reduce(apply, original);
        fc.pre(changed !== original);
        const result = verifyAudit(changed, { anchors });
        expect(result.ok, JSON.stringify(mutations)).toBe(false);
        expect(result.problems.length).toBeGreaterThan(0);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});

describe("entries removed from the end", () => {
  async function fileLog(entries: number): Promise<{ dir: string; path: string; text: string }> {
    const dir = await mkdtemp(join(tmpdir(), "agp-evidence-"));
    const gw = await openFileGateway(dir, { engine: engine(), clock: new ManualClock(Date.parse("2026-03-10T12:00:00Z")) });
    for (let i = 0; i < entries; i++) await gw.check(spend(1), { requestId: `r${i}` });
    await gw.close();
    const path = join(dir, "audit.jsonl");
    return { dir, path, text: await readFile(path, "utf8") };
  }

  it("the file sink keeps a head file; verify checks the log still reaches it", async () => {
    const { dir, text } = await fileLog(5);
    const head = (JSON.parse(linesOf(text).at(-1)!) as AuditEntry).hash;
    expect(await agp(dir, "audit", "verify", "audit.jsonl")).toEqual({
      code: 0,
      out: `audit.jsonl: intact, 5 entries, head ${head}\naudit.jsonl: checked against its head file audit.jsonl.head (entry 5)\n`,
      err: "",
    });
    await writeFile(join(dir, "audit.jsonl"), linesOf(text).slice(0, 3).map((l) => `${l}\n`).join(""));
    expect(await agp(dir, "audit", "verify", "audit.jsonl")).toEqual({
      code: 1,
      out:
        `audit.jsonl: the head file audit.jsonl.head records entry 5 (${head}), but the log ends at entry 3 (line 3) — entries removed from the end\n` +
        "audit.jsonl: tampered — 1 problem in 3 entries\n" +
        "audit.jsonl: checked against its head file audit.jsonl.head (entry 5)\n",
      err: "",
    });
  });

  it("a gateway refuses to append to a log cut shorter than its head (which would erase the evidence)", async () => {
    const { dir, path, text } = await fileLog(4);
    await writeFile(path, linesOf(text).slice(0, 2).map((l) => `${l}\n`).join(""));
    await expect(openFileGateway(dir, { engine: engine() })).rejects.toThrow(
      `the audit file ${path} ends at entry 2 but its head file records entry 4: entries were removed from the end; run \`agp audit verify ${path}\` before appending`,
    );
  });

  it("a log cut at any byte never verifies against its head file", async () => {
    const { path, text } = await fileLog(3);
    const bytes = Buffer.from(text);
    for (let cut = 0; cut < bytes.length; cut += 37) {
      await writeFile(path, bytes.subarray(0, cut));
      expect((await verifyAuditFile(path)).ok).toBe(false);
    }
  });

  it("a head behind the log (the head is written after the lines; a crash may lose it) is not a problem", async () => {
    const { path, text } = await fileLog(3);
    // A sink that appends without keeping the head file: as if the head write after line 4 was lost in a crash.
    const sink = { lastLine: async () => linesOf(text).at(-1), append: async (lines: readonly string[]) => appendFile(path, lines.map((l) => `${l}\n`).join("")), close: async () => {} };
    const log = await AuditLog.open(sink, new ManualClock(0));
    await log.append({ kind: "outcome", requestId: "x" });
    expect(await verifyAuditFile(path)).toMatchObject({ ok: true, entries: 4, headFile: { status: "checked", seq: 3 } });
  });
});

/**
 * Writes a valid log of `n` entries quickly: the canonical text is written
 * by hand (keys in canonical order), hashed with node:crypto — no gateway.
 */
function writeBigLog(path: string, n: number): void {
  const fd = openSync(path, "w");
  let prev = GENESIS;
  let chunk = "";
  const start = Date.parse("2026-01-01T00:00:00Z");
  for (let seq = 1; seq <= n; seq++) {
    const agent = seq % 3 === 0 ? "cost-bot" : "ci-fixer";
    const action = seq % 2 === 0 ? "aws.ec2.run_instances" : "deploy.service";
    const time = new Date(start + seq * 1000).toISOString();
    const head = `{"action":"${action}","agent":"${agent}","decision":{"effect":"allow","rules":[{"id":"r"}]},"env":"production"`;
    const tail = `"human":null,"kind":"decision","prev":"${prev}","requestId":"r${seq}","result":"run","seq":${seq},"time":"${time}"}`;
    const hash = `sha256:${createHash("sha256").update(`${head},${tail}`).digest("hex")}`;
    chunk += `${head},"hash":"${hash}",${tail}\n`;
    prev = hash;
    if (chunk.length > 1 << 20) {
      writeSync(fd, chunk);
      chunk = "";
    }
  }
  writeSync(fd, chunk);
  closeSync(fd);
}

describe(`logs of any size (${BIG} entries)`, () => {
  let dir: string;
  let tree: TranspiledTree;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "agp-big-audit-"));
    writeBigLog(join(dir, "big.jsonl"), BIG);
    tree = transpileTree(["compiler/cli/commands/audit.ts"]);
    writeFileSyncText(
      join(tree.dir, "audit-cli.mjs"),
      `import { Command } from "commander";
import { registerAuditCommand } from "./compiler/cli/commands/audit.js";
const io = { cwd: process.cwd(), stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };
const program = new Command("agp").exitOverride();
registerAuditCommand(program, io, (code) => { process.exitCode = code; });
await program.parseAsync(process.argv.slice(2), { from: "user" });
`,
    );
  }, 120_000);
  afterAll(async () => {
    tree?.remove();
    await rm(dir, { recursive: true, force: true });
  });

  it("query prints a table (it used to crash with RangeError) and JSON, in-process", async () => {
    const table = await agp(dir, "audit", "query", "big.jsonl", "--agent", "cost-bot");
    expect(table.err).toBe("");
    expect(table.code).toBe(0);
    const rows = table.out.split("\n");
    expect(rows).toHaveLength(Math.floor(BIG / 3) + 2); // header, rows, ""
    expect(rows[1]).toMatch(/^2026-01-01T00:00:03\.000Z +3 +decision +cost-bot +- +deploy\.service +production +allow→run +r +-$/);
    const json = await agp(dir, "audit", "query", "big.jsonl", "--agent", "cost-bot", "--action", "aws.*", "--until", "2026-01-01T00:00:20Z", "--format", "json");
    expect((JSON.parse(json.out) as AuditEntry[]).map((e) => e.seq)).toEqual([6, 12, 18]);
  });

  it("verify and query run in a process whose heap is far smaller than the log", () => {
    const heapMb = 40;
    const run = (args: string[]) => {
      const out = join(dir, "out.txt");
      const fd = openSync(out, "w");
      const result = spawnSync(process.execPath, [`--max-old-space-size=${heapMb}`, join(tree.dir, "audit-cli.mjs"), ...args], { cwd: dir, stdio: ["ignore", fd, "pipe"], timeout: 300_000 });
      closeSync(fd);
      return { status: result.status, stderr: result.stderr.toString(), out };
    };
    const size = readFileSync(join(dir, "big.jsonl")).length;
    expect(size).toBeGreaterThan(heapMb * 1.2 * 1024 * 1024);
    const verify = run(["audit", "verify", "big.jsonl"]);
    expect(verify.stderr).toBe("");
    expect(verify.status).toBe(0);
    expect(readFileSync(verify.out, "utf8")).toMatch(new RegExp(`^big\\.jsonl: intact, ${BIG} entries, head sha256:[0-9a-f]{64}\\n`));
    const query = run(["audit", "query", "big.jsonl"]);
    expect(query.stderr).toBe("");
    expect(query.status).toBe(0);
    expect(countLines(query.out)).toBe(BIG + 1);
  });
});

function writeFileSyncText(path: string, text: string): void {
  const fd = openSync(path, "w");
  writeSync(fd, text);
  closeSync(fd);
}

function countLines(path: string): number {
  const bytes = readFileSync(path);
  let n = 0;
  for (const b of bytes) if (b === 0x0a) n++;
  return n;
}
