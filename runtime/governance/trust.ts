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
 * `promoteAfter` successes in a row, with no denial in the window, at least
 * `promoteEveryMs` after the last change (or, for a tier that never
 * changed, after the agent's first event), and only for an agent with
 * history: first seen at least `promoteMinAgeMs` ago, with at least
 * `promoteMinSuccesses` successes in all. The gateway records no event for a
 * refusal by a limit or a kill switch: reaching a quota is not misbehaviour.
 * Must not read the clock to compute a tier: only event times count.
 */
import type { AgentRates } from "../request.js";
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

/** Which rate a `demoteWhen` rule reads. */
export type RateKind = "success" | "failure" | "rollback" | "violation";

/**
 * "If AI behaviour degrades, reduce its permissions": demote one tier when
 * a rate over the window passes a bound, once there are enough events to
 * judge (`minEvents`: reported runs for success/failure/rollback; runs and
 * denials for violation). At most one such demotion per `rateWindowMs`;
 * while any rule holds, the agent is not promoted.
 */
export interface RateRule {
  readonly rate: RateKind;
  /** Holds when the rate is above this (e.g. failure above 0.2). */
  readonly above?: number;
  /** Holds when the rate is below this (e.g. success below 0.8). */
  readonly below?: number;
  /** The fewest events in the window before the rule may hold (default 10). */
  readonly minEvents?: number;
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
  /** The least time between a change of tier (or the first event) and a promotion (default 24 hours). */
  readonly promoteEveryMs: number;
  /** How long an agent must have been known (since its first event) before any promotion (default 7 days). */
  readonly promoteMinAgeMs: number;
  /** How many successes in all an agent needs before any promotion (default 100). */
  readonly promoteMinSuccesses: number;
  /** The window the agent's rates are counted over (default 7 days), in `RATE_BUCKETS` fixed buckets aligned to the epoch. */
  readonly rateWindowMs: number;
  /** Rules that demote on a rate over the window (default none). */
  readonly demoteWhen: readonly RateRule[];
}

/** How many buckets the rate window is kept in: the state stays this small whatever the traffic. */
export const RATE_BUCKETS = 7;

/** The defaults of `TrustConfig`. */
export const DEFAULT_TRUST: TrustConfig = {
  min: 0,
  max: 4,
  initial: 2,
  windowMs: 86_400_000,
  denialsToDemote: 3,
  promoteAfter: 20,
  promoteEveryMs: 86_400_000,
  promoteMinAgeMs: 7 * 86_400_000,
  promoteMinSuccesses: 100,
  rateWindowMs: 7 * 86_400_000,
  demoteWhen: [],
};

/** Events of one bucket of the rate window: bucket number (time / bucket length), then counts. */
export interface RateBucket {
  readonly at: number;
  readonly success: number;
  readonly failure: number;
  readonly rollback: number;
  readonly violation: number;
  readonly denied: number;
}

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
  /** The time of the agent's first event; null before any. */
  readonly firstSeen: number | null;
  /** Successes in all. */
  readonly successes: number;
  /** The rate window's buckets, oldest first, at most `RATE_BUCKETS`. */
  readonly buckets: readonly RateBucket[];
  /** When a `demoteWhen` rule last demoted; null if never. */
  readonly rateDemotedAt: number | null;
}

/** The state of an agent with no history. */
export function initialTrust(config: TrustConfig = DEFAULT_TRUST): TrustState {
  return { tier: config.initial, clean: 0, changedAt: null, denials: [], lastBad: null, firstSeen: null, successes: 0, buckets: [], rateDemotedAt: null };
}

/** The bucket length of the rate window (at least 1 ms). */
function bucketMs(config: TrustConfig): number {
  return Math.max(1, Math.floor(config.rateWindowMs / RATE_BUCKETS));
}

