/**
 * The runtime's one face: load a compiled agp policy module and decide
 * requests with it.
 *
 * In: the module's bytes (`Uint8Array` / `ArrayBuffer`) or a compiled
 * `WebAssembly.Module` (workers and edge runtimes that cannot compile at run
 * time pass the module their platform compiled). Out: a `PolicyEngine`
 * whose synchronous `decide(request, state?)` returns a `Decision`.
 * Must not import anything from compiler/ or any Node built-in: this is
 * what browsers, workers and gateways load. Loading may throw a
 * `PolicyLoadError`; deciding never throws.
 */
import { Engine, type PolicyEngine } from "./engine.js";
import { PolicyLoadError } from "./errors.js";
import type { Manifest } from "./manifest.js";
import { asModule, bytesOf, compileAsync, compileSync, instantiateAsync, instantiateSync, openManifest, type PolicySource } from "./load/module.js";

export type { PolicyEngine } from "./engine.js";
export type { PolicySource } from "./load/module.js";
export type { WasmModule } from "./wasm-api.js";
export { PolicyLoadError } from "./errors.js";
export type {
  Decision,
  DecisionEffect,
  DecisionAuditLevel,
  DecidingRule,
  DecisionError,
  DecisionErrorCode,
  Quorum,
  ApprovalRequirement,
  LimitCharge,
  LimitKeyValue,
} from "./decision.js";
export type { AgentRequest, RuntimeState, GivenApproval, RequestValue, AgentIdentity, HumanIdentity } from "./request.js";
export type { Manifest, ManifestAction, ManifestRule, ManifestLimit, ManifestSession, ManifestMonitor, RequestBounds, SchemaNode, Slot } from "./manifest.js";
export type { SessionInput, SessionUpdate, SessionOutcome } from "./session.js";
export { DEFAULT_REQUEST_BOUNDS } from "./manifest.js";
export { ABI_VERSION, MANIFEST_SECTION } from "./manifest.js";
export { loadJsonDecider, loadJsonDeciderSync, type JsonDecider } from "./json/decider.js";
export { JSON_EXPORTS, JSON_RESULT, JSON_STATUS, JSON_ERROR_CODES, JSON_MALFORMED_CODES, SESSION, SESSION_EXPORTS } from "./abi.js";

/** Options for loading a policy. */
export interface LoadOptions {
  /** Refuse the module unless its manifest's content hash is exactly this (pinning a bundle). */
  readonly hash?: string;
}

/**
 * Loads a policy module. Bytes are compiled asynchronously (browsers forbid
 * synchronous compilation of large modules on the main thread).
 */
export async function loadPolicy(source: PolicySource, options: LoadOptions = {}): Promise<PolicyEngine> {
  const bytes = bytesOf(source);
  const module = bytes === undefined ? asModule(source) : await compileAsync(bytes);
  const manifest = ready(openManifest(module), options);
  return new Engine(module, manifest, await instantiateAsync(module, manifest));
}

/** Loads a policy module synchronously (Node, tests, or an already compiled module). */
export function loadPolicySync(source: PolicySource, options: LoadOptions = {}): PolicyEngine {
  const bytes = bytesOf(source);
  const module = bytes === undefined ? asModule(source) : compileSync(bytes);
  const manifest = ready(openManifest(module), options);
  return new Engine(module, manifest, instantiateSync(module, manifest));
}

function ready(manifest: Manifest, options: LoadOptions): Manifest {
  if (options.hash !== undefined && manifest.policy.hash !== options.hash) {
    throw new PolicyLoadError(`the policy's hash is \`${manifest.policy.hash}\`, expected \`${options.hash}\``);
  }
  return manifest;
}
