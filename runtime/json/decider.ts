/**
 * Deciding JSON request bytes through the module's portable entry point
 * (`agp_json_input` / `agp_decide_json`, runtime/abi.ts JSON_EXPORTS): the
 * module parses, validates and encodes; this host only copies the bytes in,
 * renders a refusal's message from the compact result (./messages.ts), and
 * finishes the decision from the manifest as the JS path does.
 *
 * In: a loaded `PolicyEngine` (its compiled module and manifest); request
 * bytes (UTF-8 JSON) or a string; optional runtime state. Out: the same
 * `Decision` the JS path gives for `JSON.parse` of the same well-formed
 * bytes (whatever their length: texts longer than the module's buffer go
 * through ./reader.ts, the module's checks in JS, and the object path);
 * malformed bytes are a `malformed_json` deny at the root saying why.
 * Runs on its own instance of the module (its own memory), so the engine
 * and the decider never see each other's writes. Never throws from
 * `decideJson`; must not use Node built-ins.
 * Sessions (docs/abi.md, "Sessions"): with a session input, the time and the
 * state are written into the module's session region before the call, and
 * the session's refusals come in the object path's order (after validation
 * and kill switches); `record` and `outcome` decide the bytes again to
 * encode them, then record, and copy the next state out.
 */
import type { Decision, DecisionEffect, SessionInput, SessionOutcome, SessionUpdate } from "../decision.js";
import type { PolicyEngine } from "../engine.js";
import { DEFAULT_REQUEST_BOUNDS, type Manifest, type RequestBounds, type SchemaNode } from "../manifest.js";
import { RATE_FIELDS, type RuntimeState } from "../request.js";
import { killedBy } from "../kill-scope.js";
import { JSON_EXPORTS, JSON_RESULT, JSON_STATUS, SESSION } from "../abi.js";
import { faultError, inputProblem, outcomeCode, randomKey, recordEffectCode, sessionKey, sessionProblem } from "../session.js";
import { readState } from "../encode/request.js";
import { compileCheck } from "../encode/readers.js";
import { rateChecks, readRates, type RateChecks } from "../encode/rates.js";
import { captureFromCopy, newView, type RequestView } from "../encode/view.js";
import type { Check } from "../encode/validate.js";
import { Refused, refusalOf } from "../encode/values.js";
import { ownValue, snapshot } from "../encode/snapshot.js";
import { finish, killed, refused } from "../finish/decision.js";
import { prepare, type Prepared } from "../finish/prepared.js";
import { readResult } from "../finish/result.js";
import { PolicyLoadError } from "../errors.js";
import { api, checkExports, messageOf, type SessionExports } from "../load/module.js";
import type { WasmInstance, WasmMemory, WasmModule } from "../wasm-api.js";
import { internalText, renderMalformed, renderRefusal, tooLarge } from "./messages.js";
import { readJson } from "./reader.js";
import { schemaNodes } from "./schema-ids.js";

/** Decides JSON requests with a loaded policy. */
export interface JsonDecider {
  /** The engine whose module and manifest this decider uses. */
  readonly engine: PolicyEngine;
  /**
   * The module's JSON buffer size (`manifest.json.inputBytes`): longer texts
   * are decided too, by the runtime's reader and the object path (slower).
   */
  readonly inputBytes: number;
  /**
   * Decides one request given as UTF-8 JSON bytes (or a string), with the
   * session's time and state for a policy with session rules. Never throws.
   */
  decideJson(request: Uint8Array | string, state?: RuntimeState, session?: SessionInput): Decision;
  /** Records a decided call in its session (as `PolicyEngine.record`), the request given as JSON. */
  recordJson(request: Uint8Array | string, session: SessionInput, effect: DecisionEffect): SessionUpdate;
  /** Records the outcome of call number `call` (as `PolicyEngine.outcome`), the request given as JSON. */
  outcomeJson(request: Uint8Array | string, session: SessionInput, call: number, outcome: SessionOutcome): SessionUpdate;
}

interface JsonExports {
  readonly input: () => number;
  readonly decideJson: (len: number) => number;
  readonly decide: (action: number, flags: number) => number;
  /** `agp_input`: the slot area the module encoded the request into. */
  readonly slots: () => number;
  readonly memory: WasmMemory;
  readonly session?: SessionExports;
}

