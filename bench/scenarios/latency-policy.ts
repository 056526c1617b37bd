/**
 * The latency scenario: a GitHub policy for coding agents of the kind
 * examples/platform/github.agp holds (ten allow/deny rules over seven
 * actions: unconditional, set membership, prefix, equality, group and trust
 * tests), checked against the real catalog examples/schemas/github.json, and
 * eight requests that exercise every rule shape, five allowed and three denied.
 *
 * In: the catalog file from the repository. Out: `latencyScenario()`.
 * Must not build engines.
 */
import { readFileSync } from "node:fs";
import type { AgentRequest } from "../../runtime/index.js";
import type { RuleDescription, Scenario } from "./description.js";
import { repoPath } from "./paths.js";

const production = ["acme/payments", "acme/production-infra"];
const protectedBranches = ["main", "master", "release"];

const rules: RuleDescription[] = [
  { id: "read_files", effect: "allow", action: "github.repo.read_file", when: [] },
  { id: "list_prs", effect: "allow", action: "github.pull_request.list", when: [] },
  { id: "open_prs", effect: "allow", action: "github.pull_request.open", when: [] },
  { id: "no_production_prs", effect: "deny", action: "github.pull_request.open", when: [{ kind: "in", path: "args.repo", values: production }] },
  { id: "never_merge", effect: "deny", action: "github.pull_request.merge", when: [] },
  { id: "agent_branches", effect: "allow", action: "github.branch.create", when: [{ kind: "prefix", path: "args.branch", prefix: "agent/" }] },
  {
    id: "push_agent_branches",
    effect: "allow",
    action: "github.repo.push",
    when: [
      { kind: "prefix", path: "args.branch", prefix: "agent/" },
      { kind: "group", group: "coding-bots" },
    ],
  },
  { id: "no_push_protected", effect: "deny", action: "github.repo.push", when: [{ kind: "in", path: "args.branch", values: protectedBranches }] },
  { id: "comment_tools", effect: "allow", action: "github.issue.comment", when: [{ kind: "eq", path: "args.repo", value: "acme/tools" }] },
  {
    id: "dispatch_ci",
    effect: "allow",
    action: "github.workflow.dispatch",
    when: [
      { kind: "eq", path: "args.workflow", value: "ci.yml" },
      { kind: "atLeast", path: "agent.trust", value: 2 },
    ],
  },
];

const agent = { id: "ci-fixer", groups: ["coding-bots"], trust: 3 };
const context = { session: "s-42" };

function request(action: string, args: AgentRequest["args"]): AgentRequest {
  return { agent, action, args, env: "production", context };
}

const requests: AgentRequest[] = [
  request("github.pull_request.open", { repo: "acme/tools", title: "Fix CI", head: "agent/fix-ci", base: "main" }),
  request("github.pull_request.open", { repo: "acme/payments", title: "Bump deps", head: "agent/deps", base: "main" }),
  request("github.pull_request.merge", { repo: "acme/tools", number: 7, merge_method: "squash" }),
  request("github.branch.create", { repo: "acme/tools", branch: "agent/fix-ci", from: "main" }),
  request("github.repo.push", { repo: "acme/tools", branch: "agent/fix-ci", message: "fix flaky test", files: [{ path: "test/a.ts", content: "ok" }] }),
  request("github.repo.push", { repo: "acme/tools", branch: "main", message: "hotfix", files: [{ path: "src/a.ts", content: "x" }] }),
  request("github.issue.comment", { repo: "acme/tools", number: 12, body: "CI is green again." }),
  request("github.workflow.dispatch", { repo: "acme/tools", workflow: "ci.yml", ref: "agent/fix-ci" }),
];

/** The latency scenario (the catalog is read from examples/schemas/github.json). */
export function latencyScenario(): Scenario {
  const github = JSON.parse(readFileSync(repoPath("examples/schemas/github.json"), "utf8")) as object;
  return { name: "latency", catalogs: { "github.json": github }, rules, requests };
}
