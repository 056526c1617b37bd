/**
 * The OpenID AuthZEN Authorization API 1.0 front end: Access Evaluation,
 * Access Evaluations (all three `evaluations_semantic` values) and the PDP
 * metadata at `/.well-known/authzen-configuration`.
 *
 * In: AuthZEN requests. Out: AuthZEN decisions. Every evaluation is a full
 * gateway check (kill switch, limits, approvals, trust, audit), exactly as
 * `POST /v1/check` (ADR 0017): `decision: true` means the gateway answered
 * `run`, and the evaluation id in the context is the agp request id a PEP
 * reports the outcome with. A missing or ill-typed required field of the
 * whole request is a 400; in a batch, an item that fails is
 * `decision: false` with the error in its context.
 * Must not answer `decision: true` for anything but `run`.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { performance } from "node:perf_hooks";
import { AuthzenFieldError, SEMANTICS, agpRequestOf, decisionOf, evaluationOf, withDefaults, type AuthzenDecision, type Semantic } from "./authzen-map.js";
import { HttpError, readJson } from "./http.js";
import { actionOf } from "./native-api.js";
import type { Route, ServeContext } from "./routes.js";

/** The agp request id for an evaluation: the PEP's X-Request-ID (retries are idempotent) or a fresh one. */
function requestIdOf(req: IncomingMessage): string {
  const header = req.headers["x-request-id"];
  const given = typeof header === "string" && header !== "" && header.length <= 200 ? header : undefined;
  return `authzen:${given ?? randomUUID()}`;
}

async function payload(ctx: ServeContext, req: IncomingMessage): Promise<Record<string, unknown>> {
  const value = await readJson(req, ctx.authzenBody);
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new HttpError(400, "invalid_request", "the body must be a JSON object");
  return value as Record<string, unknown>;
}

function fieldError(error: unknown): HttpError {
  if (error instanceof AuthzenFieldError) return new HttpError(400, "invalid_request", error.message);
  throw error;
}

/** One evaluation through the gateway. */
async function evaluate(ctx: ServeContext, request: Record<string, unknown>, requestId: string): Promise<AuthzenDecision> {
  const started = performance.now();
  const result = await ctx.gateway.check(request, { requestId });
  ctx.metrics.answered("authzen", result, actionOf(request), (performance.now() - started) / 1000);
  return decisionOf(result, { ticket: (id) => `${ctx.baseUrl()}/v1/approvals/${encodeURIComponent(id)}` }, new Date());
}

/** A whole-request evaluation: its fields are required (400 when not). */
async function single(ctx: ServeContext, body: Record<string, unknown>, requestId: string): Promise<AuthzenDecision> {
  let request: Record<string, unknown>;
  try {
    request = agpRequestOf(evaluationOf(body), ctx.defaultEnv);
  } catch (error) {
    throw fieldError(error);
  }
  return evaluate(ctx, request, requestId);
}

/** A batch item: a failure is `decision: false` with the error, never an HTTP error. */
async function item(ctx: ServeContext, value: Record<string, unknown>, index: number, requestId: string): Promise<AuthzenDecision> {
  let request: Record<string, unknown>;
  try {
    request = agpRequestOf(evaluationOf(value, `evaluations[${index}].`), ctx.defaultEnv);
  } catch (error) {
    if (!(error instanceof AuthzenFieldError)) throw error;
    return { decision: false, context: { evaluation_id: requestId, reason: "invalid_request", error: { status: 400, message: error.message } } };
  }
  return evaluate(ctx, request, requestId);
}

/** Checks that a top-level default that is present has the right type (else the whole request is a 400). */
function checkDefaults(body: Record<string, unknown>): void {
  for (const key of ["subject", "action", "resource", "context"]) {
    const v = body[key];
    if (v !== undefined && (typeof v !== "object" || v === null || Array.isArray(v))) throw new HttpError(400, "invalid_request", `\`${key}\` must be an object`);
  }
}

/** The AuthZEN endpoints. */
export const AUTHZEN_ROUTES: readonly Route[] = [
  {
    method: "POST",
    path: "/access/v1/evaluation",
    name: "authzen.evaluation",
    level: "decision",
    async handle(ctx, req) {
      return { status: 200, body: await single(ctx, await payload(ctx, req), requestIdOf(req)) };
    },
  },
  {
    method: "POST",
    path: "/access/v1/evaluations",
    name: "authzen.evaluations",
    level: "decision",
    async handle(ctx, req) {
      const body = await payload(ctx, req);
      const requestId = requestIdOf(req);
      const evaluations = body["evaluations"];
      if (evaluations !== undefined && !Array.isArray(evaluations)) throw new HttpError(400, "invalid_request", "`evaluations` must be an array");
      const options = body["options"];
      if (options !== undefined && (typeof options !== "object" || options === null || Array.isArray(options))) throw new HttpError(400, "invalid_request", "`options` must be an object");
      const semantic = (options as Record<string, unknown> | undefined)?.["evaluations_semantic"] ?? "execute_all";
      if (!SEMANTICS.includes(semantic as Semantic)) {
        throw new HttpError(400, "invalid_request", `unknown \`options.evaluations_semantic\` \`${String(semantic)}\`; use ${SEMANTICS.join(", ")}`);
      }
      // "If an `evaluations` array is NOT present or is empty, the Access Evaluations Request behaves in a
      // backwards-compatible manner with the (single) Access Evaluation API Request."
      if (evaluations === undefined || evaluations.length === 0) return { status: 200, body: await single(ctx, body, requestId) };
      if (evaluations.length > ctx.maxBatch) throw new HttpError(400, "invalid_request", `at most ${ctx.maxBatch} evaluations in one request; this one has ${evaluations.length}`);
      checkDefaults(body);
      const answers: AuthzenDecision[] = [];
      for (const [index, value] of evaluations.entries()) {
        const id = `${requestId}#${index}`;
        const answer =
          typeof value === "object" && value !== null && !Array.isArray(value)
            ? await item(ctx, withDefaults(value, body), index, id)
            : { decision: false, context: { evaluation_id: id, reason: "invalid_request", error: { status: 400, message: `\`evaluations[${index}]\` must be an object` } } };
        answers.push(answer);
        if (semantic === "deny_on_first_deny" && !answer.decision) break;
        if (semantic === "permit_on_first_permit" && answer.decision) break;
      }
      return { status: 200, body: { evaluations: answers } };
    },
  },
  {
    method: "GET",
    path: "/.well-known/authzen-configuration",
    name: "authzen.configuration",
    level: "open",
    async handle(ctx) {
      const base = ctx.baseUrl();
      return {
        status: 200,
        body: { policy_decision_point: base, access_evaluation_endpoint: `${base}/access/v1/evaluation`, access_evaluations_endpoint: `${base}/access/v1/evaluations` },
      };
    },
  },
];
