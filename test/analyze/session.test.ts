/**
 * `agp analyze` and `agp diff` on session rules (ADR 0024, ADR 0020): the
 * analysis decides one request, so an operator that reads the session's
 * history (`earlier`, `count`, `exposed` …) is a free variable, reported as
 * AGP707 naming the operator, and answers that depend on it are never
 * "equivalent" or "never"; `carries L` reads only the request and is
 * encoded exactly (the conditions of L's declarations on the action).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSolver, type Solver } from "../../compiler/analyze/index.js";
import { analyzeText, diffTexts } from "./harness.js";

let solver: Solver;
beforeAll(async () => {
  solver = await openSolver();
});
afterAll(async () => {
  await solver.close();
});

const HEAD = `package demo\nactions "demo.json"\nsession context.session\n\nlabel hot on demo.ticket.open when args.priority > 8\n\nrule every:\n  allow demo.*\n\n`;
const verdicts = (result: Awaited<ReturnType<typeof diffTexts>>["result"]) => Object.fromEntries(result.verdicts.map((v) => [v.action, v.verdict]));

describe("analysis of session rules", () => {
  it("proves `carries` equivalent to its label's condition, and finds a change in the label", async () => {
    const before = `${HEAD}rule hot_tickets:\n  deny demo.ticket.open\n  when carries hot\n`;
    const same = `${HEAD}rule hot_tickets:\n  deny demo.ticket.open\n  when args.priority > 8\n`;
    const narrower = `${HEAD}rule hot_tickets:\n  deny demo.ticket.open\n  when args.priority > 9\n`;
    const equivalent = await diffTexts(solver, before, same);
    expect(verdicts(equivalent.result)["demo.ticket.open"]).toBe("equivalent");
    expect(equivalent.result.findings.map((f) => f.diagnostic.code)).not.toContain("AGP707");
    const changed = await diffTexts(solver, before, narrower);
    expect(verdicts(changed.result)["demo.ticket.open"]).toBe("widens");
  });

  it("reports an operator on the session's history as AGP707 by its text, and never calls a change under it equivalent", async () => {
    const before = `${HEAD}rule after_hot:\n  deny demo.ticket.close\n  when exposed hot within 1 hour\n`;
    const { findings, text } = await analyzeText(solver, before);
    expect(findings.map((f) => f.diagnostic.code)).toContain("AGP707");
    expect(text).toContain("`exposed hot within 1 hour` reads the session's history, which the analysis takes as unknown (either way)");
    const after = `${HEAD}rule after_hot:\n  deny demo.ticket.close\n  when exposed hot within 2 hours\n`;
    const diff = await diffTexts(solver, before, after);
    expect(verdicts(diff.result)["demo.ticket.close"]).not.toBe("equivalent");
  });

  it("an unchanged session rule diffs as equivalent on the actions it does not read history for", async () => {
    const policy = `${HEAD}rule bursts:\n  deny demo.ticket.close\n  when count demo.ticket.close within 1 hour >= 3\n`;
    const diff = await diffTexts(solver, policy, policy.replace("rule every:\n  allow demo.*", "rule every:\n  allow {demo.ticket.open, demo.ticket.close}"));
    expect(verdicts(diff.result)["demo.ticket.open"]).toBe("equivalent");
  });
});
