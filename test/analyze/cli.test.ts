/**
 * `agp analyze`, `agp diff` and `agp replay` as a user runs them (in
 * process, real files, a real git repository): exit codes, the CI recipe
 * `agp diff <rev> <rev> --fail-on widen` with an accept file, `--base`,
 * compiled modules as sides, replay of recorded requests, and the clear
 * refusals (an audit log without requests, a module without its sources).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureIo } from "../../compiler/cli/io.js";
import { main } from "../../compiler/cli/main.js";
import { DEMO } from "./harness.js";

const V1 = `package demo
actions "../schemas/demo.json"

rule open:
  allow demo.ticket.open

rule no_sev1:
  deny demo.ticket.open
  when args.severity == sev1

rule open_sev1_drafts:
  allow demo.ticket.open
  when args.severity == sev1 and args.draft
`;
const V2 = V1.replace("when args.severity == sev1\n", "when args.severity == sev1 and not args.draft\n");

let repo: string;
const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: repo, stdio: "pipe" });

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), "agp-analyze-cli-"));
  mkdirSync(join(repo, "policies"));
  mkdirSync(join(repo, "schemas"));
  writeFileSync(join(repo, "schemas", "demo.json"), `${JSON.stringify(DEMO["demo.json"], null, 2)}\n`);
  writeFileSync(join(repo, "policies", "demo.agp"), V1);
  git("init", "-q");
  git("add", ".");
  git("commit", "-q", "-m", "v1");
  writeFileSync(join(repo, "policies", "demo.agp"), V2);
  git("commit", "-q", "-am", "v2");
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

async function run(...argv: string[]) {
  const io = captureIo(repo);
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

describe("agp analyze", () => {
  it("reports a shadowed rule with its example; --strict makes it fail", async () => {
    mkdirSync(join(repo, "v1"), { recursive: true });
    writeFileSync(join(repo, "v1", "demo.agp"), V1);
    const { code, out } = await run("analyze", "v1", "--format", "json", "--strict");
    const doc = JSON.parse(out) as { findings: { code: string; kind: string; rule?: string; example?: { decision: { effect: string; rules: string[] } } }[] };
    const shadowed = doc.findings.find((f) => f.code === "AGP702");
    expect(shadowed).toMatchObject({ kind: "shadowed-by-deny", rule: "open_sev1_drafts", example: { decision: { effect: "deny", rules: ["no_sev1"] } } });
    expect(code).toBe(1);
    rmSync(join(repo, "v1"), { recursive: true });
  }, 120_000);
});

describe("agp diff", () => {
  it("fails CI on an unacknowledged widening between two revisions, and passes once it is accepted", async () => {
    const failing = await run("diff", "HEAD~1", "HEAD", "--path", "policies", "--fail-on", "widen", "--action", "demo.ticket.open");
    expect(failing.code).toBe(1);
    expect(failing.out).toContain("before: HEAD~1 (policies)\nafter:  HEAD (policies)\n");
    expect(failing.out).toContain(
      "policies/demo.agp:4:6: warning AGP720: `demo.ticket.open` widens: deny by `no_sev1` → allow by `open` and `open_sev1_drafts`",
    );
    expect(failing.out).toContain("demo.ticket.open: widens\n1 action: 1 widens, 0 narrow, 0 equivalent, 0 unknown\n--fail-on widen: 1 unaccepted change\n");

    writeFileSync(join(repo, "accepted-widenings.txt"), "# reviewed in #123\ndemo.ticket.open open_sev1_drafts\n");
    const accepted = await run("diff", "--base", "HEAD~1", "policies", "--fail-on", "widen", "--accept-file", "accepted-widenings.txt", "--action", "demo.ticket.open");
    expect(accepted.out).toContain("  accepted by accepted-widenings.txt:2");
    expect(accepted.code).toBe(0);
    rmSync(join(repo, "accepted-widenings.txt"));
  }, 180_000);

  it("refuses a side that is neither a path nor a revision, and a module without its sources", async () => {
    expect(await run("diff", "nope", "policies")).toMatchObject({ code: 2, err: "agp: `nope` is neither a file, a directory nor a git revision\n" });
    expect((await run("compile", "policies", "-o", "build/p.wasm")).code).toBe(0);
    const moved = await run("diff", "build/p.wasm", "policies", "--sources", "schemas");
    expect(moved.code).toBe(2);
    expect(moved.err).toBe(
      "agp: `build/p.wasm` is a compiled module, which holds no conditions; it is compared through its sources, but cannot find `policies/demo.agp` under `schemas` (the module names its policy files as they were given to `agp compile`; pass --sources <the directory it ran in>)\n",
    );
    rmSync(join(repo, "build"), { recursive: true, force: true });
  }, 120_000);
});

describe("agp replay", () => {
  it("groups recorded requests whose decision the candidate changes", async () => {
    const request = (severity: string, draft: boolean) => ({
      agent: { id: "bot", groups: [], trust: 1 },
      action: "demo.ticket.open",
      args: { severity, priority: 2, draft, title: "t", labels: [] },
      env: "dev",
    });
    const lines = [
      { request: request("sev2", false), decision: { effect: "allow", rules: ["open"] } },
      { request: request("sev1", false), decision: { effect: "deny", rules: ["no_sev1"] } },
      { request: request("sev1", true), decision: { effect: "deny", rules: ["no_sev1"] } },
    ];
    writeFileSync(join(repo, "requests.jsonl"), `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`);
    const { code, out } = await run("replay", "--requests", "requests.jsonl", "--candidate", "policies", "--fail-on", "widen");
    expect(out).toBe(
      [
        "requests.jsonl:3:1: warning AGP723: 1 recorded request for `demo.ticket.open` widens: deny by `no_sev1` → allow by `open` and `open_sev1_drafts`",
        "  lines:   3",
        "",
        "3 recorded requests: 1 changes decision",
        "",
      ].join("\n"),
    );
    expect(code).toBe(1);
    writeFileSync(join(repo, "audit.jsonl"), `${JSON.stringify({ kind: "decision", seq: 1, time: "t", prev: "p", hash: "sha256:x", args: "sha256:y" })}\n`);
    expect(await run("replay", "--audit", "audit.jsonl", "--candidate", "policies")).toMatchObject({
      code: 2,
      err: "agp: audit.jsonl:1: this audit entry records an args digest, not the request; replay needs the requests themselves (record them, or pass --requests)\n",
    });
  }, 120_000);
});
