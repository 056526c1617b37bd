/**
 * Taking in one request: a single pass over the host's object that reads
 * each part once, counts it against the request bounds, validates it,
 * writes what the module reads into its memory and captures what finishing
 * reads (ADR 0008's snapshot, ADR 0006's validation and the slot encoding,
 * fused: issue 19, docs/runtime.md "What decide reads").
 *
 * In: the manifest; per request, the host's value, `state.trust` and the
 * module's memory views. Out: undefined and a filled `RequestView` (slots
 * written, captures taken), or the `Refusal` a plain copy of what was read
 * would get: `too_large` / `unreadable_value` as ./snapshot.ts reports them,
 * else the first problem in ADR 0006's order (top-level keys, `agent`,
 * `human`, `action`, `args`, `env`, `context`, `state.trust`).
 *
 * The request's own properties are read in `for…in` order, each once, as a
 * copy reads them; parts met before `action` wait (value read, contents
 * not) until the action is known, so that its readers encode them; their
 * contents are then read and counted in the copy's order, so every trap of
 * every object runs in the order a copy runs it. Readers are built per
 * action on its first request (./readers.ts). Must not throw; must not keep
 * request values after `take` returns (the key list and captures are
 * cleared by the engine after finishing).
 */
import type { Manifest, RequestBounds, SchemaNode, Slot } from "../manifest.js";
import { DEFAULT_REQUEST_BOUNDS } from "../manifest.js";
import { FAILED, countContents, countValue, fail, failAt, prepend, threw, walkRefusal, type Failure } from "./snapshot.js";
import { compileCheck, compileReader, type ReadState, type Reader } from "./readers.js";
import { buildNeeds, symOffsets, NO_NEEDS, type NeedNode, type Write } from "./needs.js";
import type { Check } from "./validate.js";
import { Problem, Refused, childPath, describe, refusalOf, tick, type Refusal } from "./values.js";
import { RATE_FIELDS, type RuntimeState } from "../request.js";
import { rateChecks, readRates, type RateChecks } from "./rates.js";
import { slotSize, type Arena } from "./slots.js";
import { capturePlan, newView, type CapturePlan, type RequestView } from "./view.js";
import { PolicyLoadError } from "../errors.js";
import { checkActionOnFirstUse } from "../load/deferred-checks.js";

/** The readers of one action's request parts and where its top-level slots are. */
interface ActionPlan {
  readonly agent: Reader;
  readonly human: Reader;
  readonly args: Reader;
  readonly env: Reader;
  readonly context: Reader;
  /** Writes the `action` name's slots, if the module reads it. */
  readonly action: Write | undefined;
  /** Writes `state.trust` into `agent.trust`'s slots and captures. */
  readonly trust: Write | undefined;
  /** Writes `state.rates` into `agent.<rate>_rate`'s slots and captures, by field name. */
  readonly rates: ReadonlyMap<string, Write>;
  /** Top-level `sym` offsets (absent reads -1) and the end of the top-level slots. */
  readonly syms: readonly number[];
  readonly fixedEnd: number;
}

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

/** The readers and checks every action shares (`Intake.common`). */
interface Common {
  readonly blind: ActionPlan;
  readonly trustCheck: Check | undefined;
  readonly rateChecks: RateChecks;
  readonly noContext: Refusal | undefined;
}

const hasOwn = Object.prototype.hasOwnProperty;
const counted: Reader = (value, depth, r) => countValue(value, depth, r);

/** No readers yet: `take` picks the blind ones before reading anything. */
const NO_PLAN: ActionPlan = Object.freeze({
  agent: counted,
  human: counted,
  args: counted,
  env: counted,
  context: counted,
  action: undefined,
  trust: undefined,
  rates: new Map(),
  syms: [],
  fixedEnd: 0,
});

