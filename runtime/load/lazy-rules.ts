/**
 * The rule table decoded on first use (ADR 0050): loading fresh policy
 * bytes does not unpack, check or freeze a rule until something needs it.
 *
 * In: the packed rules of a wire manifest and its checked file table
 * (./manifest-wire.ts `openWire`). Out: `LazyRules`, whose `at(i)` is rule
 * `i` unpacked, checked (./check-manifest.ts `checkRule`) and frozen, once,
 * and whose `all()` is every rule (the whole table checked, in order, the
 * first wrong entry named); and `rulesOf(manifest)`, the way the engine's
 * finishing tables reach a manifest's rules without forcing all of them.
 * A corrupt entry throws `PolicyLoadError` from `at` and `all`, every time
 * it is asked for, never a partly built rule: a decision that needs it
 * becomes an `internal_error` deny (engine.ts), never an allow.
 * Must not read requests; must not import the compiler or Node built-ins.
 */
import type { ManifestRule } from "../manifest.js";
import { PolicyLoadError } from "../errors.js";
import { checkRule } from "./check-manifest.js";
import { unpackRule } from "./manifest-wire.js";

/** What reads a manifest's rules one at a time: an array, or a lazily decoded table. */
export interface RuleSource {
  readonly length: number;
  at(index: number): ManifestRule | undefined;
}

/** A packed rule table decoded, checked and frozen rule by rule, on first use. */
export class LazyRules implements RuleSource {
  readonly length: number;
  private readonly decoded: (ManifestRule | undefined)[];
  private whole: readonly ManifestRule[] | undefined;

  constructor(
    private readonly packed: readonly unknown[],
    private readonly files: readonly string[],
  ) {
    this.length = packed.length;
    this.decoded = new Array<ManifestRule | undefined>(packed.length);
  }

  /** Rule `index`, checked; throws `PolicyLoadError` when its entry is corrupt or the index is outside the table. */
  at(index: number): ManifestRule {
    const known = this.decoded[index];
    if (known !== undefined) return known;
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new PolicyLoadError(`corrupt policy: rule ${String(index)} is outside the manifest's ${this.length} rules`);
    }
    const rule = unpackRule(this.packed[index], index, this.files);
    checkRule(rule, index);
    freezeRule(rule);
    this.decoded[index] = rule;
    return rule;
  }

  /** Every rule, in order, frozen; throws for the first corrupt entry. */
  all(): readonly ManifestRule[] {
    if (this.whole !== undefined) return this.whole;
    const rules = new Array<ManifestRule>(this.length);
    for (let i = 0; i < this.length; i++) rules[i] = this.at(i);
    this.whole = Object.freeze(rules);
    return this.whole;
  }
}

/** Lazily decoded tables, by the manifest object they belong to. */
const tables = new WeakMap<object, LazyRules>();

/**
 * Gives `manifest` a `rules` property that decodes the whole table on first
 * read (a host reading `engine.manifest.rules` sees exactly the eager
 * manifest), and registers the table for `rulesOf`.
 */
export function attachLazyRules(manifest: object, rules: LazyRules): void {
  Object.defineProperty(manifest, "rules", { enumerable: true, configurable: false, get: () => rules.all() });
  tables.set(manifest, rules);
}

/** A manifest's rules one at a time: its lazy table when it has one (no rule decoded until asked for), else its array. */
export function rulesOf(manifest: { readonly rules: readonly ManifestRule[] }): RuleSource {
  return tables.get(manifest) ?? manifest.rules;
}

/** Freezes a decoded rule and what it holds (obligations, their set values, quorums, groups, binds). */
function freezeRule(rule: ManifestRule): void {
  for (const ob of rule.obligations) {
    if (Array.isArray(ob.value)) Object.freeze(ob.value);
    Object.freeze(ob);
  }
  Object.freeze(rule.obligations);
  for (const q of rule.quorums) {
    Object.freeze(q.groups);
    Object.freeze(q);
  }
  Object.freeze(rule.quorums);
  if (rule.binds !== undefined) Object.freeze(rule.binds);
  Object.freeze(rule);
}
