/**
 * "Order of rules never matters": any subset of a pool of rules, shuffled
 * and spread over several files, decides every request exactly as the same
 * rules in pool order in one file (up to where the rules are written).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Decision } from "../../compiler/interpret/index.js";
import { policy, shell } from "./harness.js";

const POOL = [
  `allow shell.exec with max_runtime_seconds = 120`,
  `allow shell.exec when args.timeout_seconds <= 60 with max_runtime_seconds = 60, dry_run = false`,
  `approve shell.exec when args.command contains "sudo" by 1 of group "sre"`,
  `approve shell.exec when env == "production" by 2 of group "sre" and 1 of group "security" with dry_run = true`,
  `deny shell.exec when args.command matches "rm -rf /*" because "destructive"`,
  `deny shell.exec when any p in args.write_paths: p startsWith "/etc/" audit security`,
  `allow shell.exec for human when "deployer" in human.roles with max_runtime_seconds = 30`,
  `deny shell.exec for human when "interns" in human.groups`,
];

const HUMAN = { id: "alice", groups: ["interns"], roles: ["deployer"] };
const REQUESTS = [
  shell(),
  shell({ timeout_seconds: 30 }),
  shell({ command: "sudo ls" }, { env: "dev" }),
  shell({ command: "rm -rf /" }),
  shell({ write_paths: ["/etc/passwd"] }),
  shell({}, { human: HUMAN }),
  shell({ timeout_seconds: 30 }, { human: { ...HUMAN, groups: [] }, env: "dev" }),
];

/** A decision without where its rules are written (which the shuffle changes). */
function placeless(decision: Decision) {
  return {
    ...decision,
    rules: decision.rules.map((r) => r.id).sort(),
    reasons: [...decision.reasons].sort(),
  };
}

describe("order independence (property)", () => {
  it("shuffling rules and splitting them over files changes no decision", () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray([...POOL.keys()], { minLength: 1 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: POOL.length, maxLength: POOL.length }),
        (chosen, fileOf) => {
          const text = (i: number) => `rule r${i}: ${POOL[i]}\n`;
          const canonical = policy([...chosen].sort((a, b) => a - b).map(text).join(""));
          const files: Record<string, string> = {};
          for (const i of chosen) {
            const name = `f${fileOf[i]}.agp`;
            files[name] = (files[name] ?? "") + text(i);
          }
          const shuffled = policy(files);
          for (const request of REQUESTS) {
            expect(placeless(shuffled.decide(request))).toEqual(placeless(canonical.decide(request)));
          }
        },
      ),
      { seed: 1121, numRuns: 60 },
    );
  });
});
