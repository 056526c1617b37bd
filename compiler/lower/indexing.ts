/**
 * Indexing one principal's rules for one action (ADR 0033): every rule
 * whose condition can be written as keys on request slots (./index-keys.ts)
 * joins the indexes of its keys, so a decision evaluates only the rules the
 * request's values select, whatever the rule count.
 *
 * In: the side's rule uses (conditions lowered), the action's reads, the
 * patterns of the program's globs. Out: an `IrSide`: rules evaluated always,
 * rules reached through indexes, and the indexes (entries: key + residual).
 * Must not change which rules match: a rule is indexed only through an
 * option whose alternatives cover every way its condition holds.
 *
 * Choosing: each key group (kind, slot, per item or not) is scored by the
 * work one lookup can take (probe plus the most residual work one request
 * can select, counting every potential member), and each rule takes the option
 * whose worst group scores lowest: the most selective field wins, the rest
 * of the condition is checked in the residual. Then a group is kept only
 * when its work is below evaluating its rules directly (an automaton over a
 * long string does not pay for two rules); rules of a dropped group are
 * evaluated always.
 */
import type { IrExpr, IrIndex, IrNum, IrStr, IrIndexEntry, IrIndexKey, IrKeyPart, IrRead, IrRuleUse, IrSide } from "../ir/index.js";
import { exprCost } from "./cost.js";
import { indexWork, type IndexSlotBounds } from "./index-cost.js";
import { groupOf, indexOptions, type Alternative, type IndexOption } from "./index-keys.js";

/** What indexing needs besides the rules. */
export interface IndexContext {
  readonly reads: readonly IrRead[];
  /** A glob id's pattern. */
  readonly globPattern: (glob: number) => string;
}

interface Member {
  /** Position of the rule use. */
  readonly use: number;
  readonly alternatives: Alternative[];
}

/** Splits rule uses into always-evaluated rules and indexes. */
export function indexSide(uses: readonly IrRuleUse[], context: IndexContext): IrSide {
  const options = uses.map((use) => indexOptions(use.condition, context.globPattern));
  const score = groupScores(options, context);
  // Each rule: the option whose worst group scores lowest (ties: fewer alternatives, then the first).
  const chosen = new Map<number, IndexOption>();
  options.forEach((list, i) => {
    let best: { option: IndexOption; worst: number } | undefined;
    for (const option of list) {
      const worst = Math.max(...option.map((alt) => score.get(groupOf(alt.key))!));
      if (best === undefined || worst < best.worst || (worst === best.worst && option.length < best.option.length)) best = { option, worst };
    }
    if (best !== undefined) chosen.set(i, best.option);
  });
  // Keep a group only when it beats evaluating its rules; dropping one may drop rules from others, so repeat.
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, members] of groupsOf(chosen)) {
      const work = groupWork(name, members, context);
      const direct = members.reduce((sum, m) => sum + 1 + exprCost(uses[m.use]!.condition, context.reads), 0);
      if (work < direct) continue;
      for (const m of members) chosen.delete(m.use);
      changed = true;
      break;
    }
  }
  const unindexed: IrRuleUse[] = [];
  const indexed: IrRuleUse[] = [];
  const position = new Map<number, number>();
  uses.forEach((use, i) => {
    if (chosen.has(i)) {
      position.set(i, indexed.length);
      indexed.push(use);
    } else unindexed.push(use);
  });
  const indexes: IrIndex[] = [];
  for (const [, members] of groupsOf(chosen)) {
    const key = members[0]!.alternatives[0]!.key;
    const entries: IrIndexEntry[] = [];
    for (const m of members) for (const alt of merge(m.alternatives)) entries.push({ rule: position.get(m.use)!, key: alt.key.key, residual: alt.residual });
    indexes.push({ kind: key.kind, slot: key.slot, ...(key.array === undefined ? {} : { array: key.array }), entries });
  }
  return { unindexed, indexed, indexes };
}

/** Chosen alternatives by group, groups in order of first appearance, members in rule order. */
function groupsOf(chosen: ReadonlyMap<number, IndexOption>): Map<string, Member[]> {
  const groups = new Map<string, Member[]>();
  for (const use of [...chosen.keys()].sort((a, b) => a - b)) {
    const byGroup = new Map<string, Alternative[]>();
    for (const alt of chosen.get(use)!) {
      const name = groupOf(alt.key);
      const list = byGroup.get(name);
      if (list === undefined) byGroup.set(name, [alt]);
      else list.push(alt);
    }
    for (const [name, alternatives] of byGroup) {
      const list = groups.get(name) ?? [];
      groups.set(name, list);
      list.push({ use, alternatives });
    }
  }
  return groups;
}

/** Per group: probe plus the most residual work one request can select, over every rule that could join it. */
function groupScores(options: readonly IndexOption[][], context: IndexContext): Map<string, number> {
  const potential = new Map<string, Member[]>();
  options.forEach((list, use) => {
    const seen = new Set<string>();
    for (const option of list) {
      for (const alt of option) {
        const name = groupOf(alt.key);
        if (seen.has(name)) continue;
        seen.add(name);
        const members = potential.get(name) ?? [];
        potential.set(name, members);
        members.push({ use, alternatives: option.filter((a) => groupOf(a.key) === name) });
      }
    }
  });
  const scores = new Map<string, number>();
  for (const [name, members] of potential) {
    const alts = members.flatMap((m) => m.alternatives);
    const weights = alts.map((a) => residualWeight(a.residual, context.reads));
    const work = indexWork(kindOf(name), alts.map((a) => a.key.key), weights, boundsOf(alts[0]!, context));
    scores.set(name, work.probe + work.candidates);
  }
  return scores;
}

