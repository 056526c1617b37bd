/**
 * `agp serve --policy <bundle>`: the governance gateway as an HTTP service
 * (runtime/serve), until SIGTERM or SIGINT.
 *
 * In: flags; tokens from files (`--admin-token-file`,
 * `--decision-token-file`) or the environment (`AGP_ADMIN_TOKEN`,
 * `AGP_DECISION_TOKEN`), never from argv. Out: one line on stdout when
 * listening (`agp serve: listening on http://…`), log lines on stderr, and
 * exit 0 after a graceful shutdown (in-flight requests finished, audit log
 * flushed); 2 when it cannot start (bad flags, a refused bundle, a port in
 * use). SIGHUP reloads the bundles. All the work is runtime/serve's.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { startServer, tokenFrom, type StateOption } from "../../../runtime/serve/index.js";
import { describeIoError } from "../../project/index.js";
import { EXIT, type CliIo } from "../io.js";
import { usageError } from "../usage.js";

interface ServeFlags {
  policy: string;
  shadow?: string;
  trustedKey: string[];
  revokedKeys?: string;
  allowUnsigned?: boolean;
  state?: string;
  redis?: string;
  redisPrefix: string;
  listen: string;
  publicUrl?: string;
  adminTokenFile?: string;
  decisionTokenFile?: string;
  allowOpen?: boolean;
  maxBody: string;
  bodyTimeout: string;
  pollInterval: string;
  fsync: string;
  watch: boolean;
  env?: string;
}

/** What tests may replace: the environment and how signals arrive. */
export interface ServeCommandHooks {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Subscribes to stop (SIGTERM, SIGINT) and reload (SIGHUP); returns an unsubscribe. */
  readonly signals?: (stop: () => void, reload: () => void) => () => void;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Adds `agp serve` to the program. */
export function registerServeCommand(program: Command, io: CliIo, setExit: (code: number) => void, hooks: ServeCommandHooks = {}): void {
  program
    .command("serve")
    .description("run the governance gateway as an HTTP decision service (agp's API and OpenID AuthZEN 1.0)")
    .requiredOption("--policy <bundle>", "the signed policy bundle: a file (watched) or an http(s) URL (polled)")
    .option("--shadow <bundle>", "a candidate bundle decided beside the live one (shadow mode), file or URL")
    .option("--trusted-key <file>", "a public key (PEM) trusted to sign bundles; repeat for several", collect, [])
    .option("--revoked-keys <file>", "revoked key ids, one per line (re-read at every load)")
    .option("--allow-unsigned", "load unsigned modules (development only)")
    .option("--state <dir>", "keep state and the audit log in files in this directory (default .agp-state)")
    .option("--redis <url>", "keep state in Redis (shared by several gateways)")
    .option("--redis-prefix <prefix>", "the deployment's key prefix in Redis (replicas of one deployment share it)", "agp")
    .option("--listen <host:port>", "where to listen", "127.0.0.1:8181")
    .option("--env <name>", "the env of AuthZEN evaluations whose context gives none (`context.env`)")
    .option("--public-url <url>", "the URL clients reach this service at (AuthZEN metadata, ticket links)")
    .option("--admin-token-file <file>", "the bearer token for admin endpoints (else AGP_ADMIN_TOKEN; without one they are disabled)")
    .option("--decision-token-file <file>", "the bearer token for decision endpoints (else AGP_DECISION_TOKEN; without one they are open)")
    .option("--allow-open", "serve decision endpoints without a token on a non-loopback address")
    .option("--max-body <bytes>", "largest request body", "65536")
    .option("--body-timeout <ms>", "how long a request body may take to arrive", "10000")
    .option("--poll-interval <seconds>", "how often to poll a bundle URL", "30")
    .option("--fsync <policy>", "file state durability: always or never", "always")
    .option("--no-watch", "do not watch the bundle files (reload with SIGHUP or POST /v1/reload)")
    .action(async (flags: ServeFlags) => {
      setExit(await runServe(flags, io, hooks));
    });
}

async function runServe(flags: ServeFlags, io: CliIo, hooks: ServeCommandHooks): Promise<number> {
  const env = hooks.env ?? process.env;
  if (flags.state !== undefined && flags.redis !== undefined) return usageError(io, "give --state or --redis, not both");
  if (flags.fsync !== "always" && flags.fsync !== "never") return usageError(io, `unknown --fsync \`${flags.fsync}\`; use always or never`);
  const listen = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(flags.listen);
  const port = Number(listen?.[3]);
  if (listen === null || port > 65535) return usageError(io, `cannot read --listen \`${flags.listen}\`; use host:port, e.g. 127.0.0.1:8181`);
  const numbers: [string, string, number][] = [["--max-body", flags.maxBody, 1], ["--body-timeout", flags.bodyTimeout, 100], ["--poll-interval", flags.pollInterval, 1]];
  for (const [name, text, min] of numbers) {
    if (!/^\d+$/.test(text) || Number(text) < min) return usageError(io, `${name} must be a whole number of at least ${min}`);
  }
  let tokens;
  try {
    tokens = {
      admin: tokenFrom(await readOptional(io, flags.adminTokenFile), env["AGP_ADMIN_TOKEN"], "admin"),
      decision: tokenFrom(await readOptional(io, flags.decisionTokenFile), env["AGP_DECISION_TOKEN"], "decision"),
    };
  } catch (error) {
    return usageError(io, error instanceof Error ? error.message : String(error));
  }
  if (flags.redis === undefined && flags.redisPrefix !== "agp") return usageError(io, "--redis-prefix needs --redis");
  const state: StateOption = flags.redis !== undefined ? { kind: "redis", url: flags.redis, prefix: flags.redisPrefix } : { kind: "file", directory: resolve(io.cwd, flags.state ?? ".agp-state"), fsync: flags.fsync };
  const path = (p: string): string => (/^https?:\/\//i.test(p) ? p : resolve(io.cwd, p));
  // Signals are taken from before the start, so a SIGTERM that arrives while starting still shuts down cleanly.
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let stopRequested = false;
  let finished: (() => void) | undefined;
  const stop = (): void => {
    stopRequested = true;
    if (server === undefined) return;
    void server.close().then(
      () => finished?.(),
      (error: unknown) => {
        io.stderr(`agp serve: shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`);
        finished?.();
      },
    );
  };
  const reload = (): void => void server?.reload("signal").catch((error: unknown) => io.stderr(`agp serve: reload failed: ${error instanceof Error ? error.message : String(error)}\n`));
  const unsubscribe = (hooks.signals ?? processSignals)(stop, reload);
  try {
    server = await startServer({
      policy: path(flags.policy),
      ...(flags.shadow === undefined ? {} : { shadow: path(flags.shadow) }),
      trustedKeyFiles: flags.trustedKey.map((k) => resolve(io.cwd, k)),
      ...(flags.revokedKeys === undefined ? {} : { revokedFile: resolve(io.cwd, flags.revokedKeys) }),
      allowUnsigned: flags.allowUnsigned === true,
      state,
      host: listen[1] ?? (listen[2] === "" ? "127.0.0.1" : listen[2]!),
      port,
      ...(flags.publicUrl === undefined ? {} : { publicUrl: flags.publicUrl }),
      tokens,
      allowOpen: flags.allowOpen === true,
      maxBodyBytes: Number(flags.maxBody),
      bodyTimeoutMs: Number(flags.bodyTimeout),
      pollMs: Number(flags.pollInterval) * 1000,
      watch: flags.watch,
      ...(flags.env === undefined ? {} : { env: flags.env }),
      log: (line) => io.stderr(`agp serve: ${line}\n`),
    });
  } catch (error) {
    unsubscribe();
    return usageError(io, error instanceof Error ? error.message : String(error));
  }
  const policy = server.gateway.engine.policy;
  io.stdout(`agp serve: listening on ${server.url} (policy ${policy.version}, ${flags.redis !== undefined ? "redis" : `state ${state.kind === "file" ? state.directory : ""}`})\n`);
  await new Promise<void>((done) => {
    finished = done;
    if (stopRequested) stop();
  });
  unsubscribe();
  return EXIT.ok;
}

function processSignals(stop: () => void, reload: () => void): () => void {
  // Kept until the end: a second SIGTERM during shutdown is ignored rather than killing a flush half-way.
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  process.on("SIGHUP", reload);
  return () => {
    process.off("SIGTERM", stop);
    process.off("SIGINT", stop);
    process.off("SIGHUP", reload);
  };
}

async function readOptional(io: CliIo, path: string | undefined): Promise<string | undefined> {
  if (path === undefined) return undefined;
  try {
    return await readFile(resolve(io.cwd, path), "utf8");
  } catch (error) {
    throw new Error(`cannot read ${path}: ${describeIoError(error)}`);
  }
}
