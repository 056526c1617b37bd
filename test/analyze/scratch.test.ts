import { afterAll, beforeAll, it } from "vitest";
import { analyze, openSolver, QueryRunner, type Solver } from "../../compiler/analyze/index.js";
import { checked } from "./harness.js";

let solver: Solver;
beforeAll(async () => { solver = await openSolver(); });
afterAll(async () => { await solver.close(); });

it("scratch", async () => {
  let t = performance.now();
  const set = checked(`rule dead:
  allow demo.ticket.open
  when args.priority > 5 and args.priority < 3

rule no_drafts:
  deny demo.ticket.open
  when args.draft

rule open_drafts:
  allow demo.ticket.open
  when args.draft and args.priority < 3
`);
  console.log("check+compile", performance.now() - t);
  t = performance.now();
  const runner = new QueryRunner(solver, 10_000);
  await analyze({ checked: set.checked, catalogs: set.catalogs, runner, confirmer: set.confirmer });
  console.log("analyze", performance.now() - t, runner.stats);
  t = performance.now();
  await analyze({ checked: set.checked, catalogs: set.catalogs, runner: new QueryRunner(solver, 10_000), confirmer: set.confirmer });
  console.log("analyze again", performance.now() - t);
});
