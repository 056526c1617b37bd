/**
 * The route table's types: what a handler gets and what it answers.
 *
 * In: nothing (types and the matcher). Out: `Route` (method, path pattern,
 * access level, handler), `ServeContext` (what handlers may use: the
 * gateway, the state backend, metrics, limits, reload), `Reply`, and
 * `match`. Each front end (agp's API, AuthZEN) is one file of routes onto
 * the same gateway; a new protocol adds a file, not a branch.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Gateway } from "../governance/gateway.js";
import type { AccessLevel } from "./auth.js";
import type { ServedPolicy } from "./bundle-source.js";
import type { BodyLimits } from "./http.js";
import type { ServeMetrics } from "./metrics.js";
import type { StateBackend } from "./state.js";

/** An answer: JSON (`body`) or text (`text`, e.g. metrics). */
export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly text?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What one reload did, per bundle. */
export interface ReloadReport {
  readonly live: { readonly result: "loaded" | "unchanged" | "refused"; readonly code?: string; readonly message?: string; readonly version: string };
  readonly shadow?: { readonly result: "loaded" | "unchanged" | "refused"; readonly code?: string; readonly message?: string; readonly version: string };
}

/** What handlers may use. */
export interface ServeContext {
  readonly gateway: Gateway;
  readonly backend: StateBackend;
  readonly metrics: ServeMetrics;
  /** Body limits for agp's API (415 on a wrong content type). */
  readonly body: BodyLimits;
  /** Body limits for AuthZEN (400 on a wrong content type, as its binding asks). */
  readonly authzenBody: BodyLimits;
  /** Longest long-poll on a ticket (ms) and how many may wait at once. */
  readonly waits: { readonly maxMs: number; readonly max: number; active: number };
  /** The env of AuthZEN evaluations whose context gives none. */
  readonly defaultEnv: string | undefined;
  /** Most evaluations in one AuthZEN batch. */
  readonly maxBatch: number;
  /** The base URL the service is reached at (AuthZEN metadata, ticket links). */
  baseUrl(): string;
  /** The bundles in use. */
  bundles(): { readonly live: ServedPolicy; readonly shadow: ServedPolicy | undefined };
  /** Reads both bundle locations again and swaps what verifies. */
  reload(trigger: string): Promise<ReloadReport>;
  /** Aborts when the server starts shutting down (long-polls return). */
  readonly shutdown: AbortSignal;
  /** Whether the server is draining (readiness fails). */
  draining(): boolean;
}

/** One endpoint. */
export interface Route {
  readonly method: "GET" | "POST";
  /** A path, or a pattern whose groups are the parameters. */
  readonly path: string | RegExp;
  /** A fixed name for metrics and logs (never the raw path). */
  readonly name: string;
  readonly level: AccessLevel;
  /** Exempt from the handler time limit (long-polls bound themselves). */
  readonly untimed?: boolean;
  handle(ctx: ServeContext, req: IncomingMessage, res: ServerResponse, params: readonly string[], query: URLSearchParams): Promise<Reply>;
}

/** The route for a method and path: found, found for another method (405), or none (404). */
export function match(routes: readonly Route[], method: string, path: string): { route: Route; params: string[] } | "method" | undefined {
  let other = false;
  for (const route of routes) {
    let params: string[] | undefined;
    if (typeof route.path === "string") params = route.path === path ? [] : undefined;
    else {
      const m = route.path.exec(path);
      params = m === null ? undefined : m.slice(1).map((p) => decodeURIComponent(p));
    }
    if (params === undefined) continue;
    if (route.method === method) return { route, params };
    other = true;
  }
  return other ? "method" : undefined;
}
