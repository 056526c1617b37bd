/**
 * `agp audit verify` and `agp audit query`, run in-process with captured
 * output: exact messages and exit codes.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../compiler/cli/main.js";
import { captureIo } from "../../compiler/cli/io.js";
import { ManualClock, readAuditEntries } from "../../runtime/governance/index.js";
import { ALICE, BOB, CAROL, deploy, gateway, merge, request, shell, spend } from "./harness.js";

const DAY = 86_400_000;
const NO_HEAD_FILE = (file: string) => `${file}: no head file ${file}.head: entries removed from the end are found only with --head\n`;

/** An audit file with entries spread over the last 40 days (relative to the real clock, for `--since 30d`). */
async function auditFile(): Promise<{ dir: string; text: string }> {
  const clock = new ManualClock(Date.now() - 40 * DAY);
  const { gw, sink } = await gateway({ clock });
  await gw.check(deploy("old"), { requestId: "old" });
  clock.set(Date.now() - 2 * DAY);
  await gw.check(deploy("api", { human: ALICE }), { requestId: "d1" });
  await gw.check(deploy("api", { env: "staging" }), { requestId: "d2" });
  await gw.check(merge(), { requestId: "m1" });
  await gw.check(spend(1, { agent: { id: "cost-bot", groups: [], trust: 2 } }), { requestId: "s1" });
  await gw.check({ ...spend(1), args: { account: "prod", estimated_cost_usd: 1 } }, { requestId: "s2" });
  const dir = await mkdtemp(join(tmpdir(), "agp-cli-audit-"));
  await writeFile(join(dir, "audit.jsonl"), sink.text());
  return { dir, text: sink.text() };
}

