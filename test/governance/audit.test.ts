/**
 * The audit log: every decision and outcome, hash-chained with every field
 * inside the hash; verification finds edited, removed, reordered and
 * truncated entries and says where.
 */
import { mkdtemp, readFile, writeFile, appendFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AuditLog, GENESIS, ManualClock, canonicalJson, entryHash, readAuditEntries, verifyAudit } from "../../runtime/governance/index.js";
import { FileAuditSink, nodeSha256 } from "../../runtime/node/index.js";
import { MemoryAuditSink, createGateway } from "../../runtime/governance/index.js";
import { ALICE, gateway, merge, shell, spend } from "./harness.js";

/** A gateway's audit text after a few decisions and an outcome. */
async function sampleLog(): Promise<string> {
  const { gw, sink } = await gateway();
  await gw.check(spend(10), { requestId: "r1" });
  await gw.check(merge(1, { human: ALICE }), { requestId: "r2" });
  await gw.check(shell("rm -rf /"), { requestId: "r3" });
  await gw.report("r1", "succeeded", { actualCost: 8 });
  await gw.check(spend(5), { requestId: "r4" });
  return sink.text();
}

const lines = (text: string) => text.split("\n").filter((l) => l !== "");
const join_ = (ls: readonly string[]) => ls.map((l) => `${l}\n`).join("");

describe("what is recorded", () => {
  it("a decision entry holds decision, rules, reasons, approvers, bundle, agent, human, action, the request, level, mutating, reasoning and result", async () => {
    const [first, second, third, outcome] = readAuditEntries(await sampleLog());
    expect(first).toMatchObject({
      seq: 1,
      kind: "decision",
      requestId: "r1",
      result: "run",
      agent: "ci-fixer",
      human: null,
      action: "aws.ec2.run_instances",
      env: "production",
      reasoning: "testing",
      approvers: [],
      policy: { hash: "sha256:live", version: "1.0.0" },
      decision: { effect: "allow", rules: [{ kind: "rule", id: "aws_sandbox", file: "policy.agp", line: 4 }], reasons: ["allowed by rule `aws_sandbox`"] },
      prev: GENESIS,
      time: "2026-03-10T12:00:00.000Z",
    });
    expect(first).toMatchObject({
      request: { action: "aws.ec2.run_instances", args: { account: "sandbox", estimated_cost_usd: 10 }, context: { session: "s-1", reasoning: "testing" } },
      redacted: [],
      level: "info",
      mutating: true,
      model: null,
      tool: null,
    });
    expect(second).toMatchObject({ human: "alice", result: "wait", ticket: "t-1", reason: "merging needs two reviewers" });
    expect(third).toMatchObject({ result: "refuse", decision: { effect: "deny", audit: "security" }, reason: "destructive command" });
    expect(outcome).toMatchObject({ kind: "outcome", requestId: "r1", outcome: "succeeded", actualCost: 8, decision: first?.hash, agent: "ci-fixer", env: "production", rules: ["aws_sandbox"], level: "info", mutating: true, approvers: [] });
  });

  it("each entry's hash covers every field, and links to the previous one", async () => {
    const entries = readAuditEntries(await sampleLog());
    for (const [i, entry] of entries.entries()) {
      expect(entry.hash).toBe(entryHash(entry));
      expect(entry.prev).toBe(i === 0 ? GENESIS : entries[i - 1]!.hash);
      expect(entry.seq).toBe(i + 1);
    }
  });
});

