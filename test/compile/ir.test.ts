/**
 * The IR: printed for a small policy (golden file; UPDATE_GOLDEN=1 rewrites
 * it), deterministic (same input, same hash), and checked by the validator,
 * which must also catch broken programs.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compilePolicy, contentHash } from "../../compiler/compile/index.js";
import { printIr, validateIr, type IrExpr, type IrProgram } from "../../compiler/ir/index.js";
import { lower } from "../../compiler/lower/index.js";
import { checkText } from "./harness.js";

const SCHEMA = "https://json-schema.org/draft/2020-12/schema";
export const SMALL_CATALOGS = {
  "deploy.json": {
    $schema: SCHEMA,
    family: "deploy",
    metadata: { risk: { enum: ["low", "high"], "x-agp-ordered": true } },
    actions: {
      service: {
        args: {
          type: "object",
          properties: {
            service: { type: "string", maxLength: 64 },
            region: { enum: ["eu", "us", "ap"] },
            replicas: { type: "integer", minimum: 0, maximum: 100 },
            paths: { type: "array", items: { type: "string", maxLength: 32 }, maxItems: 4 },
            note: { type: ["string", "null"], maxLength: 16 },
          },
          required: ["service", "region", "replicas", "paths"],
        },
        metadata: { risk: "high" },
      },
      "flag.set": { args: { type: "object", properties: { name: { type: "string", maxLength: 32 } }, required: ["name"] }, metadata: { risk: "low" } },
    },
  },
};

export const SMALL_POLICY = `package demo
delegation either

let regions = {"eu", "us"}

rule eu_services:
  allow deploy.service
  when args.region in regions and args.replicas <= 10
  with max_runtime_seconds = 60

rule payments:
  approve deploy.service
  when args.service == "payments" and env == "production"
  by 2 of group "sre"

rule billing:
  approve deploy.service
  when args.service == "billing"
  by 1 of group "sre"

rule never_low:
  deny deploy.*
  when action.risk < low

rule tmp_paths:
  deny deploy.service
  when action.risk >= high and (any p in args.paths: p startsWith "/tmp/")
  because "no deploys from /tmp"

rule human_flags:
  allow deploy.flag.set for human
  when args.name matches "beta-*" and human.roles contains "release"

limit deploys: 5 per hour per agent on deploy.service when has args.note and args.note != null
`;

function small(): IrProgram {
  const { checked, catalogs } = checkText({ "demo.agp": SMALL_POLICY }, SMALL_CATALOGS);
  const lowered = lower(checked, catalogs);
  if (lowered.program === undefined) throw new Error(lowered.diagnostics.map((d) => d.message).join("; "));
  return lowered.program;
}

describe("IR", () => {
  it("prints a small policy (golden)", () => {
    const text = printIr(small());
    const golden = "test/compile/golden/small.ir.txt";
    if (process.env["UPDATE_GOLDEN"] === "1" || !existsSync(golden)) writeFileSync(golden, text);
    expect(text).toBe(readFileSync(golden, "utf8"));
  });

  it("is deterministic: the same input gives the same IR and hash", () => {
    expect(contentHash(small())).toBe(contentHash(small()));
    expect(contentHash(small())).toMatch(/^[0-9a-f]{64}$/);
  });

  it("the hash changes with the policy", () => {
    const { checked, catalogs } = checkText({ "demo.agp": SMALL_POLICY.replace("<= 10", "<= 11") }, SMALL_CATALOGS);
    const other = compilePolicy(checked, catalogs).compiled!;
    expect(other.manifest.policy.hash).not.toBe(contentHash(small()));
  });

  it("validates what lowering produces", () => {
    expect(validateIr(small())).toEqual([]);
  });

  it("the validator catches broken programs", () => {
    const program = small();
    const action = program.actions.find((a) => a.name === "deploy.service")!;
    const use = action.agent.unindexed[0] ?? action.agent.indexed[0]!;
    const broken = (edit: (p: IrProgram) => void): string[] => {
      const copy = structuredClone(program) as IrProgram;
      edit(copy);
      return validateIr(copy);
    };
    const actionOf = (p: IrProgram) => p.actions.find((a) => a.name === "deploy.service")! as { -readonly [K in keyof typeof action]: (typeof action)[K] };
    // A rule index out of range.
    expect(broken((p) => ((actionOf(p).agent.unindexed as unknown as { rule: number }[])[0]!.rule = 999))).toContain("action deploy.service: rule index 999 out of range");
    // A slot read as the wrong kind.
    const badRead: IrExpr = { op: "bool", line: 1, ref: { slot: 0, binding: 0 } };
    expect(broken((p) => ((actionOf(p).agent.unindexed as unknown as { condition: IrExpr }[])[0]!.condition = badRead)).some((m) => /read as bool/.test(m))).toBe(true);
    // An item slot read outside its quantifier.
    const item = action.reads.findIndex((r) => r.parent >= 0);
    expect(item).toBeGreaterThanOrEqual(0);
    const outside: IrExpr = { op: "str", line: 1, test: "startsWith", left: { kind: "slot", ref: { slot: item, binding: 0 } }, right: { kind: "const", value: "/" } };
    expect(broken((p) => ((actionOf(p).agent.unindexed as unknown as { condition: IrExpr }[])[0]!.condition = outside)).some((m) => /through binding 0/.test(m))).toBe(true);
    // Actions out of order.
    expect(broken((p) => (p.actions as unknown[]).reverse()).some((m) => /sorted|position/.test(m))).toBe(true);
    void use;
  });
});