/** The work of a group with its final members: residual steps as weights (0 for `true`). */
function groupWork(name: string, members: readonly Member[], context: IndexContext): number {
  const alts = members.flatMap((m) => merge(m.alternatives));
  const weights = alts.map((a) => residualWeight(a.residual, context.reads));
  const work = indexWork(kindOf(name), alts.map((a) => a.key.key), weights, boundsOf(members[0]!.alternatives[0]!, context));
  return work.probe + work.candidates;
}

/** Steps of evaluating an entry's residual (none when it is `true`: the entry names a matching rule). */
export function residualWeight(residual: IrExpr, reads: readonly IrRead[]): number {
  return residual.op === "const" && residual.value ? 0 : 1 + exprCost(residual, reads);
}

function kindOf(name: string): IrIndex["kind"] {
  return name.slice(0, name.indexOf(":")) as IrIndex["kind"];
}

function boundsOf(alt: Alternative, context: IndexContext): IndexSlotBounds {
  const read = context.reads[alt.key.slot];
  const maxBytes = read?.maxBytes ?? 0;
  if (alt.key.array === undefined) return { maxBytes };
  return { maxBytes, maxItems: context.reads[alt.key.array]?.maxItems ?? 0 };
}

/**
 * A rule's alternatives in one group, merged where they differ only in the
 * key value (`a == "x" or a == "y"`: one entry with both ids), so the rule
 * sits in one entry and needs no de-duplication.
 */
function merge(alternatives: readonly Alternative[]): Alternative[] {
  const out: Alternative[] = [];
  const byResidual = new Map<string, number>();
  for (const alt of alternatives) {
    const set = setOf(alt.key.key);
    const residual = canonical(alt.residual);
    const at = set === undefined ? undefined : byResidual.get(residual);
    if (at === undefined || set === undefined) {
      if (set !== undefined) byResidual.set(residual, out.length);
      out.push(alt);
      continue;
    }
    const previous = out[at]!;
    const union = [...new Set([...setOf(previous.key.key)!.values, ...set.values])].sort((a, b) => a - b);
    const key: IrIndexKey = set.kind === "ids" ? { ids: union } : { values: union };
    out[at] = { key: { ...previous.key, key }, residual: previous.residual };
  }
  return out;
}

function setOf(key: IrIndexKey): { kind: "ids" | "values"; values: readonly number[] } | undefined {
  if ("ids" in key) return { kind: "ids", values: key.ids };
  if ("values" in key) return { kind: "values", values: key.values };
  return undefined;
}

/** Canonical texts already computed (residuals are compared when merging and again when emitted). */
const texts = new WeakMap<IrExpr, string>();

/** An expression's structure without source lines (equal residuals, equal text). */
export function canonical(e: IrExpr): string {
  let text = texts.get(e);
  if (text === undefined) {
    text = write(e);
    texts.set(e, text);
  }
  return text;
}

function write(e: IrExpr): string {
  const ref = (r: { slot: number; binding: number }) => `${r.slot}@${r.binding}`;
  const operand = (o: IrNum | IrStr): string =>
    // String(n) tells Infinity from -Infinity (JSON would write both as null); strings are quoted; a view names its view.
    o.kind === "slot" ? ref(o.ref) : o.kind === "view" ? `${o.view}(${operand(o.operand)})` : typeof o.value === "string" ? JSON.stringify(o.value) : String(o.value);
  switch (e.op) {
    case "const":
      return e.value ? "T" : "F";
    case "and":
    case "or":
      return `(${canonical(e.left)} ${e.op} ${canonical(e.right)})`;
    case "not":
      return `!${canonical(e.operand)}`;
    case "state":
      return `${e.test}(${ref(e.ref)})`;
    case "symIn":
      return `${ref(e.ref)} in #${e.ids.join(",")}`;
    case "symCmp":
      return `${ref(e.ref)} ${e.cmp} #${e.id}`;
    case "symCmpSlot":
      return `${ref(e.left)} ${e.cmp}# ${ref(e.right)}`;
    case "num":
      return `${operand(e.left)} ${e.cmp} ${operand(e.right)}`;
    case "numIn":
      return `${operand(e.operand)} in {${e.values.map(String).join(",")}}`;
    case "bool":
      return `?${ref(e.ref)}`;
    case "str":
      return `${operand(e.left)} ${e.test} ${operand(e.right)}`;
    case "strIn":
      return `${operand(e.operand)} in {${e.values.map((v) => JSON.stringify(v)).join(",")}}`;
    case "under":
      return `${operand(e.operand)} under {${e.bases.map((v) => JSON.stringify(v)).join(",")}}`;
    case "glob":
      return `${operand(e.operand)} ~ ${e.glob}`;
    case "quantifier":
      return `${e.quantifier} ${e.depth} ${ref(e.array)}: ${canonical(e.body)}`;
    case "session": {
      // Two session reads share a residual only when they ask the same monitor the same question of the same key.
      const q = e.query;
      const key = (parts: readonly IrKeyPart[] | undefined): string =>
        parts === undefined ? "-" : parts.map((p) => (p.from === "slot" ? `${p.kind}:${ref(p.ref)}` : `${p.kind}:${p.array}[${p.item}]`)).join(",");
      switch (q.kind) {
        case "within":
          return `session ${e.monitor} within ${q.windowMs} ${key(q.key)}`;
        case "previous":
          return `session ${e.monitor} previous ${q.windowMs} ${q.status} ${key(q.key)}`;
        case "since":
          return `session ${e.monitor} since ${q.windowMs}`;
        case "count":
          return `session ${e.monitor} count ${q.windowMs} ${key(q.key)} ${q.cmp} ${String(q.value)}`;
        case "sum":
          return `session ${e.monitor} sum ${key(q.key)} ${q.cmp} ${operand(q.right)}`;
      }
    }
  }
}
