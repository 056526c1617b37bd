/**
 * AGP5xx: errors in test files that the checker does not already report
 * (unknown actions, rules, limits and fixtures stay AGP202/205/206/231).
 * Reported by compiler/testing before any case runs; `agp test` exits 2.
 * Every code here has a golden test under test/fixtures/testing/errors and
 * a section in docs/errors.md ("AGP5xx — test errors").
 */
import type { CodeEntry } from "./entry.js";

export const TESTING_CODES = {
  AGP501: {
    title: "request field not in the schema",
    severity: "error",
    message: "`{path}` is not a field of {owner}",
    help: "the request would be refused before any rule runs; remove the field or fix its name",
  },
  AGP502: {
    title: "expectation that can never hold",
    severity: "error",
    message: "`{clause}` cannot be expected of {effect} decision",
    help: "{why}",
  },
  AGP503: {
    title: "table cell does not fit its place",
    severity: "error",
    message: "the cell for `${column}` must be {expected}, got {got}",
  },
  AGP504: {
    title: "malformed runtime state",
    severity: "error",
    message: "malformed runtime state: {problem}",
    help: "`state` takes `trust` (a number), `counters` (limit id → amount used), `approvals` ([{ id, groups }]) and `killed` ([\"global\", an agent id or an action family])",
  },
  AGP505: {
    title: "duplicate test name",
    severity: "error",
    message: "test name {name} is used twice in this file",
    help: "test names identify cases in reports and in `--filter`; rename one of them",
  },
  AGP506: {
    title: "test without a request",
    severity: "error",
    message: "test {name} has no `request` clause",
    help: "add `request <action> { … }`: the action the case asks about",
  },
  AGP507: {
    title: "fixture defined in terms of itself",
    severity: "error",
    message: "fixture `{name}` refers to itself{through}",
    help: "a fixture's value must be data in the end; write the shared part as its own fixture",
  },
  AGP510: {
    title: "audit level the deciding rules never give",
    severity: "error",
    message: "`audit {level}` can never hold: the decision of {rules} has audit level `{actual}`",
  },
} as const satisfies Record<string, CodeEntry>;
