/**
 * Properties that tie the interpreter to the checker and the validator, on
 * the shipped example policies and generated requests:
 * - a request that fits the catalogs is never refused by validation, and a
 *   checked policy never meets a condition it cannot evaluate (the checker's
 *   guards are sound);
 * - a mangled request is either still valid or denied with an error as its
 *   only reason; it never crashes the interpreter or reaches a condition
 *   that cannot be evaluated.
 */
import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { checkPaths } from "../../compiler/check/index.js";
import { loadCatalogFiles, type CatalogSet } from "../../compiler/catalog/index.js";
import { interpretChecked, type Interpreter } from "../../compiler/interpret/index.js";
import { arbitraryRequest } from "./arbitrary-request.js";

let platform: Interpreter;
let catalogs: CatalogSet;

/** Values the example policies compare with, so generated requests reach their rules. */
const INTERESTING = ["acme/payments", "acme/tools", "111111111111", "/workspace/a", "/workspace/../x", "rm -rf /", "production"];

beforeAll(async () => {
  const result = await checkPaths(["examples/platform"]);
  if (result.checked === undefined) throw new Error("examples do not check");
  catalogs = (await loadCatalogFiles([...new Set(result.checked.packages.flatMap((p) => p.catalogs))])).set;
  platform = interpretChecked(result.checked, catalogs);
});

describe("soundness (property)", () => {
  it("valid requests: no validation error, no evaluation error; every effect is reached", () => {
    const effects = new Set<string>();
    fc.assert(
      fc.property(arbitraryRequest(catalogs, { interesting: INTERESTING }), (request) => {
        const decision = platform.decide(request);
        expect(decision.error, JSON.stringify(request)).toBeUndefined();
        effects.add(decision.effect);
      }),
      { seed: 2026, numRuns: 1500 },
    );
    expect([...effects].sort()).toEqual(["allow", "approve", "deny"]);
  });

  it("mangled requests: any refusal is a deny whose only reason is the error; never a crash, never an unevaluable condition", () => {
    const junk = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined), fc.string({ maxLength: 5000 }));
    fc.assert(
      fc.property(arbitraryRequest(catalogs, { interesting: INTERESTING }), fc.array(fc.string({ maxLength: 3 }), { minLength: 1, maxLength: 3 }), junk, (request, path, replacement) => {
        const mangled = structuredClone(request) as Record<string, unknown>;
        // Replace (or add) the value at a path of generated keys, reusing real keys where they exist.
        let target: Record<string, unknown> = mangled;
        for (const [i, key] of path.entries()) {
          const keys = Object.keys(target);
          const name = keys.length > 0 && key.length % 2 === 0 ? keys[key.length % keys.length]! : key;
          if (i === path.length - 1 || typeof target[name] !== "object" || target[name] === null) {
            target[name] = replacement;
            break;
          }
          target = target[name] as Record<string, unknown>;
        }
        const decision = platform.decide(mangled);
        if (decision.error !== undefined) {
          expect(decision.effect).toBe("deny");
          expect(decision.reasons).toEqual([decision.error.message]);
        }
        expect(decision.error?.code).not.toBe("internal_error");
        expect(decision.error?.code).not.toBe("evaluation_error");
      }),
      { seed: 99, numRuns: 1500 },
    );
  });
});
