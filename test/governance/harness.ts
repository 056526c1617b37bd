/**
 * Test harness for the governance runtime: a gateway over the reference
 * interpreter (tests may import compiler code; runtime code may not), a
 * manual clock, sequential ticket ids, and request builders.
 */
import { policy } from "../interpret/harness.js";
import { createGateway, type DecisionEngine, type Gateway, type GatewayOptions } from "../../runtime/governance/index.js";
import type { SecretManifest } from "../../runtime/governance/secrets.js";
import type { CatalogSet } from "../../compiler/catalog/index.js";
import { schemaOf } from "../../compiler/lower/schema.js";
import { ManualClock, MemoryAuditSink, MemoryStateStore, sequentialIds } from "../../runtime/governance/index.js";

/** The policy most tests run: one feature per rule or limit. */
export const POLICY = `
rule open_prs: allow github.pull_request.open
rule merge_review: approve github.pull_request.merge by 2 of group "infra-reviewers" because "merging needs two reviewers"
rule aws_sandbox: allow aws.* when args.account == "sandbox"
rule destructive: deny shell.exec when args.command matches "rm -rf /*" because "destructive command" audit security
rule shell_ok: allow shell.exec
rule deploys: allow deploy.*
limit daily_spend: budget 100 usd per day per agent on aws.ec2.* cost args.estimated_cost_usd
limit deploy_rate: 5 per hour per args.service on deploy.*
`;

/**
 * An engine: the reference interpreter with a bundle identity, and the
 * manifest parts a gateway reads (the catalogs' schemas, for secrets and
 * `readOnly`), as a compiled module carries them.
 */
export function engine(source: string = POLICY, version = "1.0.0", hash = "sha256:live"): DecisionEngine & { manifest: SecretManifest } {
  const interpreter = policy(source);
  return { decide: (request, state) => ({ ...interpreter.decide(request, state), policy: { hash, version } }), policy: { hash, version }, manifest: manifestOf(interpreter.model.catalogs) };
}

/** The schemas of a catalog set as a manifest holds them. */
export function manifestOf(catalogs: CatalogSet): SecretManifest {
  const r = catalogs.request;
  return {
    actions: [...catalogs.actions.values()].map((a) => ({ name: a.name, family: a.family, args: schemaOf(a.args), slots: [], costBound: 0, humanCovered: false, readOnly: a.metadata.get("readOnly")?.value === true })),
    request: { agent: schemaOf(r.agent), human: schemaOf(r.human), env: schemaOf(r.env), context: schemaOf(r.context) },
  };
}

/** A gateway with memory stores, a manual clock at 2026-03-10T12:00Z and ids t-1, t-2, … */
export async function gateway(options: Partial<GatewayOptions> = {}) {
  const clock = options.clock instanceof ManualClock ? options.clock : new ManualClock(Date.parse("2026-03-10T12:00:00Z"));
  const store = options.store ?? new MemoryStateStore({ clock });
  const sink = options.audit instanceof MemoryAuditSink ? options.audit : new MemoryAuditSink();
  const gw: Gateway = await createGateway({ engine: engine(), ids: sequentialIds("t"), approvals: { pollMs: 5 }, ...options, clock, store, audit: options.audit ?? sink });
  return { gw, clock, store, sink };
}

export const AGENT = { id: "ci-fixer", groups: ["coding-bots"], trust: 2 };
export const ALICE = { id: "alice", groups: ["infra-oncall"], roles: ["deployer"] };
export const BOB = { id: "bob", groups: ["infra-reviewers"] };
export const CAROL = { id: "carol", groups: ["infra-reviewers"] };
export const DAVE = { id: "dave", groups: ["infra-reviewers"] };

/** A request; parts default to agent ci-fixer, no human, env production. */
export function request(action: string, args: object, parts: Record<string, unknown> = {}): Record<string, unknown> {
  return { agent: AGENT, action, args, env: "production", context: { session: "s-1", reasoning: "testing" }, ...parts };
}

export const merge = (number = 123, parts: Record<string, unknown> = {}) => request("github.pull_request.merge", { repo: "acme/infra", number }, parts);
export const spend = (cost: number, parts: Record<string, unknown> = {}) => request("aws.ec2.run_instances", { account: "sandbox", estimated_cost_usd: cost }, parts);
export const deploy = (service = "api", parts: Record<string, unknown> = {}) => request("deploy.service", { service }, parts);
export const shell = (command = "ls", parts: Record<string, unknown> = {}) => request("shell.exec", { command, timeout_seconds: 60, write_paths: [] }, parts);
