/**
 * Random policies for the differential test (wasm + runtime vs the
 * reference interpreter): test/check/generate.ts's well-typed rules and
 * limits, widened with what the compiler must also get right — a
 * delegation mode, obligations, reasons and audit levels, `otherwise
 * approve`, set constants, `not in`, `action.*` metadata, quantifiers over
 * literal sets, many rules keyed on one field (so indexes form) and
 * `startsWith` prefixes; and the language of issue 15: `*` and `{…}`
 * patterns on rules and limits, named conditions (bare, with parameters,
 * over arrays, nested), string views (`lower`, `domain`, `normpath`) in
 * every comparison, `under`, and constants as obligation values.
 *
 * In: a seed and the catalog set. Out: .agp text (package `gen`) and the
 * strings worth putting into requests. Texts the checker refuses are the
 * caller's to skip (the additions are not all type-correct for every action).
 */
import type { CatalogSet } from "../../compiler/catalog/index.js";
import { generatePolicy, Random } from "../check/generate.js";

export { Random };

const MODES = ["both", "either", "agent_only", "human_only"];
const KEYS = ["max_runtime_seconds", "dry_run", "ticket_channel"];
const WORDS = ["prod", "acme/payments", "acme/tools", "a", "ab", "/workspace/", "x-1", "CHG-1"];
const LOWER_WORDS = ["prod", "acme/payments", "a", "ab", "x-1", "chg-1"];

/** Constants and named conditions every generated policy may use (issue 15). */
const CONDITIONS = `let lwords = {${LOWER_WORDS.map((w) => JSON.stringify(w)).join(", ")}}
let max_rt = 60
let is_env(e) = env == e
let word_agent = lower(agent.id) in lwords
let lower_in(list) = any g in list: lower(g) in lwords
let from_acme(id) = domain(id) == "acme.com" or domain(id) endsWith ".acme.com"
let both_of(a, b) = a and b
let in_work(p) = p under {"/workspace", "/tmp"}
`;

/** A generated policy and strings its conditions compare with. */
export interface GeneratedPolicy {
  readonly text: string;
  readonly interesting: readonly string[];
}

/**
 * A policy for `seed`. `exact`: only constructs `agp analyze` encodes
 * exactly (no `normpath` / `under`, no view compared with a field or
 * matched against a glob), for the analysis property tests.
 */
export function generateCompilable(seed: number, set: CatalogSet, options: { readonly exact?: boolean } = {}): GeneratedPolicy {
  const random = new Random(seed);
  const header = `package gen\ndelegation ${random.pick(MODES)}\n\nlet words = {${WORDS.map((w) => JSON.stringify(w)).join(", ")}}\n${CONDITIONS}\n`;
  const base = generatePolicy(random, set, header).text;
  const group = JSON.stringify(set.groups?.[0] ?? "reviewers");
  const withClauses = base.replace(/^(rule r\d+:\n(?: {2}.*\n)+)/gm, (block: string) => block + extraClauses(random, block));
  const extra = extraRules(random, set, group, options.exact === true);
  // Known divergence, reported to runtime/: a limit keyed on `action.<metadata>` gets null from the
  // runtime (it has no catalog metadata; the manifest's additive `metadata` field now carries it).
  const noMetadataKeys = withClauses.replace(/ per ([^\n]*?) on /g, (_m: string, keys: string) => {
    const kept = keys.split(", ").filter((k) => !k.startsWith("action."));
    return kept.length === 0 ? " on " : ` per ${kept.join(", ")} on `;
  });
  const limitsWithOtherwise = noMetadataKeys.replace(/^(limit l\d+: .*)$/gm, (line: string) =>
    random.chance(0.3) ? `${line} otherwise approve by 1 of group ${group}` : random.chance(0.3) ? `${line} because "slow down"` : line,
  );
  return {
    text: `${limitsWithOtherwise}\n${extra}`,
    interesting: [
      ...WORDS, "/workspace/a", "prod-1", "acme/payments-2", "ann@acme.com", "bob@corp.org", "xy", "abc",
      "PROD", "Chg-1", "A", "bob@ACME.com.", "x@eu.acme.com", "acme.com", "/workspace/../etc", "//tmp//x", "/tmp", "tmp/x", "/workspace2",
    ],
  };
}

