/**
 * `agp diff` on the language of issue 15 (ADR 0027, ADR 0028): pattern
 * lists, `*`, named conditions and `lower` / `domain` against literals are
 * encoded exactly, so rewrites into the older language are proved
 * equivalent and real changes are found; `normpath` and `under` on request
 * values are not encoded, and then diff says it could not compare (AGP722,
 * naming what was not encoded), never "equivalent" and never "a bug in
 * agp" (AGP709). One solver for the whole file.
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

const verdicts = (result: Awaited<ReturnType<typeof diffTexts>>["result"]) => Object.fromEntries(result.verdicts.map((v) => [v.action, v.verdict]));
const codes = (result: Awaited<ReturnType<typeof diffTexts>>["result"]) => result.findings.map((f) => f.diagnostic.code);

describe("diff on patterns, named conditions and views", () => {
  it("proves `*`, a pattern list and a named condition equivalent to the rules they replace", async () => {
    const before = `rule open:\n  allow demo.ticket.open\n  when args.priority > 5\n\nrule close:\n  allow demo.ticket.close\n  when env == "dev"\n`;
    const after = `let urgent = args.priority > 5\nlet dev = env == "dev"\n\nrule open:\n  allow demo.ticket.open\n  when urgent\n\nrule close:\n  allow {demo.ticket.close}\n  when dev\n\nrule none:\n  deny *\n  when env == "nowhere" and dev\n`;
    const { result } = await diffTexts(solver, before, after);
    expect(verdicts(result)).toEqual({ "demo.ticket.close": "equivalent", "demo.ticket.open": "equivalent" });
    expect(result.findings).toEqual([]);
  });

  it("proves lower(…) against literals equivalent to the case-insensitive glob, and finds a real change", async () => {
    const before = `rule open:\n  allow demo.ticket.open\n  when args.title matches "[rR][eE]:*" or args.title matches "[aA][cC][mM][eE]"\n`;
    const same = `rule open:\n  allow demo.ticket.open\n  when lower(args.title) startsWith "re:" or lower(args.title) == "acme"\n`;
    const wider = `rule open:\n  allow demo.ticket.open\n  when lower(args.title) contains "re:" or lower(args.title) == "acme"\n`;
    const equivalent = await diffTexts(solver, before, same);
    expect(verdicts(equivalent.result)["demo.ticket.open"]).toBe("equivalent");
    const widened = await diffTexts(solver, before, wider);
    expect(verdicts(widened.result)["demo.ticket.open"]).toBe("widens");
    const example = widened.result.findings.find((f) => f.diagnostic.code === "AGP720")!.example!;
    const title = (example.request as { args: { title: string } }).args.title;
    expect(title.toLowerCase().includes("re:") && !title.toLowerCase().startsWith("re:")).toBe(true);
  });

  it("says it could not compare `under` rewrites (AGP722 naming `under`), never equivalent, never AGP709", async () => {
    const before = `rule open:\n  allow demo.ticket.open\n  when args.title under "/w"\n`;
    const after = `rule open:\n  allow demo.ticket.open\n  when normpath(args.title) startsWith "/w/" or normpath(args.title) == "/w"\n`;
    const { result, text } = await diffTexts(solver, before, after);
    expect(verdicts(result)["demo.ticket.open"]).toBe("unknown");
    expect(codes(result)).not.toContain("AGP709");
    expect(codes(result)).toContain("AGP722");
    expect(text).toContain("`under` is not encoded");
    expect(text).not.toContain("bug");
  });
});
