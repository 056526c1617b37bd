/**
 * One gateway process of the Redis benchmark: run by bench/redis.bench.ts as
 * a fresh child (several at once against one Redis), or alone on a file
 * store for comparison.
 *
 * In: argv — the policy.wasm path, the store (`redis:<url>:<prefix>` or
 * `file:<directory>`), how many checks in flight, how long to measure (ms),
 * and a start time (ms since the epoch) so children start together.
 * Out: one JSON line on stdout, `{ checks, runs, errors, seconds, latencies }`
 * (latencies: every check's time in ms, for the parent's percentiles).
 * Audit is on (every check writes its entry before it answers); the file
 * store and sink fsync every write (their default), and the benchmark's
 * Redis runs `appendfsync always`. Must not print anything else on stdout.
 */
import { readFileSync } from "node:fs";
import { loadPolicySync } from "../../runtime/index.js";
import { createGateway, type Gateway } from "../../runtime/governance/index.js";
import { openFileGateway } from "../../runtime/node/index.js";
import { openRedisState } from "../../runtime/redis/index.js";

const [wasmPath, store, inFlightText, durationText, startText] = process.argv.slice(2);
if (wasmPath === undefined || store === undefined) throw new Error("usage: gateway-child <policy.wasm> <redis:url:prefix|file:dir> <in-flight> <ms> <start>");
const engine = loadPolicySync(readFileSync(wasmPath));
const inFlight = Number(inFlightText ?? 16);
const duration = Number(durationText ?? 3000);

let gateway: Gateway;
let closeState: () => Promise<void> = async () => undefined;
if (store.startsWith("redis:")) {
  const rest = store.slice("redis:".length);
  const cut = rest.lastIndexOf(":");
  const state = await openRedisState({ url: rest.slice(0, cut), prefix: rest.slice(cut + 1), commandTimeoutMs: 5000 });
  gateway = await createGateway({ engine, store: state.store, audit: state.audit });
  closeState = () => state.close();
} else {
  gateway = await openFileGateway(store.slice("file:".length), { engine });
}

const agents = Array.from({ length: 64 }, (_, i) => ({ id: `agent-${i}`, groups: ["coding-bots"], trust: 2 }));
const request = (i: number) => ({ agent: agents[i % agents.length], action: "deploy.service", args: { service: `svc-${i % 32}` }, env: "production", context: { session: `s-${i % 100}`, reasoning: "benchmark" } });

await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startText ?? Date.now()) - Date.now())));
const latencies: number[] = [];
let checks = 0;
let runs = 0;
let errors = 0;
let next = 0;
const started = performance.now();
const deadline = started + duration;
const lane = async (): Promise<void> => {
  while (performance.now() < deadline) {
    const i = next++;
    const t = performance.now();
    try {
      const answer = await gateway.check(request(i), { requestId: `${process.pid}-${i}` });
      if (answer.action === "run") runs++;
    } catch {
      errors++;
    }
    latencies.push(performance.now() - t);
    checks++;
  }
};
await Promise.all(Array.from({ length: inFlight }, lane));
const seconds = (performance.now() - started) / 1000;
await gateway.close();
await closeState();
process.stdout.write(`${JSON.stringify({ checks, runs, errors, seconds, latencies })}\n`);