/** The buckets after counting `kind` at time `t`: older buckets than the window drop out. */
function counted(buckets: readonly RateBucket[], kind: TrustEventKind, t: number, config: TrustConfig): readonly RateBucket[] {
  const at = Math.floor(t / bucketMs(config));
  const kept = buckets.filter((b) => b.at > at - RATE_BUCKETS && b.at <= at);
  const last = kept[kept.length - 1];
  const bucket: RateBucket = last !== undefined && last.at === at ? last : { at, success: 0, failure: 0, rollback: 0, violation: 0, denied: 0 };
  const next = { ...bucket, [kind]: bucket[kind as keyof Omit<RateBucket, "at">] + 1 };
  return last !== undefined && last.at === at ? [...kept.slice(0, -1), next] : [...kept, next];
}

/** An agent's rates over the window that ends at `now`, each from 0 to 1 (0 with no events to judge). */
export function trustRates(state: TrustState, now: number, config: TrustConfig = DEFAULT_TRUST): { readonly rates: Required<AgentRates>; readonly runs: number; readonly events: number } {
  const at = Math.floor(now / bucketMs(config));
  let success = 0, failure = 0, rollback = 0, violation = 0, denied = 0;
  for (const b of state.buckets) {
    if (b.at <= at - RATE_BUCKETS || b.at > at) continue;
    success += b.success;
    failure += b.failure;
    rollback += b.rollback;
    violation += b.violation;
    denied += b.denied;
  }
  const runs = success + failure + rollback;
  const events = runs + violation + denied;
  const share = (n: number, of: number): number => (of === 0 ? 0 : n / of);
  return { rates: { success: share(success, runs), failure: share(failure, runs), rollback: share(rollback, runs), violation: share(violation, events) }, runs, events };
}

/** Whether a `demoteWhen` rule holds over the window ending at `t`. */
function degraded(state: TrustState, t: number, config: TrustConfig): boolean {
  if (config.demoteWhen.length === 0) return false;
  const { rates, runs, events } = trustRates(state, t, config);
  return config.demoteWhen.some((rule) => {
    const judged = rule.rate === "violation" ? events : runs;
    if (judged < (rule.minEvents ?? 10)) return false;
    const rate = rates[rule.rate];
    return (rule.above !== undefined && rate > rule.above) || (rule.below !== undefined && rate < rule.below);
  });
}

/** One step of the fold. */
export function applyTrustEvent(previous: TrustState, event: TrustEvent, config: TrustConfig = DEFAULT_TRUST): TrustState {
  const after = applyTierEvent(previous, event, config);
  if (!KINDS.includes(event.kind)) return after;
  const state = { ...after, buckets: counted(previous.buckets, event.kind, event.at, config) };
  // Degraded behaviour over the window demotes once per window, and holds back promotion.
  if (!degraded(state, event.at, config)) return state;
  const promoted = state.tier > previous.tier;
  const base = promoted ? { ...state, tier: previous.tier, changedAt: previous.changedAt, clean: previous.clean } : state;
  if (previous.rateDemotedAt !== null && event.at - previous.rateDemotedAt < config.rateWindowMs) return base;
  const tier = Math.max(config.min, base.tier - 1);
  return { ...base, tier, clean: 0, changedAt: tier === base.tier ? base.changedAt : event.at, rateDemotedAt: event.at };
}

const KINDS: readonly string[] = ["denied", "violation", "rollback", "success", "failure"];

/** One step of the fold for the tier alone (demotions, promotions), before rates. */
function applyTierEvent(previous: TrustState, event: TrustEvent, config: TrustConfig): TrustState {
  const t = event.at;
  const state: TrustState = previous.firstSeen === null ? { ...previous, firstSeen: t } : previous;
  const firstSeen = state.firstSeen ?? t;
  const demote = (by: number): TrustState => {
    const tier = Math.max(config.min, state.tier - by);
    return { ...state, tier, clean: 0, changedAt: tier === state.tier ? state.changedAt : t, denials: [], lastBad: t };
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
      const successes = state.successes + 1;
      const quiet = state.lastBad === null || t - state.lastBad >= config.windowMs;
      // A tier that never changed is settled only as long after the agent's first event: "never changed" is not "long ago".
      const settled = t - (state.changedAt ?? firstSeen) >= config.promoteEveryMs;
      const known = t - firstSeen >= config.promoteMinAgeMs && successes >= config.promoteMinSuccesses;
      if (clean >= config.promoteAfter && quiet && settled && known && state.tier < config.max) {
        return { ...state, tier: state.tier + 1, clean: 0, changedAt: t, successes };
      }
      return { ...state, clean, successes };
    }
    case "failure":
      return state;
    default:
      throw new TypeError(`unknown trust event \`${String((event as { kind: unknown }).kind)}\`; use denied, violation, rollback, success or failure`);
  }
}

