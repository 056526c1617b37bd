/**
 * `agp serve`'s server: the governance gateway behind HTTP, with signed
 * bundles, hot reload and graceful shutdown.
 *
 * In: `ServeOptions` (policy location, trust, state backend, listen address,
 * tokens, limits). Out: a `RunningServer` (its URL, `reload`, `close`).
 * Start: refuse a non-loopback address with open decision endpoints unless
 * allowed; open the state backend; load and verify the live bundle (and the
 * shadow candidate) — a signed bundle older than the highest version this
 * state has run is refused (downgrade); build the gateway; listen.
 * Reload (file change, URL poll, SIGHUP, `POST /v1/reload`): one at a time;
 * a bundle that verifies is swapped in between requests (`Gateway.swap`),
 * one that does not leaves the old engine in place; both are audited
 * (`bundle.load`, `bundle.refuse`). Close: stop accepting, answer 503 on
 * kept-alive connections, let in-flight requests finish (within a grace
 * period), end long-polls, flush the audit log and the store.
 * Must not answer a request it could not decide with anything but an error,
 * and must not let an exception escape a request (never a crash).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { compareVersions, parseVersion } from "../bundle/index.js";
import { AuditLog } from "../governance/audit.js";
import { systemClock } from "../governance/clock.js";
import { createGateway, type Gateway } from "../governance/gateway.js";
import { nodeSha256 } from "../node/audit-read.js";
import { parseStored } from "../governance/store.js";
import { authorize, type AccessTokens } from "./auth.js";
import { AUTHZEN_ROUTES } from "./authzen-api.js";
import { BundleSource, type LoadOutcome, type ServedPolicy } from "./bundle-source.js";
import { HttpError, sendError, sendJson } from "./http.js";
import { ServeMetrics } from "./metrics.js";
import { NATIVE_ROUTES } from "./native-api.js";
import { match, type ReloadReport, type Route, type ServeContext } from "./routes.js";
import { openState, type StateBackend, type StateOption } from "./state.js";

/** Everything `startServer` needs; only `policy`, `state` and `tokens` are required. */
export interface ServeOptions {
  /** The live bundle: a file path or an http(s) URL. */
  readonly policy: string;
  /** A shadow candidate bundle (path or URL), decided beside the live one and audited. */
  readonly shadow?: string;
  /** Public key files (PEM) trusted to sign bundles. */
  readonly trustedKeyFiles?: readonly string[];
  /** A file of revoked key ids (one per line), re-read at every load. */
  readonly revokedFile?: string;
  /** Load unsigned modules (development only). */
  readonly allowUnsigned?: boolean;
  readonly state: StateOption;
  /** Where to listen (default 127.0.0.1:8181; port 0 picks a free one). */
  readonly host?: string;
  readonly port?: number;
  /** The URL clients reach the service at (AuthZEN metadata, ticket links); default from the listen address. */
  readonly publicUrl?: string;
  readonly tokens: AccessTokens;
  /** Serve decision endpoints without a token on a non-loopback address. */
  readonly allowOpen?: boolean;
  /** Largest request body (bytes, default 65536). */
  readonly maxBodyBytes?: number;
  /** How long a request body may take to arrive (ms, default 10000). */
  readonly bodyTimeoutMs?: number;
  /** How long a handler may take before the client gets 503 (ms, default 10000; long-polls excepted). */
  readonly handlerTimeoutMs?: number;
  /** Longest long-poll on a ticket (ms, default 60000). */
  readonly maxWaitMs?: number;
  /** Poll interval for a bundle URL (ms, default 30000). */
  readonly pollMs?: number;
  /** Watch the bundle files / poll the URLs (default true). */
  readonly watch?: boolean;
  /** How long `close` waits for in-flight requests (ms, default 10000). */
  readonly graceMs?: number;
  /** The env of AuthZEN evaluations whose context gives none. */
  readonly env?: string;
  /** Approval ticket lifetime (ms). */
  readonly approvalTtlMs?: number;
  /** Where log lines go (default: nowhere). */
  readonly log?: (line: string) => void;
}

