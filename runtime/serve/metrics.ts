/**
 * Prometheus metrics for agp serve (prom-client, its own registry).
 *
 * In: what the server saw: answers, durations, reloads, HTTP statuses.
 * Out: `/metrics` text. Every label takes values from a bounded set — the
 * policy's own families, rule and limit ids, fixed endpoint and route names
 * — never from raw request input, so a hostile client cannot grow the
 * series without bound (an unknown action counts as family `(unknown)`).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { CheckResult } from "../governance/gateway.js";

/** The server's metrics. */
export class ServeMetrics {
  readonly registry = new Registry();
  private readonly decisions: Counter<"endpoint" | "result" | "effect" | "family">;
  private readonly ruleDecisions: Counter<"rule" | "effect">;
  private readonly limitRefusals: Counter<"limit">;
  private readonly latency: Histogram<"endpoint">;
  private readonly reloads: Counter<"bundle" | "result">;
  private readonly bundleInfo: Gauge<"bundle" | "version" | "hash" | "signed">;
  private readonly requests: Counter<"route" | "status">;
  private families: ReadonlySet<string> = new Set();
  private readonly shown = new Map<string, Record<"bundle" | "version" | "hash" | "signed", string>>();

  constructor(pendingApprovals: () => Promise<number>, inFlight: () => number) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.decisions = new Counter({ name: "agp_decisions_total", help: "Answers by endpoint, result (run/refuse/wait), decision effect and action family", labelNames: ["endpoint", "result", "effect", "family"], registers });
    this.ruleDecisions = new Counter({ name: "agp_rule_decisions_total", help: "Deciding rules and limits, by id (kind:id) and effect", labelNames: ["rule", "effect"], registers });
    this.limitRefusals = new Counter({ name: "agp_limit_refusals_total", help: "Requests refused or parked because a limit reached its cap", labelNames: ["limit"], registers });
    this.latency = new Histogram({
      name: "agp_decision_duration_seconds",
      help: "Time from a parsed request to its answer (gateway check, audit included)",
      labelNames: ["endpoint"],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.reloads = new Counter({ name: "agp_bundle_reloads_total", help: "Bundle loads by bundle (live/shadow) and result (loaded/unchanged/refused)", labelNames: ["bundle", "result"], registers });
    this.bundleInfo = new Gauge({ name: "agp_bundle_info", help: "The bundle in use (value 1)", labelNames: ["bundle", "version", "hash", "signed"], registers });
    this.requests = new Counter({ name: "agp_http_requests_total", help: "HTTP requests by route and status", labelNames: ["route", "status"], registers });
    new Gauge({
      name: "agp_approvals_pending",
      help: "Approval requests waiting for approvers",
      registers,
      async collect() {
        this.set(await pendingApprovals());
      },
    });
    new Gauge({
      name: "agp_inflight_requests",
      help: "Requests being handled",
      registers,
      collect() {
        this.set(inFlight());
      },
    });
  }

  /** The action families of the live policy (label values for `family`). */
  setFamilies(families: Iterable<string>): void {
    this.families = new Set(families);
  }

  /** Counts one answer. */
  answered(endpoint: "check" | "authzen", result: CheckResult, action: string, seconds: number): void {
    const dot = action.indexOf(".");
    const family = dot < 0 ? action : action.slice(0, dot);
    const effect = result.decision.effect;
    this.decisions.inc({ endpoint, result: result.action, effect, family: this.families.has(family) ? family : "(unknown)" });
    for (const rule of result.decision.rules) {
      this.ruleDecisions.inc({ rule: `${rule.kind}:${rule.id}`, effect });
      if (rule.kind === "limit") this.limitRefusals.inc({ limit: rule.id });
    }
    this.latency.observe({ endpoint }, seconds);
  }

  reloaded(bundle: "live" | "shadow", result: "loaded" | "unchanged" | "refused"): void {
    this.reloads.inc({ bundle, result });
  }

  /** Records the bundle now in use. */
  inUse(bundle: "live" | "shadow", policy: { version: string; hash: string }, signed: boolean): void {
    const previous = this.shown.get(bundle);
    if (previous !== undefined) this.bundleInfo.remove(previous);
    const labels = { bundle, version: policy.version, hash: policy.hash, signed: String(signed) };
    this.shown.set(bundle, labels);
    this.bundleInfo.set(labels, 1);
  }

  request(route: string, status: number): void {
    this.requests.inc({ route, status: String(status) });
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ text: string; contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
