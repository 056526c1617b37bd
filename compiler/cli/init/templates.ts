/**
 * What `agp init` writes: a project file, an action catalog, a policy and
 * its tests, small enough to read in a minute and complete enough that
 * `agp check`, `agp test` (at 100% coverage) and `agp compile -o build/`
 * pass on them as written. test/cli/init.test.ts runs all three.
 * Must not hold anything but the texts.
 */

/** Relative path → text, in the order they are written. */
export const INIT_FILES: readonly (readonly [string, string])[] = [
  [
    "agp.json",
    `{
  "sets": {
    "tickets": "policies"
  },
  "strict": true,
  "coverage": { "threshold": 100 }
}
`,
  ],
  [
    "schemas/tickets.json",
    `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "family": "tickets",
  "description": "A ticket tracker's tools, as agents call them. Add your own tools here, or import an MCP server's with \`agp schema import-mcp\`.",
  "actions": {
    "issue.read": {
      "description": "Read an issue.",
      "metadata": {"readOnly": true},
      "args": {
        "type": "object",
        "properties": {"project": {"type": "string", "maxLength": 64}, "number": {"type": "integer", "minimum": 1}},
        "required": ["project", "number"],
        "additionalProperties": false
      }
    },
    "issue.close": {
      "description": "Close an issue.",
      "args": {
        "type": "object",
        "properties": {
          "project": {"type": "string", "maxLength": 64},
          "number": {"type": "integer", "minimum": 1},
          "reason": {"enum": ["completed", "not_planned", "duplicate"]}
        },
        "required": ["project", "number", "reason"],
        "additionalProperties": false
      }
    }
  }
}
`,
  ],
  [
    "policies/tickets.agp",
    `# What agents may do in the ticket tracker. \`agp check\` type-checks it
# against schemas/tickets.json; \`agp test\` runs tickets.test.agp.
package tickets
actions "../schemas/tickets.json"

let protected_projects = {"security", "billing"}

rule read_anything:
  allow tickets.*
  when action.readOnly

rule close_done_work:
  allow tickets.issue.close
  when args.reason == "completed"

rule protected:
  approve tickets.issue.close
  when args.project in protected_projects
  by 1 of group "maintainers"
  because "closing issues in protected projects needs a maintainer"
`,
  ],
  [
    "policies/tickets.test.agp",
    `package tickets

defaults:
  agent { id: "triage-bot", groups: ["bots"], trust: 1 }
  env "production"

test "reading is allowed":
  request tickets.issue.read { project: "web", number: 7 }
  expect allow from read_anything

test "closing finished work is allowed":
  request tickets.issue.close { project: "web", number: 7, reason: "completed" }
  expect allow from close_done_work

test "closing for another reason is denied":
  request tickets.issue.close { project: "web", number: 7, reason: "not_planned" }
  expect deny

test "protected projects need a maintainer":
  request tickets.issue.close { project: "billing", number: 3, reason: "completed" }
  expect approve from protected by 1 of group "maintainers"
`,
  ],
];
