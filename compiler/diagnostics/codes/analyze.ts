/**
 * AGP7xx: findings of `agp analyze`, `agp diff` and `agp replay`
 * (compiler/analyze). A finding is a proof from the solver about every valid
 * request, or an example request the compiled policy module confirmed; the
 * codes from AGP707 on say where the analysis could not be exact. Every code
 * here has a golden test in test/analyze/ and a section in docs/errors.md
 * ("AGP7xx — analysis findings").
 */
import type { CodeEntry } from "./entry.js";

export const ANALYZE_CODES = {
  AGP701: {
    title: "rule can never match",
    severity: "warning",
    message: "rule `{id}` can never match: {why}",
    help: "fix the condition (it usually mixes up `and` and `or`, or contradicts the catalog), or remove the rule",
  },
  AGP702: {
    title: "rule shadowed by a deny",
    severity: "warning",
    message: "rule `{id}` never decides: {denies} every request it matches",
    help: "remove `{id}`, or narrow the deny so that it no longer covers it",
  },
  AGP703: {
    title: "rule can never decide",
    severity: "warning",
    message: "rule `{id}` never decides: whenever it matches, {what}",
    help: "remove `{id}`, or change the rules that always decide instead",
  },
  AGP704: {
    title: "redundant rule",
    severity: "warning",
    message: "rule `{id}` is redundant: rule `{other}` matches every request it matches, with the same effect",
    help: "remove `{id}`: it adds no approver, obligation or audit level to what `{other}` decides, only its reason",
  },
  AGP705: {
    title: "action always denied",
    severity: "warning",
    message: "every request for `{action}` is denied: {why}",
    help: "nothing is wrong if agents must never use it; add an allow or approve rule if they should",
  },
  AGP706: {
    title: "limit never reached",
    severity: "warning",
    message: "limit `{id}` is never charged: {why}",
    help: "fix its pattern or `when`, or remove it",
  },
  AGP707: {
    title: "analysis is approximate",
    severity: "warning",
    message: "the analysis of `{action}` is approximate: {why}",
    help: "answers that depend on it are reported as unknown, never as facts",
  },
  AGP708: {
    title: "analysis could not decide",
    severity: "warning",
    message: "could not decide {question}: {reason}",
    help: "raise `--timeout`, or simplify the conditions involved",
  },
  AGP709: {
    title: "example not confirmed",
    severity: "warning",
    message: "the example for {question} was not confirmed by the compiled policy, so nothing is claimed: {why}",
    help: "this is a bug in agp's analysis, not in your policy; please file an issue with the policy",
  },
  AGP720: {
    title: "change widens what agents may do",
    severity: "warning",
    message: "`{action}` widens: {change}",
  },
  AGP721: {
    title: "change narrows what agents may do",
    severity: "warning",
    message: "`{action}` narrows: {change}",
  },
  AGP722: {
    title: "change could not be compared",
    severity: "warning",
    message: "`{action}` could not be compared: {reason}",
    help: "no claim is made for this action; raise `--timeout` or compare the policies by hand",
  },
  AGP723: {
    title: "recorded decision changes",
    severity: "warning",
    message: "{count} recorded {requests} for `{action}` {change}",
  },
} as const satisfies Record<string, CodeEntry>;