/** A JSON decider on a fresh instance of the engine's module (asynchronous: browsers' main threads). */
export async function loadJsonDecider(engine: PolicyEngine): Promise<JsonDecider> {
  return new JsonEngine(engine, jsonExports(await instantiate(engine.module), engine.manifest));
}

/** A JSON decider, instantiated synchronously (Node, workers, small modules). */
export function loadJsonDeciderSync(engine: PolicyEngine): JsonDecider {
  return new JsonEngine(engine, jsonExports(instantiateNow(engine.module), engine.manifest));
}

async function instantiate(module: WasmModule): Promise<WasmInstance> {
  try {
    return await api().instantiate(module, {});
  } catch (error) {
    throw new PolicyLoadError(`the policy module cannot be instantiated: ${messageOf(error)}`);
  }
}

function instantiateNow(module: WasmModule): WasmInstance {
  try {
    return new (api().Instance)(module, {});
  } catch (error) {
    throw new PolicyLoadError(`the policy module cannot be instantiated: ${messageOf(error)}`);
  }
}

/** The JSON exports, after the ordinary ones are checked against the manifest (abi, input region). */
function jsonExports(instance: WasmInstance, manifest: Manifest): JsonExports {
  const checked = checkExports(instance, manifest);
  const ex = instance.exports;
  if (manifest.json === undefined || typeof ex[JSON_EXPORTS.decide] !== "function" || typeof ex[JSON_EXPORTS.input] !== "function") {
    throw new PolicyLoadError("this policy module has no JSON entry point (compiled before it existed); recompile it");
  }
  const { inputBytes, maxDepth } = manifest.json as { inputBytes: unknown; maxDepth: unknown };
  if (!Number.isInteger(inputBytes) || (inputBytes as number) <= 0 || !Number.isInteger(maxDepth) || (maxDepth as number) <= 0) {
    throw new PolicyLoadError("corrupt policy manifest: `manifest.json` must give a positive integer `inputBytes` and `maxDepth`");
  }
  const at = (ex[JSON_EXPORTS.input] as () => number)() >>> 0;
  const size = (ex["memory"] as WasmMemory).buffer.byteLength;
  if (at + (inputBytes as number) > size) {
    throw new PolicyLoadError(`corrupt policy module: the JSON input buffer (${at}..${at + (inputBytes as number)}) lies outside its memory (${size} bytes)`);
  }
  return {
    input: ex[JSON_EXPORTS.input] as () => number,
    decideJson: ex[JSON_EXPORTS.decide] as (len: number) => number,
    decide: ex["agp_decide"] as (a: number, f: number) => number,
    slots: ex["agp_input"] as () => number,
    memory: ex["memory"] as WasmMemory,
    ...(checked.session === undefined ? {} : { session: checked.session }),
  };
}

const encoder = new TextEncoder();

class JsonEngine implements JsonDecider {
  readonly inputBytes: number;
  private readonly prep: Prepared;
  private readonly nodes: readonly SchemaNode[];
  private readonly trust: Check | undefined;
  private readonly rateChecks: RateChecks;
  private readonly bounds: RequestBounds;
  private readonly trustSlots: readonly { readonly kind: string; readonly offset: number }[][];
  /** Per action, per rate field (`failure_rate` …): its top-level slots, rewritten when `state.rates` gives that rate. */
  private readonly rateSlots: readonly ReadonlyMap<string, readonly { readonly kind: string; readonly offset: number }[]>[];
  private readonly inputAt: number;
  /** What finishing reads of the request (captured from the parsed text only when needed). */
  private readonly seen: RequestView;
  // Views of the module's memory, made once: it never grows (re-made if the buffer is ever replaced).
  private buffer: ArrayBuffer | undefined;
  private view!: DataView;
  private bytes!: Uint8Array;

