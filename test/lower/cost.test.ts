/**
 * The cost bound is what "bounded time" promises: for rules keyed on one
 * field (equality, set, prefix) it does not grow with the number of rules,
 * and it never grows with rules for other actions. (A prefix index hashes the
 * input once per distinct prefix length, so its bound grows with the lengths
 * in use — at most the field's maxLength — not with the rules.)
 */
import { describe, expect, it } from "vitest";
import { loadCatalog, mergeCatalogs } from "../../compiler/catalog/index.js";
import { check } from "../../compiler/check/index.js";
import { lower } from "../../compiler/lower/index.js";
import { parse } from "../../compiler/syntax/index.js";
import { keyedPolicy } from "../../bench/decide.bench.js";

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

  it("does not grow with rules for other actions", () => {
    const base = keyedPolicy("equality", 10);
    const others = Array.from({ length: 200 }, (_, i) => `rule o${i}:\n  allow svc.other\n  when args.key startsWith "o${i}" or args.key endsWith "x"\n`).join("\n");
    expect(costs(`${base}\n${others}`)["svc.call"]).toBe(costs(base)["svc.call"]);
  });
});
