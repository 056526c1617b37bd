/**
 * AGP286 (docs/decisions/0047-outcome-filters-and-secrets.md): an outcome's
 * filter, correlation or sum may not read a field the catalog marks secret —
 * a secret path, a path inside one, or an object holding one — and
 * everything the gateway can run stays allowed: decision statuses,
 * `previous`, and outcome filters that read no secret.
 */
import { describe, expect, it } from "vitest";
import { runCheck } from "./harness.js";

const HEAD = 'package vault\nactions "vault.json"\nsession context.session retain 24 hours track 8\n\nrule pay_anything: allow vault.*\n\n';
const rule = (when: string) => `${HEAD}rule r:\n  deny vault.pay.send\n  when ${when}\n`;

async function codes(when: string): Promise<string[]> {
  const result = await runCheck({ "policy.agp": rule(when) });
  return result.diagnostics.filter((d) => d.severity === "error").map((d) => d.code);
}

describe("AGP286: outcome filters and secrets", () => {
  it.each([
    ["a correlation on a secret", "earlier vault.pay.send failed where args.token == current.args.token within 1 hour"],
    ["a condition on a secret inside an object", 'earlier vault.pay.send succeeded where args.card.number startsWith "4" within 1 hour'],
    ["an object that holds a secret", "earlier vault.pay.send rolled_back where has args.notes within 1 hour"],
    ["a sum of a secret amount", "sum args.fee of vault.pay.send succeeded within 24 hours > 50"],
    ["a `since` anchored on an outcome read through a secret", 'no vault.pay.send since vault.pay.send failed where args.token == "t" within 1 hour'],
    ["a secret in one conjunct of several", 'count vault.pay.send failed where args.card.brand == "visa" and args.token != "" within 1 hour >= 2'],
  ])("refuses %s", async (_, when) => {
    expect(await codes(when)).toEqual(["AGP286"]);
  });

  it.each([
    ["a decision's filter on a secret", "earlier vault.pay.send where args.token == current.args.token within 1 hour"],
    ["a refusal's filter on a secret", 'count vault.pay.send refused where args.token == "t" within 1 hour >= 2'],
    ["`previous` with an outcome status", 'previous vault.pay.send failed where args.token == "t" within 1 hour'],
    ["an outcome filter on fields that are not secret", 'earlier vault.pay.send failed where args.recipient == current.args.recipient and args.card.brand == "visa" within 1 hour'],
    ["a sum of a field that is not secret", "sum args.amount of vault.pay.send succeeded within 24 hours > 50"],
  ])("allows %s", async (_, when) => {
    expect(await codes(when)).toEqual([]);
  });

  it("names the rule, the path read and the secret it holds", async () => {
    const result = await runCheck({ "policy.agp": rule("earlier vault.pay.send rolled_back where has args.notes within 1 hour") });
    expect(result.diagnostics.find((d) => d.code === "AGP286")?.message).toBe(
      "rule `r` reads `args.notes` of `vault.pay.send` when its outcome is reported (`rolled_back`), but the catalog marks `args.notes.private` secret: the gateway keeps no secret until the outcome arrives, so every report of such a call would be refused",
    );
  });
});