/** The tier after a whole history: deterministic, the same history gives the same tier. */
export function foldTrust(events: readonly TrustEvent[], config: TrustConfig = DEFAULT_TRUST): TrustState {
  return events.reduce((state, event) => applyTrustEvent(state, event, config), initialTrust(config));
}

/** Agents' trust, kept in a store. */
export class Trust {
  readonly config: TrustConfig;

  /** Throws a TypeError (or RangeError for tiers out of order) for a config that is not what `TrustConfig` says. */
  constructor(
    private readonly store: StateStore,
    private readonly clock: Clock,
    config: Partial<TrustConfig> = {},
  ) {
    this.config = trustConfig(config);
  }

  /** An agent's tier now. */
  async tier(agent: string): Promise<number> {
    return (await this.state(agent)).tier;
  }

  /** An agent's folded state. */
  async state(agent: string): Promise<TrustState> {
    return storedTrust(await this.store.get(trustKey(agent)), this.config);
  }

  /** An agent's tier and its rates over the window ending now (one store read): what the gateway passes as `state.trust` and `state.rates`. */
  async standing(agent: string): Promise<{ readonly tier: number; readonly rates: Required<AgentRates> }> {
    const state = await this.state(agent);
    return { tier: state.tier, rates: trustRates(state, this.clock.now(), this.config).rates };
  }

  /** Records an event at the clock's time and returns the new state. */
  async record(agent: string, kind: TrustEventKind): Promise<TrustState> {
    const key = trustKey(agent);
    for (;;) {
      const text = await this.store.get(key);
      const current = storedTrust(text, this.config);
      const next = applyTrustEvent(current, { kind, at: this.clock.now() }, this.config);
      if (await this.store.compareAndSet(key, text, JSON.stringify(next))) return next;
    }
  }
}

const WHOLE_AT_LEAST: Readonly<Record<string, number>> = { windowMs: 0, denialsToDemote: 1, promoteAfter: 1, promoteEveryMs: 0, promoteMinAgeMs: 0, promoteMinSuccesses: 0, rateWindowMs: 1 };

/** A complete, checked config from a caller's partial one; throws a TypeError naming the first bad option. */
export function trustConfig(given: Partial<TrustConfig>): TrustConfig {
  if (typeof given !== "object" || given === null) throw new TypeError("`trust` must be an object of trust options, or false");
  const known = Object.keys(DEFAULT_TRUST);
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) throw new TypeError(`unknown \`trust\` option \`${key}\`; use ${known.join(", ")}`);
  }
  const config: TrustConfig = { ...DEFAULT_TRUST, ...given };
  for (const key of ["min", "max", "initial"] as const) {
    if (!Number.isSafeInteger(config[key])) throw new TypeError(`\`trust.${key}\` must be a whole number, got ${String(config[key])}`);
  }
  for (const [key, least] of Object.entries(WHOLE_AT_LEAST)) {
    const value = config[key as keyof TrustConfig] as number;
    if (!Number.isSafeInteger(value) || value < least) throw new TypeError(`\`trust.${key}\` must be a whole number at least ${least}, got ${String(value)}`);
  }
  checkRateRules(config.demoteWhen);
  if (!(config.min <= config.initial && config.initial <= config.max)) {
    throw new RangeError(`trust tiers need min <= initial <= max, got ${config.min}, ${config.initial}, ${config.max}`);
  }
  return config;
}