  constructor(
    readonly engine: PolicyEngine,
    private ex: JsonExports,
  ) {
    const manifest = engine.manifest;
    this.inputBytes = manifest.json!.inputBytes;
    this.prep = prepare(manifest);
    this.nodes = schemaNodes(manifest);
    const agent = manifest.request.agent;
    const trust = agent.type === "object" ? agent.properties.find((p) => p.name === "trust")?.schema : undefined;
    this.trust = trust === undefined ? undefined : compileCheck(trust);
    this.rateChecks = rateChecks(manifest);
    this.bounds = manifest.bounds ?? DEFAULT_REQUEST_BOUNDS;
    this.trustSlots = manifest.actions.map((a) => a.slots.filter((s) => s.path.length === 2 && s.path[0] === "agent" && s.path[1] === "trust"));
    this.rateSlots = manifest.actions.map((a) => {
      const byField = new Map<string, { kind: string; offset: number }[]>();
      for (const slot of a.slots) {
        if (slot.path.length !== 2 || slot.path[0] !== "agent" || !Object.values(RATE_FIELDS).includes(slot.path[1]!)) continue;
        const list = byField.get(slot.path[1]!) ?? [];
        list.push(slot);
        byField.set(slot.path[1]!, list);
      }
      return byField;
    });
    this.inputAt = ex.input() >>> 0;
    this.seen = newView(this.prep.captures);
  }

  /** A trap may leave the instance in any state: decide on a fresh one from now on. */
  private replace(): void {
    try {
      this.ex = jsonExports(instantiateNow(this.engine.module), this.engine.manifest);
      this.buffer = undefined; // the old instance's buffer stays attached: make the views again
    } catch {
      // Hosts that forbid synchronous instantiation keep the old instance; the module never traps by design.
    }
  }

  /**
   * Whether the views must be made again. `memory.buffer` is an accessor
   * that cost about 2% of a decision when read twice per call; a grown
   * memory detaches its old buffer (byteLength 0), so a length check tells
   * without it. A shared memory never detaches: ask it.
   */
  private stale(): boolean {
    const buffer = this.buffer;
    return buffer === undefined || buffer.byteLength === 0 || (this.shared && this.ex.memory.buffer !== buffer);
  }

  private shared = false;

  private refresh(): void {
    const buffer = this.ex.memory.buffer;
    this.buffer = buffer;
    this.shared = !(buffer instanceof ArrayBuffer);
    this.view = new DataView(buffer);
    this.bytes = new Uint8Array(buffer);
  }

  decideJson(request: Uint8Array | string, state?: RuntimeState, session?: SessionInput): Decision {
    try {
      return this.decideOrDeny(typeof request === "string" ? encoder.encode(request) : request, state, session);
    } catch (error) {
      return refused(this.prep, { code: "internal_error", message: `internal error in the policy engine: ${messageOf(error)}`, path: "" });
    }
  }

  recordJson(request: Uint8Array | string, session: SessionInput, effect: DecisionEffect): SessionUpdate {
    const code = recordEffectCode(effect);
    if (code === undefined) return { ok: false, error: { code: "session_error", message: `cannot record the effect ${JSON.stringify(effect)}; use allow, approve or deny`, path: "" } };
    return this.update(request, session, (s, action) => s.record(action, code), (value) => this.engine.record(value, session, effect));
  }

  outcomeJson(request: Uint8Array | string, session: SessionInput, call: number, outcome: SessionOutcome): SessionUpdate {
    const code = outcomeCode(outcome);
    if (code === undefined) return { ok: false, error: { code: "session_error", message: `unknown outcome ${JSON.stringify(outcome)}; use succeeded, failed or rolled_back`, path: "" } };
    if (!Number.isSafeInteger(call) || call < 1) return { ok: false, error: { code: "session_error", message: `a call number is a whole number at least 1 (from \`record\`), got ${String(call)}`, path: "" } };
    return this.update(request, session, (s, action) => s.outcome(action, code, call >>> 0), (value) => this.engine.outcome(value, session, call, outcome));
  }

