/**
 * Timing with tinybench, in the two ways the suites need:
 * - `perDecision`: one decision per sample, so the p99 is a real p99 of
 *   single decisions (tinybench subtracts its timer overhead);
 * - `batched`: each sample runs a batch of decisions (a whole request mix,
 *   several times over) and records the mean per decision, for functions
 *   so fast that one call is near the timer's resolution (the JS floor).
 *
 * In: the function to time and a time budget. Out: `Timing` in
 * microseconds (median, p99, sample count). Reports; never asserts.
 */
import { Bench } from "tinybench";

/** Microseconds per decision. */
export interface Timing {
  readonly median: number;
  readonly p99: number;
  readonly samples: number;
}

/**
 * Times `decide` one call per sample for about `timeMs` (after a warm-up of
 * at most `warmupIterations` calls), and at least `minSamples` calls.
 */
export async function perDecision(name: string, decide: () => unknown, timeMs: number, minSamples = 20, warmupIterations = 16): Promise<Timing> {
  const bench = new Bench({
    time: timeMs,
    warmupTime: Math.min(500, timeMs / 4),
    warmupIterations,
    iterations: minSamples,
    subtractTimerOverhead: true,
    throws: true,
  });
  bench.add(name, decide);
  await bench.run();
  return timingOf(bench, 1);
}

/**
 * Times `round` (which makes `decisionsPerRound` decisions) repeated so that
 * one sample lasts about `sampleUs` microseconds; each sample is the mean per
 * decision within it.
 */
export async function batched(name: string, round: () => unknown, decisionsPerRound: number, timeMs: number, sampleUs = 200): Promise<Timing> {
  const start = performance.now();
  let rounds = 0;
  while (performance.now() - start < 20) {
    round();
    rounds++;
  }
  const perRoundUs = ((performance.now() - start) * 1000) / rounds;
  const repeat = Math.max(1, Math.round(sampleUs / perRoundUs));
  const bench = new Bench({ time: timeMs, warmupTime: Math.min(500, timeMs / 4), iterations: 20, throws: true });
  bench.add(name, () => {
    const t0 = bench.now();
    for (let i = 0; i < repeat; i++) round();
    const elapsed = bench.now() - t0;
    return { overriddenDuration: elapsed / (repeat * decisionsPerRound), overriddenIterationCost: elapsed };
  });
  await bench.run();
  return timingOf(bench, 1);
}

function timingOf(bench: Bench, divisor: number): Timing {
  const task = bench.tasks[0];
  const result = task?.result;
  if (result === undefined || !("latency" in result)) throw new Error(`benchmark ${task?.name ?? "?"} did not complete`);
  const latency = result.latency;
  return { median: (latency.p50 * 1000) / divisor, p99: (latency.p99 * 1000) / divisor, samples: latency.samplesCount };
}

/** Formats microseconds for a table: 3 significant digits, µs or ms. */
export function us(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  if (value >= 1000) return `${(value / 1000).toPrecision(3)} ms`;
  return `${value.toPrecision(3)} µs`;
}

/** Formats a ratio: `12.3x`. */
export function ratio(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  return value >= 100 ? `${Math.round(value).toLocaleString("en-US")}x` : `${value.toPrecision(3)}x`;
}