/** A server that is listening. */
export interface RunningServer {
  readonly url: string;
  readonly gateway: Gateway;
  /** Reads both bundle locations again; swaps what verifies. */
  reload(trigger: string): Promise<ReloadReport>;
  /** Graceful shutdown; resolves when the audit log and the store are flushed. */
  close(): Promise<void>;
}

const ROUTES: readonly Route[] = [...NATIVE_ROUTES, ...AUTHZEN_ROUTES];
const FLOOR_KEY = "bundle:live";

/** Starts the service. Throws (having released everything) when it cannot start. */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const log = options.log ?? (() => undefined);
  const host = options.host ?? "127.0.0.1";
  if (!isLoopback(host) && options.tokens.decision === undefined && options.allowOpen !== true) {
    throw new Error(`refusing to serve decisions on ${host} without a token: set --decision-token-file or AGP_DECISION_TOKEN, or pass --allow-open to serve them to anyone who can reach this address`);
  }
  const backend = await openState(options.state, systemClock);
  const sourceOptions = { trustedKeyFiles: options.trustedKeyFiles ?? [], ...(options.revokedFile === undefined ? {} : { revokedFile: options.revokedFile }), allowUnsigned: options.allowUnsigned === true, ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }) };
  const liveSource = new BundleSource({ ...sourceOptions, location: options.policy });
  const shadowSource = options.shadow === undefined ? undefined : new BundleSource({ ...sourceOptions, location: options.shadow });

  let live: ServedPolicy;
  let shadow: ServedPolicy | undefined;
  try {
    const floor = parseStored<{ version: string; module: string }>(await backend.store.get(FLOOR_KEY));
    live = startable(await liveSource.load(undefined, undefined), floor, options.policy);
    shadow = shadowSource === undefined ? undefined : startable(await shadowSource.load(undefined, undefined), undefined, options.shadow!);
  } catch (error) {
    await refuseStart(backend, error);
    throw error;
  }

  const gateway = await createGateway({
    engine: live.engine,
    ...(shadow === undefined ? {} : { shadow: shadow.engine }),
    store: backend.store,
    audit: backend.audit,
    sha256: nodeSha256,
    ...(options.approvalTtlMs === undefined ? {} : { approvals: { ttlMs: options.approvalTtlMs } }),
  });
  const metrics = new ServeMetrics(async () => (await gateway.approvals.list({ status: "pending" })).length, () => inflight);
  const loaded = async (role: "live" | "shadow", policy: ServedPolicy, trigger: string, location: string, previous: ServedPolicy | undefined): Promise<void> => {
    const m = policy.metadata;
    await gateway.audit.append({
      kind: "bundle.load",
      bundle: role,
      trigger,
      source: location,
      signed: m !== undefined,
      version: policy.engine.policy.version,
      policy: policy.engine.policy.hash,
      module: m?.module ?? null,
      keyId: m?.keyId ?? null,
      created: m?.created ?? null,
      previous: previous === undefined ? null : previous.engine.policy,
    });
    metrics.reloaded(role, "loaded");
    metrics.inUse(role, policy.engine.policy, m !== undefined);
    if (role === "live") {
      metrics.setFamilies(policy.engine.manifest.actions.map((a) => a.family));
      if (m !== undefined) await raiseFloor(backend, m.version, m.module);
    }
    log(`${role} bundle ${policy.engine.policy.version} loaded (${trigger}${m === undefined ? ", unsigned" : `, key ${m.keyId}`})`);
  };
  await loaded("live", live, "start", options.policy, undefined);
  if (shadow !== undefined) await loaded("shadow", shadow, "start", options.shadow!, undefined);

  const reloadOne = async (role: "live" | "shadow", source: BundleSource, current: ServedPolicy, trigger: string): Promise<{ report: NonNullable<ReloadReport["shadow"]>; policy: ServedPolicy }> => {
    const persisted = role === "live" ? parseStored<{ version: string }>(await backend.store.get(FLOOR_KEY))?.version : undefined;
    const floor = current.metadata?.version ?? persisted;
    const outcome: LoadOutcome = await source.load(current, floor);
    if (outcome.result === "unchanged") {
      metrics.reloaded(role, "unchanged");
      return { report: { result: "unchanged", version: current.engine.policy.version }, policy: current };
    }
    if (outcome.result === "refused") {
      metrics.reloaded(role, "refused");
      await gateway.audit.append({ kind: "bundle.refuse", bundle: role, trigger, source: source.location, code: outcome.code, reason: outcome.message, running: current.engine.policy });
      log(`${role} bundle refused (${trigger}): ${outcome.message}; keeping ${current.engine.policy.version}`);
      return { report: { result: "refused", code: outcome.code, message: outcome.message, version: current.engine.policy.version }, policy: current };
    }
    if (role === "live") gateway.swap(outcome.policy.engine);
    else gateway.swap(gateway.engine, outcome.policy.engine);
    await loaded(role, outcome.policy, trigger, source.location, current);
    return { report: { result: "loaded", version: outcome.policy.engine.policy.version }, policy: outcome.policy };
  };
  let reloading: Promise<unknown> = Promise.resolve();
  const reload = (trigger: string): Promise<ReloadReport> => {
    const next = reloading.then(async (): Promise<ReloadReport> => {
      const l = await reloadOne("live", liveSource, live, trigger);
      live = l.policy;
      if (shadowSource === undefined || shadow === undefined) return { live: l.report };
      const s = await reloadOne("shadow", shadowSource, shadow, trigger);
      shadow = s.policy;
      return { live: l.report, shadow: s.report };
    });
    reloading = next.catch(() => undefined);
    return next;
  };

  let inflight = 0;
  let draining = false;
  let drained: (() => void) | undefined;
  const shutdown = new AbortController();
  const maxBytes = options.maxBodyBytes ?? 65_536;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? 10_000;
  const handlerTimeoutMs = options.handlerTimeoutMs ?? 10_000;
  let url = "";
  const durable = backend.durable ?? (() => Promise.resolve());
  const ctx: ServeContext = {
    gateway,
    backend,
    metrics,
    body: { maxBytes, timeoutMs: bodyTimeoutMs, maxDepth: 64, contentTypeStatus: 415 },
    authzenBody: { maxBytes, timeoutMs: bodyTimeoutMs, maxDepth: 64, contentTypeStatus: 400 },
    waits: { maxMs: options.maxWaitMs ?? 60_000, max: 256, active: 0 },
    maxBatch: 64,
    defaultEnv: options.env,
    baseUrl: () => options.publicUrl?.replace(/\/+$/, "") ?? url,
    bundles: () => ({ live, shadow }),
    reload,
    shutdown: shutdown.signal,
    draining: () => draining,
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = req.headers["x-request-id"];
    if (typeof requestId === "string") res.setHeader("x-request-id", requestId);
    if (draining) return sendError(res, new HttpError(503, "shutting_down", "agp serve is shutting down; retry on another instance", { connection: "close" }));
    inflight++;
    let name = "unmatched";
    let status = 500;
    try {
      const target = new URL(req.url ?? "/", "http://agp.invalid");
      let found: ReturnType<typeof match>;
      try {
        found = match(ROUTES, req.method ?? "", target.pathname);
      } catch {
        throw new HttpError(400, "bad_path", "the path is not valid percent-encoding");
      }
      if (found === undefined) throw new HttpError(404, "not_found", `no endpoint \`${req.method} ${target.pathname.slice(0, 200)}\`; see docs/serve.md`);
      if (found === "method") throw new HttpError(405, "method_not_allowed", `\`${target.pathname.slice(0, 200)}\` does not take ${req.method}`);
      name = found.route.name;
      authorize(found.route.level, req.headers.authorization, options.tokens);
      // INVARIANT: no answer leaves before every state change and audit line written so far is durable (ADR 0041).
      const work = found.route.handle(ctx, req, res, found.params, target.searchParams).then(async (r) => {
        try {
          await durable();
        } catch (error) {
          throw new HttpError(503, "not_durable", `the answer could not be made durable (${error instanceof Error ? error.message : String(error)}); treat it as refused`);
        }
        return r;
      });
      const reply = found.route.untimed === true ? await work : await within(work, handlerTimeoutMs);
      status = reply.status;
      if (reply.text !== undefined) {
        res.writeHead(reply.status, { "cache-control": "no-store", ...reply.headers });
        res.end(reply.text);
      } else sendJson(res, reply.status, reply.body, reply.headers);
    } catch (error) {
      const e = error instanceof HttpError ? error : new HttpError(500, "internal_error", `the request could not be completed; nothing was decided, treat it as refused (${error instanceof Error ? error.message : String(error)})`);
      status = e.status;
      if (status >= 500) log(`${name}: ${e.message}`);
      sendError(res, e);
    } finally {
      inflight--;
      metrics.request(name, status);
      if (draining && inflight === 0) drained?.();
    }
  };

  const server = createServer({ requestTimeout: bodyTimeoutMs + 5_000, headersTimeout: Math.min(10_000, bodyTimeoutMs + 5_000), keepAliveTimeout: 5_000 }, (req, res) => void handle(req, res));
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{"error":{"code":"bad_request","message":"malformed HTTP request"}}');
    else socket.destroy();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 8181, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    await gateway.close();
    await backend.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;

  if (options.watch !== false) {
    const failed = (error: unknown): void => log(`reload failed: ${error instanceof Error ? error.message : String(error)}`);
    liveSource.watch(() => void reload(liveSource.isUrl ? "poll" : "watch").catch(failed));
    shadowSource?.watch(() => void reload(shadowSource.isUrl ? "poll" : "watch").catch(failed));
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      draining = true;
      shutdown.abort(new Error("shutting down"));
      liveSource.stop();
      shadowSource?.stop();
      server.close();
      server.closeIdleConnections();
      if (inflight > 0) {
        await new Promise<void>((resolve) => {
          drained = resolve;
          setTimeout(resolve, options.graceMs ?? 10_000).unref();
        });
      }
      await reloading;
      await gateway.close();
      await backend.close();
      server.closeAllConnections();
      log("stopped: audit log and state flushed");
    })();
    return closing;
  };
  return { url, gateway, reload, close };
}

