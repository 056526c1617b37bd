/**
 * `agp diff` encodes `delegation human_only` (ADR 0040): moving the ChatOps
 * workaround (`both` plus the bot's blanket allow) to `human_only` is
 * reported as narrowing, with an example request that names no human; with
 * the blanket allow guarded by `has human`, the two are proved equivalent.
 * Examples are confirmed by the compiled modules inside `diff`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSolver, type Solver } from "../../compiler/analyze/index.js";
import { diffTexts } from "./harness.js";

let solver: Solver;
beforeAll(async () => {
  solver = await openSolver();
});
afterAll(async () => {
  await solver.close();
});

const HEADER = (mode: string) => `package demo\nactions "demo.json"\ndelegation ${mode}\n\n`;
const PEOPLE = `rule people:\n  allow demo.ticket.close for human\n  when args.id > 5\n`;
const HUMAN_ONLY = HEADER("human_only") + PEOPLE;

describe("diff under delegation human_only", () => {
  it("finds what the blanket allow let through: a request with no human", async () => {
    const before = `${HEADER("both")}rule bot:\n  allow demo.ticket.close\n\n${PEOPLE}`;
    const { result } = await diffTexts(solver, before, HUMAN_ONLY);
    const verdict = result.verdicts.find((v) => v.action === "demo.ticket.close")!.verdict;
    expect(verdict).toBe("narrows");
    const examples = result.findings.flatMap((f) => (f.example === undefined ? [] : [f.example]));
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      expect((example.request as { human?: unknown }).human ?? null).toBeNull();
      expect(example.decision.effect).toBe("deny");
    }
  });

  it("proves it equivalent to the workaround guarded by `has human`", async () => {
    const before = `${HEADER("both")}rule bot:\n  allow demo.ticket.close\n  when has human\n\n${PEOPLE}`;
    const { result } = await diffTexts(solver, before, HUMAN_ONLY);
    expect(result.verdicts.find((v) => v.action === "demo.ticket.close")!.verdict).toBe("equivalent");
  });

  it("keeps the bot's explicit deny: removing it widens", async () => {
    const deny = `rule bot_never_small:\n  deny demo.ticket.close\n  when args.id < 10\n`;
    const { result } = await diffTexts(solver, `${HUMAN_ONLY}\n${deny}`, HUMAN_ONLY);
    expect(result.verdicts.find((v) => v.action === "demo.ticket.close")!.verdict).toBe("widens");
  });
});
