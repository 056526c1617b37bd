/**
 * One gateway replica for the fleet tests and the Redis benchmark: a
 * separate Node process running the built runtime (dist/) over the compiled
 * policy, with its state and audit on the shared Redis.
 *
 * In (argv): the policy.wasm path, the Redis URL, the key prefix, and
 * optionally a command timeout in ms. In (IPC messages):
 * `{ id, op, ... }` jobs — `check` (many requests at once), `report`,
 * `engage`, `release`, `approve`, `used`, `close`. Out: `{ id, result }` or
 * `{ id, error }` per job. A check the gateway could not answer (it threw,
 * e.g. Redis down) comes back as `{ action: "error", reason }` — the caller
 * treats it as a refusal, as `agp serve` does. Every answer carries how
 * long it took, so tests can bound it.
 * Must not keep state of its own: everything is in Redis.
 */
import { readFile } from "node:fs/promises";
import { loadPolicy } from "../../dist/runtime/index.js";
import { createGateway } from "../../dist/runtime/governance/index.js";
import { openRedisState } from "../../dist/runtime/redis/index.js";

const [wasmPath, url, prefix, timeout] = process.argv.slice(2);
const engine = await loadPolicy(await readFile(wasmPath));
const state = await openRedisState({ url, prefix, commandTimeoutMs: Number(timeout ?? 1000) });
const gateway = await createGateway({ engine, store: state.store, audit: state.audit, approvals: { pollMs: 20 } });

async function checkOne({ request, requestId }) {
  const started = performance.now();
  try {
    const answer = await gateway.check(request, { requestId });
    return { requestId, action: answer.action, reason: answer.reason ?? null, ticket: answer.ticket?.id ?? null, ms: performance.now() - started, at: Date.now() };
  } catch (error) {
    return { requestId, action: "error", reason: String(error?.message ?? error), ms: performance.now() - started, at: Date.now() };
  }
}

/** Runs the checks with at most `concurrency` in flight (all at once by default). */
async function checkMany(items, concurrency = items.length) {
  const results = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await checkOne(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, lane));
  return results;
}

const jobs = {
  check: (m) => checkMany(m.items, m.concurrency),
  report: (m) => gateway.report(m.requestId, m.outcome, m.actualCost === undefined ? {} : { actualCost: m.actualCost }).then((r) => r.ok),
  engage: (m) => gateway.kill.engage(m.target, { by: m.by, reason: m.reason }).then(() => true),
  release: (m) => gateway.kill.release(m.target, { by: m.by, reason: m.reason }),
  approve: (m) => gateway.approvals.approve(m.ticket, m.approver).then((r) => (r.ok ? r.ticket.status : r.code)),
  used: (m) => gateway.limits.used(m.charge),
  close: async () => {
    await gateway.close();
    await state.close();
    setImmediate(() => process.exit(0));
    return true;
  },
};

process.on("message", (message) => {
  const job = jobs[message.op];
  Promise.resolve()
    .then(() => job(message))
    .then(
      (result) => process.send({ id: message.id, result }),
      (error) => process.send({ id: message.id, error: String(error?.message ?? error) }),
    );
});
process.send({ ready: true });