function extraClauses(random: Random, block: string): string {
  const lines: string[] = [];
  if (!/\n {2}(deny) /.test(block) && random.chance(0.6)) {
    const key = random.pick(KEYS);
    const value =
      key === "max_runtime_seconds"
        ? String(random.pick<string | number>([30, 60, 120, "max_rt"]))
        : key === "dry_run"
          ? String(random.chance(0.5))
          : JSON.stringify(random.pick(["#ops", "#sec"]));
    lines.push(`  with ${key} = ${value}`);
  }
  if (random.chance(0.4)) lines.push(`  because "reason ${random.int(100)}"`);
  if (random.chance(0.3)) lines.push(`  audit ${random.pick(["info", "notice", "security"])}`);
  return lines.map((l) => `${l}\n`).join("");
}

/** Rules over fields every example action has, and over one action's args, so indexes and folds form. */
function extraRules(random: Random, set: CatalogSet, group: string, exact: boolean): string {
  const rules: string[] = [];
  const effects = ["allow", "allow", "approve", "deny"];
  const rule = (id: string, effect: string, pattern: string, when: string, human = false) =>
    `rule ${id}:\n  ${effect} ${pattern}${human ? " for human" : ""}\n  when ${when}\n${effect === "approve" ? `  by 1 of group ${group}\n` : ""}`;
  const families = [...new Set([...set.actions.values()].map((a) => a.family))];
  const count = random.int(8);
  for (let i = 0; i < count; i++) {
    const effect = random.pick(effects);
    const onePattern = () => (random.chance(0.5) ? `${random.pick(families)}.*` : random.pick([...set.actions.keys()]));
    const pattern = random.chance(0.1) ? "*" : random.chance(0.15) ? `{${[...new Set([onePattern(), onePattern()])].join(", ")}}` : onePattern();
    const human = random.chance(0.25);
    const choice = random.int(15);
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
      case 9:
        when = random.pick([`word_agent`, `lower(agent.id) startsWith "a"`, `lower(env) == "production"`, ...(exact ? [] : [`lower(agent.id) matches "*-[0-9]"`])]);
        break;
      case 10:
        when = random.pick([`lower_in(agent.groups)`, ...(exact ? [] : [`any g in agent.groups: lower(g) in lwords and g != lower(g)`, `lower(agent.id) in agent.groups`])]);
        break;
      case 11:
        when = human
          ? `from_acme(human.id) or domain(human.id) endsWith "corp.org"`
          : random.pick([`from_acme(agent.id)`, `domain(agent.id) in {"acme.com", "corp.org"}`, `not from_acme(agent.id) and domain(agent.id) contains "acme"`, ...(exact ? [] : [`domain(agent.id) == ""`])]);
        break;
      case 12:
        when = exact
          ? `word_agent or is_env("dev")`
          : random.pick([`in_work(agent.id)`, `agent.id under "/"`, `normpath(agent.id) startsWith "/workspace"`, `normpath(agent.id) == agent.id`, `normpath(lower(agent.id)) in {"/tmp", "/workspace"}`]);
        break;
      case 13:
        when = random.pick([`is_env("production")`, `both_of(is_env("dev"), word_agent)`, `both_of(agent.trust >= 2, not is_env("staging"))`]);
        break;
      case 14:
        when = `(any w in {"a", "ab"}: lower(agent.id) endsWith w) or lower_in({"PROD", "x-1"})`;
        break;
      default:
        when = random.chance(0.5) ? `has context.ticket and context.ticket startsWith "CHG-"` : `context.session startsWith ${JSON.stringify(random.pick(["a", "ab", "x-", "acme"]))}`;
        break;
    }
    rules.push(rule(`x${i}`, effect, pattern, when, human));
  }
  if (random.chance(0.5)) {
    const [f1, f2] = [random.pick(families), random.pick(families)];
    const on = random.chance(0.5) || f1 === f2 ? "*" : `{${f1}.*, ${f2}.*}`;
    rules.push(`limit lstar: ${1 + random.int(5)} per minute per agent on ${on}${random.chance(0.5) ? " when word_agent or is_env(\"prod\")" : ""}\n`);
  }
  return rules.join("\n");
}
