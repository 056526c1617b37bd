/**
 * Trace cases of `agp test` (docs/language.md, "Trace tests"): steps with
 * time, calls and outcomes, each call's decision matched; both engines keep
 * their own session (the module's compact state, the interpreter's trace)
 * and must agree at every step; coverage counts session operators as
 * clauses. The fixture is test/fixtures/testing/session.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { captureIo } from "../../compiler/cli/io.js";
import { main } from "../../compiler/cli/main.js";
import { expectGolden } from "./golden.js";

const FIXTURE = resolve("test/fixtures/testing/session");
process.env["NO_COLOR"] = "1";

async function agpTest(args: readonly string[], files: Readonly<Record<string, string>> = {}): Promise<{ code: number; out: string }> {
  const directory = mkdtempSync(join(tmpdir(), "agp-trace-"));
  try {
    cpSync(FIXTURE, directory, { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(directory, name), text);
    const io = captureIo(directory);
    const code = await main(["test", ...args], io);
    return { code, out: io.out + io.err };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

const HEAD = 'defaults:\n  agent { id: "bot", groups: [], trust: 2 }\n  env "production"\n  context { session: "s-1" }\n\n';

describe("agp test: trace cases", () => {
  it("runs every step on both engines, which agree, and covers every session clause", async () => {
    const run = await agpTest(["--both", "--coverage"]);
    expect(run.out).toContain("5 cases: 5 passed, 0 failed (wasm and interpreter)");
    expect(run.out).toContain("coverage: rules 5/5 (100%), branches 20/20 (100%)");
    expect(run.code).toBe(0);
  });

  it("star patterns, string views, named conditions and indexed rules work in session rules, alike on both engines", async () => {
    const policy = `package wsl
actions "ws.json"
session context.session retain 24 hours track 16

let internal(a) = domain(a) == "example.com"
let secret_path = normpath(args.path) under "/secrets"

label secret on ws.files.read when secret_path

rule read_anything:
  allow ws.*

rule pause_after_anything:
  deny ws.bank.send
  when earlier * within 1 minute
  because "one quiet minute before a payment"

rule mail_after_fetch:
  approve ws.mail.send
  when (any r in args.to: not internal(r))
    and earlier ws.web.fetch where lower(args.url) startsWith "https://evil.example/" and internal("x@EXAMPLE.com") within 1 hour
  by 1 of group "security"

rule known_recipient:
  deny ws.bank.send
  when args.recipient == "DE-EVIL" and exposed secret within 1 hour
  because "after a secret"

rule known_recipient_soon:
  deny ws.bank.send
  when args.recipient == "DE-EVIL" and exposed secret within 3 minutes
  because "right after a secret"
`;
    const pay = (recipient: string) => `request ws.bank.send { recipient: "${recipient}", amount: 1, currency: "EUR", note: null, memo: "" }`;
    const tests = `${HEAD}test "the language of issue 15 inside session rules":
  step request ws.web.fetch { url: "https://EVIL.example/x" } expect allow
  step after 2 minutes request ws.mail.send { to: ["a@EXAMPLE.com"], cc: [], subject: "s", body: "b" } expect allow
  step after 2 minutes request ws.mail.send { to: ["x@other.org"], cc: [], subject: "s", body: "b" }
    expect approve from mail_after_fetch by 1 of group "security"
  step after 1 minute request ws.files.read { path: "/public/a" } expect allow
  step after 10 seconds ${pay("DE1")} expect deny from pause_after_anything
  step after 2 minutes ${pay("DE1")} expect allow
  step after 2 minutes request ws.files.read { path: "/public/../secrets/k" } expect allow
  step after 2 minutes ${pay("DE-EVIL")} expect deny from known_recipient, known_recipient_soon
  step after 2 minutes ${pay("DE-EVIL")} expect deny from known_recipient
`;
    const run = await agpTest(["--both", "language.agp", "language.test.agp"], { "language.agp": policy, "language.test.agp": tests });
    expect(run.out).toContain("1 case: 1 passed, 0 failed (wasm and interpreter)");
    expect(run.code).toBe(0);
  });

  it("a step whose decision differs fails at that step, with the session operators' values", async () => {
    const body = `${HEAD}test "a second payment is not refused":
  step request ws.bank.send { recipient: "DE1", amount: 10, currency: "EUR", note: null, memo: "" } expect allow
  step after 1 second request ws.bank.send { recipient: "DE1", amount: 10, currency: "EUR", note: null, memo: "" }
    expect allow
  step after 1 second request ws.bank.send { recipient: "DE1", amount: 10, currency: "EUR", note: null, memo: "" }
    expect allow
`;
    const run = await agpTest(["--both", "--filter", "second payment"], { "wrong.test.agp": body });
    expect(run.code).toBe(1);
    expectGolden(run.out, "trace-failure.txt");
  });

  it("an outcome of a call that did not run is a failure that says so", async () => {
    const body = `${HEAD}test "outcome of a refused payment":
  step request ws.bank.send { recipient: "DE1", amount: 10, currency: "EUR", note: null, memo: "" } expect allow
  step request ws.bank.send { recipient: "DE1", amount: 10, currency: "EUR", note: null, memo: "" } expect allow
  step request ws.bank.send { recipient: "DE1", amount: 10, currency: "EUR", note: null, memo: "" } expect deny
  step outcome succeeded
`;
    const run = await agpTest(["--filter", "refused payment"], { "outcome.test.agp": body });
    expect(run.code).toBe(1);
    expect(run.out).toContain("step 4: outcome: expected step 3 ran (was allowed), got step 3 was denied");
  });

  it("time steps open and close windows: a window of 1 hour forgets a call exactly 1 hour later", async () => {
    const body = `${HEAD}test "the window is half-open":
  step request ws.bank.send { recipient: "DE9", amount: 1, currency: "EUR", note: null, memo: "" } expect allow
  step request ws.bank.send { recipient: "DE9", amount: 1, currency: "EUR", note: null, memo: "" } expect allow
  step after 3599 seconds request ws.bank.send { recipient: "DE9", amount: 1, currency: "EUR", note: null, memo: "" }
    expect deny from velocity
  step after 1 second request ws.bank.send { recipient: "DE9", amount: 1, currency: "EUR", note: null, memo: "" }
    expect deny from velocity
`;
    // At 3600 s the first call has left the window (now − t < 1 hour fails), the second (also at 0) too:
    // only the refused third does not count (refused calls are not `allowed`), so the fourth is allowed.
    const run = await agpTest(["--both", "--filter", "half-open"], { "window.test.agp": body });
    expect(run.out).toContain("step 4: effect: expected deny, got allow");
  });
});
