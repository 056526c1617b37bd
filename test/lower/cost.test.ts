/**
 * The cost bound is what "bounded time" promises: for rules of every shape
 * an index takes (ADR 0033) it does not grow with the number of rules
 * (ranges: logarithmically, the binary search and the tree's depth), and it
 * never grows with rules for other actions. (Prefix, suffix and infix
 * indexes work once per distinct literal length, so their bound grows with
 * the lengths in use — at most the field's maxLength — not with the rules;
 * the shapes below keep one length. An infix index selects at most as many
 * literals as a string of maxLength can hold, so a glob residual's bound
 * stops growing there.)
 */
import { describe, expect, it } from "vitest";
import { loadCatalog, mergeCatalogs } from "../../compiler/catalog/index.js";
import { check } from "../../compiler/check/index.js";
import { lower } from "../../compiler/lower/index.js";
import { parse } from "../../compiler/syntax/index.js";
import { keyedPolicy } from "../../bench/decide.bench.js";
import { SHAPES_CATALOG } from "../../bench/scenarios/shapes-policy.js";

const CATALOG = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  family: "svc",
  actions: {
    call: {
      args: {
        type: "object",
        properties: { key: { type: "string", maxLength: 64 }, path: { type: "string", maxLength: 256 }, size: { type: "integer", minimum: 0 } },
        required: ["key", "path", "size"],
      },
    },
    other: { args: { type: "object", properties: { key: { type: "string", maxLength: 64 } }, required: ["key"] } },
  },
};
const catalogs = mergeCatalogs([loadCatalog("svc.json", JSON.stringify(CATALOG)).catalog!]).set;

function costs(text: string): Record<string, number> {
  const parsed = parse(text, "p.agp");
  const checked = check({ files: [parsed.file], catalogs }).checked!;
  const program = lower(checked, catalogs).program!;
  return Object.fromEntries(program.actions.map((a) => [a.name, a.costBound]));
}

describe("cost bound", () => {
  for (const kind of ["equality", "set"] as const) {
    it(`does not grow with rules keyed by ${kind}`, () => {
      const small = costs(keyedPolicy(kind, 10))["svc.call"]!;
      const large = costs(keyedPolicy(kind, 2000))["svc.call"]!;
      expect(large).toBeLessThanOrEqual(small);
    });
  }

  it("does not grow with rules keyed by prefixes of one length", () => {
    const prefixes = (n: number) =>
      Array.from({ length: n }, (_, i) => `rule r${i}:\n  allow svc.call\n  when args.path startsWith "/p${String(i).padStart(5, "0")}/" and args.size < 1000\n`).join("\n");
    expect(costs(prefixes(2000))["svc.call"]).toBe(costs(prefixes(10))["svc.call"]);
  });

  describe("does not grow with the rule count, for every shape an index takes", () => {
    const shapeCatalogs = mergeCatalogs([loadCatalog("bench.json", JSON.stringify(SHAPES_CATALOG)).catalog!]).set;
    const bound = (when: (i: string, n: number, k: number) => string, n: number): number => {
      const rules = Array.from({ length: n }, (_, k) => `rule r${k}:\n  ${k % 7 === 6 ? "deny" : "allow"} bench.shape.call\n  when ${when(String(k).padStart(5, "0"), n, k)}\n`);
      const parsed = parse(rules.join("\n"), "p.agp");
      const checked = check({ files: [parsed.file], catalogs: shapeCatalogs }).checked!;
      return lower(checked, shapeCatalogs).program!.actions[0]!.costBound;
    };
    const constant: Record<string, (i: string, n: number, k: number) => string> = {
      "number equality": (_, __, k) => `args.n == ${k}`,
      "number sets": (_, __, k) => `args.n in {${k}, ${k + 100000}}`,
      suffixes: (i) => `args.s endsWith "-${i}"`,
      infixes: (i) => `args.s contains "/p-${i}/"`,
      "exact globs": (i) => `args.s matches "*/m-${i}/*"`,
      "globs with a residual": (i) => `args.s matches "*/m-${i}/*.log"`,
      disjunctions: (i) => `args.a == "x-${i}" or args.b == "y-${i}"`,
      "group membership": (i) => `"g-${i}" in agent.groups`,
      "any item with a prefix": (i) => `any x in args.list: x startsWith "p-${i}/"`,
      "a literal set quantifier": (i) => `any p in {"/a-${i}/", "/b-${i}/"}: args.s startsWith p`,
      "a key and a range": (i, _, k) => `args.key == "k-${i}" and args.n >= ${k}`,
    };
    for (const [name, when] of Object.entries(constant)) {
      it(name, () => {
        const at100 = bound(when, 100);
        expect(bound(when, 2000)).toBe(at100);
      });
    }
    it("ranges (logarithmically: binary search and tree depth)", () => {
      const when = (_: string, n: number, k: number) => `args.n > ${10 * (n - 1 - k)}`;
      const at10 = bound(when, 10);
      expect(bound(when, 2000)).toBeLessThanOrEqual(at10 + 2 * Math.ceil(Math.log2(2000 / 10)));
      const intervals = (_: string, __: number, k: number) => `args.n >= ${10 * k} and args.n < ${10 * k + 15}`;
      expect(bound(intervals, 2000)).toBeLessThanOrEqual(bound(intervals, 10) + 2 * Math.ceil(Math.log2(2000 / 10)));
    });
  });

  it("does not grow with rules for other actions", () => {
    const base = keyedPolicy("equality", 10);
    const others = Array.from({ length: 200 }, (_, i) => `rule o${i}:\n  allow svc.other\n  when args.key startsWith "o${i}" or args.key endsWith "x"\n`).join("\n");
    expect(costs(`${base}\n${others}`)["svc.call"]).toBe(costs(base)["svc.call"]);
  });
});
