/**
 * End to end on the shipped example policies: examples/platform/*.agp go
 * through discovery, parsing, catalog loading and the checker (checkPaths),
 * and the interpreter answers the requests DESIGN.md talks about.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { checkPaths } from "../../compiler/check/index.js";
import { loadCatalogFiles } from "../../compiler/catalog/index.js";
import { interpretChecked, type Interpreter } from "../../compiler/interpret/index.js";

let platform: Interpreter;

beforeAll(async () => {
  const result = await checkPaths(["examples/platform"]);
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (result.checked === undefined || errors.length > 0) {
    throw new Error(`examples do not check: ${errors.map((d) => `${d.code} ${d.message}`).join("; ")}`);
  }
  const catalogFiles = [...new Set(result.checked.packages.flatMap((p) => p.catalogs))];
  const catalogs = await loadCatalogFiles(catalogFiles);
  platform = interpretChecked(result.checked, catalogs.set, { policy: { hash: "sha256:examples", version: "0.1.0" } });
});

const agent = { id: "ci-fixer", groups: ["coding-bots"], trust: 2, kind: "coding" };
const ask = (action: string, args: object) => platform.decide({ agent, action, args, env: "production", context: { session: "s-42" } });

const pr = { title: "Fix CI", head: "fix-ci", base: "main" };
const shell = (command: string, write_paths: string[] = ["/workspace/out"]) =>
  ask("shell.exec", { command, cwd: "/workspace", timeout_seconds: 60, write_paths });
const aws = (action: string, account: string, extra: object = {}) =>
  ask(action, { account, region: "eu-west-1", estimated_cost_usd: 40, ...extra });

describe("examples/platform", () => {
  it("github: open pull requests freely", () => {
    expect(ask("github.pull_request.open", { repo: "acme/tools", ...pr })).toMatchObject({
      effect: "allow",
      rules: [{ id: "open_prs", file: "examples/platform/github.agp" }],
      reasons: ["agents may open pull requests for review"],
    });
  });

  it("github: production repositories need a reviewer", () => {
    expect(ask("github.pull_request.open", { repo: "acme/payments", ...pr })).toMatchObject({
      effect: "approve",
      rules: [{ id: "review_production" }],
      approval: { quorums: [{ count: 1, groups: ["infra-reviewers"] }] },
      blockedBy: "agent",
    });
  });

  it("github: never merge", () => {
    expect(ask("github.pull_request.merge", { repo: "acme/tools", number: 7, merge_method: "squash" })).toMatchObject({
      effect: "deny",
      rules: [{ id: "never_merge" }],
      reasons: ["agents open pull requests; humans merge them"],
      audit: "notice",
    });
  });

  it("shell: workspace commands run with a runtime cap; destructive ones are security events", () => {
    expect(shell("make test")).toMatchObject({ effect: "allow", obligations: { max_runtime_seconds: 120 } });
    expect(shell("make test", ["/workspace/../etc"]).effect).toBe("deny");
    expect(shell("cd / && rm -rf /")).toMatchObject({ effect: "deny", rules: [{ id: "destructive" }], audit: "security" });
  });

  it("aws: sandbox mutations allowed and charged to the daily budget; elsewhere denied", () => {
    const run = { image_id: "ami-1", instance_type: "t3.micro", count: 1 };
    expect(aws("aws.ec2.run_instances", "111111111111", run)).toMatchObject({
      effect: "allow",
      rules: [{ id: "mutate_sandbox" }],
      limits: [{ id: "daily_spend", kind: "budget", amount: 40, key: ["ci-fixer"], cap: 500 }],
    });
    expect(aws("aws.ec2.run_instances", "999999999999", run)).toMatchObject({
      effect: "deny",
      rules: [{ id: "mutations_outside_sandbox" }],
      audit: "security",
      limits: [],
    });
  });

  it("aws: above a medium cost class a cloud owner approves", () => {
    expect(aws("aws.ec2.terminate_instances", "111111111111", { instance_ids: ["i-1"] })).toMatchObject({
      effect: "approve",
      rules: [{ id: "costly" }],
      approval: { quorums: [{ count: 1, groups: ["cloud-owners"] }] },
    });
  });

  it("a request that does not fit the project's request shape is refused", () => {
    const decision = platform.decide({ agent: { id: "x", groups: [], trust: 1 }, action: "shell.exec", args: {}, env: "production" });
    expect(decision.error?.message).toBe("missing required field `agent.kind`");
  });
});
