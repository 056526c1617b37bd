/**
 * Rules decoded on first use and action schemas checked on first use (ADR
 * 0050): a damaged rule entry or action that loading no longer checks is
 * caught before a decision uses it. Whatever bytes of
 * the rule table are damaged, the first decision (before anything reads
 * `engine.manifest`) is the undamaged policy's decision from a rule that
 * passes every check, or an `internal_error` deny naming the corrupt
 * entry, or the load is refused: never a crash, never an allow from an
 * entry that does not check.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadPolicySync, PolicyLoadError, type PolicyEngine } from "../../runtime/index.js";
import { checkManifest } from "../../runtime/load/check-manifest.js";
import { packManifest } from "../../runtime/load/manifest-wire.js";
import type { Decision } from "../../runtime/decision.js";
import type { Manifest } from "../../runtime/manifest.js";
import { createGateway, MemoryAuditSink } from "../../runtime/governance/index.js";
import { fakeModule, type FakeResult } from "./fake-module.js";
import { OPEN_RULES, shell, testManifest } from "./harness.js";

const HELD = { ...OPEN_RULES[0]!, id: "held", effect: "approve" as const, reason: "why", obligations: [{ key: "ticket", value: "t-1" }], quorums: [{ count: 2, groups: ["ops"] }], samePerson: true as const };
const manifest = testManifest({ rules: [...OPEN_RULES, HELD] });
const wire = JSON.stringify(packManifest(manifest));
const section = new TextEncoder().encode(wire);
/** Where the rule table starts in the section: damage from here on hits rules (or what follows them). */
const rulesAt = wire.indexOf('"rules":');

/** The fake module's answers: allow by rule 3 (`any_shell`), or approve by `held` (rule 4) with its obligations. */
const RESULTS: readonly FakeResult[] = [
  { effect: "allow", deciding: [3] },
  { effect: "approve", deciding: [4], obligation: [4] },
];

function load(bytes: Uint8Array, result: FakeResult): PolicyEngine | string {
  try {
    return loadPolicySync(fakeModule({ manifest, section: bytes, results: () => result }));
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyLoadError);
    return (error as Error).message;
  }
}

/** The whole manifest of a (second) engine over the same bytes, every rule checked; or why it is corrupt. */
function whole(bytes: Uint8Array, result: FakeResult): Manifest | string {
  const engine = load(bytes, result);
  if (typeof engine === "string") return engine;
  try {
    return engine.manifest;
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyLoadError);
    return (error as Error).message;
  }
}

