/**
 * One connection to the shared Redis, set up to fail closed and fast.
 *
 * In: a `redis://` / `rediss://` URL and timeouts. Out: a connected ioredis
 * client with agp's scripts registered, shared by the state store and the
 * audit sink (closed when both have let go), and `run`, which turns every
 * client or script failure into a `SharedStateError` naming the server
 * (never its password) and what failed.
 * Bounded time: commands are refused at once while the connection is down
 * (no offline queue, so nothing piles up and nothing is replayed later),
 * a command in flight when the connection drops is failed, not resent,
 * and a command with no reply within `commandTimeoutMs` fails.
 * Must not retry a write on its own: a write whose reply was lost may have
 * happened, and only the caller knows whether repeating it is safe.
 */
import { Redis, type Cluster } from "ioredis";
import { AUDIT_APPEND_LUA, CHARGE_LUA, COMPARE_AND_SET_LUA, LIST_LUA } from "./scripts.js";

/** Timeouts and reconnection, all in milliseconds. */
export interface RedisTimeouts {
  /** A command with no reply by then fails (default 1000). */
  readonly commandTimeoutMs?: number;
  /** Connecting (at open and on each reconnect) gives up after this long (default 2000). */
  readonly connectTimeoutMs?: number;
  /** The longest pause between reconnection attempts (default 1000). */
  readonly reconnectMaxMs?: number;
}

/** Why the shared state could not answer: the check that needed it must refuse. */
export class SharedStateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SharedStateError";
  }
}

/** The scripts, as `defineCommand` names them. */
const SCRIPTS = {
  agpCompareAndSet: COMPARE_AND_SET_LUA,
  agpList: LIST_LUA,
  agpCharge: CHARGE_LUA,
  agpAuditAppend: AUDIT_APPEND_LUA,
} as const;

/** A script's name. */
export type ScriptName = keyof typeof SCRIPTS;

/** A Redis client (one server, or a cluster) with the scripts registered. */
export type RedisClient = Redis | Cluster;

/** A client shared by the store and the audit sink. */
export class SharedConnection {
  private users = 0;
  private closing: Promise<void> | undefined;

  /** `where` names the server in messages (no credentials); `commandTimeoutMs` is the client's command timeout. */
  constructor(
    readonly client: RedisClient,
    readonly where: string,
    private readonly commandTimeoutMs: number,
  ) {
    for (const [name, lua] of Object.entries(SCRIPTS)) client.defineCommand(name, { lua });
  }

  /** Takes a share of the connection; `release` gives it back and the last one closes it. */
  acquire(): () => Promise<void> {
    this.users++;
    let released = false;
    return () => {
      if (released) return this.closing ?? Promise.resolve();
      released = true;
      if (--this.users > 0) return Promise.resolve();
      this.closing ??= this.client.quit().then(
        () => undefined,
        () => this.client.disconnect(),
      );
      return this.closing;
    };
  }

  /** ioredis's words for a lost connection, in the user's terms. */
  private reasonOf(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    if (message.includes("enableOfflineQueue")) return "not connected";
    // Both say a command was sent and the socket closed before its reply: the outcome is unknown.
    if (message.includes("max retries per request") || message.startsWith("Command aborted due to connection close")) return "the connection dropped before the reply";
    if (message === "Command timed out") return `no reply within ${this.commandTimeoutMs} ms`;
    if (message.startsWith("Connection is closed")) return "the connection is closed";
    return message;
  }

  /** Runs a command or script; any failure becomes a `SharedStateError` saying what could not be done. */
  async run<T>(what: string, command: (client: RedisClient) => Promise<T>): Promise<T> {
    try {
      return await command(this.client);
    } catch (error) {
      throw this.failure(what, error);
    }
  }

  /** Runs one of agp's scripts (EVALSHA, falling back to EVAL when the server lost its script cache). */
  script(what: string, name: ScriptName, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    return this.run(what, (client) => (client as unknown as Record<ScriptName, (...a: unknown[]) => Promise<unknown>>)[name](keys.length, ...keys, ...args));
  }

  /** The error a failed command becomes. */
  failure(what: string, error: unknown): SharedStateError {
    if (error instanceof SharedStateError) return error;
    const isReply = error instanceof Error && error.name === "ReplyError";
    const reason = isReply ? (error as Error).message : this.reasonOf(error);
    const message = isReply ? `the shared state at ${this.where} failed to ${what}: ${reason}` : `the shared state at ${this.where} is unavailable (${what}): ${reason}`;
    return new SharedStateError(message, { cause: error });
  }
}

/** Connects to `url` with fail-closed settings; rejects with a `SharedStateError` when it cannot within `connectTimeoutMs`. */
export async function connectRedis(url: string, timeouts: RedisTimeouts = {}): Promise<SharedConnection> {
  const where = describeUrl(url);
  const commandTimeout = timeouts.commandTimeoutMs ?? 1000;
  const connectTimeout = timeouts.connectTimeoutMs ?? 2000;
  const reconnectMax = timeouts.reconnectMaxMs ?? 1000;
  let client: Redis;
  try {
    client = new Redis(url, {
      lazyConnect: true,
      // INVARIANT: no offline queue and no resend — a command either runs now or fails now.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      commandTimeout,
      connectTimeout,
      retryStrategy: (times) => Math.min(reconnectMax, 50 * 2 ** Math.min(times, 10)),
      enableAutoPipelining: true,
      protocol: 2,
      connectionName: "agp",
    });
  } catch (error) {
    throw new SharedStateError(`cannot use the Redis URL ${where}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  // Connection errors also reject the commands they affect; without a listener ioredis would print each one.
  // The first socket error says why a connect failed (`connect ECONNREFUSED …`); the rejection itself only says "Connection is closed.".
  let socketError: Error | undefined;
  client.on("error", (error: Error) => {
    socketError ??= error;
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${connectTimeout} ms`)), connectTimeout);
      }),
    ]);
  } catch (error) {
    client.disconnect();
    const closed = error instanceof Error && error.message.startsWith("Connection is closed");
    const why = closed && socketError !== undefined ? socketError : error;
    throw new SharedStateError(`cannot connect to the shared state at ${where}: ${why instanceof Error ? why.message : String(why)}`, { cause: why });
  } finally {
    clearTimeout(timer);
  }
  return new SharedConnection(client, where, commandTimeout);
}

/** The URL without credentials, for messages. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === "/" ? "" : parsed.pathname}`;
  } catch {
    return "(an unreadable Redis URL)";
  }
}
