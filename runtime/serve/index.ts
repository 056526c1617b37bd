/**
 * `agp serve` as a library (Node only): the governance gateway behind HTTP.
 *
 * In: `ServeOptions`. Out: `startServer` and the seams it is built from:
 * the state backend option (`openState`), bundle sources, metrics, the
 * AuthZEN mapping. Imports Node built-ins and prom-client, so it is its own
 * entry (`agp/serve`), never reached from the browser-safe runtime.
 * See docs/serve.md.
 */
export { startServer, isLoopback, StartRefusal, type RunningServer, type ServeOptions } from "./server.js";
export { openState, redacted, type StateBackend, type StateOption } from "./state.js";
export { BundleSource, type BundleSourceOptions, type LoadOutcome, type ServedPolicy } from "./bundle-source.js";
export { tokenFrom, type AccessLevel, type AccessTokens } from "./auth.js";
export { agpRequestOf, decisionOf, evaluationOf, SEMANTICS, type AuthzenDecision, type Evaluation } from "./authzen-map.js";
export type { ReloadReport } from "./routes.js";