/** The initial load's policy, or an error that stops the start. */
function startable(outcome: LoadOutcome, floor: { version: string; module: string } | undefined, location: string): ServedPolicy {
  if (outcome.result === "refused") throw new StartRefusal(outcome.code, `cannot load ${location}: ${outcome.message}`);
  const policy = outcome.policy;
  const m = policy.metadata;
  if (m !== undefined && floor !== undefined) {
    const [version, high] = [parseVersion(m.version), parseVersion(floor.version)];
    const order = version === undefined || high === undefined ? 1 : compareVersions(version, high);
    if (order < 0) throw new StartRefusal("downgrade", `cannot load ${location}: the bundle version ${m.version} is older than version ${floor.version}, which this state has already run`);
    if (order === 0 && m.module !== floor.module) throw new StartRefusal("downgrade", `cannot load ${location}: version ${m.version} was already run with another module (${floor.module})`);
  }
  return policy;
}

/** Why the service did not start (the CLI prints the message). */
export class StartRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Audits a refused start (when the audit log is readable) and releases the backend. */
async function refuseStart(backend: StateBackend, error: unknown): Promise<void> {
  try {
    if (error instanceof StartRefusal) {
      const audit = await AuditLog.open(backend.audit, systemClock, { sha256: nodeSha256 });
      await audit.append({ kind: "bundle.refuse", bundle: "live", trigger: "start", code: error.code, reason: error.message, running: null });
    }
  } finally {
    await backend.audit.close();
    await backend.store.close();
    await backend.close();
  }
}

/** Records the highest signed version run with this state (downgrade protection across restarts). */
async function raiseFloor(backend: StateBackend, version: string, module: string): Promise<void> {
  const next = parseVersion(version);
  for (;;) {
    const text = await backend.store.get(FLOOR_KEY);
    const current = parseStored<{ version: string }>(text);
    const high = current === undefined ? undefined : parseVersion(current.version);
    if (next === undefined || (high !== undefined && compareVersions(next, high) <= 0)) return;
    if (await backend.store.compareAndSet(FLOOR_KEY, text, JSON.stringify({ version, module }))) return;
  }
}

function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HttpError(503, "timeout", `the request took longer than ${ms} ms; treat it as refused`)), ms);
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

/** Whether a listen address is only reachable from this machine. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}
