/**
 * `Gateway.swap`: hot reload's seam. A check keeps the engines it started
 * with from its first decision to its audit entry; the next check uses the
 * new ones; the shadow candidate can be replaced or removed.
 */
import { describe, expect, it } from "vitest";
import type { DecisionEngine } from "../../runtime/governance/index.js";
import { readAuditEntries } from "../../runtime/governance/index.js";
import { deploy, engine, gateway } from "./harness.js";

describe("Gateway.swap", () => {
  it("a check under way finishes with the engine it started with; the next check uses the new one", async () => {
    const v1 = engine(undefined, "1.0.0", "sha256:one");
    const v2 = engine(undefined, "2.0.0", "sha256:two");
    const { gw, store, sink } = await gateway({ engine: v1 });
    // Swap while the first check waits on the store (its kill-switch read).
    const getMany = store.getMany.bind(store);
    let swapped = false;
    store.getMany = async (keys) => {
      const values = await getMany(keys);
      if (!swapped) {
        swapped = true;
        gw.swap(v2);
      }
      return values;
    };
    const first = await gw.check(deploy("api"), { requestId: "r1" });
    const second = await gw.check(deploy("web"), { requestId: "r2" });
    expect(first.decision.policy.version).toBe("1.0.0");
    expect(second.decision.policy.version).toBe("2.0.0");
    expect(gw.engine).toBe(v2);
    const entries = readAuditEntries(sink.text()).filter((e) => e.kind === "decision");
    expect(entries.map((e) => (e["policy"] as { version: string }).version)).toEqual(["1.0.0", "2.0.0"]);
  });

  it("replaces and removes the shadow candidate; `swap(engine)` alone keeps it", async () => {
    const live = engine(undefined, "1.0.0");
    const denyAll: DecisionEngine = {
      decide: () => ({ effect: "deny", rules: [], reasons: ["no"], obligations: {}, limits: [], audit: "info", policy: { hash: "sha256:c", version: "9.0.0" } }),
      policy: { hash: "sha256:c", version: "9.0.0" },
    };
    const { gw, sink } = await gateway({ engine: live });
    expect(gw.shadow).toBeUndefined();
    gw.swap(live, denyAll);
    await gw.check(deploy("a"), { requestId: "a" });
    gw.swap(engine(undefined, "1.1.0"));
    await gw.check(deploy("b"), { requestId: "b" });
    expect(gw.shadow?.summary()).toMatchObject({ total: 2, effectChanges: { "allow→deny": 2 } });
    gw.swap(live, null);
    await gw.check(deploy("c"), { requestId: "c" });
    expect(gw.shadow).toBeUndefined();
    const shadows = readAuditEntries(sink.text()).filter((e) => e.kind === "decision").map((e) => (e["shadow"] as { effect: string } | null)?.effect ?? null);
    expect(shadows).toEqual(["deny", "deny", null]);
  });
});
