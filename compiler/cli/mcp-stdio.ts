/**
 * Asks a running MCP server for its tools, over stdio: what `agp schema
 * import-mcp --command` and `agp schema diff --command` do.
 *
 * In: a shell command that starts the server, a time limit. Steps (MCP's
 * lifecycle, JSON-RPC 2.0, one message per line): `initialize` (protocol
 * version, no client capabilities), the `notifications/initialized`
 * notification, then `tools/list`, following `nextCursor` for at most
 * MAX_PAGES pages. Server requests and notifications in between are
 * ignored (a request gets a "method not found" error, as the spec asks of a
 * client without that capability). Out: `{ tools }`, or why not — the
 * server's error, its exit, the time limit — with the last lines of its
 * stderr. Bounded: the whole exchange ends by the time limit, and the
 * server's output is read up to MAX_OUTPUT bytes.
 * Must always end the server (its whole process group: `npx` starts a
 * child) before answering, whatever happened.
 */
import { spawn } from "node:child_process";

/** The protocol revision agp asks for; servers answer with the one they speak, and tools/list is the same in all. */
export const MCP_PROTOCOL_VERSION = "2025-06-18";
const MAX_PAGES = 100;
const MAX_OUTPUT = 64 * 1024 * 1024;

/** The tools, or why there are none. */
export type ListedTools = { readonly tools: readonly unknown[]; readonly server?: string } | { readonly error: string };

/** Starts `command` in a shell, lists its tools, ends it. */
export async function listToolsOverStdio(command: string, options: { readonly timeoutMs: number; readonly cwd: string; readonly version: string }): Promise<ListedTools> {
  const child = spawn(command, { shell: true, cwd: options.cwd, stdio: ["pipe", "pipe", "pipe"], detached: process.platform !== "win32" });
  let stderr = "";
  let buffered = "";
  let received = 0;
  const waiting = new Map<number, (message: Record<string, unknown>) => void>();
  let failed: ((reason: string) => void) | undefined;
  const failure = new Promise<never>((_, reject) => (failed = (reason) => reject(new Error(reason))));
  failure.catch(() => {});

  const send = (message: object): void => {
    if (!child.stdin.destroyed) child.stdin.write(`${JSON.stringify(message)}\n`);
  };
  child.stdin.on("error", () => {}); // a server that exits early closes its stdin; the exit says why
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-4096)));
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    received += chunk.length;
    if (received > MAX_OUTPUT) return failed?.(`the server wrote more than ${MAX_OUTPUT} bytes`);
    buffered += chunk;
    for (let newline = buffered.indexOf("\n"); newline !== -1; newline = buffered.indexOf("\n")) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line === "") continue;
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return failed?.(`the server wrote a line that is not JSON-RPC: ${line.slice(0, 120)}`);
      }
      if (typeof message.method === "string") {
        // A request from the server (sampling, roots, …): this client has none of those capabilities.
        if (message.id !== undefined) send({ jsonrpc: "2.0", id: message.id, error: { code: -32601, message: "method not found" } });
        continue;
      }
      if (typeof message.id === "number") waiting.get(message.id)?.(message);
    }
  });
  child.on("error", (error) => failed?.(`cannot start it: ${error.message}`));
  child.on("exit", (code, signal) => failed?.(`it exited (${signal ?? `code ${code}`}) before listing its tools`));

  let nextId = 1;
  const request = (method: string, params: object): Promise<Record<string, unknown>> => {
    const id = nextId++;
    const answer = new Promise<Record<string, unknown>>((resolve) => waiting.set(id, resolve));
    send({ jsonrpc: "2.0", id, method, params });
    return Promise.race([answer, failure]).then((message) => {
      if (message.error !== undefined) {
        const error = message.error as { message?: unknown; code?: unknown };
        throw new Error(`\`${method}\` failed: ${typeof error.message === "string" ? error.message : JSON.stringify(error)}`);
      }
      return message;
    });
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no tool list within ${options.timeoutMs} ms`)), options.timeoutMs);
  });
  timeout.catch(() => {});
  try {
    const exchange = (async (): Promise<ListedTools> => {
      const init = await request("initialize", { protocolVersion: MCP_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: "agp", version: options.version } });
      const info = (init.result as { serverInfo?: { name?: unknown; version?: unknown } } | undefined)?.serverInfo;
      send({ jsonrpc: "2.0", method: "notifications/initialized" });
      const tools: unknown[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const listed = await request("tools/list", cursor === undefined ? {} : { cursor });
        const result = listed.result as { tools?: unknown; nextCursor?: unknown } | undefined;
        if (!Array.isArray(result?.tools)) throw new Error("`tools/list` answered without a `tools` array");
        tools.push(...result.tools);
        if (typeof result.nextCursor !== "string" || result.nextCursor === "") {
          return { tools, ...(typeof info?.name === "string" ? { server: `${info.name}${typeof info.version === "string" ? ` ${info.version}` : ""}` } : {}) };
        }
        cursor = result.nextCursor;
      }
      throw new Error(`the server listed more than ${MAX_PAGES} pages of tools`);
    })();
    return await Promise.race([exchange, timeout]);
  } catch (error) {
    const last = stderr.trim().split("\n").slice(-3).join(" | ");
    return { error: `${error instanceof Error ? error.message : String(error)}${last === "" ? "" : ` (its stderr: ${last})`}` };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    failed = undefined;
    await stop(child);
  }
}

/** Ends the server and everything it started: stdin closed, SIGTERM to the group, SIGKILL to what is left once the shell exits (or after a second). */
async function stop(child: ReturnType<typeof spawn>): Promise<void> {
  const signal = (name: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined && process.platform !== "win32") process.kill(-child.pid, name);
      else child.kill(name);
    } catch {
      // Already gone.
    }
  };
  if (child.exitCode !== null || child.signalCode !== null) return signal("SIGKILL");
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.stdin?.end();
  signal("SIGTERM");
  const killer = setTimeout(() => signal("SIGKILL"), 1000);
  await exited;
  clearTimeout(killer);
  // The shell may exit before what it started: nothing of the group may outlive the import.
  signal("SIGKILL");
}
