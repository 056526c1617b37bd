/**
 * Random well-typed policies over a catalog set, for the checker's property
 * test, and single mutations that must be caught.
 *
 * In: a CatalogSet and a random source. Out: a policy (rules, some `for
 * human`, and rate limits and budgets) as .agp text, plus
 * mutants (the same policy with one atom changed) each with the code the
 * checker must report. Generated conditions read only fields that exist on
 * every matched action with one shape, guard optional and nullable fields,
 * and use byte-wise string tests and quantifiers only on bounded schemas.
 */
import type { ActionEntry, CatalogSet } from "../../compiler/catalog/index.js";
import type { Type } from "../../compiler/check/index.js";
import { mergeTypes, sameShape, splitNull } from "../../compiler/check/types.js";

import { Random } from "../../bench/scenarios/random.js";
export { Random };

/** A readable field: its path, merged type, and whether it needs a `has` guard. */
interface Leaf {
  readonly path: string;
  readonly type: Type;
  readonly optional: boolean;
  /** Nullable objects on the way to the leaf: each needs `p != null` before the leaf is read. */
  readonly nullGuards: readonly string[];
  /** A number whose schema says `minimum` ≥ 0 in every matched action: usable as a budget's cost. */
  readonly nonNegative: boolean;
}

/** One comparison, printable as written and as each of its mutants. */
interface Atom {
  readonly text: string;
  readonly mutants: readonly { readonly text: string; readonly code: string; readonly what: string }[];
}

export interface Generated {
  readonly text: string;
  readonly mutants: readonly { readonly text: string; readonly code: string; readonly what: string }[];
}

