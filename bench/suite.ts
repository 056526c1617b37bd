/**
 * The shape every benchmark in bench/ returns, so `npm run bench` can run
 * them side by side and write one JSON file and one markdown table each to
 * bench/results/. Benchmarks report; they never assert.
 */
export interface BenchTable {
  /** e.g. "Parser throughput". */
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
  /** Method notes printed under the table (what was measured, how). */
  readonly notes?: readonly string[];
}

export interface BenchSuite {
  /** File-name friendly id, e.g. "parser". */
  readonly name: string;
  run(): Promise<readonly BenchTable[]>;
}

/** Median of a sample (the sample is sorted in place). */
export function median(sample: number[]): number {
  return percentile(sample, 50);
}

/** Nearest-rank percentile of a sample (sorted in place). */
export function percentile(sample: number[], p: number): number {
  if (sample.length === 0) return NaN;
  sample.sort((a, b) => a - b);
  const rank = Math.min(sample.length - 1, Math.max(0, Math.ceil((p / 100) * sample.length) - 1));
  return sample[rank]!;
}