/** `demoteWhen`: an array of { rate, above?, below?, minEvents? } (rates from 0 to 1, at least one bound); a TypeError names the first problem. */
function checkRateRules(rules: unknown): void {
  if (!Array.isArray(rules)) throw new TypeError("`trust.demoteWhen` must be an array of { rate, above?, below?, minEvents? }");
  rules.forEach((rule: unknown, i) => {
    const at = `\`trust.demoteWhen[${i}]\``;
    if (typeof rule !== "object" || rule === null) throw new TypeError(`${at} must be an object { rate, above?, below?, minEvents? }`);
    const r = rule as Record<string, unknown>;
    for (const key of Object.keys(r)) if (!["rate", "above", "below", "minEvents"].includes(key)) throw new TypeError(`unknown option \`${key}\` in ${at}; use rate, above, below or minEvents`);
    if (!["success", "failure", "rollback", "violation"].includes(r["rate"] as string)) throw new TypeError(`${at}.rate must be success, failure, rollback or violation, got ${String(r["rate"])}`);
    for (const bound of ["above", "below"]) {
      const v = r[bound];
      if (v !== undefined && (typeof v !== "number" || !(v >= 0 && v <= 1))) throw new TypeError(`${at}.${bound} must be a number from 0 to 1, got ${String(v)}`);
    }
    if (r["above"] === undefined && r["below"] === undefined) throw new TypeError(`${at} needs \`above\` or \`below\``);
    const min = r["minEvents"];
    if (min !== undefined && (!Number.isSafeInteger(min) || (min as number) < 1)) throw new TypeError(`${at}.minEvents must be a whole number at least 1, got ${String(min)}`);
  });
}

/**
 * A stored state, checked: one written before `firstSeen` and `successes`
 * existed is upgraded (first seen at its next event); a damaged one is read
 * as the lowest tier with no history — fail closed, never a promotion.
 */
function storedTrust(text: string | undefined, config: TrustConfig): TrustState {
  if (text === undefined) return initialTrust(config);
  const s = parseStored<Partial<TrustState>>(text);
  const time = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
  const ok =
    typeof s === "object" && s !== null &&
    Number.isSafeInteger(s.tier) && (s.tier as number) >= config.min && (s.tier as number) <= config.max &&
    Number.isSafeInteger(s.clean) && (s.clean as number) >= 0 &&
    (s.changedAt === null || time(s.changedAt)) &&
    Array.isArray(s.denials) && s.denials.every(time) &&
    (s.lastBad === null || time(s.lastBad)) &&
    (s.firstSeen === undefined || s.firstSeen === null || time(s.firstSeen)) &&
    (s.successes === undefined || (Number.isSafeInteger(s.successes) && (s.successes as number) >= 0)) &&
    (s.buckets === undefined || (Array.isArray(s.buckets) && s.buckets.length <= RATE_BUCKETS && s.buckets.every(bucketOk))) &&
    (s.rateDemotedAt === undefined || s.rateDemotedAt === null || time(s.rateDemotedAt));
  if (!ok) return { ...initialTrust(config), tier: config.min };
  return {
    tier: s.tier!,
    clean: s.clean!,
    changedAt: s.changedAt!,
    denials: s.denials!,
    lastBad: s.lastBad!,
    firstSeen: s.firstSeen ?? null,
    successes: s.successes ?? s.clean!,
    buckets: s.buckets ?? [],
    rateDemotedAt: s.rateDemotedAt ?? null,
  };
}

function bucketOk(b: unknown): boolean {
  if (typeof b !== "object" || b === null) return false;
  const r = b as Record<string, unknown>;
  return ["at", "success", "failure", "rollback", "violation", "denied"].every((k) => Number.isSafeInteger(r[k]) && (k === "at" || (r[k] as number) >= 0));
}

function trustKey(agent: string): string {
  return `trust:${agent}`;
}
