/**
 * Gateway replicas as real processes for the fleet tests and the Redis
 * benchmark: compiles the fleet policy to policy.wasm, forks
 * test/redis/fleet-worker.mjs (the built runtime in dist/) against one
 * Redis, and talks to each replica by IPC jobs.
 *
 * In: a Redis URL and prefix. Out: `Replica` handles (`run` a job, `kill`
 * with a signal, `close`). Must not leave a process behind: `stopAll` kills
 * whatever is still running, and tests call it in afterAll.
 */
import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compilePolicy } from "../../compiler/compile/index.js";
import { checkText } from "../compile/harness.js";
import { CATALOGS } from "../interpret/harness.js";

/** The policy every replica runs. */
export const FLEET_POLICY = `
rule deploys: allow deploy.*
rule aws_sandbox: allow aws.* when args.account == "sandbox"
rule shell_ok: allow shell.exec
rule merge_review: approve github.pull_request.merge by 2 of group "infra-reviewers" because "merging needs two reviewers"
limit deploy_rate: 1000 per day on deploy.*
limit daily_spend: budget 500 usd per day on aws.ec2.* cost args.estimated_cost_usd
`;

const WORKER = fileURLToPath(new URL("./fleet-worker.mjs", import.meta.url));
const BUILT = fileURLToPath(new URL("../../dist/runtime/redis/index.js", import.meta.url));

/** Compiles the fleet policy into a temporary directory; returns the .wasm path. */
export async function fleetWasm(source: string = FLEET_POLICY): Promise<string> {
  if (!existsSync(BUILT)) throw new Error("the fleet tests run the built runtime: run `npm run build` first (`npm test` does)");
  const { checked, catalogs } = checkText({ "policy.agp": source }, CATALOGS);
  const out = compilePolicy(checked, catalogs, { version: "1.0.0" });
  if (out.compiled === undefined) throw new Error(`the fleet policy does not compile: ${out.diagnostics.map((d) => d.message).join("; ")}`);
  const dir = await mkdtemp(join(tmpdir(), "agp-fleet-"));
  const path = join(dir, "policy.wasm");
  await writeFile(path, out.compiled.wasm);
  return path;
}

/** One answer of a replica's `check` job. */
export interface FleetAnswer {
  readonly requestId: string;
  readonly action: "run" | "refuse" | "wait" | "error";
  readonly reason: string | null;
  readonly ticket: string | null;
  /** How long the check took (ms). */
  readonly ms: number;
  /** When it finished (ms since the epoch). */
  readonly at: number;
}

const live = new Set<ChildProcess>();

/** A gateway replica in its own process. */
export class Replica {
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  readonly exited: Promise<void>;

  private constructor(readonly child: ChildProcess) {
    child.on("message", (message: { id?: number; result?: unknown; error?: string }) => {
      if (message.id === undefined) return;
      const job = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.error !== undefined) job?.reject(new Error(message.error));
      else job?.resolve(message.result);
    });
    this.exited = new Promise((resolve) =>
      child.once("exit", () => {
        live.delete(child);
        for (const job of this.waiting.values()) job.reject(new Error("the replica exited"));
        this.waiting.clear();
        resolve();
      }),
    );
  }

  /** Forks a replica and waits until it has connected and opened its gateway. */
  static async start(wasm: string, url: string, prefix: string, commandTimeoutMs = 1000): Promise<Replica> {
    const child = fork(WORKER, [wasm, url, prefix, String(commandTimeoutMs)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    live.add(child);
    await new Promise<void>((resolve, reject) => {
      child.once("message", () => resolve());
      child.once("exit", (code) => reject(new Error(`a replica exited (${code}) before it was ready`)));
    });
    return new Replica(child);
  }

  /** Runs one job in the replica. */
  run<T>(op: string, fields: Record<string, unknown> = {}): Promise<T> {
    const id = ++this.next;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, op, ...fields });
    });
  }

  /** Checks requests, all in flight at once unless `concurrency` says otherwise. */
  check(items: readonly { request: unknown; requestId: string }[], concurrency?: number): Promise<FleetAnswer[]> {
    return this.run("check", { items, ...(concurrency === undefined ? {} : { concurrency }) });
  }

  /** Closes the gateway and lets the process exit. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await this.run("close").catch(() => undefined);
    await this.exited;
  }

  /** Kills the process (SIGKILL: a crash mid-check). */
  async kill(): Promise<void> {
    this.child.kill("SIGKILL");
    await this.exited;
  }
}

/** Kills every replica still running (afterAll). */
export function stopAll(): void {
  for (const child of live) child.kill("SIGKILL");
}
