/**
 * Test harness for `agp serve`: a real `node bin/agp.js serve` child
 * process on 127.0.0.1 (a free port), signed bundles of the governance
 * test policy, and a small HTTP client. Every child is tracked and killed
 * by `stopAll` (call it in afterAll/afterEach), so no test leaves a server
 * running. Needs `npm run build` (bin/agp.js runs dist/).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { signBundle } from "../../runtime/bundle/index.js";
import { keyPair, moduleBytes } from "../bundle/harness.js";

const BIN = resolve("bin/agp.js");
const running = new Set<ChildProcess>();

/** A running `agp serve`. */
export interface Served {
  readonly url: string;
  readonly child: ChildProcess;
  out(): string;
  err(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Sends a signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `agp serve <args> --listen 127.0.0.1:0` in `cwd`; resolves once it listens (rejects with its stderr if it exits). */
export function serve(args: readonly string[], cwd: string, env: Readonly<Record<string, string>> = {}): Promise<Served> {
  const child = spawn(process.execPath, [BIN, "serve", "--listen", "127.0.0.1:0", ...args], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  let out = "";
  let err = "";
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => {
    running.delete(child);
    done(code);
  }));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`agp serve did not start within 30 s\n${err}`));
    }, 30_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolvePromise({
          url: m[1]!,
          child,
          out: () => out,
          err: () => err,
          exited,
          stop: (signal = "SIGTERM") => {
            child.kill(signal);
            return exited;
          },
        });
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`agp serve exited with ${code}\n${err}`), { code, stderr: err }));
    });
  });
}

/** Runs `agp <args>` to completion (not serve): exit code and output. */
export function agp(args: readonly string[], cwd: string, env: Readonly<Record<string, string>> = {}): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  let out = "";
  let err = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
  return new Promise((done) => child.once("exit", (code) => {
    running.delete(child);
    done({ code, out, err });
  }));
}

/** Kills every child still running. */
export async function stopAll(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((done) => {
          child.once("exit", () => done());
          child.kill("SIGKILL");
        }),
    ),
  );
}

/** An HTTP answer. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly json: any;
}

/** One request: a JSON body (or raw text), headers, a bearer token. */
export async function call(url: string, method: string, path: string, options: { body?: unknown; raw?: string; headers?: Record<string, string>; token?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...(options.body !== undefined ? { "content-type": "application/json" } : {}), ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }), ...options.headers };
  const response = await fetch(`${url}${path}`, { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : options.raw !== undefined ? { body: options.raw } : {}), signal: AbortSignal.timeout(20_000) });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export const ADMIN = "admin-token-0123456789abcdef";
export const DECIDER = "decision-token-0123456789abcd";

/** A directory with a key pair, token files and a writer of signed bundles of the test policy. */
export async function workspace() {
  const dir = await mkdtemp(join(tmpdir(), "agp-serve-"));
  const keys = await keyPair();
  const other = await keyPair();
  await mkdir(join(dir, "keys"));
  await writeFile(join(dir, "keys", "k.pub"), keys.publicPem);
  await writeFile(join(dir, "keys", "k.key"), keys.privatePem, { mode: 0o600 });
  await writeFile(join(dir, "keys", "other.pub"), other.publicPem);
  await writeFile(join(dir, "admin.token"), `${ADMIN}\n`);
  await writeFile(join(dir, "decision.token"), `${DECIDER}\n`);
  /** Writes a bundle of the test policy at `version` (signed by `k` unless `signer` says otherwise) to `file`. */
  const bundle = async (file: string, version: string, signer: "k" | "other" | "unsigned" = "k", source?: string): Promise<string> => {
    const bytes = moduleBytes(version, source);
    const out = signer === "unsigned" ? bytes : (await signBundle(bytes, signer === "k" ? keys.signing : other.signing)).bundle;
    const path = join(dir, file);
    const temporary = `${path}.tmp`;
    await writeFile(temporary, out);
    const { rename } = await import("node:fs/promises");
    await rename(temporary, path);
    return path;
  };
  return { dir, keys, other, bundle, trust: ["--trusted-key", join(dir, "keys", "k.pub")], admin: ["--admin-token-file", join(dir, "admin.token")] };
}

/** A request of the test policy (agent ci-fixer). */
export function request(action: string, args: object, parts: Record<string, unknown> = {}): Record<string, unknown> {
  return { agent: { id: "ci-fixer", groups: ["coding-bots"], trust: 2 }, action, args, env: "production", context: { session: "s-1", reasoning: "testing" }, ...parts };
}
export const deploy = (service = "api", parts: Record<string, unknown> = {}) => request("deploy.service", { service }, parts);
export const merge = (number = 123, parts: Record<string, unknown> = {}) => request("github.pull_request.merge", { repo: "acme/infra", number }, parts);
export const spend = (cost: number, parts: Record<string, unknown> = {}) => request("aws.ec2.run_instances", { account: "sandbox", estimated_cost_usd: cost }, parts);
export const shell = (command = "ls") => request("shell.exec", { command, timeout_seconds: 60, write_paths: [] });