/** Reads requests for one loaded policy. */
export class Intake implements ReadState {
  readonly maxDepth: number;
  readonly maxValues: number;
  readonly state = false;
  count = 0;
  failure: Failure | undefined = undefined;
  arena!: Arena;
  readonly captures: unknown[];
  overflow = false;
  readonly plan: CapturePlan;
  readonly view: RequestView;
  readonly bounds: RequestBounds;
  private readonly actionIds: ReadonlyMap<string, number>;
  private readonly plans: (ActionPlan | undefined)[];
  /** The readers and checks shared by every action, built on the first request (`common`). */
  private shared: Common | undefined;
  // One request's reading, reset by `take`: each part's first problem (undefined: none; ABSENT: not given).
  private agent: Problem | undefined | typeof ABSENT = ABSENT;
  private human: Problem | undefined | typeof ABSENT = ABSENT;
  private args: Problem | undefined | typeof ABSENT = ABSENT;
  private env: Problem | undefined | typeof ABSENT = ABSENT;
  private context: Problem | undefined | typeof ABSENT = ABSENT;
  private unknown: string | undefined;
  private action: unknown;
  private hasAction = false;
  private actionId = -1;
  private current: ActionPlan;
  private base = -1;
  /** Keys and values of parts met before `action` (cleared after every request). */
  private deferred: unknown[] = [];
  /** The state of the request being taken (for `state.rates`), dropped once read. */
  private given: RuntimeState | undefined = undefined;
  private pending = 0;

  constructor(
    private readonly manifest: Manifest,
    plan: CapturePlan = capturePlan(manifest),
  ) {
    this.bounds = manifest.bounds ?? DEFAULT_REQUEST_BOUNDS;
    this.maxDepth = this.bounds.maxDepth;
    this.maxValues = this.bounds.maxValues;
    this.plan = plan;
    this.view = newView(this.plan);
    this.captures = this.view.captures;
    this.actionIds = new Map(manifest.actions.map((a, i) => [a.name, i]));
    this.plans = new Array<ActionPlan | undefined>(manifest.actions.length).fill(undefined);
    this.current = NO_PLAN;
  }

  /**
   * What every request is read with before its action is known, and the
   * state's checks: built on the first request, not at load (ADR 0050), so
   * loading a policy compiles no reader.
   */
  private common(): Common {
    if (this.shared !== undefined) return this.shared;
    const manifest = this.manifest;
    const request = manifest.request;
    const agent = request.agent;
    const trust = agent.type === "object" ? agent.properties.find((p) => p.name === "trust")?.schema : undefined;
    const problem = compileCheck(request.context)(EMPTY);
    this.shared = {
      blind: {
        agent: compileReader(request.agent),
        human: compileReader(request.human),
        args: counted,
        env: compileReader(request.env),
        context: compileReader(request.context),
        action: undefined,
        trust: undefined,
        rates: new Map(),
        syms: [],
        fixedEnd: 0,
      },
      trustCheck: trust === undefined ? undefined : compileCheck(trust),
      rateChecks: rateChecks(manifest),
      noContext: problem === undefined ? undefined : refusalOf(problem, "context"),
    };
    return this.shared;
  }

  /** The readers of action `id`, built on its first request. */
  private planOf(id: number): ActionPlan {
    let plan = this.plans[id];
    if (plan !== undefined) return plan;
    // A lazily opened manifest's schema and slots for this action are checked before anything reads them (ADR 0050).
    checkActionOnFirstUse(this.manifest, id);
    const action = this.manifest.actions[id]!;
    const needs = buildNeeds(action.slots, this.plan.paths);
    const part = (name: string): NeedNode => needs.children.get(name) ?? NO_NEEDS;
    const request = this.manifest.request;
    plan = {
      agent: compileReader(request.agent, part("agent")),
      human: compileReader(request.human, part("human")),
      args: compileReader(action.args as SchemaNode, part("args")),
      env: compileReader(request.env, part("env")),
      context: compileReader(request.context, part("context")),
      action: part("action").write,
      trust: part("agent").children.get("trust")?.write,
      rates: rateWrites(part("agent")),
      syms: symOffsets(action.slots),
      fixedEnd: action.slots.reduce((end: number, slot: Slot) => Math.max(end, slot.offset + slotSize(slot)), 0),
    };
    this.plans[id] = plan;
    return plan;
  }

