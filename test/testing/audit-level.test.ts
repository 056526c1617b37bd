/**
 * `expect … audit <level>`: a test asserts the audit level of a decision
 * (issue 15), on the interpreter and the compiled module; a wrong level
 * fails naming the clause; an unknown level is a syntax error with the
 * levels to choose from; `agp fmt` keeps the clause.
 */
import { describe, expect, it } from "vitest";
import { parse } from "../../compiler/syntax/index.js";
import { format } from "../../compiler/format/index.js";
import { agp } from "./harness.js";

const SUITE = (level: string) => `defaults:
  agent { id: "deployer-bot", groups: ["bots"], trust: 2 }
  env "production"

fixture api = { service: "api", environment: "staging", version: "1.2.0", canary: false }

test "frozen services are a security event":
  request deploy.service.deploy api with { service: "ledger" }
  expect deny from frozen_services audit ${level}

test "a staging deploy is ordinary":
  request deploy.service.deploy api
  expect allow audit info
`;

describe("expect … audit <level>", () => {
  it("passes when the decision's level is the one expected, on both engines", async () => {
    const run = await agp(["test", "--both"], { files: { "passing.test.agp": SUITE("security") } });
    expect(run.out).toContain("2 cases: 2 passed, 0 failed");
    expect(run.code).toBe(0);
  });

  it("fails a wrong level, naming the clause, what was expected and what came", async () => {
    const suite = SUITE("notice").replace("expect deny from frozen_services audit notice", "expect deny audit notice");
    const run = await agp(["test", "--engine", "interpreter"], { files: { "passing.test.agp": suite } });
    expect(run.code).toBe(1);
    expect(run.out).toContain(
      'FAIL passing.test.agp:7: frozen services are a security event\n' +
        "  expected: deny audit notice\n" +
        '  actual:   deny from frozen_services because "this service is frozen" blocked by agent audit security\n' +
        "  audit: expected notice, got security\n",
    );
    expect(run.out).toContain("2 cases: 1 passed, 1 failed");
  });

  it("a level the named rules can never give is refused before anything runs (AGP510)", async () => {
    const run = await agp(["test", "--engine", "interpreter"], { files: { "passing.test.agp": SUITE("notice") } });
    expect(run.code).toBe(2);
    expect(run.out + run.err).toContain("error AGP510: `audit notice` can never hold: the decision of `frozen_services` has audit level `security`");
  });

  it("an unknown level is a syntax error listing the levels", () => {
    const { diagnostics } = parse(SUITE("loud"), "suite.test.agp");
    expect(diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([expect.stringMatching(/^AGP126 .*an audit level \(info, notice(,)? or security\)/)]);
  });

  it("agp fmt keeps the clause", () => {
    const formatted = format(SUITE("security"), "suite.test.agp");
    expect(formatted.diagnostics).toEqual([]);
    expect(formatted.text).toContain("expect deny from frozen_services audit security");
  });
});
