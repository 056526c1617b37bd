/**
 * Random policies that exercise every index (ADR 0033) for the differential
 * test: many rules of one or two shapes on one action (so groups are large
 * enough to be indexed), keys that repeat across rules, overlapping ranges
 * and literals that contain one another, disjunctions across fields and
 * kinds, per-item keys over request arrays, quantifiers over literal sets,
 * extra conjuncts (residuals, guards on nullable fields), both principals,
 * and noise rules no index can take. Requests are built from the same
 * pools, so one request often matches many rules at once.
 *
 * In: a seed. Out: policy text for INDEX_CATALOG and a request arbitrary.
 * Must not generate a policy the checker refuses (the test fails on one).
 */
import fc from "fast-check";
import { Random } from "../check/generate.js";

/** The catalog the generated policies are checked against. */
export const INDEX_CATALOG = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  family: "ix",
  actions: {
    call: {
      args: {
        type: "object",
        properties: {
          key: { type: "string", maxLength: 16 },
          n: { type: "number" },
          m: { type: ["number", "null"] },
          s: { type: "string", maxLength: 24 },
          a: { type: "string", maxLength: 8 },
          b: { type: "string", maxLength: 8 },
          opt: { type: "string", maxLength: 8 },
          list: { type: "array", items: { type: "string", maxLength: 12 }, maxItems: 4 },
          nums: { type: "array", items: { type: "number" }, maxItems: 4 },
        },
        required: ["key", "n", "s", "a", "b", "list", "nums"],
        additionalProperties: false,
      },
    },
    other: { args: { type: "object", properties: { key: { type: "string", maxLength: 16 } }, required: ["key"] } },
  },
} as const;

const KEYS = ["k0", "k1", "k2", "k3", "k4", "k5"];
const NUMS = [-2, 0, 1, 2.5, 3, 10, 100];
const TEXTS = ["a", "ab", "abc", "b", "bc", "c-", "-x", "x", "é"];
const GROUPS = ["g0", "g1", "g2", "g3"];
const ITEMS = ["p0", "p1", "p01", "q", "xq", "é-q"];
const GLOBS = (t: string, u: string) => [`*${t}*`, `${t}*`, `*${t}`, `${t}?*`, `*${t}*${u}`, `?${t}*`, t, `*${t}[a-c]*`];

/** Shapes a rule's condition takes; the index each one is meant to reach is named. */
const SHAPES: readonly ((r: Random) => string)[] = [
  (r) => `args.key == ${q(r.pick(KEYS))}`, // sym
  (r) => `args.key in {${two(r, KEYS).map(q).join(", ")}}`, // sym, a set
  (r) => `args.n == ${r.pick(NUMS)}`, // num
  (r) => `args.n in {${r.pick(NUMS)}, ${r.pick([4, 5, 6])}}`, // num, a set
  (r) => `args.n ${r.pick(["<", "<=", ">", ">="])} ${r.pick(NUMS)}`, // range
  (r) => {
    const lo = r.pick(NUMS);
    return `args.n >= ${lo} and args.n < ${lo + r.pick([0.5, 1, 3, 50])}`; // range, an interval
  },
  (r) => `has args.m and args.m != null and args.m > ${r.pick(NUMS)}`, // range on a nullable number (a guard in the residual)
  (r) => `args.s startsWith ${q(r.pick(TEXTS))}`, // prefix
  (r) => `args.s endsWith ${q(r.pick(TEXTS))}`, // suffix
  (r) => `args.s contains ${q(r.pick(TEXTS))}`, // infix
  (r) => `args.s matches ${q(r.pick(GLOBS(r.pick(TEXTS), r.pick(TEXTS))))}`, // prefix / suffix / infix by the glob's literal
  (r) => `args.a == ${q(r.pick(TEXTS))} or args.b == ${q(r.pick(TEXTS))}`, // a disjunction across fields
  (r) => `${q(r.pick(GROUPS))} in agent.groups`, // sym per item
  (r) => `agent.groups contains ${q(r.pick(GROUPS))} or agent.groups contains ${q(r.pick(GROUPS))}`, // sym per item, two entries
  (r) => `any x in args.list: x startsWith ${q(r.pick(ITEMS))}`, // prefix per item
  (r) => `any x in args.list: x == ${q(r.pick(ITEMS))}`, // sym per item
  (r) => `any x in args.list: x contains ${q(r.pick(["q", "0", "p", "-", "1", "x", "é"]))}`, // infix per item
  (r) => `any x in args.list: x matches ${q(`*${r.pick(["q", "0", "p", "-", "1", "x", "é"])}*`)}`, // infix per item, from a glob
  (r) => `any x in args.nums: x ${r.pick([">", "<="])} ${r.pick(NUMS)}`, // range per item
  (r) => `any x in args.nums: x == ${r.pick(NUMS)}`, // num per item
  (r) => `any x in {${two(r, TEXTS).map(q).join(", ")}}: args.s startsWith x`, // a literal set unrolled: a disjunction
  (r) => `args.key == ${q(r.pick(KEYS))} or args.n > ${r.pick(NUMS)}`, // a disjunction across kinds
  (r) => `any x in args.list: x endsWith ${q(r.pick(ITEMS))} and args.key == ${q(r.pick(KEYS))}`, // a request key inside the body
];

