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
