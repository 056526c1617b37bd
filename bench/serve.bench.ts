/**
 * `npm run bench:serve`: sustained loopback load on `agp serve` (audit on)
 * beside the Cerbos PDP deciding the same policy, in one run.
 *
 * In: bench/scenarios/serve (record.agp and its Cerbos twin). Out: requests/s
 * and p50/p99 latency for agp's `POST /v1/check` (audit fsync'ed, and with
 * `--fsync never`), agp's AuthZEN `POST /access/v1/evaluation`, Cerbos's
 * `POST /api/check/resources` and Cerbos's AuthZEN endpoint; written to
 * bench/results/serve.{json,md}. Each target gets the same bounded load
 * (autocannon: `AGP_BENCH_SERVE_SECONDS` seconds, default 5, 16
 * connections), one target at a time; every answer is checked to be the
 * expected allow before the load starts. Every process it starts is killed
 * at the end. Reports; asserts no timing.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { arch, cpus, platform, totalmem, tmpdir } from "node:os";
import { join } from "node:path";
import { compilePaths } from "../compiler/compile/index.js";
import { generateKeyPair, importPrivateKey, signBundle } from "../runtime/bundle/index.js";
import { repoPath } from "./scenarios/paths.js";

interface Cannon {
  (options: Record<string, unknown>): Promise<{ requests: { average: number; total: number }; latency: { p50: number; p99: number }; errors: number; non2xx: number; timeouts: number }>;
}
const autocannon = createRequire(import.meta.url)("autocannon") as Cannon;

const SECONDS = Number(process.env["AGP_BENCH_SERVE_SECONDS"] ?? 5);
const CONNECTIONS = Number(process.env["AGP_BENCH_SERVE_CONNECTIONS"] ?? 16);
const children: ChildProcess[] = [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

function start(command: string, args: readonly string[], ready: RegExp | undefined): Promise<{ child: ChildProcess; match: RegExpExecArray | undefined }> {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let text = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} did not start:\n${text}`)), 30_000);
    const onData = (c: Buffer): void => {
      text += c.toString();
      const m = ready?.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve({ child, match: m });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${command} exited with ${code}:\n${text}`)));
    if (ready === undefined) {
      clearTimeout(timer);
      resolve({ child, match: undefined });
    }
  });
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered`);
}

async function post(url: string, body: unknown): Promise<unknown> {
  const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return r.json();
}

interface Target {
  readonly name: string;
  readonly url: string;
  readonly body: () => string;
  readonly check: (answer: unknown) => boolean;
}

const AGP_REQUEST = { agent: { id: "alice" }, action: "record.write", args: { status: "active" }, env: "production" };
const AUTHZEN = { subject: { type: "user", id: "alice", properties: { roles: ["user"] } }, action: { name: "write" }, resource: { type: "record", id: "record-1", properties: { status: "active" } }, context: { env: "production" } };
const CERBOS = { principal: { id: "alice", roles: ["user"] }, resources: [{ actions: ["write"], resource: { kind: "record", id: "record-1", attr: { status: "active" } } }] };

async function measure(target: Target): Promise<(string | number)[]> {
  const answer = await post(target.url, JSON.parse(target.body()));
  if (!target.check(answer)) throw new Error(`${target.name} answered ${JSON.stringify(answer)}; expected an allow`);
  // Warm-up (not measured): JIT, connection pools, file caches.
  await autocannon({ url: target.url, method: "POST", connections: 4, duration: 1, headers: { "content-type": "application/json" }, requests: [{ method: "POST", setupRequest: (req: Record<string, unknown>) => ({ ...req, body: target.body() }) }] });
  const result = await autocannon({
    url: target.url,
    method: "POST",
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { "content-type": "application/json" },
    requests: [{ method: "POST", setupRequest: (req: Record<string, unknown>) => ({ ...req, body: target.body() }) }],
  });
  const failed = result.errors + result.non2xx + result.timeouts;
  return [target.name, Math.round(result.requests.average), result.latency.p50, result.latency.p99, result.requests.total, failed];
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "agp-bench-serve-"));
  const scenario = repoPath("bench/scenarios/serve");
  const compiled = await compilePaths([join(scenario, "record.agp")], { version: "1.0.0" });
  if (compiled.result === undefined) throw new Error("the benchmark policy does not compile");
  const pair = await generateKeyPair();
  await writeFile(join(dir, "k.pub"), pair.publicKey);
  await writeFile(join(dir, "policy.wasm"), (await signBundle(compiled.result.wasm, await importPrivateKey(pair.privateKey))).bundle);

  const agp = async (fsync: "always" | "never"): Promise<string> => {
    const { match } = await start(process.execPath, [repoPath("bin/agp.js"), "serve", "--policy", join(dir, "policy.wasm"), "--trusted-key", join(dir, "k.pub"), "--state", join(dir, `state-${fsync}`), "--fsync", fsync, "--listen", "127.0.0.1:0", "--env", "production"], /listening on (http:\/\/\S+)/);
    return match![1]!;
  };
  const cerbos = async (): Promise<string> => {
    const [http, grpc] = [await freePort(), await freePort()];
    await mkdir(join(dir, "cerbos-policies"));
    await copyFile(join(scenario, "cerbos", "record.yaml"), join(dir, "cerbos-policies", "record.yaml"));
    const config = (await readFile(join(scenario, "cerbos", "config.yaml"), "utf8"))
      .replace("HTTP_PORT", String(http))
      .replace("GRPC_PORT", String(grpc))
      .replace("POLICY_DIR", join(dir, "cerbos-policies"))
      .replace("AUDIT_FILE", join(dir, "cerbos-audit.log"));
    await writeFile(join(dir, "cerbos.yaml"), config);
    await start(repoPath("node_modules/@cerbos/cerbos-linux-x64/cerbos-linux-x64"), ["server", `--config=${join(dir, "cerbos.yaml")}`, "--log-level=error"], undefined);
    const url = `http://127.0.0.1:${http}`;
    await waitFor(`${url}/_cerbos/health`);
    return url;
  };

  let n = 0;
  const rows: (string | number)[][] = [];
  const agpAlways = await agp("always");
  rows.push(await measure({ name: "agp POST /v1/check (audit fsync always)", url: `${agpAlways}/v1/check`, body: () => JSON.stringify({ requestId: `b-${n++}`, request: AGP_REQUEST }), check: (a) => (a as { action?: string }).action === "run" }));
  rows.push(await measure({ name: "agp POST /access/v1/evaluation (audit fsync always)", url: `${agpAlways}/access/v1/evaluation`, body: () => JSON.stringify(AUTHZEN), check: (a) => (a as { decision?: boolean }).decision === true }));
  const agpNever = await agp("never");
  rows.push(await measure({ name: "agp POST /v1/check (audit fsync never)", url: `${agpNever}/v1/check`, body: () => JSON.stringify({ requestId: `c-${n++}`, request: AGP_REQUEST }), check: (a) => (a as { action?: string }).action === "run" }));
  rows.push(await measure({ name: "agp POST /access/v1/evaluation (audit fsync never)", url: `${agpNever}/access/v1/evaluation`, body: () => JSON.stringify(AUTHZEN), check: (a) => (a as { decision?: boolean }).decision === true }));
  const cerbosUrl = await cerbos();
  rows.push(await measure({ name: "Cerbos 0.55 POST /api/check/resources (decision log on)", url: `${cerbosUrl}/api/check/resources`, body: () => JSON.stringify({ requestId: `r-${n++}`, ...CERBOS }), check: (a) => JSON.stringify(a).includes('"write":"EFFECT_ALLOW"') }));
  rows.push(await measure({ name: "Cerbos 0.55 POST /access/v1/evaluation (decision log on)", url: `${cerbosUrl}/access/v1/evaluation`, body: () => JSON.stringify(AUTHZEN), check: (a) => (a as { decision?: boolean }).decision === true }));

  const machine = `${cpus()[0]?.model ?? "unknown cpu"}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${arch()}, Node ${process.version}`;
  const table = {
    title: "Decision service on loopback: agp serve vs the Cerbos PDP",
    columns: ["target", "requests/s", "p50 ms", "p99 ms", "requests", "failed"],
    rows,
    notes: [
      `autocannon, ${CONNECTIONS} connections, ${SECONDS} s per target after a 1 s warm-up, one target at a time, client and servers on the same machine (2 cores shared with other work: provisional figures).`,
      "Policy: bench/scenarios/serve/record.agp and its Cerbos twin cerbos/record.yaml; every request is the same allowed write.",
      "agp: every check is the full gateway (kill switch, trust, limits, audit entry hash-chained to a JSONL file, fdatasync'ed before the answer with `always`); each /v1/check has a fresh request id. Cerbos: decision logs to a file backend.",
    ],
  };
  const run = new Date().toISOString();
  const md = `# serve\n\nMachine: ${machine}  \nRun: ${run}\n\n### ${table.title}\n\n| ${table.columns.join(" | ")} |\n| ${table.columns.map(() => "---").join(" | ")} |\n${rows.map((r) => `| ${r.join(" | ")} |`).join("\n")}\n\n${table.notes.join("\n\n")}\n`;
  console.log(md);
  const results = repoPath("bench/results");
  await mkdir(results, { recursive: true });
  await writeFile(join(results, "serve.md"), md);
  await writeFile(join(results, "serve.json"), `${JSON.stringify({ suite: "serve", machine, run, tables: [table] }, null, 2)}\n`);
}

try {
  await main();
} finally {
  for (const child of children) child.kill("SIGTERM");
}
