/**
 * Delegation as a table, computed at compile time from ADR 0006
 * ("Delegation"), so the module combines the two principals with one load.
 *
 * In: nothing. Out: for each mode, 4 × 5 entries of 4 bytes, indexed by
 * `agentCode * 5 + humanCode`: side codes are 0 allow, 1 approve, 2 deny by
 * a rule, 3 default deny ("no rule allows"); human code 4 means the human
 * side abstains. Entry bytes: effect (EFFECT_CODES), deciders (bit 0 agent,
 * bit 1 human), permitting sides (whose allow and approve rules give
 * obligations), blockedBy (PRINCIPAL_CODES). Under `human_only` a missing
 * human side (code 4: no human, or no `for human` rule covers the action)
 * is a default deny, and an agent side with no opinion (code 3) is left out.
 * Must not drift from compiler/interpret/delegation.ts: the differential
 * test compares both on every combination it meets.
 */
import { EFFECT_CODES, PRINCIPAL_CODES } from "../../runtime/abi.js";

type Effect = "allow" | "approve" | "deny";
interface Side {
  readonly principal: "agent" | "human";
  readonly bit: number;
  readonly effect: Effect;
  readonly defaulted: boolean;
}

const STRICTNESS: Record<Effect, number> = { allow: 0, approve: 1, deny: 2 };
const EFFECT_OF: readonly Effect[] = ["allow", "approve", "deny", "deny"];

/** Bytes per entry, entries per mode. */
export const ENTRY_SIZE = 4;
export const ENTRIES = 20;

/** The table for one mode (`agent_only` never has a human side: code 4). */
export function combineTable(mode: "both" | "either" | "agent_only" | "human_only"): Uint8Array {
  const bytes = new Uint8Array(ENTRIES * ENTRY_SIZE);
  for (let a = 0; a < 4; a++) {
    for (let h = 0; h < 5; h++) {
      const agent: Side = { principal: "agent", bit: 1, effect: EFFECT_OF[a]!, defaulted: a === 3 };
      const human: Side | undefined = h === 4 ? undefined : { principal: "human", bit: 2, effect: EFFECT_OF[h]!, defaulted: h === 3 };
      const result = mode === "human_only" ? humanOnly(agent, human) : combine(mode, agent, human);
      const at = (a * 5 + h) * ENTRY_SIZE;
      bytes[at] = EFFECT_CODES[result.effect];
      bytes[at + 1] = result.deciders.reduce((m, s) => m | s.bit, 0);
      bytes[at + 2] = result.permitting.reduce((m, s) => m | s.bit, 0);
      const first = result.deciders[0];
      bytes[at + 3] = result.effect === "allow" || first === undefined ? PRINCIPAL_CODES.none : PRINCIPAL_CODES[first.principal];
    }
  }
  return bytes;
}

function combine(mode: "both" | "either" | "agent_only", agent: Side, human: Side | undefined): Combined {
  const sides = human === undefined || mode === "agent_only" ? [agent] : [agent, human];
  return mode === "either" && sides.length === 2 ? either(sides) : strictest(sides);
}

/** The human decides; the agent's explicit rules still bind; no human side is "no rule allows" (ADR 0040). */
function humanOnly(agent: Side, human: Side | undefined): Combined {
  const requester: Side = human ?? { principal: "human", bit: 2, effect: "deny", defaulted: true };
  return strictest(agent.defaulted ? [requester] : [agent, requester]);
}

interface Combined {
  readonly effect: Effect;
  readonly deciders: readonly Side[];
  readonly permitting: readonly Side[];
}

function strictest(sides: readonly Side[]): Combined {
  const effect = sides.reduce<Effect>((e, s) => (STRICTNESS[s.effect] > STRICTNESS[e] ? s.effect : e), "allow");
  const withEffect = sides.filter((s) => s.effect === effect);
  const explicit = withEffect.filter((s) => !s.defaulted);
  const deciders = explicit.length > 0 ? explicit : withEffect.slice(0, 1);
  return { effect, deciders, permitting: effect === "deny" ? [] : sides.filter((s) => !s.defaulted) };
}

function either(sides: readonly Side[]): Combined {
  const denying = sides.filter((s) => s.effect === "deny" && !s.defaulted);
  if (denying.length > 0) return { effect: "deny", deciders: denying, permitting: [] };
  const opinions = sides.filter((s) => !s.defaulted);
  if (opinions.length === 0) return { effect: "deny", deciders: sides.slice(0, 1), permitting: [] };
  const effect = opinions.reduce<Effect>((e, s) => (STRICTNESS[s.effect] < STRICTNESS[e] ? s.effect : e), "deny");
  const deciders = opinions.filter((s) => s.effect === effect);
  return { effect, deciders, permitting: deciders };
}