  /**
   * Reads `request` into the module's memory (`arena`, zeroed by the caller)
   * and `view`; the refusal when it must be denied. `trust` is the validated
   * state's `trust`, checked here after the request (ADR 0006's order), then
   * the state's `rates` (each against the agent's declared field).
   */
  take(request: unknown, trust: number | undefined, arena: Arena, state?: RuntimeState): Refusal | undefined {
    this.count = 0;
    this.failure = undefined;
    this.overflow = false;
    this.arena = arena;
    const view = this.view;
    const captures = view.captures;
    for (let i = 0; i < captures.length; i++) captures[i] = undefined;
    view.action = "";
    view.actionId = -1;
    view.human = false;
    view.trust = trust;
    view.rates = undefined;
    this.given = state;

    // The root, as a copy reads it: counted, then the depth, then Array.isArray.
    if (++this.count > this.maxValues) return this.failed(fail(this, "too_large", ""));
    if (typeof request !== "object" || request === null) return refusal("wrong_type", `the request must be an object, got ${describe(request)}`, "");
    if (this.maxDepth <= 0) return this.failed(fail(this, "too_large", ""));
    let isArray: boolean;
    try {
      isArray = Array.isArray(request);
    } catch (error) {
      return this.failed(fail(this, "unreadable", threw(error)));
    }
    if (isArray) {
      if (countContents(request, 0, this) === FAILED) return this.failed(FAILED);
      return refusal("wrong_type", "the request must be an object, got an array", "");
    }
    this.agent = this.human = this.args = this.env = this.context = ABSENT;
    this.unknown = undefined;
    this.action = undefined;
    this.hasAction = false;
    this.pending = 0;
    this.current = this.common().blind;
    this.base = -1;
    try {
      const found = this.root(request as Readonly<Record<string, unknown>>);
      if (found === FAILED) return this.failed(FAILED);
    } finally {
      // Keep nothing of the request: a long list (many unknown keys before `action`) is dropped.
      const deferred = this.deferred;
      if (deferred.length > 64) this.deferred = [];
      else for (let i = 0; i < deferred.length; i++) deferred[i] = undefined;
    }
    return this.verdict();
  }

  /**
   * The request's own properties in `for…in` order, each read once as a copy
   * reads it. Parts met before `action` wait (their values read, their
   * contents not) until it is known, so that they are read with its readers;
   * their contents are then read, and counted, in the copy's order.
   */
  private root(object: Readonly<Record<string, unknown>>): typeof FAILED | undefined {
    let known = false;
    let reading: string | undefined;
    try {
      for (const key in object) {
        reading = key;
        const item = hasOwn.call(object, key) ? object[key] : undefined;
        reading = undefined;
        if (key === "action") {
          known = true;
          this.choose(item);
          if (this.flush() === FAILED) return FAILED;
          if (item === undefined) continue;
          this.hasAction = true;
          if (++this.count > this.maxValues) return fail(this, "too_large", "");
          if (typeof item === "object" && item !== null && countContents(item, 1, this) === FAILED) return prepend(this, "action");
          const write = this.current.action;
          if (write !== undefined) write(item, this.base, this);
          continue;
        }
        if (item === undefined) continue;
        if (!known) {
          this.deferred[this.pending++] = key;
          this.deferred[this.pending++] = item;
          continue;
        }
        if (this.part(key, item) === FAILED) return FAILED;
      }
    } catch (error) {
      // A corrupt manifest part found on first use is the policy's fault, not the request's: it becomes an internal_error deny.
      if (error instanceof PolicyLoadError) throw error;
      // The enumeration or one read threw: what was read before it is read to the end first, as a copy would have.
      if (this.flush() === FAILED) return FAILED;
      return reading === undefined ? fail(this, "unreadable", threw(error)) : failAt(this, "unreadable", threw(error), reading);
    }
    if (!known) this.choose(undefined);
    return this.flush();
  }

  /** Picks the readers for the action named by `action` (the blind ones when it names none). */
  private choose(action: unknown): void {
    this.action = action;
    const id = typeof action === "string" ? this.actionIds.get(action) ?? -1 : -1;
    this.actionId = id;
    if (id < 0) return;
    const plan = this.planOf(id);
    const a = this.arena;
    this.current = plan;
    this.base = a.slotBase;
    a.high = a.slotBase + plan.fixedEnd;
    for (const offset of plan.syms) a.view.setInt32(a.slotBase + offset, -1, true);
  }

  /** Reads the parts that waited for the action, in their order. */
  private flush(): typeof FAILED | undefined {
    const deferred = this.deferred;
    const n = this.pending;
    this.pending = 0;
    for (let i = 0; i < n; i += 2) {
      if (this.part(deferred[i] as string, deferred[i + 1]) === FAILED) return FAILED;
    }
    return undefined;
  }

