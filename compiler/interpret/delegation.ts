/**
 * Delegation: how the agent's answer and the human's answer combine.
 *
 * In: the agent side's result, the human side's result (undefined when the
 * human side abstains: no human, `agent_only`, or no `for human` rule covers
 * the action), the delegation mode. Out: the combined effect, the sides that
 * decided, the rules obligations come from, and who blocked.
 * Must not evaluate expressions.
 *
 * - `both`: the stricter effect (deny > approve > allow); the agent cannot
 *   exceed the human and the human cannot lend the agent powers.
 * - `either`: an explicit deny rule on either side denies; otherwise the more
 *   permissive side decides (allow > approve > no rule allows). A side's
 *   "no rule allows" is not a deny here: it has no opinion.
 * - `agent_only`: only the agent side (the caller passes no human side).
 * - `human_only`: the human side decides, and the agent side's explicit
 *   rules still bind: the stricter of the human's answer and the agent's
 *   rules that matched; the agent's "no rule allows" is no opinion. Without
 *   a human (the caller passes none) the human side is a default deny
 *   (docs/decisions/0040-delegation-human-only.md).
 * When both sides reach the deciding effect they decide together (their
 * rules and quorums merge); explicit rules are reported before a default deny.
 */
import type { DelegationMode, Effect } from "../syntax/index.js";
import type { ModelRule } from "./model.js";
import type { SideResult } from "./match.js";

/** The principals' combined answer. */
export interface Combined {
  readonly effect: Effect;
  /** The sides whose answer is reported (agent first). */
  readonly deciders: readonly SideResult[];
  /** Rules whose obligations apply if the action runs. */
  readonly permitting: readonly ModelRule[];
  /** Who blocked, for deny and approve. */
  readonly blockedBy?: "agent" | "human";
}

const STRICTNESS: Record<Effect, number> = { allow: 0, approve: 1, deny: 2 };

/** Under `human_only`, a request without a human: nobody whose permissions count, so "no rule allows". */
const NO_HUMAN: SideResult = { principal: "human", effect: "deny", defaulted: true, deciding: [], permitting: [] };

/** Combines the two sides by the mode. */
export function combineSides(agent: SideResult, human: SideResult | undefined, mode: DelegationMode): Combined {
  if (mode === "human_only") {
    const requester = human ?? NO_HUMAN;
    return strictest(agent.defaulted ? [requester] : [agent, requester]);
  }
  const sides = human === undefined || mode === "agent_only" ? [agent] : [agent, human];
  if (mode === "either" && sides.length === 2) return either(sides);
  return strictest(sides);
}

function strictest(sides: readonly SideResult[]): Combined {
  const effect = sides.reduce<Effect>((e, s) => (STRICTNESS[s.effect] > STRICTNESS[e] ? s.effect : e), "allow");
  const withEffect = sides.filter((s) => s.effect === effect);
  const explicit = withEffect.filter((s) => !s.defaulted);
  const deciders = explicit.length > 0 ? explicit : withEffect.slice(0, 1);
  const permitting = effect === "deny" ? [] : sides.flatMap((s) => s.permitting);
  return finish(effect, deciders, permitting);
}

function either(sides: readonly SideResult[]): Combined {
  const denying = sides.filter((s) => s.effect === "deny" && !s.defaulted);
  if (denying.length > 0) return finish("deny", denying, []);
  const opinions = sides.filter((s) => !s.defaulted);
  if (opinions.length === 0) return finish("deny", sides.slice(0, 1), []);
  const effect = opinions.reduce<Effect>((e, s) => (STRICTNESS[s.effect] < STRICTNESS[e] ? s.effect : e), "deny");
  const deciders = opinions.filter((s) => s.effect === effect);
  return finish(effect, deciders, deciders.flatMap((s) => s.permitting));
}

function finish(effect: Effect, deciders: readonly SideResult[], permitting: readonly ModelRule[]): Combined {
  const first = deciders[0];
  if (effect === "allow" || first === undefined) return { effect, deciders, permitting };
  return { effect, deciders, permitting, blockedBy: first.principal };
}
