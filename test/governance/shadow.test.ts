/**
 * Shadow mode: a candidate bundle decides beside the live one on every
 * request; the live decision is enforced; both are audited; a summary says
 * where they disagree.
 */
import { describe, expect, it } from "vitest";
import { readAuditEntries, summarizeShadow } from "../../runtime/governance/index.js";
import { POLICY, deploy, engine, gateway, merge, shell, spend } from "./harness.js";

const CANDIDATE = POLICY.replace("rule deploys: allow deploy.*", 'rule deploys: deny deploy.* because "deploys frozen"').replace(
  "rule shell_ok: allow shell.exec",
  "rule shell_ok: allow shell.exec\nrule shell_also: allow shell.exec",
);

describe("shadow mode", () => {
  it("the live decision is enforced; both are audited; the summary counts the differences", async () => {
    const candidate = engine(CANDIDATE, "2.0.0-rc1", "sha256:candidate");
    const { gw, sink } = await gateway({ shadow: candidate });
    const live = await gw.check(deploy(), { requestId: "d1" });
    expect(live).toMatchObject({ action: "run", decision: { effect: "allow", policy: { version: "1.0.0" } } });
    await gw.check(deploy("web"), { requestId: "d2" });
    await gw.check(shell(), { requestId: "s1" });
    await gw.check(spend(1), { requestId: "a1" });
    await gw.check(merge(), { requestId: "m1" });
    expect(gw.shadow?.summary()).toEqual({
      total: 5,
      agree: 2,
      effectChanges: { "allow→deny": 2 },
      ruleChanges: 1,
      actions: { "deploy.service": 2 },
    });
    const first = readAuditEntries(sink.text())[0];
    expect(first).toMatchObject({
      decision: { effect: "allow", policy: { hash: "sha256:live", version: "1.0.0" } },
      shadow: { effect: "deny", rules: ["rule:deploys"], reasons: ["deploys frozen"], policy: { hash: "sha256:candidate", version: "2.0.0-rc1" } },
    });
    expect(summarizeShadow(readAuditEntries(sink.text()))).toEqual(gw.shadow?.summary());
  });

  it("a request decided in several rounds (a limit at its cap) is shadowed once, with the final state", async () => {
    const candidate = engine(POLICY, "2.0.0", "sha256:candidate");
    const { gw, sink } = await gateway({ shadow: candidate });
    await gw.check(spend(90), { requestId: "a" });
    expect((await gw.check(spend(20), { requestId: "b" })).action).toBe("refuse");
    expect(gw.shadow?.summary()).toMatchObject({ total: 2, agree: 2 });
    expect(readAuditEntries(sink.text())[1]?.["shadow"]).toMatchObject({ effect: "deny", rules: ["limit:daily_spend"] });
  });

  it("a candidate that throws is a deny in the summary and never affects the answer", async () => {
    const broken = { policy: { hash: "sha256:broken", version: "9" }, decide: () => { throw new Error("boom"); } };
    const { gw, sink } = await gateway({ shadow: broken });
    expect((await gw.check(deploy(), { requestId: "d1" })).action).toBe("run");
    expect(readAuditEntries(sink.text())[0]?.["shadow"]).toMatchObject({ effect: "deny", reasons: ["the candidate engine failed: boom"] });
    expect(gw.shadow?.summary().effectChanges).toEqual({ "allow→deny": 1 });
  });

  it("without a candidate nothing is shadowed", async () => {
    const { gw, sink } = await gateway();
    await gw.check(deploy(), { requestId: "d1" });
    expect(gw.shadow).toBeUndefined();
    expect(readAuditEntries(sink.text())[0]?.["shadow"]).toBeNull();
  });
});
