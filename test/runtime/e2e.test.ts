/**
 * End to end on the real pipeline: examples/platform compiled by
 * compiler/compile, loaded by the runtime. The runtime's promises hold on a
 * real module too: bad requests get the interpreter's exact texts, no request
 * sees another's data, memory never grows, loading works from bytes or a
 * compiled module. (test/compile/differential.test.ts compares valid
 * requests and states with the interpreter in depth.)
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadPolicy, loadPolicySync } from "../../runtime/index.js";
import { arbitraryRequest } from "../interpret/arbitrary-request.js";
import { pairFromPaths } from "../compile/harness.js";

const pair = await pairFromPaths(["examples/platform"]);
const { engine, interpreter, compiled } = pair;
const agent = { id: "ci-fixer", groups: ["coding-bots"], trust: 2, kind: "coding" };
const alice = { id: "alice", groups: ["infra-oncall"], roles: ["deployer"] };
const exec = (args: Record<string, unknown>, more: Record<string, unknown> = {}) => ({
  agent,
  action: "shell.exec",
  args: { command: "ls", cwd: "/workspace", timeout_seconds: 60, write_paths: [], ...args },
  env: "production",
  context: { session: "s-1" },
  ...more,
});
const ctx = { session: "s-2" };

describe("the runtime on a compiled policy", () => {
  it("loads from bytes or a compiled module, sync or async, with the manifest's identity", async () => {
    const fromModule = loadPolicySync(engine.module);
    const async = await loadPolicy(compiled.wasm);
    expect(engine.decide(exec({})).error).toBeUndefined();
    for (const e of [fromModule, async]) {
      expect(e.policy).toEqual(compiled.manifest.policy);
      expect(e.actions()).toEqual(compiled.manifest.actions.map((a) => a.name));
      expect(e.decide(exec({}))).toEqual(engine.decide(exec({})));
    }
  });

  it("refuses bad requests with the interpreter's exact decision", () => {
    const bad: [unknown, string][] = [
      [exec({ timeout_seconds: "120" }), "wrong_type"],
      [exec({ command: "x".repeat(9000) }), "too_long"],
      [exec({ write_paths: Array.from({ length: 100 }, () => "/w") }), "too_many_items"],
      [exec({ command: "ls \ud800" }), "invalid_string"],
      [{ ...exec({}), action: "shell.exe" }, "unknown_action"],
      [{ ...exec({}), user: "mallory" }, "unknown_field"],
      [exec({}, { human: { id: "alice" } }), "missing_field"],
      [exec({ timeout_seconds: 0 }), "out_of_range"],
      [exec({}, { env: "prod" }), "not_in_enum"],
      [null, "wrong_type"],
    ];
    for (const [request, code] of bad) {
      const decision = engine.decide(request);
      expect(decision.effect).toBe("deny");
      expect(decision.error?.code).toBe(code);
      expect(JSON.stringify(decision)).toBe(JSON.stringify(interpreter.decide(request)));
    }
  });

  it("mangled requests: the same decision as the interpreter, byte for byte", () => {
    const odd = fc.oneof(fc.constantFrom(null, 1.5, "", "\ud800", [], {}, "x".repeat(300)), fc.anything({ maxDepth: 1 }));
    fc.assert(
      fc.property(arbitraryRequest(pair.catalogs), fc.constantFrom("agent", "args", "env", "context", "human"), fc.string({ maxLength: 8 }), odd, (request, part, key, value) => {
        const copy = structuredClone(request) as Record<string, unknown>;
        const target = copy[part];
        if (typeof target === "object" && target !== null && !Array.isArray(target)) {
          const keys = Object.keys(target);
          (target as Record<string, unknown>)[keys.length > 0 && key.length % 2 === 0 ? keys[key.length % keys.length]! : key] = value;
        } else copy[part] = value;
        expect(JSON.stringify(engine.decide(copy))).toBe(JSON.stringify(interpreter.decide(copy)));
      }),
      { seed: 7, numRuns: 1000 },
    );
  });

  it("isolation: after a request with many fields, one with absent fields decides as on a fresh engine", () => {
    const full = exec(
      { command: "rm -rf /workspace/" + "a".repeat(3000), timeout_seconds: 120, write_paths: Array.from({ length: 16 }, (_, i) => `/workspace/${i}`) },
      { human: alice, context: { session: "s".repeat(100), reasoning: "r".repeat(2000) } },
    );
    const sparse = [
      exec({ command: "" }),
      { agent: { id: "x", groups: [], trust: 0, kind: "ops" }, action: "github.pull_request.merge", args: { repo: "acme/payments", number: 1, merge_method: "squash" }, env: "dev", context: ctx },
      { agent, action: "aws.s3.get_object", args: { account: "sandbox", region: "eu-west-1", estimated_cost_usd: 0, bucket: "b", key: "k" }, env: "production", context: ctx },
    ];
    expect(engine.decide(full).error).toBeUndefined();
    for (const request of sparse) {
      expect(engine.decide(request).error).toBeUndefined();
      const fresh = loadPolicySync(engine.module).decide(request);
      engine.decide(full, { trust: 4, approvals: [{ id: "bob", groups: ["infra-reviewers"] }] });
      expect(engine.decide(request)).toEqual(fresh);
      expect(engine.decide(request)).toEqual(interpreter.decide(request));
    }
  });

  it("a million decisions leave the module's memory size unchanged", () => {
    const e = loadPolicySync(compiled.wasm);
    const before = e.memoryBytes();
    const requests = [
      exec({ command: "ls -la" }),
      exec({ command: "rm -rf /" }, { human: alice }),
      { agent, action: "github.pull_request.merge", args: { repo: "acme/payments", number: 7, merge_method: "merge" }, env: "production", context: ctx },
    ];
    const expected = requests.map((r) => e.decide(r));
    // decided by rules, not refused by validation
    expect(expected.map((d) => d.error)).toEqual([undefined, undefined, undefined]);
    expect(new Set(expected.map((d) => d.effect)).size).toBeGreaterThan(1);
    const start = performance.now();
    for (let i = 0; i < 1_000_000; i++) {
      const d = e.decide(requests[i % 3]);
      if (i % 99_991 === 0) expect(d).toEqual(expected[i % 3]);
    }
    const perDecision = ((performance.now() - start) / 1e6) * 1e3;
    expect(e.memoryBytes()).toBe(before);
    console.log(`runtime e2e: ${perDecision.toFixed(2)} µs per decision (examples/platform, 3 requests round robin)`);
  }, 120_000);
});
