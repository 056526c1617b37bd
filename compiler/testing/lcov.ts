/**
 * Coverage as an lcov tracefile (`--coverage-lcov FILE`), pointing at .agp
 * lines, so editors and CI coverage tools (genhtml, Codecov, coverage
 * gutters) show policy coverage.
 *
 * In: `Coverage`. Out: lcov text: per policy file, each rule as a function
 * (FN/FNDA: how many cases it decided), its line as a line (DA, same count),
 * each line holding a clause as a line (DA: how often its busiest clause was
 * evaluated), and each clause as a block of two branches, true then false
 * (BRDA, `-` when the clause was never evaluated). Must not write anywhere.
 */
import type { Coverage } from "./coverage.js";

/** The lcov tracefile text for `coverage` (empty when there is no policy file). */
export function lcovReport(coverage: Coverage): string {
  const out: string[] = [];
  for (const file of coverage.files) {
    out.push("TN:", `SF:${file.file}`);
    for (const rule of file.rules) out.push(`FN:${rule.line},${rule.id}`);
    for (const rule of file.rules) out.push(`FNDA:${rule.decided},${rule.id}`);
    out.push(`FNF:${file.rules.length}`, `FNH:${file.rules.filter((r) => r.decided > 0).length}`);
    let block = 0;
    let branches = 0;
    let hit = 0;
    for (const rule of file.rules) {
      for (const clause of rule.clauses) {
        const evaluated = clause.true + clause.false > 0;
        out.push(`BRDA:${clause.line},${block},0,${evaluated ? clause.true : "-"}`);
        out.push(`BRDA:${clause.line},${block},1,${evaluated ? clause.false : "-"}`);
        branches += 2;
        hit += (clause.true > 0 ? 1 : 0) + (clause.false > 0 ? 1 : 0);
        block++;
      }
    }
    out.push(`BRF:${branches}`, `BRH:${hit}`);
    const lines = new Map<number, number>();
    for (const rule of file.rules) {
      for (const clause of rule.clauses) {
        if (clause.line !== rule.line) lines.set(clause.line, Math.max(lines.get(clause.line) ?? 0, clause.true + clause.false));
      }
    }
    for (const rule of file.rules) lines.set(rule.line, rule.decided);
    for (const [line, count] of [...lines].sort((a, b) => a[0] - b[0])) out.push(`DA:${line},${count}`);
    out.push(`LF:${lines.size}`, `LH:${[...lines.values()].filter((n) => n > 0).length}`, "end_of_record");
  }
  return out.length === 0 ? "" : `${out.join("\n")}\n`;
}
