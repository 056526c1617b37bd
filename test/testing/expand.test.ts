/**
 * Case expansion: defaults deep-merged under each test, fixtures and
 * `name with { … }`, tables to one case per row with its name, placeholders
 * substituted everywhere they may stand.
 */
import { describe, expect, it } from "vitest";
import { loadSuite, type TestCase } from "../../compiler/testing/index.js";
import { mkdtempSync, cpSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { DEPLOY } from "./harness.js";

async function cases(text: string, others: Record<string, string> = {}): Promise<TestCase[]> {
  const directory = mkdtempSync(join(tmpdir(), "agp-expand-"));
  try {
    cpSync(DEPLOY, directory, { recursive: true });
    rmSync(join(directory, "passing.test.agp"));
    writeFileSync(join(directory, "t.test.agp"), text);
    for (const [name, other] of Object.entries(others)) writeFileSync(join(directory, name), other);
    const loaded = await loadSuite(["."], { cwd: directory });
    expect(loaded.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
    return [...loaded.suite!.cases];
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

const DEFAULTS = 'defaults:\n  agent { id: "bot", groups: ["bots"], trust: 2 }\n  env "production"\n  context { session: "s-1" }\n\n';

describe("case expansion", () => {
  it("merges defaults deeply under the test's own clauses (objects key by key, arrays replaced)", async () => {
    const [c] = await cases(
      `${DEFAULTS}test "t":\n  request deploy.service.rollback { service: "api", environment: "dev" }\n  agent { trust: 0, groups: ["ops"] }\n  expect deny\n`,
    );
    expect(c!.request).toEqual({
      agent: { id: "bot", groups: ["ops"], trust: 0 },
      env: "production",
      context: { session: "s-1" },
      action: "deploy.service.rollback",
      args: { service: "api", environment: "dev" },
    });
  });

  it("resolves fixtures and `with` overrides, and fixtures inside fixtures", async () => {
    const text = `${DEFAULTS}fixture base = { service: "api", environment: "dev", version: "1", canary: false }\nfixture prod = base with { environment: "production" }\n\ntest "t":\n  request deploy.service.deploy prod with { canary: true }\n  expect allow\n`;
    const [c] = await cases(text);
    expect(c!.request["args"]).toEqual({ service: "api", environment: "production", version: "1", canary: true });
  });

  it("turns a table into one named case per row, placeholders substituted in data, effect, rules, reason and state", async () => {
    const text = `${DEFAULTS}test "deploys":
  request deploy.service.deploy { service: $service, environment: "staging", version: "1", canary: false }
  state { counters: { deploy_rate: $used } }
  expect $effect from $rule because $why
  where
    | service | used | effect | rule                      | why           |
    | "api"   | 0    | allow  | deploy_outside_production | "ok"          |
    | "web"   | 3    | deny   | frozen_services           | "not allowed" |
`;
    const expanded = await cases(text);
    expect(expanded.map((c) => [c.name, c.line, c.row])).toEqual([
      ['deploys [row 1: service="api", used=0, effect=allow, rule=deploy_outside_production, why="ok"]', 12, 1],
      ['deploys [row 2: service="web", used=3, effect=deny, rule=frozen_services, why="not allowed"]', 13, 2],
    ]);
    expect(expanded[1]!.state).toEqual({ counters: { deploy_rate: 3 } });
    expect(expanded[1]!.expect).toEqual({ effect: "deny", rules: ["frozen_services"], reason: "not allowed", obligations: [], charges: [] });
    expect(expanded[0]!.request["args"]).toEqual({ service: "api", environment: "staging", version: "1", canary: false });
  });

  it("keeps `human null` as no human and sorts the groups of expected quorums", async () => {
    const text = `${DEFAULTS}test "t":\n  request deploy.service.rollback { service: "api", environment: "dev" }\n  human null\n  expect approve by 2 of groups "sre", "oncall"\n`;
    const [c] = await cases(text);
    expect(c!.request["human"]).toBeNull();
    expect(c!.expect.approval).toEqual({ quorums: [{ count: 2, groups: ["oncall", "sre"] }], requester: false, samePerson: false });
  });

  it("resolves fixtures declared in another test file, as the checker does", async () => {
    const shared = 'fixture api = { service: "api", environment: "dev" }\n';
    const [c] = await cases(`${DEFAULTS}test "t":\n  request deploy.service.rollback api\n  expect allow\n`, { "shared.test.agp": shared });
    expect(c!.request["args"]).toEqual({ service: "api", environment: "dev" });
  });
});
