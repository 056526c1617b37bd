/**
 * Differential on hand-written policies for constructs the random generator
 * rarely reaches: string fields compared with each other, number sets large
 * enough to be hashed, sym sets large enough for a bitset, ordered enums
 * (literal and field against field), nullable fields, nested quantifiers
 * over one array, `contains` with glob characters, `endsWith`, globs with
 * classes, `not in`, budgets, `otherwise approve`, an index whose ids share
 * buckets (`in` sets), and every delegation mode.
 * The compiled module through the runtime must equal the interpreter.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbitraryRequest } from "../interpret/arbitrary-request.js";
import { CATALOGS } from "../interpret/harness.js";
import { checkText, pairOf } from "./harness.js";

const POLICY = (mode: string) => `package p
delegation ${mode}

rule same_title:
  deny github.pull_request.open
  when has args.title and args.title == args.repo

rule many_numbers:
  allow shell.exec
  when args.timeout_seconds in {1, 2, 3, 5, 8, 13, 21, 34, 55, 89} and not (args.command contains "*[x]?")
  with max_runtime_seconds = 90

rule many_repos:
  approve github.pull_request.merge
  when args.repo in {"r1", "r3", "r5", "r7", "r9", "r11", "acme/payments"} and args.number > 2
  by 1 of group "sre"

rule ordered:
  deny aws.ec2.run_instances
  when has args.size and args.size >= large or action.costClass > medium

rule nullable:
  allow shell.exec
  when has args.note and args.note != null and args.note endsWith "ok"
  with dry_run = true

rule nested:
  deny shell.exec
  when any a in args.write_paths: any b in args.write_paths: a != b and a startsWith b

rule globbed:
  allow github.pull_request.open
  when args.repo matches "acme/[a-m]*" and args.repo not in {"acme/zeta", "acme/alpha"}

rule human_side:
  allow shell.exec for human
  when human.id endsWith "1"

rule human_deny:
  deny github.* for human
  when human.id == "h2"

rule svc_a:
  allow deploy.service
  when args.service in {"a", "b", "c"}

rule svc_b:
  approve deploy.service
  when args.service in {"d", "e"} and not (has args.environment)
  by 1 of group "sre"

rule svc_c:
  deny deploy.service
  when args.service == "f"

limit spend: budget 100 usd per day per agent on aws.ec2.run_instances cost args.estimated_cost_usd otherwise approve by 1 of group "sre"
limit runs: 3 per hour per args.command on shell.exec when args.timeout_seconds > 5
`;

const INTERESTING = ["acme/payments", "acme/alpha", "acme/beta", "r1", "r2", "ok", "a ok", "*[x]?", "run *[x]? now", "/w", "/w/x", "h1", "h2", "a", "b", "c", "d", "e", "f"];

describe("constructs: wasm + runtime vs the interpreter", () => {
  for (const mode of ["both", "either", "agent_only", "human_only"]) {
    it(`agrees under delegation ${mode}`, () => {
      const { checked, catalogs } = checkText({ "p.agp": POLICY(mode) }, CATALOGS);
      const pair = pairOf(checked, catalogs);
      const state = fc.option(
        fc.record({ counters: fc.dictionary(fc.constantFrom("spend", "runs"), fc.constantFrom(0, 2, 99, 150)), approvals: fc.array(fc.record({ id: fc.constantFrom("u1", "u2"), groups: fc.constant(["sre"]) }), { maxLength: 1 }) }, { requiredKeys: [] }),
        { nil: undefined },
      );
      const effects = new Set<string>();
      const reached = new Set<string>();
      fc.assert(
        fc.property(arbitraryRequest(catalogs, { interesting: INTERESTING }), state, (request, s) => {
          const expected = pair.interpreter.decide(request, s as never);
          effects.add(expected.effect);
          for (const rule of expected.rules) reached.add(rule.id);
          expect(pair.engine.decide(request, s as never), JSON.stringify({ request, s })).toEqual(expected);
        }),
        { seed: 7, numRuns: 1500 },
      );
      expect(effects.has("allow") && effects.has("deny")).toBe(true);
      if (process.env["AGP_SHOW_REACHED"]) console.log(mode, [...reached].sort().join(" "));
      expect(reached.size).toBeGreaterThanOrEqual(8);
    }, 180_000);
  }
});
