/**
 * A small Language Server Protocol client for tests: it starts the real
 * `node bin/agp.js lsp` process and speaks JSON-RPC to it over stdio with
 * `Content-Length` framing, written here by hand so the server is tested
 * against the protocol, not against the library it is built on.
 *
 * In: the working directory. Out: `request`, `notify`, waiting for a
 * notification that satisfies a predicate, and `close` (shutdown, exit, and
 * the process gone). Must not leave the process running.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** A notification the server sent. */
export interface Notification {
  readonly method: string;
  readonly params: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const ROOT = join(import.meta.dirname, "..", "..");

/** A running server and a client talking to it. */
export class LspClient {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly notifications: Notification[] = [];
  private readonly watchers: { test: (n: Notification) => boolean; resolve: (n: Notification) => void }[] = [];
  readonly stderr: string[] = [];
  /** Requests the server sent to the client (e.g. window/showMessageRequest), answered with null. */
  readonly serverRequests: Notification[] = [];

  constructor(cwd: string = ROOT) {
    this.child = spawn(process.execPath, [join(ROOT, "bin", "agp.js"), "lsp", "--stdio"], { cwd, stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdout.on("data", (chunk: Buffer) => this.receive(chunk));
    this.child.stderr.on("data", (chunk: Buffer) => this.stderr.push(chunk.toString("utf8")));
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf("\r\n\r\n");
      if (headerEnd === -1) return;
      const header = this.buffer.subarray(0, headerEnd).toString("ascii");
      const length = Number(/Content-Length: (\d+)/i.exec(header)?.[1]);
      if (!Number.isFinite(length)) throw new Error(`bad header from the server: ${header}`);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString("utf8");
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.dispatch(JSON.parse(body) as { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message: string } });
    }
  }

  private dispatch(message: { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message: string } }): void {
    if (message.method !== undefined && message.id !== undefined) {
      this.serverRequests.push({ method: message.method, params: message.params });
      this.send({ jsonrpc: "2.0", id: message.id, result: null });
      return;
    }
    if (message.method !== undefined) {
      const n = { method: message.method, params: message.params };
      this.notifications.push(n);
      for (const w of [...this.watchers]) {
        if (w.test(n)) {
          this.watchers.splice(this.watchers.indexOf(w), 1);
          w.resolve(n);
        }
      }
      return;
    }
    const waiter = message.id === undefined ? undefined : this.waiting.get(message.id);
    if (waiter === undefined) return;
    this.waiting.delete(message.id!);
    if (message.error !== undefined) waiter.reject(new Error(message.error.message));
    else waiter.resolve(message.result);
  }

  private send(message: object): void {
    const body = Buffer.from(JSON.stringify(message), "utf8");
    this.child.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, "ascii"), body]));
  }

  /** Sends a request and waits for its response (rejects after `timeout` ms). */
  request<T = any>(method: string, params: unknown, timeout = 30_000): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${method} in ${timeout} ms; stderr: ${this.stderr.join("")}`)), timeout);
      this.waiting.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.send({ jsonrpc: "2.0", id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: "2.0", method, params });
  }

  /** The first notification (already received or to come) that satisfies `test`. */
  waitFor(test: (n: Notification) => boolean, timeout = 30_000, since = 0): Promise<Notification> {
    const seen = this.notifications.slice(since).find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching notification in ${timeout} ms; stderr: ${this.stderr.join("")}`)), timeout);
      this.watchers.push({
        test,
        resolve: (n) => {
          clearTimeout(timer);
          resolve(n);
        },
      });
    });
  }

  /** The diagnostics published for `uri` at `version` (or any version). */
  diagnostics(uri: string, version?: number, since = 0): Promise<Notification> {
    return this.waitFor((n) => n.method === "textDocument/publishDiagnostics" && n.params.uri === uri && (version === undefined || n.params.version === version), 30_000, since);
  }

  /** `initialize` and `initialized`. */
  async start(rootPath: string): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const result = await this.request("initialize", { processId: process.pid, rootUri: pathToFileURL(rootPath).href, capabilities: {} });
    this.notify("initialized", {});
    return result;
  }

  /** `shutdown`, `exit`, and waits for the process to end; returns its exit code. */
  async close(): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    const exited = new Promise<number | null>((resolve) => this.child.once("exit", (code) => resolve(code)));
    try {
      await this.request("shutdown", null, 10_000);
      this.notify("exit", null);
    } catch {
      this.child.kill();
    }
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }
}
