/**
 * Random policies for the differential test (wasm + runtime vs the
 * reference interpreter): test/check/generate.ts's well-typed rules and
 * limits, widened with what the compiler must also get right — a
 * delegation mode, obligations, reasons and audit levels, `otherwise
 * approve`, set constants, `not in`, `action.*` metadata, quantifiers over
 * literal sets, many rules keyed on one field (so indexes form) and
 * `startsWith` prefixes.
 *
 * In: a seed and the catalog set. Out: .agp text (package `gen`) and the
 * strings worth putting into requests. Texts the checker refuses are the
 * caller's to skip (the additions are not all type-correct for every action).
 */
import type { CatalogSet } from "../../compiler/catalog/index.js";
import { generatePolicy, Random } from "../check/generate.js";

export { Random };

const MODES = ["both", "either", "agent_only"];
const KEYS = ["max_runtime_seconds", "dry_run", "ticket_channel"];
const WORDS = ["prod", "acme/payments", "acme/tools", "a", "ab", "/workspace/", "x-1", "CHG-1"];

/** A generated policy and strings its conditions compare with. */
export interface GeneratedPolicy {
  readonly text: string;
  readonly interesting: readonly string[];
}

/** A policy for `seed`. */
export function generateCompilable(seed: number, set: CatalogSet): GeneratedPolicy {
  const random = new Random(seed);
  const header = `package gen\ndelegation ${random.pick(MODES)}\n\nlet words = {${WORDS.map((w) => JSON.stringify(w)).join(", ")}}\n\n`;
  const base = generatePolicy(random, set, header).text;
  const group = JSON.stringify(set.groups?.[0] ?? "reviewers");
  const withClauses = base.replace(/^(rule r\d+:\n(?: {2}.*\n)+)/gm, (block: string) => block + extraClauses(random, block));
  const extra = extraRules(random, set, group);
  // Known divergence, reported to runtime/: a limit keyed on `action.<metadata>` gets null from the
  // runtime (it has no catalog metadata; the manifest's additive `metadata` field now carries it).
  const noMetadataKeys = withClauses.replace(/ per ([^\n]*?) on /g, (_m: string, keys: string) => {
    const kept = keys.split(", ").filter((k) => !k.startsWith("action."));
    return kept.length === 0 ? " on " : ` per ${kept.join(", ")} on `;
  });
  const limitsWithOtherwise = noMetadataKeys.replace(/^(limit l\d+: .*)$/gm, (line: string) =>
    random.chance(0.3) ? `${line} otherwise approve by 1 of group ${group}` : random.chance(0.3) ? `${line} because "slow down"` : line,
  );
  return { text: `${limitsWithOtherwise}\n${extra}`, interesting: [...WORDS, "/workspace/a", "prod-1", "acme/payments-2", "ann@acme.com", "bob@corp.org", "xy", "abc"] };
}

function extraClauses(random: Random, block: string): string {
  const lines: string[] = [];
  if (!/\n {2}(deny) /.test(block) && random.chance(0.6)) {
    const key = random.pick(KEYS);
    const value = key === "max_runtime_seconds" ? String(random.pick([30, 60, 120])) : key === "dry_run" ? String(random.chance(0.5)) : JSON.stringify(random.pick(["#ops", "#sec"]));
    lines.push(`  with ${key} = ${value}`);
  }
  if (random.chance(0.4)) lines.push(`  because "reason ${random.int(100)}"`);
  if (random.chance(0.3)) lines.push(`  audit ${random.pick(["info", "notice", "security"])}`);
  return lines.map((l) => `${l}\n`).join("");
}

/** Rules over fields every example action has, and over one action's args, so indexes and folds form. */
function extraRules(random: Random, set: CatalogSet, group: string): string {
  const rules: string[] = [];
  const effects = ["allow", "allow", "approve", "deny"];
  const rule = (id: string, effect: string, pattern: string, when: string, human = false) =>
    `rule ${id}:\n  ${effect} ${pattern}${human ? " for human" : ""}\n  when ${when}\n${effect === "approve" ? `  by 1 of group ${group}\n` : ""}`;
  const families = [...new Set([...set.actions.values()].map((a) => a.family))];
  const count = random.int(8);
  for (let i = 0; i < count; i++) {
    const effect = random.pick(effects);
    const pattern = random.chance(0.5) ? `${random.pick(families)}.*` : random.pick([...set.actions.keys()]);
    const human = random.chance(0.25);
    const choice = random.int(9);
    let when: string;
    switch (choice) {
      case 0:
        when = `env == ${JSON.stringify(random.pick(["dev", "staging", "production"]))}`;
        break;
      case 1:
        when = `env in {${random.chance(0.5) ? '"dev", "staging"' : '"production"'}} and agent.trust >= ${random.int(5)}`;
        break;
      case 2:
        when = `agent.kind not in {"coding", "ops"}`;
        break;
      case 3:
        when = `agent.id in words or agent.id startsWith ${JSON.stringify(random.pick(WORDS))}`;
        break;
      case 4:
        when = `(any g in agent.groups: g in words) and not (all w in {"a", "b"}: agent.id != w)`;
        break;
      case 5:
        when = `action.readOnly or action.name == ${JSON.stringify(random.pick([...set.actions.keys()]))}`;
        break;
      case 6:
        when = `agent.groups contains ${JSON.stringify(random.pick(WORDS))} and agent.id matches "a*"`;
        break;
      case 7:
        when = human ? `human.roles contains "deployer" or human.id endsWith "1"` : `has human and human.groups contains "sre"`;
        break;
      default:
        when = random.chance(0.5) ? `has context.ticket and context.ticket startsWith "CHG-"` : `context.session startsWith ${JSON.stringify(random.pick(["a", "ab", "x-", "acme"]))}`;
        break;
    }
    rules.push(rule(`x${i}`, effect, pattern, when, human));
  }
  return rules.join("\n");
}
