/**
 * The benchmark compares engines on "the same rules": one description
 * rendered as .agp, as a JS function and as Cedar. These tests show that
 * the renderings really decide alike (effect and deciding rules) on the
 * benchmark's own requests and on a sample of scaling policies, so a
 * benchmark table never compares engines that answer different questions.
 * No timings are asserted here.
 */
import { describe, expect, it } from "vitest";
import { agpOutcome, agreement, buildEngines, jsOutcome } from "../../bench/scenarios/engines.js";
import { latencyScenario } from "../../bench/scenarios/latency-policy.js";
import { KEYED, scalingScenario } from "../../bench/scenarios/scaling-policy.js";
import { realisticScenario } from "../../bench/scenarios/realistic-policy.js";
import { SHAPES, shapeScenario } from "../../bench/scenarios/shapes-policy.js";
import { cedarCanSay } from "../../bench/scenarios/to-cedar.js";
import { toCedar } from "../../bench/scenarios/to-cedar.js";
import { withValidation } from "../../bench/scenarios/validated-js.js";
import { loadJsonDeciderSync } from "../../runtime/index.js";

describe("benchmark scenarios: agp, the interpreter, the JS function and cedar-wasm agree", () => {
  it("on every request of the latency scenario, including Cedar's plain isAuthorized", () => {
    const engines = buildEngines(latencyScenario());
    expect(agreement(engines, { plain: true })).toEqual([]);
  });

  it("the latency requests are allowed or denied, each by the rule meant", () => {
    const engines = buildEngines(latencyScenario());
    const outcomes = engines.scenario.requests.map((r) => agpOutcome(engines.engine.decide(r)));
    expect(outcomes.map((o) => `${o.effect} ${o.rules.join(",")}`)).toEqual([
      "allow open_prs",
      "deny no_production_prs",
      "deny never_merge",
      "allow agent_branches",
      "allow push_agent_branches",
      "deny no_push_protected",
      "allow comment_tools",
      "allow dispatch_ci",
    ]);
  });

  it("agp's JSON-bytes path decides the latency requests as the JS-object path does", () => {
    const engines = buildEngines(latencyScenario());
    const json = loadJsonDeciderSync(engines.engine);
    for (const request of engines.scenario.requests) {
      expect(agpOutcome(json.decideJson(JSON.stringify(request)))).toEqual(agpOutcome(engines.engine.decide(request)));
    }
  });

  it("the JS function behind Ajv validation decides valid requests alike and refuses an invalid one", () => {
    const engines = buildEngines(latencyScenario());
    const validated = withValidation(engines.scenario, engines.js);
    for (const request of engines.scenario.requests) expect(validated(request)).toEqual(engines.js.decide(request));
    const tooLong = { ...engines.scenario.requests[0]!, args: { ...engines.scenario.requests[0]!.args, repo: "x".repeat(141) } };
    expect(engines.js.decide(tooLong).effect).toBe("allow");
    expect(validated(tooLong)).toEqual({ effect: "deny", rules: [] });
    expect(agpOutcome(engines.engine.decide(tooLong))).toEqual({ effect: "deny", rules: [] });
  });

  it.each(KEYED.flatMap((keyed) => [10, 100].map((n) => [keyed, n] as const)))("on a scaling policy keyed by %s with %i rules", (keyed, n) => {
    const engines = buildEngines(scalingScenario(n, keyed));
    expect(agreement(engines, { plain: true })).toEqual([]);
    const [last, first, none] = engines.scenario.requests.map((r) => jsOutcome(engines, r));
    expect([last, first, none]).toEqual([
      { effect: "allow", rules: [`r${String(n - 1)}`] },
      { effect: "allow", rules: ["r0"] },
      { effect: "deny", rules: [] },
    ]);
  });

  it.each(SHAPES.filter((shape) => cedarCanSay(shapeScenario(shape, 1))))("on the %s shape scenario with 30 rules: the last rule, the first, none", (shape) => {
    const engines = buildEngines(shapeScenario(shape, 30));
    expect(agreement(engines)).toEqual([]);
    const [last, first, none] = engines.scenario.requests.map((r) => jsOutcome(engines, r));
    // A range's first-rule request passes every threshold: every rule decides (deny overrides).
    expect(last!.rules).toEqual(["r29"]);
    expect(first!.rules.includes("r0") || first!.effect === "deny").toBe(true);
    expect(none).toEqual({ effect: "deny", rules: [] });
  });

  it("on the realistic mixed scenario (60 rules, 16 requests), and some requests are allowed", () => {
    const engines = buildEngines(realisticScenario(60));
    expect(agreement(engines)).toEqual([]);
    const effects = engines.scenario.requests.map((r) => jsOutcome(engines, r).effect);
    expect(effects).toContain("allow");
    expect(effects).toContain("deny");
  });

  it("renders a prefix holding Cedar's wildcard as an escaped like pattern", () => {
    const policies = toCedar({
      name: "escape",
      catalogs: {},
      requests: [],
      rules: [{ id: "star", effect: "allow", action: "a.b", when: [{ kind: "prefix", path: "args.p", prefix: 'x*"y' }] }],
    });
    expect(policies["star"]).toBe('permit(principal, action == Action::"a.b", resource) when { context.args.p like "x\\*\\"y*" };');
  });
});
