/**
 * Property tests of `diff` and `analyze` on generated policies
 * (test/compile/generate-policy.ts): for a policy and (a) a rewrite that
 * keeps its meaning (rules reordered, every condition doubly negated), or
 * (b) the same policy with one rule dropped,
 * - whenever `diff` says an action is equivalent, the two compiled modules
 *   decide the same effect on random requests and states of that action;
 * - every example request `diff` reports really changes the decision in
 *   the two modules as reported, and the reference interpreters agree;
 * - the rewrite is never reported as a change;
 * - every example `analyze` reports is decided as shown by the module.
 * One solver for the file; more seeds with AGP_ANALYZE_SEEDS.
 */
import fc from "fast-check";
import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyze, confirmerFor, diff, openSolver, QueryRunner, type Confirmer, type Solver } from "../../compiler/analyze/index.js";
import { loadCatalogFiles, type CatalogSet } from "../../compiler/catalog/index.js";
import { check, type CheckedPolicySet } from "../../compiler/check/index.js";
import { interpretChecked, type Interpreter } from "../../compiler/interpret/index.js";
import { parse } from "../../compiler/syntax/index.js";
import { generateCompilable } from "../compile/generate-policy.js";
import { arbitraryRequest } from "../interpret/arbitrary-request.js";

const schemas = readdirSync("examples/schemas").filter((f) => f.endsWith(".json")).sort().map((f) => `examples/schemas/${f}`);
const loaded = await loadCatalogFiles(schemas);
const SEEDS = 3 + Number(process.env["AGP_ANALYZE_SEEDS"] ?? 0);
/** Actions compared per pair (those the rules name first): keeps the run short. */
const ACTIONS = 6;
const INDEPENDENT = process.env["AGP_ANALYZE_SEEDS"] !== undefined;

interface Side {
  readonly checked: CheckedPolicySet;
  readonly catalogs: CatalogSet;
  readonly confirmer: Confirmer;
  readonly interpreter: Interpreter;
}

function side(text: string): Side | undefined {
  const parsed = parse(text, "gen.agp");
  if (parsed.diagnostics.length > 0) return undefined;
  const result = check({ files: [parsed.file], catalogs: loaded.set });
  if (result.checked === undefined || result.diagnostics.some((d) => d.severity === "error")) return undefined;
  const confirmer = confirmerFor(result.checked, loaded.set);
  if (!("decide" in confirmer)) return undefined;
  return { checked: result.checked, catalogs: loaded.set, confirmer, interpreter: interpretChecked(result.checked, loaded.set) };
}

/** Rule blocks of a generated text, and the rest. */
function blocks(text: string): { head: string; rules: string[] } {
  const parts = text.split(/\n(?=rule |limit )/);
  return { head: parts.filter((p) => !p.startsWith("rule ")).join("\n"), rules: parts.filter((p) => p.startsWith("rule ")) };
}

/** The same policy, rules reversed and every condition written as `not (not (…))`. */
function rewrite(text: string): string {
  const { head, rules } = blocks(text);
  const negated = rules.reverse().map((r) => r.replace(/^ {2}when (.*)$/m, "  when not (not ($1))"));
  return `${head}\n${negated.join("\n")}\n`;
}

function dropRule(text: string, seed: number): string {
  const { head, rules } = blocks(text);
  rules.splice(seed % Math.max(1, rules.length), 1);
  return `${head}\n${rules.join("\n")}\n`;
}

/** The catalog set narrowed to one action, so random requests are for it. */
function only(action: string): CatalogSet {
  return { ...loaded.set, actions: new Map([[action, loaded.set.actions.get(action)!]]) };
}

let solver: Solver;
beforeAll(async () => {
  solver = await openSolver();
});
afterAll(async () => {
  await solver.close();
});

const states = fc.option(
  fc.record(
    {
      counters: fc.dictionary(fc.constantFrom("l0", "l1", "l2", "l3"), fc.constantFrom(0, 1, 4, 5, 99, 499, 1000), { maxKeys: 3 }),
      approvals: fc.array(fc.record({ id: fc.constantFrom("u1", "u2", "u3"), groups: fc.subarray(["cloud-owners", "sre", "security", "reviewers"]) }), { maxLength: 3 }),
    },
    { requiredKeys: [] },
  ),
  { nil: undefined },
);