const STRINGS = ["a", "acme/payments", "/workspace/", "prod", "x-1"];
const NUMBERS = [0, 1, 5, 120, 1000];
const NOPE = "zz_no_such_field";
const BARE = /^[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*$/;
const KEYWORDS = new Set(["and", "or", "not", "in", "has", "all", "any", "true", "false", "null", "startsWith", "endsWith", "contains", "matches", "per"]);

/** A policy of 1–4 rules; `header` names the package and catalogs. */
export function generatePolicy(random: Random, set: CatalogSet, header: string): Generated {
  const rules: { text: string; atoms: Atom[] }[] = [];
  const count = 1 + random.int(4);
  for (let i = 0; i < count; i++) rules.push(generateRule(random, set, `r${i}`));
  const limits = random.int(3);
  for (let i = 0; i < limits; i++) rules.push(generateLimit(random, set, `l${i}`));
  const text = header + rules.map((r) => r.text).join("\n");
  const mutants = rules.flatMap((rule) =>
    rule.atoms.flatMap((atom) =>
      atom.mutants.map((m) => ({ ...m, text: header + rules.map((r) => (r === rule ? r.text.replace(atom.text, m.text) : r.text)).join("\n") })),
    ),
  );
  return { text, mutants };
}

/** An action pattern (exact, or a `family.*` prefix) and the actions it matches. */
function pickPattern(random: Random, set: CatalogSet): { pattern: string; actions: ActionEntry[] } {
  let pattern = random.pick([...set.actions.keys()]);
  if (random.chance(0.3)) {
    const parts = pattern.split(".");
    pattern = `${parts.slice(0, 1 + random.int(parts.length - 1)).join(".")}.*`;
  }
  const prefix = pattern.endsWith(".*") ? pattern.slice(0, -1) : undefined;
  const actions = prefix === undefined ? [set.actions.get(pattern)!] : [...set.actions.values()].filter((a) => a.name.startsWith(prefix));
  return { pattern, actions };
}

function generateRule(random: Random, set: CatalogSet, id: string): { text: string; atoms: Atom[] } {
  const { pattern, actions } = pickPattern(random, set);
  const leaves = commonLeaves(actions, set);
  const effect = random.pick(["allow", "deny", "approve"]);
  const forHuman = random.chance(0.2);
  const atoms: Atom[] = [];
  const condition = leaves.length === 0 ? undefined : generateCond(random, leaves, atoms, 2, forHuman);
  const lines = [`rule ${id}:`, `  ${effect} ${pattern}${forHuman ? " for human" : ""}`];
  if (condition !== undefined) lines.push(`  when ${condition}`);
  if (effect === "approve") lines.push(`  by ${1 + random.int(2)} of group ${JSON.stringify(random.pick(set.groups ?? ["reviewers"]))}`);
  return { text: `${lines.join("\n")}\n`, atoms };
}

/** A rate limit or a budget with 0–2 keys and maybe a condition; renaming a key must be caught. */
function generateLimit(random: Random, set: CatalogSet, id: string): { text: string; atoms: Atom[] } {
  const { pattern, actions } = pickPattern(random, set);
  const leaves = commonLeaves(actions, set);
  const atoms: Atom[] = [];
  const keyable = leaves.filter((l) => {
    const { base, nullable } = splitNull(l.type);
    // Limits cannot key on the action's metadata (AGP235): keys come from the request.
    if (l.path.startsWith("action.")) return false;
    return !l.optional && !nullable && l.nullGuards.length === 0 && (base.kind === "string" || (base.kind === "number" && base.integer));
  });
  const keys = [...new Set(Array.from({ length: random.int(3) }, () => random.pick(keyable)?.path).filter((k) => k !== undefined))];
  if (random.chance(0.3)) keys.unshift(random.pick(["agent", "human"]));
  let measure = `${1 + random.int(10)} per hour`;
  let cost = "";
  if (random.chance(0.5)) {
    const costs = leaves.filter((l) => l.nonNegative && !l.optional && l.nullGuards.length === 0);
    measure = `budget ${100 + random.int(900)} usd per day`;
    cost = ` cost ${costs.length > 0 && random.chance(0.7) ? random.pick(costs).path : String(random.pick(NUMBERS))}`;
  }
  const keyText = keys.length === 0 ? "" : ` per ${keys.join(", ")}`;
  const when = leaves.length > 0 && random.chance(0.5) ? ` when ${generateCond(random, leaves, atoms, 1, false)}` : "";
  const text = `limit ${id}: ${measure}${keyText} on ${pattern}${cost}${when}\n`;
  const renamable = keys.find((k) => k.includes("."));
  if (renamable !== undefined) {
    const renamed = renamable.replace(/[^.]+$/, NOPE);
    atoms.push({ text: keyText, mutants: [{ text: keyText.replace(renamable, renamed), code: "AGP201", what: `rename the key ${renamable}` }] });
  }
  return { text, atoms };
}

function generateCond(random: Random, leaves: readonly Leaf[], atoms: Atom[], depth: number, humanPresent: boolean): string {
  const roll = random.int(depth <= 0 ? 1 : 4);
  if (roll === 0 || depth <= 0) {
    const atom = generateAtom(random, random.pick(leaves), humanPresent);
    atoms.push(atom);
    return atom.text;
  }
  const sub = () => generateCond(random, leaves, atoms, depth - 1, humanPresent);
  if (roll === 3) return `not (${sub()})`;
  const op = roll === 1 ? "and" : "or";
  return `(${sub()}) ${op} (${sub()})`;
}

/** A type-correct test of one field, parenthesised, guarded when the field is optional or nullable. */
function generateAtom(random: Random, leaf: Leaf, humanPresent: boolean): Atom {
  const { base, nullable } = splitNull(leaf.type);
  const renamed = leaf.path.replace(/[^.]+$/, NOPE);
  let body: string;
  let retyped: string | undefined;
  let badMember: string | undefined;
  const needsValue = (test: string) => (nullable ? `${leaf.path} != null and ${test}` : test);
  const p = leaf.path;
  if (nullable && (base.kind === "object" || random.chance(0.2))) {
    // A null test, on any nullable field: arrays and objects too (ADR 0006, "Equality").
    body = `${p} ${random.pick(["==", "!="])} null`;
  } else if (base.kind === "string" && base.enum !== undefined) {
    const picked = random.pick(base.enum);
    // A member that is a keyword or not a name can only be written quoted.
    const bare = BARE.test(picked) && !KEYWORDS.has(picked);
    const member = bare ? picked : JSON.stringify(picked);
    const choice = random.int(base.ordered === true ? 4 : 3);
    const nope = bare ? `${picked}_nope` : JSON.stringify(`${picked}_nope`);
    if (choice === 0) {
      body = `${p} == ${JSON.stringify(picked)}`;
      retyped = `${p} == 7`;
      badMember = `${p} == ${JSON.stringify(`${picked}_nope`)}`;
    } else if (choice === 1) {
      body = `${p} != ${member}`;
      badMember = `${p} != ${nope}`;
    } else if (choice === 2) {
      const other = random.pick(base.enum);
      body = `${p} in {${[...new Set([picked, other])].map((m) => JSON.stringify(m)).join(", ")}}`;
      retyped = `${p} in {7}`;
      badMember = `${p} in {${JSON.stringify(`${picked}_nope`)}}`;
    } else {
      const op = random.pick(["<", "<=", ">", ">="]);
      body = needsValue(`${p} ${op} ${member}`);
      badMember = needsValue(`${p} ${op} ${nope}`);
    }
  } else if (base.kind === "string") {
    const literal = random.pick(STRINGS);
    const ops = base.maxLength === undefined ? ["==", "!="] : ["==", "!=", "startsWith", "endsWith", "contains", "matches"];
    const op = random.pick(ops);
    if (random.chance(0.2)) {
      body = `${p} in {"${literal}", "${literal}-2"}`;
      retyped = `${p} in {7, 8}`;
    } else {
      const value = op === "matches" ? `"${literal}*"` : `"${literal}"`;
      body = op === "==" || op === "!=" ? `${p} ${op} ${value}` : needsValue(`${p} ${op} ${value}`);
      retyped = body.replace(new RegExp(`${op} "[^"]*"$`), `${op} 7`);
    }
  } else if (base.kind === "number") {
    const n = random.pick(NUMBERS);
    const op = random.pick(["==", "!=", "<", "<=", ">", ">="]);
    body = op === "==" || op === "!=" ? `${p} ${op} ${n}` : needsValue(`${p} ${op} ${n}`);
    retyped = body.replace(new RegExp(`${op} ${n}$`), `${op} "${n}"`);
  } else if (base.kind === "boolean") {
    body = random.chance(0.5) ? p : `${p} == ${random.chance(0.5)}`;
    if (body !== p) retyped = body.replace(/(true|false)$/, '"yes"');
  } else if (base.kind === "array") {
    const items = splitNull(base.items).base;
    const literal = items.kind === "number" ? String(random.pick(NUMBERS)) : `"${random.pick(STRINGS)}"`;
    const wrong = items.kind === "number" ? '"1"' : "7";
    const startsOk = items.kind === "string" && items.maxLength !== undefined && items.enum === undefined;
    const choice = random.int(startsOk ? 3 : 2);
    if (choice === 0) {
      body = `${p} contains ${literal}`;
      retyped = `${p} contains ${wrong}`;
    } else if (choice === 1) {
      body = `(any x in ${p}: x == ${literal})`;
      retyped = `(any x in ${p}: x == ${wrong})`;
    } else {
      body = `(all x in ${p}: x startsWith "/")`;
      retyped = `(all x in ${p}: x startsWith 7)`;
    }
    if (items.kind === "string" && items.enum !== undefined) {
      const member = random.pick(items.enum);
      body = `${p} contains ${JSON.stringify(member)}`;
      retyped = `${p} contains 7`;
      badMember = `${p} contains ${JSON.stringify(`${member}_nope`)}`;
    }
    // A nullable array is read only behind `p != null`, as AGP227's help says.
    body = needsValue(body);
    if (retyped !== undefined) retyped = needsValue(retyped);
    if (badMember !== undefined) badMember = needsValue(badMember);
  } else {
    throw new Error(`no atom for ${leaf.path}`);
  }
  const guard = (text: string) => {
    const nonNull = leaf.nullGuards.map((g) => `${g} != null and `).join("");
    const present = leaf.optional ? `has ${leaf.path} and ${nonNull}${text}` : `${nonNull}${text}`;
    // Rules for the agent may read the human only once `has human` holds.
    return leaf.path.startsWith("human.") && !humanPresent ? `(has human and ${present})` : `(${present})`;
  };
  const mutants: Atom["mutants"][number][] = [
    // A root alone (`env`) renamed is an unknown name, not an unknown field.
    { text: guard(body).split(leaf.path).join(renamed), code: leaf.path.includes(".") ? "AGP201" : "AGP203", what: `rename ${leaf.path}` },
  ];
  if (retyped !== undefined) mutants.push({ text: guard(retyped), code: "AGP211", what: `retype the literal compared with ${leaf.path}` });
  if (badMember !== undefined) mutants.push({ text: guard(badMember), code: "AGP212", what: `use a member ${leaf.path}'s enum lacks` });
  return { text: guard(body), mutants };
}

/** Fields readable under every action, with one shape; bounded where the generator needs bounds. */
function commonLeaves(actions: readonly ActionEntry[], set: CatalogSet): Leaf[] {
  const perAction = actions.map((a) => new Map(leavesOf(a, set).map((l) => [l.path, l])));
  const first = perAction[0];
  if (first === undefined) return [];
  const common: Leaf[] = [];
  for (const [path, leaf] of first) {
    const others = perAction.map((m) => m.get(path));
    if (others.some((o) => o === undefined || !sameShape(o.type, leaf.type))) continue;
    const type = others.slice(1).reduce((t, o) => mergeTypes(t, o!.type), leaf.type);
    const nonNegative = others.every((o) => o!.type.kind === "number" && o!.type.minimum !== undefined && o!.type.minimum >= 0);
    common.push({ path, type, optional: others.some((o) => o!.optional), nullGuards: leaf.nullGuards, nonNegative });
  }
  return common;
}

function leavesOf(action: ActionEntry, set: CatalogSet): Leaf[] {
  const leaves: Leaf[] = [];
  const visit = (type: Type, path: string, optional: boolean, depth: number, nullGuards: readonly string[]) => {
    const { base, nullable } = splitNull(type);
    if (base.kind === "object") {
      if (depth > 2) return;
      // A nullable object is a leaf itself (`p == null`), and its fields are read behind `p != null`.
      if (nullable) leaves.push({ path, type, optional, nullGuards, nonNegative: false });
      const guards = nullable ? [...nullGuards, path] : nullGuards;
      for (const field of base.fields.values()) visit(field.type, `${path}.${field.name}`, optional || !field.required, depth + 1, guards);
      return;
    }
    if (base.kind === "array") {
      const items = splitNull(base.items);
      if (base.maxItems === undefined || items.nullable) return;
      if (!["string", "number"].includes(items.base.kind)) return;
    } else if (!["string", "number", "boolean"].includes(base.kind)) return;
    if (base.kind === "boolean" && nullable) return;
    leaves.push({ path, type, optional, nullGuards, nonNegative: false });
  };
  visit(action.args, "args", false, 0, []);
  for (const [key, value] of action.metadata) visit(value.type, `action.${key}`, false, 1, []);
  visit(set.request.agent, "agent", false, 0, []);
  visit(set.request.human, "human", false, 0, []);
  visit(set.request.env, "env", false, 1, []);
  visit(set.request.context, "context", false, 0, []);
  return leaves;
}

/**
 * One `deny` rule `r0` on one action whose condition `and`s 2–4 tests (some
 * negated) of at most two fields: conjunctions like these are where the
 * checker's "can never match" warning (AGP301) has something to find.
 */
export function generateConjunction(random: Random, set: CatalogSet, header: string): { text: string; action: string } {
  const names = [...set.actions.keys()];
  for (;;) {
    const action = random.pick(names);
    const leaves = commonLeaves([set.actions.get(action)!], set).filter((l) => !l.optional);
    if (leaves.length === 0) continue;
    const chosen = [random.pick(leaves), random.pick(leaves)];
    const tests = Array.from({ length: 2 + random.int(3) }, () => {
      const text = generateAtom(random, random.pick(chosen), false).text;
      return random.chance(0.3) ? `not ${text}` : text;
    });
    return { text: `${header}rule r0:\n  deny ${action}\n  when ${tests.join(" and ")}\n`, action };
  }
}
