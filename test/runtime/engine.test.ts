/**
 * The engine's promises beyond single decisions: no request sees another's
 * data, a trap is an `internal_error` deny and the engine keeps working,
 * re-entrant calls are refused, and memory never grows.
 */
import { describe, expect, it } from "vitest";
import type { ManifestLimit, Slot } from "../../runtime/manifest.js";
import { loadPolicySync } from "../../runtime/index.js";
import { fakeModule } from "./fake-module.js";
import { ALICE, engine, request, shell, testManifest } from "./harness.js";
import { rule } from "./schema-of.js";

const shellSlots: Slot[] = [
  { kind: "str", path: ["args", "command"], offset: 0 },
  { kind: "num", path: ["args", "timeout_seconds"], offset: 8 },
  { kind: "state", path: ["args", "note"], offset: 16 },
  { kind: "str", path: ["args", "note"], offset: 24 },
  { kind: "sym", path: ["args", "mode"], offset: 32, dictionary: ["read", "write"] },
  { kind: "state", path: ["human", "id"], offset: 36 },
  { kind: "str", path: ["human", "id"], offset: 40 },
  { kind: "str", path: ["context", "session"], offset: 48 },
  { kind: "bool", path: ["args", "extra"], offset: 56 },
  {
    kind: "array",
    path: ["args", "write_paths"],
    offset: 60,
    itemsOffset: 64,
    stride: 8,
    maxItems: 16,
    items: [{ kind: "str", path: [], offset: 0 }],
  },
];
const mergeSlots: Slot[] = [{ kind: "str", path: ["args", "repo"], offset: 0 }, { kind: "num", path: ["args", "number"], offset: 8 }];
const BUDGET: ManifestLimit = { id: "echo", file: "p.agp", line: 1, kind: "budget", cap: 1e12, window: { count: 1, unit: "day" }, keys: [], otherwise: { kind: "deny" } };
const manifest = testManifest({
  rules: [rule("echo", "allow")],
  limits: [BUDGET],
  slots: { "shell.exec": shellSlots, "github.pull_request.merge": mergeSlots },
  slotBytes: 64 + 16 * 8,
  arenaBytes: 1 << 16,
});
const bytes = fakeModule({ manifest, checksum: true });
/** What the module saw: a checksum of its whole input region. */
const seen = (e: ReturnType<typeof loadPolicySync>, req: unknown, state?: object) => {
  const d = e.decide(req, state);
  expect(d.effect).toBe("allow");
  return d.limits[0]!.amount;
};

const big = shell(
  { command: "x".repeat(4000) + "é😀", timeout_seconds: 3600, note: "n", mode: "write", extra: true, write_paths: Array.from({ length: 16 }, (_, i) => `/workspace/${i}/${"p".repeat(200)}`) },
  { human: ALICE, context: { session: "s".repeat(128) } },
);
const small = shell({ command: "ls", write_paths: [] }, { context: undefined });
const merge = request("github.pull_request.merge", { repo: "r", number: 1 });

describe("isolation between requests", () => {
  it("after a request with many fields, one with absent fields sees exactly what a fresh engine would", () => {
    const fresh = (req: unknown) => seen(loadPolicySync(bytes), req);
    const used = loadPolicySync(bytes);
    expect(seen(used, big)).not.toBe(fresh(small));
    for (const req of [small, merge, big, merge, small]) {
      seen(used, big);
      expect(seen(used, req)).toBe(fresh(req));
    }
  });

  it("a refused request in between changes nothing the next one sees", () => {
    const used = loadPolicySync(bytes);
    seen(used, big);
    expect(used.decide(shell({ command: 1 })).error?.code).toBe("wrong_type");
    expect(seen(used, small)).toBe(seen(loadPolicySync(bytes), small));
  });

  it("state.trust and the human flag reach the module only for their own call", () => {
    const used = loadPolicySync(bytes);
    const a = seen(used, small);
    seen(used, big, { trust: 4 });
    expect(seen(used, small)).toBe(a);
  });

  it("a request whose strings do not fit the arena is an internal error, and leaves nothing behind", () => {
    const tiny = testManifest({ rules: [rule("echo", "allow")], limits: [BUDGET], slots: { "shell.exec": shellSlots }, slotBytes: 192, arenaBytes: 64 });
    const e = loadPolicySync(fakeModule({ manifest: tiny, checksum: true }));
    const d = e.decide(shell({ command: "y".repeat(100) }));
    expect(d).toMatchObject({ effect: "deny", error: { code: "internal_error" } });
    expect(d.reasons[0]).toBe("internal error in the policy engine: the request's strings do not fit the module's string arena");
    expect(seen(e, small)).toBe(seen(loadPolicySync(fakeModule({ manifest: tiny, checksum: true })), small));
  });
});

