/**
 * The governance runtime over the real compiled module (runtime/'s
 * `PolicyEngine`), not only the reference interpreter: the engine interface
 * fits, and caps, approvals and kill switches behave the same.
 */
import { describe, expect, it } from "vitest";
import { createGateway, ManualClock, MemoryAuditSink, sequentialIds, verifyAudit } from "../../runtime/governance/index.js";
import { CATALOGS } from "../interpret/harness.js";
import { checkText, pairOf } from "../compile/harness.js";
import { BOB, CAROL, POLICY, deploy, merge, spend } from "./harness.js";

describe("gateway over the compiled policy", () => {
  it("runs, caps, parks, approves and kills exactly as with the interpreter", async () => {
    const { checked, catalogs } = checkText({ "policy.agp": POLICY }, CATALOGS);
    const { engine, interpreter } = pairOf(checked, catalogs);
    const clock = new ManualClock(Date.parse("2026-03-10T12:00:00Z"));
    const answers = async (decider: typeof engine | typeof interpreter) => {
      const sink = new MemoryAuditSink();
      const gw = await createGateway({ engine: { decide: (r, s) => decider.decide(r, s), policy: engine.policy }, clock, audit: sink, ids: sequentialIds("t") });
      const out: unknown[] = [];
      const step = async (request: unknown, requestId: string) => {
        const r = await gw.check(request, { requestId });
        out.push([requestId, r.action, r.reason ?? null, r.decision.rules.map((x) => x.id)]);
        return r;
      };
      await step(spend(60), "s1");
      await step(spend(50), "s2");
      await gw.report("s1", "succeeded", { actualCost: 40 });
      await step(spend(50), "s3");
      const parked = await step(merge(), "m1");
      await gw.approvals.approve(parked.ticket!.id, BOB);
      await gw.approvals.approve(parked.ticket!.id, CAROL);
      await step(merge(), "m1");
      await step(merge(), "m2");
      await gw.kill.engage({ scope: "family", name: "deploy" }, { by: "ana", reason: "drill" });
      await step(deploy(), "d1");
      expect(verifyAudit(sink.text()).ok).toBe(true);
      return out;
    };
    const wasm = await answers(engine);
    expect(wasm).toEqual([
      ["s1", "run", null, ["aws_sandbox"]],
      ["s2", "refuse", "limit `daily_spend` reached: budget 100 usd per day", ["daily_spend"]],
      ["s3", "run", null, ["aws_sandbox"]],
      ["m1", "wait", "merging needs two reviewers", ["merge_review"]],
      ["m1", "run", null, ["merge_review"]],
      ["m2", "wait", "merging needs two reviewers", ["merge_review"]],
      ["d1", "refuse", "kill switch `deploy` is engaged (by ana: drill)", []],
    ]);
    expect(await answers(interpreter)).toEqual(wasm);
  });
});
