/**
 * Coverage of a policy set by a test run.
 *
 * In: the interpreter's rules, then per case the decision and the
 * explanation of every rule covering its action (compiler/interpret,
 * `explainRequest`). Out: `Coverage`: per policy file and in total,
 * - rule coverage: rules that were a deciding rule of some case;
 * - branch coverage: each clause of each condition seen true and seen false.
 *   A clause is the whole condition, each operand of an `and` / `or` chain,
 *   the operand of a `not`, and a quantifier's body (over every item it was
 *   evaluated on). Each clause is two branches (true, false).
 * Percentages are of the counts; with nothing to cover a figure is 100.
 * Must not decide anything or print anything.
 */
import type { Decision } from "../../runtime/decision.js";
import type { Expr, Span } from "../syntax/index.js";
import type { ExplainedNode, Explanation, ModelRule } from "../interpret/index.js";
import { sourceText } from "./source-text.js";

/** covered / total, and the percentage. */
export interface Figure {
  readonly covered: number;
  readonly total: number;
  readonly percent: number;
}

/** Rule and branch figures of one file or of the whole run. */
export interface Figures {
  readonly rules: Figure;
  readonly branches: Figure;
}

/** One clause of a condition: where it is, as written, and how often it was true and false. */
export interface ClauseCoverage {
  readonly line: number;
  readonly column: number;
  /** The clause as written. */
  readonly text: string;
  /** How many evaluations gave true, and false. */
  readonly true: number;
  readonly false: number;
}

/** One rule: where it is, how many cases it decided, and its clauses in source order. */
export interface RuleCoverage {
  readonly id: string;
  readonly line: number;
  /** In how many cases it was a deciding rule. */
  readonly decided: number;
  readonly clauses: readonly ClauseCoverage[];
}

/** The rules of one policy file, in source order, and the file's figures. */
export interface FileCoverage {
  readonly file: string;
  readonly rules: readonly RuleCoverage[];
  readonly figures: Figures;
}

/** Coverage of a run: per policy file (sorted) and in total. */
export interface Coverage {
  readonly files: readonly FileCoverage[];
  readonly total: Figures;
}

interface ClauseCounts {
  readonly span: Span;
  true: number;
  false: number;
}

interface RuleCounts {
  readonly rule: ModelRule;
  decided: number;
  /** Keyed by `offset:endOffset`, in source order. */
  readonly clauses: Map<string, ClauseCounts>;
}

/** Accumulates coverage case by case. */
export class CoverageRecorder {
  private readonly rules = new Map<string, RuleCounts>();

  constructor(
    rules: readonly ModelRule[],
    private readonly sources: ReadonlyMap<string, string>,
  ) {
    for (const rule of rules) {
      const clauses = new Map<string, ClauseCounts>();
      if (rule.condition !== undefined) {
        for (const span of clauseSpans(rule.condition).sort((a, b) => a.offset - b.offset || b.endOffset - a.endOffset)) {
          clauses.set(key(span), { span, true: 0, false: 0 });
        }
      }
      this.rules.set(rule.id, { rule, decided: 0, clauses });
    }
  }

  /** Records one case: the decision of the primary engine and the explanation of the covering rules. */
  record(decision: Decision, explanation: Explanation): void {
    for (const ref of decision.rules) {
      const counts = ref.kind === "rule" ? this.rules.get(ref.id) : undefined;
      if (counts !== undefined) counts.decided++;
    }
    if (explanation.kind !== "explained") return;
    for (const rule of explanation.rules) {
      const counts = this.rules.get(rule.id);
      if (counts === undefined || !rule.covers || rule.condition === undefined) continue;
      recordNode(rule.condition, counts.clauses);
    }
  }

  result(): Coverage {
    const byFile = new Map<string, RuleCounts[]>();
    for (const counts of this.rules.values()) {
      const list = byFile.get(counts.rule.file) ?? [];
      list.push(counts);
      byFile.set(counts.rule.file, list);
    }
    const files = [...byFile.keys()].sort().map((file) => {
      const rules = byFile.get(file)!.sort((a, b) => a.rule.line - b.rule.line || (a.rule.id < b.rule.id ? -1 : 1));
      const ruleCoverage = rules.map((r) => this.ruleCoverage(r));
      return { file, rules: ruleCoverage, figures: figuresOf(ruleCoverage) };
    });
    return { files, total: figuresOf(files.flatMap((f) => f.rules)) };
  }

  private ruleCoverage(counts: RuleCounts): RuleCoverage {
    const clauses = [...counts.clauses.values()].map((c) => ({
      line: c.span.line,
      column: c.span.column,
      text: sourceText(c.span, this.sources),
      true: c.true,
      false: c.false,
    }));
    return { id: counts.rule.id, line: counts.rule.line, decided: counts.decided, clauses };
  }
}

/** The coverage of several runs over disjoint policy sets (agp.json's sets), as one: files side by side, totals recounted. */
export function mergeCoverage(coverages: readonly Coverage[]): Coverage {
  const files = coverages.flatMap((c) => c.files).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { files, total: figuresOf(files.flatMap((f) => f.rules)) };
}

function figuresOf(rules: readonly RuleCoverage[]): Figures {
  const clauses = rules.flatMap((r) => r.clauses);
  const branchesCovered = clauses.reduce((n, c) => n + (c.true > 0 ? 1 : 0) + (c.false > 0 ? 1 : 0), 0);
  return {
    rules: figure(rules.filter((r) => r.decided > 0).length, rules.length),
    branches: figure(branchesCovered, clauses.length * 2),
  };
}

function figure(covered: number, total: number): Figure {
  return { covered, total, percent: total === 0 ? 100 : Math.floor((covered / total) * 1000) / 10 };
}

function key(span: Span): string {
  return `${span.offset}:${span.endOffset}`;
}

/** The clauses of a condition (see the header), as spans. */
export function clauseSpans(condition: Expr): Span[] {
  const spans: Span[] = [];
  const visit = (expr: Expr, isClause: boolean) => {
    if (isClause) spans.push(expr.span);
    switch (expr.kind) {
      case "Logical":
        for (const operand of chainOperands(expr, expr.op)) visit(operand, true);
        return;
      case "Not":
        visit(expr.operand, true);
        return;
      case "Quantified":
        visit(expr.body, true);
        return;
      default:
        return;
    }
  };
  visit(condition, true);
  return spans;
}

/** `a and b and c` → [a, b, c]: a chain of one operator counts its operands, not the partial chains. */
function chainOperands(expr: Expr, op: "and" | "or"): Expr[] {
  if (expr.kind === "Logical" && expr.op === op) return [...chainOperands(expr.left, op), ...chainOperands(expr.right, op)];
  return [expr];
}

function recordNode(node: ExplainedNode, clauses: Map<string, ClauseCounts>): void {
  const counts = clauses.get(key(node.expr.span));
  if (counts !== undefined && node.outcome.kind === "value") {
    if (node.outcome.value === true) counts.true++;
    if (node.outcome.value === false) counts.false++;
  }
  for (const child of node.children) recordNode(child, clauses);
  for (const iteration of node.iterations ?? []) recordNode(iteration.body, clauses);
}