  /** Reads one top-level part (its value already read from the request). */
  private part(key: string, item: unknown): typeof FAILED | undefined {
    const plan = this.current;
    const base = this.base;
    let found: Problem | undefined | typeof FAILED;
    switch (key) {
      case "agent":
        found = plan.agent(item, 1, this, base);
        if (found !== FAILED) this.agent = found;
        break;
      case "human":
        if (item === null) {
          // No human: counted, nothing else.
          found = countValue(item, 1, this);
          this.human = ABSENT;
        } else {
          found = plan.human(item, 1, this, base);
          if (found !== FAILED) this.human = found;
        }
        break;
      case "args":
        found = plan.args(item, 1, this, base);
        if (found !== FAILED) this.args = found;
        break;
      case "env":
        found = plan.env(item, 1, this, base);
        if (found !== FAILED) this.env = found;
        break;
      case "context":
        found = plan.context(item, 1, this, base);
        if (found !== FAILED) this.context = found;
        break;
      default:
        found = countValue(item, 1, this);
        if (this.unknown === undefined || key < this.unknown) this.unknown = key;
    }
    return found === FAILED ? prepend(this, key) : undefined;
  }

  /** The first problem in ADR 0006's order, or undefined with the view filled. */
  private verdict(): Refusal | undefined {
    if (this.unknown !== undefined) {
      const path = childPath("", this.unknown);
      return refusal("unknown_field", `unknown field ${tick(path)} in the request`, path);
    }
    const { agent, human, args, env, context, action } = this;
    if (agent === ABSENT) return missing("agent");
    if (agent !== undefined) return refusalOf(agent, "agent");
    if (human !== ABSENT && human !== undefined) return refusalOf(human, "human");
    if (!this.hasAction) return missing("action");
    if (typeof action !== "string") return refusal("wrong_type", `\`action\` must be a string, got ${describe(action)}`, "action");
    if (this.actionId < 0) return refusal("unknown_action", `unknown action ${tick(action)}`, "action");
    if (args === ABSENT) return missing("args");
    if (args !== undefined) return refusalOf(args, "args");
    if (env === ABSENT) return missing("env");
    if (env !== undefined) return refusalOf(env, "env");
    if (context === ABSENT) {
      const noContext = this.common().noContext;
      if (noContext !== undefined) return noContext;
    } else if (context !== undefined) return refusalOf(context, "context");
    const view = this.view;
    if (view.trust !== undefined) {
      const trustCheck = this.common().trustCheck;
      if (trustCheck !== undefined) {
        const problem = trustCheck(view.trust);
        if (problem !== undefined) return refusalOf(problem, "state.trust");
      }
      // `state.trust` replaces `agent.trust`.
      const write = this.current.trust;
      if (write !== undefined) write(view.trust, this.base, this);
    }
    const rates = readRates(this.given, this.common().rateChecks);
    this.given = undefined;
    if (rates instanceof Refused) return rates.refusal;
    if (rates !== undefined) {
      // `state.rates` replaces `agent.success_rate` … field by field.
      for (const field of Object.keys(rates)) this.current.rates.get(field)?.(rates[field]!, this.base, this);
      view.rates = rates;
    }
    view.action = action;
    view.actionId = this.actionId;
    view.human = human !== ABSENT;
    this.action = undefined;
    return undefined;
  }

  private failed(_: typeof FAILED): Refusal {
    return walkRefusal(this.failure!, this.bounds, "");
  }
}

/** A part the request does not have (distinct from undefined: "read, no problem"). */
const ABSENT: unique symbol = Symbol("absent");

function refusal(code: Refusal["code"], message: string, path: string): Refusal {
  return { code, message, path };
}

function missing(key: string): Refusal {
  return refusal("missing_field", `missing required field ${tick(key)}`, key);
}

/** The writers of the agent's rate fields the action reads, by field name (`failure_rate` …). */
function rateWrites(agent: NeedNode): ReadonlyMap<string, Write> {
  const writes = new Map<string, Write>();
  for (const field of Object.values(RATE_FIELDS)) {
    const write = agent.children.get(field)?.write;
    if (write !== undefined) writes.set(field, write);
  }
  return writes;
}