/** Shapes (positions in SHAPES) whose index is an automaton run per item: it pays only with many rules. */
const DENSE = new Set(SHAPES.flatMap((shape, i) => (/any x in args\.list: x (contains|matches)/.test(shape(new Random(0))) ? [i] : [])));

/** Conjuncts that stay in the residual. */
const EXTRAS: readonly ((r: Random) => string)[] = [
  (r) => `args.n < ${r.pick([1, 3, 50])}`,
  () => `has args.opt`,
  (r) => `env == ${q(r.pick(["prod", "dev"]))}`,
  (r) => `args.a != ${q(r.pick(TEXTS))}`,
  (r) => `agent.trust >= ${r.int(5)}`,
  (r) => `args.s endsWith ${q(r.pick(TEXTS))}`,
];

/** Rules no index takes (evaluated always). */
const NOISE: readonly ((r: Random) => string)[] = [
  (r) => `not (args.key == ${q(r.pick(KEYS))})`,
  (r) => `all x in args.list: x startsWith ${q(r.pick(ITEMS))}`,
  () => `args.a == args.b`,
];

/** A policy for `seed`: 20–56 rules, mostly of one shape (seed by seed, every shape in turn) and some of another. */
export function generateIndexed(seed: number): string {
  const r = new Random(seed);
  const shapes = [seed % SHAPES.length, r.int(SHAPES.length)];
  // An automaton over every item pays off only past a few dozen rules (the cost model decides): give those shapes more.
  const dense = DENSE.has(shapes[0]!);
  const count = dense ? 70 : 20 + r.int(37);
  const out = [`package ix\ndelegation ${r.pick(["both", "either", "agent_only", "human_only"])}\n`];
  for (let i = 0; i < count; i++) {
    const noise = r.chance(0.08);
    let when = noise ? r.pick(NOISE)(r) : SHAPES[r.chance(0.75) ? shapes[0]! : shapes[1]!]!(r);
    if (!noise && r.chance(0.4)) when = `(${when}) and ${r.pick(EXTRAS)(r)}`;
    const effect = r.pick(["allow", "allow", "approve", "deny"]);
    const human = r.chance(0.2);
    out.push(`rule r${i}:\n  ${effect} ix.call${human ? " for human" : ""}\n  when ${when}\n${effect === "approve" ? "  by 1 of group \"reviewers\"\n" : ""}`);
  }
  return out.join("\n");
}

/** Strings built from the pools: concatenations contain, start and end with several literals at once. */
function text(maxLength: number, pool: readonly string[]): fc.Arbitrary<string> {
  return fc.array(fc.constantFrom(...pool, "z", "-"), { maxLength: 4 }).map((parts) => [...parts.join("")].slice(0, maxLength).join(""));
}

const number = fc.oneof(fc.constantFrom(...NUMS, 4, 5, 6, 49, 50, 1000, -1000), fc.constantFrom(...NUMS).map((n) => n + 0.25), fc.integer({ min: -5, max: 120 }));

/** Requests for `ix.call` (and a few for `ix.other`) built from the policy pools. */
export function indexedRequest(): fc.Arbitrary<Record<string, unknown>> {
  const args = fc.record(
    {
      key: fc.constantFrom(...KEYS, "none", ""),
      n: number,
      m: fc.oneof(number, fc.constant(null)),
      s: text(24, TEXTS),
      a: fc.constantFrom(...TEXTS, "zz"),
      b: fc.constantFrom(...TEXTS, "zz"),
      opt: fc.constantFrom("o", ""),
      list: fc.array(text(12, ITEMS), { maxLength: 4 }),
      nums: fc.array(number, { maxLength: 4 }),
    },
    { requiredKeys: ["key", "n", "s", "a", "b", "list", "nums"] },
  );
  const groups = fc.array(fc.constantFrom(...GROUPS, "zz"), { maxLength: 5 });
  return fc.record({
    agent: fc.record({ id: fc.constantFrom("a1", "a2"), groups, trust: fc.integer({ min: 0, max: 4 }) }),
    human: fc.option(fc.record({ id: fc.constantFrom("h1", "h2"), groups, roles: fc.constant(["dev"]) }), { nil: undefined }),
    action: fc.constantFrom("ix.call", "ix.call", "ix.call", "ix.other"),
    args,
    env: fc.constantFrom("prod", "dev"),
    context: fc.constant({ session: "s" }),
  }).map(({ human, action, args: a, ...rest }) => {
    const request: Record<string, unknown> = { ...rest, action, args: action === "ix.other" ? { key: a["key"] } : a };
    if (human !== undefined) request["human"] = human;
    return request;
  });
}

/** Two different members of a pool (set literals refuse duplicates). */
function two(r: Random, pool: readonly string[]): [string, string] {
  const first = r.int(pool.length);
  const second = (first + 1 + r.int(pool.length - 1)) % pool.length;
  return [pool[first]!, pool[second]!];
}

function q(s: string): string {
  return JSON.stringify(s);
}
