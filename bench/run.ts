/**
 * `npm run bench`: runs every suite in bench/ in one process, side by side,
 * prints each table, and writes bench/results/<suite>.json and .md.
 *
 * Suites are listed here explicitly (not discovered) so the set that ran is
 * visible in review. Benchmarks report; nothing here asserts a timing.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { arch, cpus, platform, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { suite as decideSuite } from "./decide.bench.js";
import { suite as parserSuite } from "./parser.bench.js";
import { suite as latencySuite } from "./latency.bench.js";
import { suite as scalingSuite } from "./scaling.bench.js";
import { suite as memorySuite } from "./memory.bench.js";
import { suite as jsonSuite } from "./json.bench.js";
import { suite as redisSuite } from "./redis.bench.js";
import { suite as lspSuite } from "./lsp.bench.js";
import { suite as sessionSuite } from "./session.bench.js";
import { suite as decidePathSuite } from "./decide-path.bench.js";
import { suite as shapesSuite } from "./shapes.bench.js";
import { suite as realisticSuite } from "./realistic.bench.js";
import { suite as cliSuite } from "./cli.bench.js";
import { suite as agentdojoSuite } from "./agentdojo.bench.js";
import { suite as loadSuite } from "./load.bench.js";
import type { BenchSuite, BenchTable } from "./suite.js";

const suites: readonly BenchSuite[] = [parserSuite, decideSuite, latencySuite, scalingSuite, shapesSuite, realisticSuite, loadSuite, memorySuite, jsonSuite, decidePathSuite, redisSuite, lspSuite, cliSuite, sessionSuite, agentdojoSuite];

/** bench/results in the repository, from either bench/ or dist/bench/. */
function resultsDirectory(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = here.includes(`${join("dist", "bench")}`) ? join(here, "..", "..") : join(here, "..");
  return join(root, "bench", "results");
}

function machine(): string {
  const cpu = cpus()[0]?.model ?? "unknown cpu";
  return `${cpu}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${arch()}, Node ${process.version}`;
}

function markdown(table: BenchTable): string {
  const lines = [`### ${table.title}`, "", `| ${table.columns.join(" | ")} |`, `| ${table.columns.map(() => "---").join(" | ")} |`];
  for (const row of table.rows) lines.push(`| ${row.join(" | ")} |`);
  for (const note of table.notes ?? []) lines.push("", note);
  return lines.join("\n");
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const directory = resultsDirectory();
  await mkdir(directory, { recursive: true });
  const header = `Machine: ${machine()}\nRun: ${new Date().toISOString()}`;
  console.log(header);
  for (const suite of suites) {
    if (only.length > 0 && !only.includes(suite.name)) continue;
    const tables = await suite.run();
    const text = `# ${suite.name}\n\n${header.replace(/\n/g, "  \n")}\n\n${tables.map(markdown).join("\n\n")}\n`;
    console.log(`\n${text}`);
    await writeFile(join(directory, `${suite.name}.md`), text, "utf8");
    await writeFile(
      join(directory, `${suite.name}.json`),
      `${JSON.stringify({ suite: suite.name, machine: machine(), run: new Date().toISOString(), tables }, null, 2)}\n`,
      "utf8",
    );
  }
}

await main();