  /**
   * `recordJson` and `outcomeJson`: decide the bytes again with the session
   * loaded (which encodes them and gives every refusal the decision gives),
   * then run `op` and copy the state out. Texts longer than the buffer go to the engine.
   */
  private update(request: Uint8Array | string, session: SessionInput, op: (s: SessionExports, action: number) => number, long: (value: unknown) => SessionUpdate): SessionUpdate {
    try {
      const manifest = this.engine.manifest;
      const s = this.ex.session;
      if (manifest.session === undefined || s === undefined) return { ok: false, error: { code: "session_error", message: "the policy has no session rules; there is no session to record", path: "" } };
      const bytes = typeof request === "string" ? encoder.encode(request) : request;
      if (bytes.length > this.inputBytes) {
        const read = readJson(bytes, this.bounds);
        if (read.kind !== "ok") return { ok: false, error: read.kind === "malformed" ? renderMalformed(read.code, read.offset, bytes.length, this.inputBytes) : tooLarge(this.bounds) };
        return long(read.value);
      }
      const problem = inputProblem(manifest, session);
      if (problem !== undefined) return { ok: false, error: problem };
      const decision = this.decideOrDeny(bytes, undefined, session);
      if (decision.error !== undefined) return { ok: false, error: decision.error };
      const action = this.lastAction;
      if (manifest.actions[action]?.session?.needs === undefined) {
        // Nothing watches this action: it is not an event of any session.
        return { ok: true, state: session.state ?? this.stateOut(s), call: 0 };
      }
      try {
        op(s, action);
      } catch (error) {
        this.replace();
        throw new Error(`the policy module trapped (${messageOf(error)})`);
      }
      if (this.stale()) this.refresh();
      const state = this.stateOut(s);
      return { ok: true, state, call: this.view.getUint32(s.region + SESSION.state + SESSION.callsAt, true) };
    } catch (error) {
      return { ok: false, error: { code: "internal_error", message: `internal error in the policy engine: ${messageOf(error)}`, path: "" } };
    }
  }

  /** The action id of the last decided JSON call (-1 before any). */
  private lastAction = -1;

  /** Writes `now` and the state (a new one when none is given) into the session region. */
  private loadSession(s: SessionExports, session: SessionInput): void {
    if (this.stale()) this.refresh();
    this.view.setFloat64(s.region + SESSION.now, session.now, true);
    const at = s.region + SESSION.state;
    if (session.state !== undefined) {
      this.bytes.set(session.state, at);
      return;
    }
    this.bytes.set(randomKey(), at + SESSION.keyAt);
    s.init();
  }

  /** A copy of the state in the session region. */
  private stateOut(s: SessionExports): Uint8Array {
    if (this.stale()) this.refresh();
    const at = s.region + SESSION.state;
    return this.bytes.slice(at, at + this.engine.manifest.session!.stateBytes);
  }

