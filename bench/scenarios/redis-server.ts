/**
 * A real, throwaway `redis-server` for the tests and the Redis benchmark
 * (here in bench/ because `npm run bench` runs compiled bench code; tests
 * reach it through test/support/redis-server.ts): Debian's binary on a free
 * loopback port, in a temporary directory, with AOF on and fsync on every
 * write (`--appendonly yes --appendfsync always --save ''`), the settings
 * docs/governance.md asks of production.
 *
 * In: nothing (or a directory to restart in). Out: a running server with
 * its URL, `stop` (SIGTERM, or SIGKILL to simulate a crash), `pause` /
 * `resume` (SIGSTOP / SIGCONT: a server that hangs) and `restart` on the
 * same port and directory (AOF replayed). Redis has no `--port 0`, so a
 * port is picked by binding a socket to port 0 and closing it; a collision
 * at start is retried on another port.
 * Must not leave a server running: callers stop it in afterAll; a process
 * exit hook kills any left over.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Whether Debian's redis-server is installed (scripts/test-deps.sh installs it). */
export const hasRedis = spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** A free loopback TCP port (free when asked; start retries on a collision). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** A running test server. */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly pid: number;
  /** Stops it: SIGTERM (a clean shutdown) or SIGKILL (a crash). */
  stop(signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
  /** SIGSTOP: it stops answering but keeps its connections (a hung server). */
  pause(): void;
  resume(): void;
  /** Starts it again on the same port and directory (replaying the AOF). */
  restart(): Promise<void>;
  /** Stops it and deletes its directory. */
  destroy(): Promise<void>;
}

/** Starts a server in a new temporary directory (`appendfsync` as production needs it unless told otherwise). */
export async function startRedis(options: { readonly appendfsync?: "always" | "everysec" | "no" } = {}): Promise<TestRedis> {
  const appendfsync = options.appendfsync ?? "always";
  const dir = await mkdtemp(join(tmpdir(), "agp-redis-"));
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    try {
      return await launch(dir, port, appendfsync);
    } catch (error) {
      if (attempt >= 5) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
}

async function launch(dir: string, port: number, appendfsync: string): Promise<TestRedis> {
  let child = await spawnServer(dir, port, appendfsync);
  const server: TestRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    get pid() {
      return child.pid!;
    },
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGCONT");
      child.kill(signal);
      await exited;
    },
    pause() {
      child.kill("SIGSTOP");
    },
    resume() {
      child.kill("SIGCONT");
    },
    async restart() {
      await server.stop();
      child = await spawnServer(dir, port, appendfsync);
    },
    async destroy() {
      await server.stop("SIGKILL");
      await rm(dir, { recursive: true, force: true });
    },
  };
  return server;
}

/** Spawns redis-server and resolves once it accepts connections; rejects if it exits first. */
function spawnServer(dir: string, port: number, appendfsync: string): Promise<ChildProcess> {
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes", "--appendfsync", appendfsync, "--save", "", "--daemonize", "no", "--protected-mode", "yes", "--loglevel", "warning"];
  const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const onExit = (code: number | null) => reject(new Error(`redis-server exited (${code}) before accepting connections:\n${output}`));
    child.once("exit", onExit);
    const poll = (): void => {
      const ping = spawnSync("redis-cli", ["-p", String(port), "ping"], { encoding: "utf8" });
      if (ping.stdout?.trim() === "PONG") {
        child.off("exit", onExit);
        resolve(child);
      } else if (Date.now() - started > 10_000) {
        child.kill("SIGKILL");
        reject(new Error(`redis-server did not answer on port ${port} within 10 s:\n${output}`));
      } else setTimeout(poll, 20);
    };
    poll();
  });
}
