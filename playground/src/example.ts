/**
 * The example the playground opens with: a GitHub policy for coding agents,
 * its tests, the github catalog of examples/ and a request that needs a
 * reviewer's approval.
 * In: nothing. Out: the initial state. Must not hold anything but texts.
 */
import catalog from "../../examples/schemas/github.json?raw";
import type { PlaygroundState } from "./evaluate.js";

export const EXAMPLE: PlaygroundState = {
  policy: `# An agp policy, checked and compiled to WebAssembly in your browser.
# Edit it: diagnostics, the decision and the tests follow as you type.
package playground.github
actions "catalog.json"

let production_repos = {"acme/payments", "acme/production-infra"}

rule read_github:
  allow github.*
  when action.readOnly

rule open_prs:
  allow github.pull_request.open
  because "agents may open pull requests for review"

rule review_production:
  approve github.pull_request.open
  when args.repo in production_repos
  by 1 of group "infra-reviewers"
  because "production repositories need a human reviewer"

rule never_merge:
  deny github.pull_request.merge
  because "agents open pull requests; humans merge them"
  audit notice
`,
  tests: `# Tests run on the compiled module as you type (agp test).
defaults:
  agent { id: "ci-fixer", groups: ["coding-bots"], trust: 2 }
  env "production"
  context { session: "s-42" }

test "agents open pull requests on ordinary repositories":
  request github.pull_request.open { repo: "acme/tools", title: "Fix CI", head: "fix/ci", base: "main" }
  expect allow from open_prs

test "a production repository waits for a reviewer":
  request github.pull_request.open { repo: "acme/payments", title: "Fix CI", head: "fix/ci", base: "main" }
  expect approve from review_production by 1 of group "infra-reviewers"

test "merging is never allowed":
  request github.pull_request.merge { repo: "acme/tools", number: 7, merge_method: "squash" }
  expect deny from never_merge because "agents open pull requests; humans merge them"
`,
  catalog,
  request: `{
  "agent": { "id": "ci-fixer", "groups": ["coding-bots"], "trust": 2 },
  "action": "github.pull_request.open",
  "args": { "repo": "acme/payments", "title": "Fix CI", "head": "fix/ci", "base": "main" },
  "env": "production",
  "context": { "session": "s-42" }
}
`,
  state: "",
};