describe("diff and analyze on generated policies", () => {
  it(`agree with the compiled modules on ${SEEDS} seeds × (rewrite, dropped rule)`, async () => {
    let pairs = 0;
    let equivalent = 0;
    let changes = 0;
    for (let seed = 1; pairs < SEEDS * (INDEPENDENT ? 3 : 2) && seed <= SEEDS * 6; seed++) {
      // Only constructs analyze encodes exactly: approximations may leave examples unconfirmed, honestly.
      const generated = generateCompilable(seed, loaded.set, { exact: true });
      const before = side(generated.text);
      if (before === undefined) continue;
      const actions = [...new Set(before.checked.rules.flatMap((r) => r.actions))].sort().slice(0, ACTIONS);
      const pairsOf: (readonly [string, string])[] = [["rewrite", rewrite(generated.text)], ["drop", dropRule(generated.text, seed)]];
      // Long runs (AGP_ANALYZE_SEEDS) also compare unrelated policies: many changes both ways.
      if (INDEPENDENT) pairsOf.push(["independent", generateCompilable(seed + 10_000, loaded.set, { exact: true }).text]);
      for (const [kind, text] of pairsOf) {
        const after = side(text);
        if (after === undefined && kind === "independent") continue;
        if (after === undefined) throw new Error(`the ${kind} of seed ${seed} does not check:\n${text}`);
        pairs++;
        const result = await diff({ before, after, runner: new QueryRunner(solver, 10_000), actions });
        const context = `seed ${seed} (${kind}):\n${generated.text}\n---\n${text}`;
        for (const f of result.findings) {
          expect(f.kind, `${context}\n${f.diagnostic.message}`).not.toBe("unconfirmed");
          if (f.example === undefined) continue;
          changes++;
          const was = before.confirmer.decide(f.example.request, f.example.state);
          const now = after.confirmer.decide(f.example.request, f.example.state);
          expect([was.effect, now.effect], context).toEqual([f.example.before!.effect, f.example.decision.effect]);
          const rank = { deny: 0, approve: 1, allow: 2 };
          expect(f.kind === "widens" ? rank[now.effect] > rank[was.effect] : rank[now.effect] < rank[was.effect], context).toBe(true);
          expect(before.interpreter.decide(f.example.request, f.example.state as never).effect).toBe(was.effect);
          expect(after.interpreter.decide(f.example.request, f.example.state as never).effect).toBe(now.effect);
        }
        if (kind === "rewrite") expect(result.findings.filter((f) => f.kind === "widens" || f.kind === "narrows"), context).toEqual([]);
        for (const v of result.verdicts.filter((x) => x.verdict === "equivalent")) {
          equivalent++;
          fc.assert(
            fc.property(arbitraryRequest(only(v.action), { interesting: generated.interesting }), states, (request, state) => {
              const a = before.confirmer.decide(request, state).effect;
              const b = after.confirmer.decide(request, state).effect;
              expect(b, `${context}\n${JSON.stringify({ request, state })}`).toBe(a);
            }),
            { seed, numRuns: 40 },
          );
        }
      }
      const analysis = await analyze({ checked: before.checked, catalogs: before.catalogs, runner: new QueryRunner(solver, 10_000), confirmer: before.confirmer, actions });
      for (const f of analysis.findings) {
        expect(f.kind, `seed ${seed}:\n${generated.text}\n${f.diagnostic.message}`).not.toBe("unconfirmed");
        if (f.example !== undefined) expect(before.confirmer.decide(f.example.request, f.example.state)).toEqual(f.example.decision);
      }
    }
    expect(pairs).toBeGreaterThanOrEqual(SEEDS * 2);
    expect(equivalent).toBeGreaterThan(0);
    expect(changes).toBeGreaterThan(0);
  }, 240_000);
});
