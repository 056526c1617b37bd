/**
 * The default reporter: what `agp test` prints for people.
 *
 * In: a `RunResult`, the source texts, options (colour, coverage details).
 * Out: one string: each test file with `ok` / `FAIL` per case, then every
 * failure in full (failure-text.ts), then the summary and the coverage line;
 * with `details`, coverage per file and what was never covered.
 * Must not write anywhere (the CLI prints) or decide anything.
 */
import { ANSI, displayText } from "../../runtime/display-text.js";
import type { Coverage, Figure } from "./coverage.js";
import { failureLines } from "./failure-text.js";
import { tally, type RunResult } from "./run.js";

/** Options of the pretty reporter. */
export interface PrettyOptions {
  /** ANSI colours (the CLI turns them off when stdout is not a terminal, or under CI / NO_COLOR). */
  readonly color?: boolean;
  /** Print coverage per file and the rules and clauses never covered. */
  readonly coverageDetails?: boolean;
}

/** The pretty report of a run, with a final newline. */
export function prettyReport(run: RunResult, sources: ReadonlyMap<string, string>, options: PrettyOptions = {}): string {
  // The only escape sequences agp prints (display-text.ts lets exactly these through); every value is escaped first.
  const paint = (sequence: string) => (text: string) => (options.color === true ? `${sequence}${text}${ANSI.reset}` : text);
  const red = paint(ANSI.red);
  const green = paint(ANSI.green);
  const bold = paint(ANSI.bold);
  const t = displayText;
  const out: string[] = [];
  let file: string | undefined;
  for (const result of run.results) {
    if (result.case.file !== file) {
      file = result.case.file;
      out.push(bold(t(file)));
    }
    out.push(result.passed ? `  ${green("ok")}   ${t(result.case.name)}` : `  ${red("FAIL")} ${t(result.case.name)}`);
  }
  const failed = run.results.filter((r) => !r.passed);
  for (const result of failed) {
    out.push("", `${red("FAIL")} ${t(result.case.file)}:${result.case.line}: ${t(result.case.name)}`, ...failureLines(result, sources).map(t));
  }
  const counts = tally(run);
  out.push("");
  const cases = `${counts.total} ${counts.total === 1 ? "case" : "cases"}`;
  const summary = `${cases}: ${counts.passed} passed, ${counts.failed} failed (${run.engines.join(" and ")})`;
  out.push(counts.failed > 0 ? red(summary) : counts.total === 0 ? summary : green(summary));
  out.push(`coverage: ${figures(run.coverage.total.rules, run.coverage.total.branches)}`);
  if (options.coverageDetails === true) for (const item of coverageDetails(run.coverage)) out.push(t(item));
  return `${out.join("\n")}\n`;
}

function figures(rules: Figure, branches: Figure): string {
  return `rules ${figureText(rules)}, branches ${figureText(branches)}`;
}

/** `covered/total (percent%)`, as every report writes a figure. */
export function figureText(f: Figure): string {
  return `${f.covered}/${f.total} (${f.percent}%)`;
}

function coverageDetails(coverage: Coverage): string[] {
  const out: string[] = ["", "coverage by file:"];
  for (const file of coverage.files) out.push(`  ${file.file}: ${figures(file.figures.rules, file.figures.branches)}`);
  const missing: string[] = [];
  for (const file of coverage.files) {
    for (const rule of file.rules) {
      if (rule.decided === 0) missing.push(`  ${file.file}:${rule.line}: rule ${rule.id} never decided a case`);
      for (const clause of rule.clauses) {
        const never = clause.true === 0 && clause.false === 0 ? "never evaluated" : clause.true === 0 ? "never true" : clause.false === 0 ? "never false" : undefined;
        if (never !== undefined) missing.push(`  ${file.file}:${clause.line}:${clause.column}: \`${clause.text}\` ${never} (rule ${rule.id})`);
      }
    }
  }
  if (missing.length > 0) out.push("", "not covered:", ...missing);
  return out;
}