const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe("manifest parts checked on first use", () => {
  const undamaged = RESULTS.map((result) => (load(section, result) as PolicyEngine).decide(shell()));

  it("decides as before with undamaged bytes, and hands out the whole manifest, frozen and checked", () => {
    expect(undamaged[0]!.effect).toBe("allow");
    expect(undamaged[0]!.rules).toEqual([{ kind: "rule", id: "any_shell", file: OPEN_RULES[3]!.file, line: OPEN_RULES[3]!.line }]);
    expect(undamaged[1]!.effect).toBe("approve");
    expect(undamaged[1]!.obligations).toEqual({ ticket: "t-1" });
    const engine = load(section, RESULTS[0]!) as PolicyEngine;
    expect(plain(engine.manifest)).toEqual(plain(manifest));
    expect(Object.isFrozen(engine.manifest.rules)).toBe(true);
    expect(Object.isFrozen(engine.manifest.rules[4]!.quorums[0])).toBe(true);
  });

  it("denies with the entry's error when the deciding rule is corrupt, and still decides by a sound one", () => {
    const damaged = JSON.parse(wire) as { rules: unknown[][] };
    damaged.rules[3]![3] = 3; // effect code 3 does not exist
    const bytes = new TextEncoder().encode(JSON.stringify(damaged));
    const denied = (load(bytes, RESULTS[0]!) as PolicyEngine).decide(shell());
    expect(denied.effect).toBe("deny");
    expect(denied.error).toEqual({
      code: "internal_error",
      message: "internal error in the policy engine: corrupt policy manifest: `manifest.rules[3][3]` must be rule flags (docs/abi.md, section 2)",
      path: "",
    });
    // A decision that needs only sound rules is unaffected; the whole manifest names the corrupt entry.
    const engine = load(bytes, RESULTS[1]!) as PolicyEngine;
    expect(engine.decide(shell())).toEqual(undamaged[1]);
    expect(() => engine.manifest).toThrow("corrupt policy manifest: `manifest.rules[3][3]` must be rule flags");
  });

  it("denies, or decides by a rule that checks, whatever value replaces a part of a rule entry", () => {
    const rules = (JSON.parse(wire) as { rules: unknown[][] }).rules;
    fc.assert(
      fc.property(fc.nat({ max: rules.length - 1 }), fc.nat({ max: 5 }), fc.jsonValue({ maxDepth: 2 }), fc.nat({ max: RESULTS.length - 1 }), (index, part, value, which) => {
        const damaged = JSON.parse(wire) as { rules: unknown[][] };
        damaged.rules[index]![part] = value;
        const bytes = new TextEncoder().encode(JSON.stringify(damaged));
        const result = RESULTS[which]!;
        const decision = (load(bytes, result) as PolicyEngine).decide(shell());
        const full = whole(bytes, result);
        if (typeof full === "string" && index === result.deciding![0]) {
          // The deciding entry does not check: the decision is the deny that names it.
          expect(decision.effect).toBe("deny");
          expect(decision.error?.message).toBe(`internal error in the policy engine: ${full}`);
        } else if (typeof full !== "string" && full.rules[result.deciding![0]!]!.effect !== result.effect) {
          expect(decision.effect).toBe("deny");
          expect(decision.error?.code).toBe("internal_error");
        } else {
          // The deciding entry checks: the decision is the one it gives, whatever became of the others.
          const rule = typeof full === "string" ? manifest.rules[result.deciding![0]!]! : full.rules[result.deciding![0]!]!;
          expect(decision.error).toBeUndefined();
          expect(decision.effect).toBe(result.effect);
          expect(decision.rules[0]).toEqual({ kind: "rule", id: rule.id, file: rule.file, line: rule.line });
        }
      }),
      { seed: 51, numRuns: 200 },
    );
  });

  it("never allows, approves or crashes from damaged rule-table bytes", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.integer({ min: rulesAt, max: section.length - 1 }), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 3 }),
        fc.nat({ max: RESULTS.length - 1 }),
        (flips, which) => {
          const bytes = section.slice();
          for (const { at, byte } of flips) bytes[at] = byte;
          const result = RESULTS[which]!;
          const engine = load(bytes, result);
          if (typeof engine === "string") return; // refused at load: fine
          const decision: Decision = engine.decide(shell());
          const full = whole(bytes, result);
          if (decision.error !== undefined) {
            expect(decision.effect).toBe("deny");
            expect(decision.error.code).toBe("internal_error");
            if (/^internal error in the policy engine: corrupt policy/.test(decision.error.message)) {
              // A corrupt entry, which the whole table's check names too.
              expect(typeof full).toBe("string");
            } else {
              // A well-formed entry whose effect the damage changed: the module's answer no longer fits it.
              expect(decision.error.message).toMatch(/^internal error in the policy engine: the policy module wrote an impossible result/);
            }
            return;
          }
          // A decision came out: every rule it used checks, so it is what the damaged-but-well-formed manifest says.
          const deciding = result.deciding![0]!;
          if (typeof full === "string") {
            // Another entry is corrupt; the deciding one was sound: the decision is the one its (checked) rule gives.
            expect(decision.effect).toBe(undamaged[which]!.effect);
          } else {
            expect(plain(checkManifest(plain(full)))).toEqual(plain(full));
            const rule = full.rules[deciding]!;
            expect(rule.effect).toBe(result.effect);
            expect(decision.rules[0]).toEqual({ kind: "rule", id: rule.id, file: rule.file, line: rule.line });
          }
          expect(decision.effect).toBe(undamaged[which]!.effect);
        },
      ),
      { seed: 50, numRuns: 400 },
    );
  });

  const shellAction = manifest.actions.findIndex((a) => a.name === "shell.exec");

  it("checks an action's schema and slots before its first request: a corrupt one is an internal_error deny", () => {
    const damaged = JSON.parse(wire) as { actions: Record<string, unknown>[] };
    damaged.actions[shellAction]!.slots = [{ kind: "num", path: ["args", "x"], offset: 1 << 20 }];
    const bytes = new TextEncoder().encode(JSON.stringify(damaged));
    const engine = load(bytes, RESULTS[0]!) as PolicyEngine;
    const denied = engine.decide(shell());
    expect(denied.effect).toBe("deny");
    expect(denied.error?.code).toBe("internal_error");
    expect(denied.error?.message).toBe(
      `internal error in the policy engine: corrupt policy manifest: \`manifest.actions[${shellAction}].slots[0].offset\` must be inside the slot area (${manifest.memory.slotBytes} bytes)`,
    );
    expect(engine.decide(shell()).error?.code).toBe("internal_error"); // every time, not once
    expect(() => engine.manifest).toThrow(`manifest.actions[${shellAction}].slots[0].offset`);
  });

  it("denies by an action whose schema or slots do not check, whatever value replaces them; other actions decide as before", () => {
    fc.assert(
      fc.property(fc.nat({ max: manifest.actions.length - 1 }), fc.constantFrom("args", "slots"), fc.jsonValue({ maxDepth: 3 }), (action, part, value) => {
        const damaged = JSON.parse(wire) as { actions: Record<string, unknown>[] };
        damaged.actions[action]![part] = value;
        const bytes = new TextEncoder().encode(JSON.stringify(damaged));
        const decision = (load(bytes, RESULTS[0]!) as PolicyEngine).decide(shell());
        const full = whole(bytes, RESULTS[0]!);
        if (action === shellAction && typeof full === "string") {
          expect(decision.effect).toBe("deny");
          expect(decision.error?.message).toBe(`internal error in the policy engine: ${full}`);
        }
        // Another action's damage is never read by this decision: it is the undamaged policy's.
        if (action !== shellAction) expect(decision).toEqual(undamaged[0]);
      }),
      { seed: 52, numRuns: 200 },
    );
  });

  it("makes a gateway refuse an engine whose deferred checks fail, rather than run without its secret fields", async () => {
    const damaged = JSON.parse(wire) as { rules: unknown[][] };
    damaged.rules[0]![3] = 3;
    const engine = load(new TextEncoder().encode(JSON.stringify(damaged)), RESULTS[0]!) as PolicyEngine;
    await expect(createGateway({ engine, audit: new MemoryAuditSink() })).rejects.toThrow(PolicyLoadError);
  });
});