describe("verifyAudit", () => {
  it("an untouched log is intact and reports its head", async () => {
    const text = await sampleLog();
    const result = verifyAudit(text);
    expect(result).toMatchObject({ ok: true, entries: 5, problems: [] });
    expect(result.head).toBe(readAuditEntries(text).at(-1)?.hash);
    expect(verifyAudit("")).toMatchObject({ ok: true, entries: 0 });
  });

  it("an edited field — any field, nested or not — is a hash mismatch at that entry", async () => {
    const original = lines(await sampleLog());
    const edits: [number, (e: Record<string, unknown>) => void][] = [
      [1, (e) => (e["agent"] = "someone-else")],
      [0, (e) => ((e["decision"] as { effect: string }).effect = "deny")],
      [2, (e) => ((e["decision"] as { reasons: string[] }).reasons[0] = "fine")],
      [3, (e) => (e["outcome"] = "failed")],
      [0, (e) => (e["reasoning"] = "nothing to see")],
      [1, (e) => (e["approvers"] = [{ id: "mallory", groups: [] }])],
      [0, (e) => (e["extra"] = "a field added later")],
      [2, (e) => delete e["reason"]],
    ];
    for (const [index, edit] of edits) {
      const copy = [...original];
      const entry = JSON.parse(copy[index]!) as Record<string, unknown>;
      edit(entry);
      copy[index] = canonicalJson(entry); // the canonical spelling: only the hash can tell

      expect(verifyAudit(join_(copy)).problems.map((p) => p.message)).toEqual([`entry ${index + 1} (line ${index + 1}): hash mismatch — edited`]);
    }
  });

  it("an edit whose hash was recomputed breaks the link to the next entry", async () => {
    const copy = lines(await sampleLog());
    const entry = JSON.parse(copy[1]!) as Record<string, unknown>;
    entry["agent"] = "someone-else";
    entry["hash"] = entryHash(entry);
    copy[1] = canonicalJson(entry);
    expect(verifyAudit(join_(copy)).problems.map((p) => p.message)).toEqual(["chain broken between line 2 and 3 — removed or reordered"]);
  });

  it("a removed entry breaks the chain where it was", async () => {
    const copy = lines(await sampleLog());
    copy.splice(2, 1);
    expect(verifyAudit(join_(copy)).problems.map((p) => p.message)).toEqual(["chain broken between line 2 and 3 — removed or reordered"]);
  });

  it("removing the first entry is seen at line 1", async () => {
    const copy = lines(await sampleLog()).slice(1);
    expect(verifyAudit(join_(copy)).problems.map((p) => p.message)).toEqual(["chain broken before line 1 — entries removed from the start"]);
  });

  it("reordered entries break the chain at both seams", async () => {
    const copy = lines(await sampleLog());
    [copy[1], copy[2]] = [copy[2]!, copy[1]!];
    expect(verifyAudit(join_(copy)).problems.map((p) => p.message)).toEqual([
      "chain broken between line 1 and 2 — removed or reordered",
      "chain broken between line 2 and 3 — removed or reordered",
      "chain broken between line 3 and 4 — removed or reordered",
    ]);
  });

  it("a truncated last line is reported as such", async () => {
    const text = await sampleLog();
    const cut = text.slice(0, text.length - 40);
    expect(verifyAudit(cut).problems.map((p) => p.message)).toEqual(["line 5: truncated last line — the file ends mid-entry"]);
    expect(verifyAudit(text.slice(0, -1)).problems.map((p) => p.message)).toEqual(["line 5: truncated last line — the file ends mid-entry"]);
  });

  it("entries removed from the end are caught only against a known head", async () => {
    const text = await sampleLog();
    const { head } = verifyAudit(text);
    const shorter = join_(lines(text).slice(0, 3));
    expect(verifyAudit(shorter).ok).toBe(true);
    const problems = verifyAudit(shorter, { head: head! }).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toMatch(new RegExp(`^expected the chain to end at ${head}, but the last entry \\(line 3\\) is sha256:[0-9a-f]{64} — entries removed from the end$`));
  });

  it("a line that is not an entry is reported and the chain around it checked", async () => {
    const copy = lines(await sampleLog());
    copy.splice(1, 0, "garbage");
    expect(verifyAudit(join_(copy)).problems.map((p) => p.message)).toEqual(["line 2: not an audit entry (not JSON)"]);
  });
});

describe("the hash the log seals with", () => {
  it("node:crypto's SHA-256 and the runtime's own seal the same chain, byte for byte", async () => {
    const lines = async (sha256?: (text: string) => string): Promise<readonly string[]> => {
      const sink = new MemoryAuditSink();
      const log = await AuditLog.open(sink, new ManualClock(), sha256 === undefined ? {} : { sha256 });
      await log.append({ kind: "kill.engage", scope: "global", name: "global", by: "ops", reason: "drill \u00e9\ud83d\ude00", at: { "1": 1, b: [1.5, null] } });
      await log.append({ kind: "kill.release", scope: "global", name: "global", by: "ops", reason: "over" });
      return sink.lines;
    };
    const own = await lines();
    expect(await lines(nodeSha256)).toEqual(own);
    expect(verifyAudit(own.join("\n") + "\n")).toMatchObject({ ok: true, entries: 2 });
  });

  it("refuses a sha256 that is not a function, saying so", async () => {
    await expect(AuditLog.open(new MemoryAuditSink(), new ManualClock(), { sha256: "sha256" as never })).rejects.toThrow("the audit log's `sha256` must be a function from text to 64 hex digits");
    const { gw } = await gateway();
    await expect(createGateway({ engine: gw.engine, sha256: 1 as never })).rejects.toThrow("`sha256` must be a function from text to 64 hex digits");
  });
});

