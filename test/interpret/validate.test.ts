/**
 * Fail closed in the reference interpreter: the shared refusal cases
 * (test/support/refusal-cases.ts), which the compiled runtime runs too.
 */
import { describe, expect, it } from "vitest";
import type { AgentRequest } from "../../runtime/request.js";
import { refusalCases } from "../support/refusal-cases.js";
import { policy, shell } from "./harness.js";

// Allows everything that validates, so any deny below comes from validation.
const open = policy(`
rule any_shell: allow shell.*
rule any_github: allow github.*
rule any_aws: allow aws.*
`);

describe("request validation", () => {
  refusalCases(open);

  it("accepts a request written with the public AgentRequest type", () => {
    expect(open.decide(shell()).effect).toBe("allow");
    // The public request type describes exactly such a request.
    const typed: AgentRequest = {
      agent: { id: "ci-fixer", groups: ["coding-bots"], trust: 2 },
      human: { id: "alice", groups: ["infra-oncall"], roles: ["deployer"] },
      action: "github.pull_request.merge",
      args: { repo: "acme/production-infra", number: 123 },
      env: "production",
      context: { session: "s-42", reasoning: "CI is green; merging the fix" },
    };
    expect(open.decide(typed)).toMatchObject({ effect: "allow", rules: [{ id: "any_github" }] });
  });

  it("carries the policy hash and version even when refusing", () => {
    expect(open.decide(null).policy).toEqual({ hash: "sha256:test", version: "1.0.0" });
  });
});
