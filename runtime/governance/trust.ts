/**
 * Trust: each agent's tier, from its history.
 *
 * In: events about an agent (denied, violation, rollback, success, failure)
 * with their times. Out: the agent's tier, which the gateway passes to the
 * engine as `state.trust`.
 * The tier is a fold over the history in order (`foldTrust`): the same
 * history always gives the same tier, and the stored state is exactly that
 * fold, updated with compare-and-set. Demotion is quick: a violation drops
 * two tiers, a reported rollback one, and `denialsToDemote` denials within
 * the rolling `windowMs` one. Promotion is slow: one tier after
 * `promoteAfter` successes in a row, with no denial in the window, and at
 * least `promoteEveryMs` after the last change. Must not read the clock to
 * compute a tier: only event times count.
 */
import type { Clock } from "./clock.js";
import { parseStored, type StateStore } from "./store.js";

/** Something an agent did that moves its trust. */
export type TrustEventKind = "denied" | "violation" | "rollback" | "success" | "failure";

/** One event in an agent's history. */
export interface TrustEvent {
  readonly kind: TrustEventKind;
  /** When (ms since the epoch). */
  readonly at: number;
}

/** How tiers move. */
export interface TrustConfig {
  /** Lowest tier (default 0). */
  readonly min: number;
  /** Highest tier (default 4, the default request shape's `agent.trust` maximum). */
  readonly max: number;
  /** The tier of an agent with no history (default 2). */
  readonly initial: number;
  /** The rolling window for counting denials (default 24 hours). */
  readonly windowMs: number;
  /** Denials within the window that demote one tier (default 3). */
  readonly denialsToDemote: number;
  /** Successes in a row that promote one tier (default 20). */
  readonly promoteAfter: number;
  /** The least time between a change of tier and a promotion (default 24 hours). */
  readonly promoteEveryMs: number;
}

/** The defaults of `TrustConfig`. */
export const DEFAULT_TRUST: TrustConfig = {
  min: 0,
  max: 4,
  initial: 2,
  windowMs: 86_400_000,
  denialsToDemote: 3,
  promoteAfter: 20,
  promoteEveryMs: 86_400_000,
};

/** An agent's folded history. */
export interface TrustState {
  readonly tier: number;
  /** Successes in a row since the last denial, violation, rollback or change. */
  readonly clean: number;
  /** When the tier last changed; null if never. */
  readonly changedAt: number | null;
  /** Times of denials in the window not yet spent on a demotion. */
  readonly denials: readonly number[];
  /** The time of the last denial, violation or rollback; null if none. */
  readonly lastBad: number | null;
}

/** The state of an agent with no history. */
export function initialTrust(config: TrustConfig = DEFAULT_TRUST): TrustState {
  return { tier: config.initial, clean: 0, changedAt: null, denials: [], lastBad: null };
}

/** One step of the fold. */
export function applyTrustEvent(state: TrustState, event: TrustEvent, config: TrustConfig = DEFAULT_TRUST): TrustState {
  const t = event.at;
  const demote = (by: number): TrustState => {
    const tier = Math.max(config.min, state.tier - by);
    return { tier, clean: 0, changedAt: tier === state.tier ? state.changedAt : t, denials: [], lastBad: t };
  };
  switch (event.kind) {
    case "violation":
      return demote(2);
    case "rollback":
      return demote(1);
    case "denied": {
      const denials = [...state.denials.filter((d) => d > t - config.windowMs), t];
      if (denials.length >= config.denialsToDemote) return demote(1);
      return { ...state, clean: 0, denials, lastBad: t };
    }
    case "success": {
      const clean = state.clean + 1;
      const quiet = state.lastBad === null || t - state.lastBad >= config.windowMs;
      const settled = state.changedAt === null || t - state.changedAt >= config.promoteEveryMs;
      if (clean >= config.promoteAfter && quiet && settled && state.tier < config.max) {
        return { ...state, tier: state.tier + 1, clean: 0, changedAt: t };
      }
      return { ...state, clean };
    }
    case "failure":
      return state;
  }
}

/** The tier after a whole history: deterministic, the same history gives the same tier. */
export function foldTrust(events: readonly TrustEvent[], config: TrustConfig = DEFAULT_TRUST): TrustState {
  return events.reduce((state, event) => applyTrustEvent(state, event, config), initialTrust(config));
}

/** Agents' trust, kept in a store. */
export class Trust {
  readonly config: TrustConfig;

  constructor(
    private readonly store: StateStore,
    private readonly clock: Clock,
    config: Partial<TrustConfig> = {},
  ) {
    this.config = { ...DEFAULT_TRUST, ...config };
    const c = this.config;
    if (!(c.min <= c.initial && c.initial <= c.max)) throw new RangeError(`trust tiers need min <= initial <= max, got ${c.min}, ${c.initial}, ${c.max}`);
  }

  /** An agent's tier now. */
  async tier(agent: string): Promise<number> {
    return (await this.state(agent)).tier;
  }

  /** An agent's folded state. */
  async state(agent: string): Promise<TrustState> {
    return parseStored<TrustState>(await this.store.get(trustKey(agent))) ?? initialTrust(this.config);
  }

  /** Records an event at the clock's time and returns the new state. */
  async record(agent: string, kind: TrustEventKind): Promise<TrustState> {
    const key = trustKey(agent);
    for (;;) {
      const text = await this.store.get(key);
      const current = parseStored<TrustState>(text) ?? initialTrust(this.config);
      const next = applyTrustEvent(current, { kind, at: this.clock.now() }, this.config);
      if (await this.store.compareAndSet(key, text, JSON.stringify(next))) return next;
    }
  }
}

function trustKey(agent: string): string {
  return `trust:${agent}`;
}
