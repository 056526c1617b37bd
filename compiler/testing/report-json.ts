/**
 * The JSON reporter (`--reporter json`): one document on stdout for tools.
 *
 * In: a `RunResult`, the source texts. Out: a JSON text: the engines, the
 * summary, every case (name, file, line, status, expected and actual as .agp
 * words; for failures the mismatches, the decision and the explanations with
 * each sub-expression's source text and value) and the coverage.
 * Must not write anywhere. The shape is documented in docs/testing.md.
 */
import { displayBlock } from "../../runtime/display-text.js";
import type { ExplainedNode } from "../interpret/index.js";
import { decisionText, expectationText } from "./match.js";
import { sourceText } from "./source-text.js";
import { tally, type RunResult } from "./run.js";

/** The JSON document for a run, pretty-printed, with a final newline. */
export function jsonReport(run: RunResult, sources: ReadonlyMap<string, string>): string {
  const document = {
    engines: run.engines,
    summary: tally(run),
    cases: run.results.map((r) => ({
      name: r.case.name,
      file: r.case.file,
      line: r.case.line,
      status: r.passed ? "passed" : "failed",
      expected: expectationText(r.case.expect),
      actual: decisionText(r.decision),
      ...(r.passed
        ? {}
        : {
            mismatches: r.mismatches,
            decision: r.decision,
            explanations: r.explanations.map((e) => ({
              rule: e.id,
              file: e.file,
              line: e.line,
              covers: e.covers,
              ...(e.holds === undefined ? {} : { holds: e.holds }),
              ...(e.condition === undefined ? {} : { condition: nodeJson(e.condition, sources) }),
            })),
            ...(r.limits.length === 0 ? {} : { limits: r.limits }),
            ...(r.refused === undefined ? {} : { refused: r.refused }),
          }),
    })),
    coverage: run.coverage,
  };
  // DEL, C1, bidi controls and line separators as \u escapes too: the same JSON value, inert on a terminal.
  return `${displayBlock(JSON.stringify(document, null, 2))}\n`;
}

interface NodeJson {
  readonly text: string;
  readonly value?: unknown;
  readonly error?: string;
  readonly skipped?: true;
  readonly children?: NodeJson[];
  readonly iterations?: { readonly variable: string; readonly item: unknown; readonly body: NodeJson }[];
}

function nodeJson(node: ExplainedNode, sources: ReadonlyMap<string, string>): NodeJson {
  const text = sourceText(node.expr.span, sources);
  const o = node.outcome;
  return {
    text,
    ...(o.kind === "value" ? { value: o.value } : o.kind === "error" ? { error: o.message } : { skipped: true as const }),
    ...(node.children.length === 0 ? {} : { children: node.children.map((c) => nodeJson(c, sources)) }),
    ...(node.iterations === undefined || node.iterations.length === 0
      ? {}
      : { iterations: node.iterations.map((i) => ({ variable: i.variable, item: i.item, body: nodeJson(i.body, sources) })) }),
  };
}
