/**
 * The request shape agp assumes when no catalog of a policy set declares
 * `request`: the DESIGN.md request, with every string and array bounded so
 * policies can inspect any of it in bounded time.
 *
 * In: nothing. Out: the shape as a JSON Schema (shown in docs/catalogs.md,
 * and copied into a project catalog to start from) and its reduced form.
 */
import { fileSpan } from "../diagnostics/index.js";
import { reduceAt, reduceObjectAt, type ReduceContext } from "./reduce.js";
import type { JsonValue, RequestShape } from "./types.js";

/** The file name the built-in shapes report as their location. */
export const BUILT_IN_FILE = "<agp built-in>";

const id = { type: "string", minLength: 1, maxLength: 128 };
const names = { type: "array", items: { type: "string", maxLength: 128 }, maxItems: 64 };

/** The default `request` section, exactly as a project catalog would write it. */
export const DEFAULT_REQUEST_SCHEMA = {
  agent: {
    type: "object",
    description: "the acting agent",
    properties: {
      id: { ...id, description: "the agent's identity" },
      groups: { ...names, description: "groups the agent belongs to" },
      trust: { type: "integer", minimum: 0, maximum: 4, description: "the agent's current trust tier, supplied by the runtime" },
    },
    required: ["id", "groups", "trust"],
  },
  human: {
    type: "object",
    description: "the human the agent acts for, when there is one",
    properties: {
      id: { ...id, description: "the human's identity" },
      groups: { ...names, description: "groups the human belongs to" },
      roles: { ...names, description: "roles the human holds" },
    },
    required: ["id", "groups", "roles"],
  },
  env: { type: "string", maxLength: 64, description: "the environment name, e.g. production" },
  context: {
    type: "object",
    description: "session data",
    properties: {
      session: { type: "string", maxLength: 128, description: "the agent session id" },
      reasoning: { type: "string", maxLength: 4096, description: "the agent's stated reason for the call" },
      intent: {
        type: "array",
        maxItems: 64,
        items: { type: "string", minLength: 1, maxLength: 254 },
        description: "what the user's own request named (addresses, accounts, web addresses, file names), set by the host from the user's words, never from a tool's output (ADR 0046)",
      },
    },
  },
} as const;

/** The reduced default shape; every location names BUILT_IN_FILE and `/request/<part>`. */
export const DEFAULT_REQUEST_SHAPE: RequestShape = reduceRequestSchema();

function reduceRequestSchema(): RequestShape {
  const ctx: ReduceContext = {
    file: BUILT_IN_FILE,
    document: { request: DEFAULT_REQUEST_SCHEMA as unknown as JsonValue },
    spanOf: () => fileSpan(BUILT_IN_FILE),
    diagnostics: [],
  };
  const shape: RequestShape = {
    agent: reduceObjectAt("/request/agent", ctx),
    human: reduceObjectAt("/request/human", ctx),
    env: reduceAt("/request/env", ctx),
    context: reduceObjectAt("/request/context", ctx),
    location: { file: BUILT_IN_FILE, pointer: "/request" },
  };
  // INVARIANT: the built-in schema uses only what reduce.ts supports.
  if (ctx.diagnostics.length > 0) throw new Error("internal error: the default request shape does not reduce cleanly");
  return shape;
}