async function agp(dir: string, ...argv: string[]) {
  const io = captureIo(dir);
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

describe("agp audit verify", () => {
  it("exit 0 for an intact file, with the entry count and head", async () => {
    const { dir, text } = await auditFile();
    const head = readAuditEntries(text).at(-1)!.hash;
    expect(await agp(dir, "audit", "verify", "audit.jsonl")).toEqual({
      code: 0,
      out: `audit.jsonl: intact, 6 entries, head ${head}\naudit.jsonl: no head file audit.jsonl.head: entries removed from the end are found only with --head\n`,
      err: "",
    });
    expect((await agp(dir, "audit", "verify", "audit.jsonl", "--head", head)).code).toBe(0);
  });

  it("exit 1 for an edited entry, naming entry and line", async () => {
    const { dir, text } = await auditFile();
    await writeFile(join(dir, "audit.jsonl"), text.replace('"requestId":"d2"', '"requestId":"dX"'));
    expect(await agp(dir, "audit", "verify", "audit.jsonl")).toEqual({
      code: 1,
      out: "audit.jsonl: entry 3 (line 3): hash mismatch — edited\naudit.jsonl: tampered — 1 problem in 6 entries\n" + NO_HEAD_FILE("audit.jsonl"),
      err: "",
    });
  });

  it("exit 1 for removed and reordered entries and a truncated last line", async () => {
    const { dir, text } = await auditFile();
    const lines = text.split("\n").filter((l) => l !== "");
    await writeFile(join(dir, "removed.jsonl"), [lines[0], lines[2], lines[3], lines[4], lines[5]].join("\n") + "\n");
    expect((await agp(dir, "audit", "verify", "removed.jsonl")).out).toBe(
      "removed.jsonl: chain broken between line 1 and 2 — removed or reordered\nremoved.jsonl: tampered — 1 problem in 5 entries\n" + NO_HEAD_FILE("removed.jsonl"),
    );
    await writeFile(join(dir, "truncated.jsonl"), text.slice(0, -25));
    expect(await agp(dir, "audit", "verify", "truncated.jsonl")).toMatchObject({
      code: 1,
      out: "truncated.jsonl: line 6: truncated last line — the file ends mid-entry\ntruncated.jsonl: tampered — 1 problem in 5 entries\n" + NO_HEAD_FILE("truncated.jsonl"),
    });
    await writeFile(join(dir, "short.jsonl"), lines.slice(0, 4).join("\n") + "\n");
    const head = readAuditEntries(text).at(-1)!.hash;
    const short = await agp(dir, "audit", "verify", "short.jsonl", "--head", head);
    expect(short.code).toBe(1);
    expect(short.out).toContain("— entries removed from the end");
  });

  it("exit 2 for a missing file, with JSON output available", async () => {
    const { dir } = await auditFile();
    expect(await agp(dir, "audit", "verify", "missing.jsonl")).toEqual({ code: 2, out: "", err: "agp: cannot read missing.jsonl: no such file or directory\n" });
    const json = await agp(dir, "audit", "verify", "audit.jsonl", "--format", "json");
    expect(JSON.parse(json.out)).toMatchObject({ file: "audit.jsonl", ok: true, entries: 6, problems: [] });
  });
});

describe("agp audit query", () => {
  it("every production action by any agent in the last 30 days, as JSON", async () => {
    const { dir } = await auditFile();
    const result = await agp(dir, "audit", "query", "audit.jsonl", "--env", "production", "--since", "30d", "--format", "json");
    expect(result.code).toBe(0);
    expect((JSON.parse(result.out) as { requestId: string }[]).map((e) => e.requestId)).toEqual(["d1", "m1", "s1", "s2"]);
  });

  it("filters by agent, human, action pattern and effect", async () => {
    const { dir } = await auditFile();
    const ids = async (...args: string[]) => (JSON.parse((await agp(dir, "audit", "query", "audit.jsonl", "--format", "json", ...args)).out) as { requestId: string }[]).map((e) => e.requestId);
    expect(await ids("--agent", "cost-bot")).toEqual(["s1"]);
    expect(await ids("--human", "alice")).toEqual(["d1"]);
    expect(await ids("--action", "aws.*")).toEqual(["s1", "s2"]);
    expect(await ids("--action", "*.merge")).toEqual(["m1"]);
    expect(await ids("--effect", "deny")).toEqual(["s2"]);
    expect(await ids("--effect", "approve")).toEqual(["m1"]);
    expect(await ids("--until", "30d")).toEqual(["old"]);
  });

  it("prints a table with who, what, the result, the deciding rules", async () => {
    const { dir } = await auditFile();
    const { out, code } = await agp(dir, "audit", "query", "audit.jsonl", "--human", "alice");
    expect(code).toBe(0);
    const [header, row, ...rest] = out.split("\n");
    expect(header).toMatch(/^time +seq +kind +agent +human +action +env +result +rules +approvers$/);
    expect(row).toMatch(/^\S+Z +2 +decision +ci-fixer +alice +deploy\.service +production +allow→run +deploys +-$/);
    expect(rest).toEqual([""]);
  });

  it("bad options are usage errors", async () => {
    const { dir } = await auditFile();
    expect(await agp(dir, "audit", "query", "audit.jsonl", "--since", "last week")).toEqual({ code: 2, out: "", err: "agp: cannot read --since `last week`; use an ISO 8601 time, a duration such as 30d, today or yesterday\n" });
    expect(await agp(dir, "audit", "query", "audit.jsonl", "--result", "allow")).toEqual({ code: 2, out: "", err: "agp: unknown result `allow`; use run, refuse or wait\n" });
    expect(await agp(dir, "audit", "query", "audit.jsonl", "--outcome", "ok")).toEqual({ code: 2, out: "", err: "agp: unknown outcome `ok`; use succeeded, failed or rolled_back\n" });
    expect(await agp(dir, "audit", "query", "audit.jsonl", "--level", "debug")).toEqual({ code: 2, out: "", err: "agp: unknown level `debug`; use info, notice or security\n" });
    expect(await agp(dir, "audit", "query", "audit.jsonl", "--mutating", "--read-only")).toEqual({ code: 2, out: "", err: "agp: --mutating and --read-only exclude each other; give one\n" });
    expect(await agp(dir, "audit", "query", "audit.jsonl", "--effect", "maybe")).toEqual({ code: 2, out: "", err: "agp: unknown effect `maybe`; use allow, approve or deny\n" });
    expect((await agp(dir, "audit", "query", "audit.jsonl", "--format", "xml")).code).toBe(2);
  });
});

describe("every production change made by AI in the last 30 days", () => {
  /** Production and staging changes, a read-only call, an approved merge, outcomes reported; one change 40 days ago. */
  async function changes(): Promise<string> {
    const clock = new ManualClock(Date.now() - 40 * DAY);
    const { gw, sink } = await gateway({ clock });
    await gw.check(deploy("old"), { requestId: "old" });
    await gw.report("old", "succeeded");
    clock.set(Date.now() - 3 * DAY);
    await gw.check(deploy("api", { human: ALICE }), { requestId: "d1" });
    await gw.report("d1", "succeeded");
    await gw.check(deploy("web"), { requestId: "d2" });
    await gw.report("d2", "rolled_back");
    await gw.check(deploy("api", { env: "staging" }), { requestId: "st" });
    await gw.report("st", "succeeded");
    await gw.check(request("github.issue.read", {}), { requestId: "read" }); // read-only (no rule allows it here)
    const parked = await gw.check(merge(), { requestId: "m1" });
    await gw.approvals.approve(parked.ticket!.id, BOB);
    await gw.approvals.approve(parked.ticket!.id, CAROL);
    await gw.check(merge(), { requestId: "m1" });
    await gw.report("m1", "failed");
    await gw.check(shell("rm -rf /"), { requestId: "v" }); // a security deny: refused, nothing changed
    const dir = await mkdtemp(join(tmpdir(), "agp-cli-audit-"));
    await writeFile(join(dir, "audit.jsonl"), sink.text());
    return dir;
  }

  it("one command: what ran, who asked and approved, which rule allowed it, and whether it succeeded", async () => {
    const dir = await changes();
    const result = await agp(dir, "audit", "query", "audit.jsonl", "--env", "production", "--mutating", "--kind", "outcome", "--since", "30d", "--format", "json");
    expect(result.code).toBe(0);
    const rows = (JSON.parse(result.out) as Record<string, unknown>[]).map((e) => [e["requestId"], e["action"], e["human"], e["rules"], e["approvers"], e["outcome"]]);
    expect(rows).toEqual([
      ["d1", "deploy.service", "alice", ["deploys"], [], "succeeded"],
      ["d2", "deploy.service", null, ["deploys"], [], "rolled_back"],
      ["m1", "github.pull_request.merge", null, ["merge_review"], ["bob", "carol"], "failed"],
    ]);
  });

  it("the decisions: --result run --mutating; --read-only, --level and --outcome select the others", async () => {
    const dir = await changes();
    const ids = async (...args: string[]) => (JSON.parse((await agp(dir, "audit", "query", "audit.jsonl", "--format", "json", "--since", "30d", ...args)).out) as { requestId: string }[]).map((e) => e.requestId);
    expect(await ids("--env", "production", "--result", "run", "--mutating")).toEqual(["d1", "d2", "m1"]);
    expect(await ids("--read-only")).toEqual(["read"]);
    expect(await ids("--level", "security")).toEqual(["v"]);
    expect(await ids("--result", "wait")).toEqual(["m1"]);
    expect(await ids("--outcome", "failed")).toEqual(["m1"]);
    expect(await ids("--since", "yesterday")).toEqual([]);
  });
});