describe("failures inside the module", () => {
  const trapping = testManifest({ slots: { "deploy.service": [{ kind: "sym", path: ["args", "service"], offset: 0, dictionary: ["ok", "trap", "wild"] }] } });
  const deploy = (service: string) => request("deploy.service", { service });
  const options = {
    selectors: 3,
    results: (_a: number, selector: number) =>
      selector === 1 ? ("trap" as const) : selector === 2 ? { address: 0x7ffffff8 } : { effect: "deny" as const, blockedBy: "agent" as const },
  };

  it("a trap is an internal_error deny, and the engine keeps deciding", () => {
    const e = engine(trapping, options);
    expect(e.decide(deploy("ok")).reasons).toEqual(["no rule allows `deploy.service`"]);
    const d = e.decide(deploy("trap"));
    expect(d).toMatchObject({ effect: "deny", rules: [], obligations: {}, limits: [], audit: "notice", error: { code: "internal_error", path: "" } });
    expect(d.reasons[0]).toMatch(/^internal error in the policy engine: the policy module trapped \(.*unreachable.*\)$/);
    for (let i = 0; i < 3; i++) {
      expect(e.decide(deploy("ok")).reasons).toEqual(["no rule allows `deploy.service`"]);
      expect(e.decide(deploy("trap")).error?.code).toBe("internal_error");
    }
  });

  it("a result outside memory is an internal_error deny, never an allow", () => {
    const e = engine(trapping, options);
    expect(e.decide(deploy("wild")).reasons[0]).toBe(
      "internal error in the policy engine: the policy module wrote an impossible result (result address 2147483640 is out of bounds)",
    );
    expect(e.decide(deploy("ok")).effect).toBe("deny");
  });

  it("where the host refuses synchronous instantiation, the engine denies until an asynchronous one is ready", async () => {
    const e = engine(trapping, options);
    const api = (globalThis as unknown as { WebAssembly: { Instance: unknown } }).WebAssembly;
    const Instance = api.Instance;
    api.Instance = function () {
      throw new RangeError("WebAssembly.Instance is disallowed on the main thread");
    };
    try {
      expect(e.decide(deploy("trap")).error?.code).toBe("internal_error");
      expect(e.decide(deploy("ok")).reasons[0]).toBe(
        "internal error in the policy engine: the policy module is being instantiated again after a failure; retry shortly",
      );
    } finally {
      api.Instance = Instance;
    }
    // The asynchronous instantiation finishes when it finishes (a loaded machine takes longer): poll, bounded.
    const retried = "internal error in the policy engine: the policy module is being instantiated again after a failure; retry shortly";
    let reasons = e.decide(deploy("ok")).reasons;
    for (let waited = 0; reasons[0] === retried && waited < 10_000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      reasons = e.decide(deploy("ok")).reasons;
    }
    expect(reasons).toEqual(["no rule allows `deploy.service`"]);
  });

  it("a decide called from inside decide (a getter of the request) is refused, the outer call completes", () => {
    const e = engine(trapping, options);
    let inner: unknown;
    const req = {
      ...deploy("ok"),
      get env() {
        inner = e.decide(deploy("ok"));
        return "production";
      },
    };
    expect(e.decide(req).reasons).toEqual(["no rule allows `deploy.service`"]);
    expect(inner).toMatchObject({ effect: "deny", error: { code: "internal_error" } });
  });
});

describe("memory", () => {
  it("a million decisions leave the module's memory size unchanged", () => {
    // The table-driven fake (the checksum one scans 64 KB a call); the same slots.
    const e = loadPolicySync(fakeModule({ manifest, results: () => ({ effect: "allow", deciding: [0], charges: [{ limit: 0, amount: 1 }] }) }));
    const before = e.memoryBytes();
    expect(before).toBeGreaterThan(0);
    const requests = [small, merge, shell({ command: "echo hi", write_paths: ["/workspace/a"] })];
    let allowed = 0;
    for (let i = 0; i < 1_000_000; i++) if (e.decide(requests[i % 3]).effect === "allow") allowed++;
    expect(allowed).toBe(1_000_000);
    expect(e.memoryBytes()).toBe(before);
  });
});
