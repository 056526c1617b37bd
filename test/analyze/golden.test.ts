/**
 * Golden findings of `agp analyze`, one small policy per kind
 * (test/analyze/cases.ts), rendered exactly as the CLI prints them, in
 * test/fixtures/analyze/<case>.txt (`UPDATE_GOLDEN=1` rewrites them; an
 * orphaned golden file fails). Every example shown is checked again here:
 * the compiled module's decision is the one printed, and the reference
 * interpreter decides the same. One solver for the whole file.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSolver, type Solver } from "../../compiler/analyze/index.js";
import { interpretChecked } from "../../compiler/interpret/index.js";
import { ANALYZE_CASES, DIFF_CASES } from "./cases.js";
import { analyzeText, diffTexts } from "./harness.js";

const DIR = "test/fixtures/analyze";
const update = process.env["UPDATE_GOLDEN"] === "1";
const fileOf = (name: string) => join(DIR, `${name.replace(/[^A-Za-z0-9]+/g, "-").replace(/-$/, "")}.txt`);

let solver: Solver;
beforeAll(async () => {
  solver = await openSolver();
});
afterAll(async () => {
  await solver.close();
});

describe("agp analyze findings", () => {
  it.each(Object.keys(ANALYZE_CASES))("%s", async (name) => {
    const { findings, text, set } = await analyzeText(solver, ANALYZE_CASES[name]!);
    const file = fileOf(name);
    if (update) {
      mkdirSync(DIR, { recursive: true });
      writeFileSync(file, `${text}\n`);
    }
    expect(`${text}\n`).toBe(readFileSync(file, "utf8"));
    const interpreter = interpretChecked(set.checked, set.catalogs);
    for (const f of findings) {
      if (f.example === undefined) continue;
      expect(set.confirmer.decide(f.example.request, f.example.state)).toEqual(f.example.decision);
      expect(interpreter.decide(f.example.request, f.example.state as never).effect).toBe(f.example.decision.effect);
    }
  });

  it.each(Object.keys(DIFF_CASES))("%s", async (name) => {
    const [before, after] = DIFF_CASES[name]!;
    const { result, text, before: b, after: a } = await diffTexts(solver, before, after);
    const verdicts = result.verdicts.map((v) => `${v.action}: ${v.verdict}`).join("\n");
    const file = fileOf(name);
    const shown = `${text}${text === "" ? "" : "\n\n"}${verdicts}\n`;
    if (update) writeFileSync(file, shown);
    expect(shown).toBe(readFileSync(file, "utf8"));
    for (const f of result.findings) {
      if (f.example === undefined) continue;
      expect(b.confirmer.decide(f.example.request, f.example.state)).toEqual(f.example.before);
      expect(a.confirmer.decide(f.example.request, f.example.state)).toEqual(f.example.decision);
    }
  });

  it("has no orphaned golden file", () => {
    const expected = new Set([...Object.keys(ANALYZE_CASES), ...Object.keys(DIFF_CASES)].map((n) => fileOf(n).split("/").pop()));
    const present = existsSync(DIR) ? readdirSync(DIR) : [];
    expect(present.filter((f) => !expected.has(f))).toEqual([]);
  });

  it("are the examples of docs/errors.md (AGP7xx)", () => {
    const doc = readFileSync("docs/errors.md", "utf8");
    const section = doc.slice(doc.indexOf("## AGP7xx"), doc.indexOf("## AGP9xx"));
    const goldens = readdirSync(DIR).map((f) => readFileSync(join(DIR, f), "utf8")).join("\n");
    const blocks = [...section.matchAll(/```text\n([\s\S]*?)```/g)].map((m) => m[1]!.trimEnd());
    const fromGoldens = blocks.filter((b) => /AGP70[1-6]|AGP72[01]/.test(b.split("\n")[0]!));
    expect(fromGoldens.length).toBeGreaterThanOrEqual(8);
    for (const block of fromGoldens) for (const part of block.split("\n\n")) expect(goldens).toContain(part);
  });
});