describe("the audit file", () => {
  it("continues the chain after a restart", async () => {
    const path = join(await mkdtemp(join(tmpdir(), "agp-audit-")), "audit.jsonl");
    const clock = new ManualClock();
    const first = await AuditLog.open(await FileAuditSink.open(path), clock);
    await first.append({ kind: "kill.engage", scope: "global", name: "global", by: "ops", reason: "drill" });
    await first.close();
    const second = await AuditLog.open(await FileAuditSink.open(path), clock);
    const entry = await second.append({ kind: "kill.release", scope: "global", name: "global", by: "ops", reason: "drill over" });
    await second.close();
    expect(entry.seq).toBe(2);
    expect(verifyAudit(await readFile(path, "utf8"))).toMatchObject({ ok: true, entries: 2 });
  });

  it("refuses to append after a truncated last line, naming the command to run", async () => {
    const path = join(await mkdtemp(join(tmpdir(), "agp-audit-")), "audit.jsonl");
    await writeFile(path, (await sampleLog()).slice(0, -30));
    await expect(FileAuditSink.open(path)).rejects.toThrow(`the audit file ${path} ends with a truncated entry; run \`agp audit verify ${path}\``);
  });

  it("refuses to continue after an edited last entry", async () => {
    const path = join(await mkdtemp(join(tmpdir(), "agp-audit-")), "audit.jsonl");
    const copy = lines(await sampleLog());
    copy[copy.length - 1] = copy.at(-1)!.replace("ci-fixer", "other");
    await appendFile(path, join_(copy));
    await expect(AuditLog.open(await FileAuditSink.open(path), new ManualClock())).rejects.toThrow("the audit log's last entry is damaged; run `agp audit verify` on it before appending");
  });

  it("many concurrent appends keep one unbroken chain on disk (group commit)", async () => {
    const path = join(await mkdtemp(join(tmpdir(), "agp-audit-")), "audit.jsonl");
    const log = await AuditLog.open(await FileAuditSink.open(path), new ManualClock());
    await Promise.all(Array.from({ length: 200 }, (_, i) => log.append({ kind: "outcome", requestId: `r${i}` })));
    await log.close();
    const text = await readFile(path, "utf8");
    expect(verifyAudit(text)).toMatchObject({ ok: true, entries: 200 });
    expect(readAuditEntries(text).map((e) => e["requestId"])).toEqual(Array.from({ length: 200 }, (_, i) => `r${i}`));
  });

  it("a hostile request (lone surrogates, NaN, cycles) is refused unread and still audited", async () => {
    const { gw, sink } = await gateway();
    const cyclic: Record<string, unknown> = { agent: { id: "x\ud800" }, action: "shell.exec", env: Number.NaN };
    cyclic["args"] = cyclic;
    const result = await gw.check(cyclic, { requestId: "h1" });
    expect(result.action).toBe("refuse");
    expect(result.reason).toBe("the request cannot be read: `agent.id` is not well-formed Unicode (a lone surrogate)");
    expect(verifyAudit(sink.text()).ok).toBe(true);
    expect(readAuditEntries(sink.text())[0]).toMatchObject({ agent: "", env: null, request: null, result: "refuse", reason: result.reason });
    const nan = await gw.check({ agent: { id: "x" }, action: "shell.exec", env: Number.NaN, args: {} }, { requestId: "h2" });
    expect(nan.reason).toBe("the request cannot be read: `env` is NaN, which is not JSON");
    const cycle = await gw.check({ agent: { id: "x" }, action: "shell.exec", env: "production", args: cyclic }, { requestId: "h3" });
    expect(cycle.reason).toBe("the request cannot be read: `args.agent.id` is not well-formed Unicode (a lone surrogate)");
    const own: Record<string, unknown> = { list: [] };
    (own["list"] as unknown[]).push(own);
    const loop = await gw.check({ agent: { id: "x" }, action: "shell.exec", env: "production", args: own }, { requestId: "h4" });
    expect(loop.reason).toBe("the request cannot be read: `args.list[0]` contains itself");
    expect(verifyAudit(sink.text())).toMatchObject({ ok: true, entries: 4 });
  });
});
