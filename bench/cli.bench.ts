/**
 * Cold start of the `agp` command: each verb run as a whole new process, as
 * a developer or a CI step runs it, repeated (hyperfine-style: one warm-up
 * run, then `AGP_CLI_BENCH_RUNS` timed runs, default 10), beside bare
 * `node -e 0` for the floor.
 *
 * In: nothing (examples/platform is the policy set; a temporary directory
 * takes the compiled module). Out: one table — per command the median,
 * minimum and maximum wall time and the median peak memory (the child's
 * own `maxRSS`, written to a pipe at exit by a preloaded one-line module).
 * Reported, never asserted. Needs `npm run build` (it runs bin/agp.js).
 * Must not leave the temporary directory behind.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { median, type BenchSuite, type BenchTable } from "./suite.js";

/** The repository root, from bench/ or dist/bench/. */
const ROOT = (() => {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.includes(join("dist", "bench")) ? join(here, "..", "..") : join(here, "..");
})();

/** Writes the process's peak memory (KiB) to fd 3 at exit. */
const PROBE = `data:text/javascript,${encodeURIComponent('import { writeSync } from "node:fs"; process.on("exit", () => { try { writeSync(3, String(process.resourceUsage().maxRSS)); } catch {} });')}`;

interface Sample {
  readonly ms: number;
  readonly rssKiB: number;
  readonly code: number | null;
}

/** One run of `node <args>` in `cwd`: wall time from spawn to exit, and the child's peak memory. */
function once(args: readonly string[], cwd: string): Promise<Sample> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--import", PROBE, ...args], { cwd, stdio: ["ignore", "ignore", "ignore", "pipe"] });
    let rss = "";
    const pipe = child.stdio[3] as NodeJS.ReadableStream;
    pipe.setEncoding("utf8");
    pipe.on("data", (chunk: string) => (rss += chunk));
    child.on("error", fail);
    child.on("close", (code) => done({ ms: performance.now() - started, rssKiB: Number(rss) || NaN, code }));
  });
}

/** The commands measured: label, node arguments. */
function commands(out: string): [string, string[]][] {
  const agp = join(ROOT, "bin", "agp.js");
  return [
    ["node -e 0 (the floor)", ["-e", "0"]],
    ["agp --version", [agp, "--version"]],
    ["agp --help", [agp, "--help"]],
    ["agp fmt --check examples/platform", [agp, "fmt", "--check", "examples/platform"]],
    ["agp check examples/platform", [agp, "check", "examples/platform"]],
    ["agp compile examples/platform -o …", [agp, "compile", "examples/platform", "-o", join(out, "platform.wasm")]],
    ["agp test examples/platform", [agp, "test", "examples/platform"]],
    ["agp test examples/platform --engine interpreter", [agp, "test", "examples/platform", "--engine", "interpreter"]],
  ];
}

export const suite: BenchSuite = {
  name: "cli",
  async run(): Promise<readonly BenchTable[]> {
    const runs = Math.max(1, Number(process.env["AGP_CLI_BENCH_RUNS"] ?? 10));
    const out = mkdtempSync(join(tmpdir(), "agp-cli-bench-"));
    const rows: (string | number)[][] = [];
    try {
      for (const [label, args] of commands(out)) {
        await once(args, ROOT); // warm-up: the file system cache, not the process
        const samples: Sample[] = [];
        for (let i = 0; i < runs; i++) samples.push(await once(args, ROOT));
        const failed = samples.filter((s) => s.code !== 0).length;
        const ms = samples.map((s) => s.ms);
        rows.push([
          label,
          runs,
          Math.round(median([...ms])),
          Math.round(Math.min(...ms)),
          Math.round(Math.max(...ms)),
          Math.round(median(samples.map((s) => s.rssKiB)) / 1024),
          failed === 0 ? "0" : `${failed} exited non-zero`,
        ]);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
    return [
      {
        title: "CLI cold start (whole processes)",
        columns: ["command", "runs", "median ms", "min ms", "max ms", "peak RSS MiB (median)", "failures"],
        rows,
        notes: [
          "Each run is a new `node bin/agp.js …` process from the repository root, timed from spawn to exit; one warm-up run first. Peak RSS is the child's own `process.resourceUsage().maxRSS` at exit.",
          "Only the verb being run is loaded (compiler/cli/verbs.ts): `--version`, `--help`, `fmt` and `check` never load binaryen; `test --engine interpreter` neither.",
        ],
      },
    ];
  },
};

// Run on its own: `node dist/bench/cli.bench.js`.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const table of await suite.run()) {
    console.log(`${table.title}\n${table.columns.join(" | ")}`);
    for (const row of table.rows) console.log(row.join(" | "));
  }
}