  private decideOrDeny(bytes: Uint8Array, given: RuntimeState | undefined, session: SessionInput | undefined): Decision {
    const prep = this.prep;
    this.lastAction = -1;
    // Read once into plain data (own properties only), as the object path reads it.
    const state = readState(given, this.bounds);
    if (state instanceof Refused) return refused(prep, state.refusal);
    if (bytes.length > this.inputBytes) {
      // Longer than the module's buffer: the module's checks in JS (./reader.ts), then the object path.
      const read = readJson(bytes, this.bounds);
      if (read.kind === "malformed") return refused(prep, renderMalformed(read.code, read.offset, bytes.length, this.inputBytes));
      if (read.kind === "too_large") return refused(prep, tooLarge(this.bounds));
      return this.engine.decide(read.value, state, session);
    }
    const ex = this.ex;
    // The session's time and state go in first: the module reads them while it decides. A bad input is refused below, in the object path's order.
    const sessionInput = session === undefined || ex.session === undefined ? undefined : { now: session.now, ...(session.state === undefined ? {} : { state: session.state }) };
    const badInput = sessionInput === undefined ? undefined : inputProblem(this.engine.manifest, sessionInput);
    if (sessionInput !== undefined && badInput === undefined) this.loadSession(ex.session!, sessionInput);
    if (this.stale()) this.refresh();
    this.bytes.set(bytes, this.inputAt);
    let at: number;
    try {
      at = ex.decideJson(bytes.length) >>> 0;
    } catch (error) {
      this.replace();
      throw new Error(`the policy module trapped (${messageOf(error)})`);
    }
    if (this.stale()) this.refresh();
    const view = this.view;
    const status = view.getUint32(at + JSON_RESULT.status, true);
    if (status === JSON_STATUS.refused) return refused(prep, renderRefusal(view, at, bytes, this.nodes, this.bounds));
    if (status === JSON_STATUS.malformed) {
      return refused(prep, renderMalformed(view.getUint32(at + JSON_RESULT.code, true), view.getUint32(at + JSON_RESULT.detail, true), bytes.length, this.inputBytes));
    }
    if (status === JSON_STATUS.internal) throw new Error(internalText(view.getUint32(at + JSON_RESULT.code, true)));
    if (status !== JSON_STATUS.decided) throw new Error(`the JSON result has status ${status}`);
    const actionId = view.getInt32(at + JSON_RESULT.action, true);
    const action = prep.actions[actionId];
    if (action === undefined) throw new Error(`the JSON result names action ${actionId}, which does not exist`);
    let address = view.getUint32(at + JSON_RESULT.decision, true);

    let parsed: Record<string, unknown> | undefined;
    // Read as the object path reads it (a plain copy, read through own properties): the module validated these bytes.
    const request = (): Record<string, unknown> =>
      (parsed ??= snapshot(JSON.parse(new TextDecoder().decode(bytes)), this.bounds, "") as Record<string, unknown>);
    const trust = state?.trust;
    if (trust !== undefined) {
      if (this.trust !== undefined) {
        const problem = this.trust(trust);
        if (problem !== undefined) return refused(prep, refusalOf(problem, "state.trust"));
      }
    }
    const rates = readRates(state, this.rateChecks);
    if (rates instanceof Refused) return refused(prep, rates.refusal);
    if (trust !== undefined || rates !== undefined) {
      // `state.trust` replaces `agent.trust`, `state.rates` the rate fields: rewrite their slots and decide again (docs/abi.md).
      const base = ex.slots() >>> 0;
      const write = (slots: readonly { readonly kind: string; readonly offset: number }[], value: number): void => {
        for (const slot of slots) {
          if (slot.kind === "num") view.setFloat64(base + slot.offset, value, true);
          else if (slot.kind === "state") view.setUint32(base + slot.offset, 1, true);
        }
      };
      if (trust !== undefined) write(this.trustSlots[actionId]!, trust);
      for (const [field, value] of Object.entries(rates ?? {})) write(this.rateSlots[actionId]!.get(field) ?? [], value);
      address = ex.decide(actionId, view.getUint32(at + JSON_RESULT.flags, true)) >>> 0;
    }
    const killedList = state?.killed;
    if (killedList !== undefined && killedList.length > 0) {
      const r = request();
      const name = killedBy(killedList, ownValue(ownValue(r, "agent"), "id"), action.name, action.family, ownValue(r, "env"));
      if (name !== undefined) return killed(prep, name);
    }
    const needs = this.engine.manifest.actions[actionId]!.session?.needs !== undefined;
    if (needs) {
      const r = request();
      const key = sessionKey(this.engine.manifest, { agent: ownValue(r, "agent"), human: ownValue(r, "human"), env: ownValue(r, "env"), context: ownValue(r, "context") });
      const problem = sessionProblem(this.engine.manifest, actionId, key, sessionInput) ?? badInput;
      if (problem !== undefined) return refused(prep, problem);
    }
    const raw = readResult(view, address, prep.rules, prep.limits.length);
    if (raw.fault !== 0) return refused(prep, faultError(this.engine.manifest, actionId, raw.fault));
    this.lastAction = actionId;
    const seen = this.seen;
    seen.action = action.name;
    seen.actionId = actionId;
    seen.trust = trust;
    seen.rates = rates;
    seen.human = false;
    seen.captures.fill(undefined);
    // A default deny blocked by the human side reads whether a human was named (`human_only` without one, ADR 0040).
    const humanDefault = raw.effect === "deny" && raw.deciding.length === 0 && raw.blockedBy === "human";
    if (raw.charges.length > 0 || state?.approvals !== undefined || humanDefault) {
      const r = request();
      const human = ownValue(r, "human");
      seen.human = human !== null && human !== undefined;
      captureFromCopy(prep.captures, r, seen);
    }
    try {
      return finish(prep, raw, seen, state);
    } finally {
      seen.captures.fill(undefined);
      seen.rates = undefined;
    }
  }
}
