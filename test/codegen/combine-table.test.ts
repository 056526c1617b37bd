/**
 * The module's delegation table equals the reference interpreter's
 * `combineSides` on every combination of side answers and every mode:
 * effect, deciding sides, the sides whose obligations apply, blockedBy.
 */
import { describe, expect, it } from "vitest";
import { combineTable } from "../../compiler/codegen/index.js";
import { combineSides } from "../../compiler/interpret/delegation.js";
import type { SideResult } from "../../compiler/interpret/match.js";
import type { ModelRule } from "../../compiler/interpret/model.js";
import { EFFECT_CODES, PRINCIPAL_CODES } from "../../runtime/abi.js";

const EFFECTS = ["allow", "approve", "deny", "deny"] as const;

function side(principal: "agent" | "human", code: number): SideResult {
  const rule = { id: `${principal}${code}` } as ModelRule;
  const defaulted = code === 3;
  return { principal, effect: EFFECTS[code]!, defaulted, deciding: defaulted ? [] : [rule], permitting: code <= 1 ? [rule] : [] };
}

describe("combine table", () => {
  for (const mode of ["both", "either", "agent_only", "human_only"] as const) {
    it(`matches the interpreter under ${mode}`, () => {
      const table = combineTable(mode);
      for (let a = 0; a < 4; a++) {
        for (let h = 0; h < 5; h++) {
          const agent = side("agent", a);
          const human = h === 4 ? undefined : side("human", h);
          const expected = combineSides(agent, human, mode);
          const at = (a * 5 + h) * 4;
          const bits = (sides: readonly { principal: string }[]) => sides.reduce((m, s) => m | (s.principal === "agent" ? 1 : 2), 0);
          const permittingSides = [agent, ...(human === undefined ? [] : [human])].filter((s) => expected.permitting.some((r) => s.permitting.includes(r)));
          expect([...table.subarray(at, at + 4)], `agent ${a}, human ${h}`).toEqual([
            EFFECT_CODES[expected.effect],
            bits(expected.deciders),
            bits(permittingSides),
            expected.blockedBy === undefined ? PRINCIPAL_CODES.none : PRINCIPAL_CODES[expected.blockedBy],
          ]);
        }
      }
    });
  }
});
