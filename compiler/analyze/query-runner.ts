/**
 * Running queries: the solver with the time limit, a cache of answers by
 * query text (a wildcard rule over actions with the same schema asks the
 * same question many times), and counts for the report.
 *
 * In: an `ActionQuery` and goal terms. Out: the solver's answer.
 * Must not interpret answers.
 */
import type { ActionQuery } from "./action-query.js";
import { script, type SolveResult, type Solver } from "./solver.js";
import type { Term } from "./smt.js";

export interface QueryStats {
  queries: number;
  cached: number;
  unknown: number;
  solveMs: number;
}

export class QueryRunner {
  readonly stats: QueryStats = { queries: 0, cached: 0, unknown: 0, solveMs: 0 };
  private readonly cache = new Map<string, SolveResult>();

  constructor(
    readonly solver: Solver,
    readonly timeoutMs: number,
  ) {}

  /** Whether the goals can hold together on some valid request (and state). */
  async solve(query: ActionQuery, goals: readonly Term[], tracked?: readonly { name: string; term: Term }[]): Promise<SolveResult> {
    const text = script(query.enc, goals, tracked ?? []);
    const known = this.cache.get(text);
    if (known !== undefined) {
      this.stats.cached++;
      return known;
    }
    const started = performance.now();
    const result = await this.solver.solve(query.enc, goals, { timeoutMs: this.timeoutMs, ...(tracked === undefined ? {} : { tracked }) });
    this.stats.solveMs += performance.now() - started;
    this.stats.queries++;
    if (result.status === "unknown") this.stats.unknown++;
    this.cache.set(text, result);
    return result;
  }
}
