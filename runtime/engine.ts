/**
 * The policy engine: one loaded module and the closures compiled from its
 * manifest, deciding one request at a time, synchronously.
 *
 * In: a compiled module, its checked manifest, its exports. Out:
 * `PolicyEngine.decide(request, state) → Decision`. Steps (ADR 0006, ADR
 * 0007 "who does what"): read and check the state; take in the request
 * (encode/intake.ts: one pass that reads each value once, validates it,
 * writes the module's slots and captures what finishing reads); kill
 * switches; `agp_decide`; read the result; finish from the manifest.
 * Nothing reads the host's objects after the intake (ADR 0008).
 * Must not throw from `decide` and must never allow on an error: any
 * exception becomes an `internal_error` deny. A trap (or a result that
 * cannot be right) discards the instance and instantiates the module
 * afresh, so one bad call cannot poison the next. Must not keep anything
 * of a request after `decide` returns.
 */
import type { Decision, DecisionEffect } from "./decision.js";
import type { RuntimeState } from "./request.js";
import { SESSION } from "./abi.js";
import { faultError, inputProblem, outcomeCode, randomKey, recordEffectCode, sessionKey, sessionProblem, viewSessionKey, type SessionInput, type SessionOutcome, type SessionUpdate } from "./session.js";
import type { Manifest } from "./manifest.js";
import { readState } from "./encode/request.js";
import { Refused } from "./encode/values.js";
import { Intake } from "./encode/intake.js";
import { relaxedManifest } from "./outcome-request.js";
import type { RequestView } from "./encode/view.js";
import { zero, type Arena } from "./encode/slots.js";
import { finish, killed, refused } from "./finish/decision.js";
import { killedBy } from "./kill-scope.js";
import { prepare, type Prepared } from "./finish/prepared.js";
import { readResult } from "./finish/result.js";
import { freezeManifest, instantiateAsync, instantiateSync, messageOf, type PolicyExports } from "./load/module.js";
import { PolicyLoadError } from "./errors.js";
import { checkDeferred } from "./load/deferred-checks.js";
import type { WasmModule } from "./wasm-api.js";

/** A loaded policy, ready to decide. */
export interface PolicyEngine {
  /** The module's manifest (frozen). */
  readonly manifest: Manifest;
  /** Which policy this is: content hash and bundle version. */
  readonly policy: { readonly hash: string; readonly version: string };
  /** The compiled module, e.g. to load the same policy again elsewhere without compiling. */
  readonly module: WasmModule;
  /** Every action name the policy knows, sorted. */
  actions(): string[];
  /**
   * Size in bytes of the module's linear memory, for monitoring: a policy
   * module allocates nothing, so this stays constant over any number of
   * decisions.
   */
  memoryBytes(): number;
  /**
   * Decides one request. `request` is untrusted; `state` is the runtime state
   * (trust, counters, approvals, kill switches); `session` the time and the
   * session's state, for a policy with session rules
   * (docs/decisions/0024-session-rules.md). Never throws; anything wrong
   * is a deny whose `error` says what.
   */
  decide(request: unknown, state?: RuntimeState, session?: SessionInput): Decision;
  /**
   * Records a decided call in its session: `effect` is what the host
   * enforced (allow: it runs; approve: parked; deny: refused). Returns the
   * session's next state and the call's number, or why it could not. A call
   * of an action no session rule watches changes nothing (`call` 0).
   */
  record(request: unknown, session: SessionInput, effect: DecisionEffect): SessionUpdate;
  /**
   * Records the outcome of call number `call` (from `record`) of this
   * request: the whole request, or what `outcomeRequest` (governance) kept
   * of it (nothing is required; every value present is validated).
   */
  outcome(request: unknown, session: SessionInput, call: number, outcome: SessionOutcome): SessionUpdate;
  /** The session key of a request (the value of the policy's session field), or undefined. */
  sessionKey(request: unknown): string | undefined;
  /** The engine's session support for a gateway; undefined when the policy has no session rules. */
  readonly sessions:
    | { key(request: unknown): string | undefined; readonly retainMs: number; record: PolicyEngine["record"]; outcome: PolicyEngine["outcome"] }
    | undefined;
}

/** The engine behind `PolicyEngine`. */
export class Engine implements PolicyEngine {
  readonly policy: { readonly hash: string; readonly version: string };
  private readonly intake: Intake;
  /** The intake outcomes are read through (./outcome-request.ts); built on the first outcome. */
  private relaxed: Intake | undefined;
  private readonly prep: Prepared;
  private arena!: Arena;
  /** Memory to take requests into while the module is being instantiated again (refusals still come first). */
  private spare: Arena | undefined;
  private exports: PolicyExports | undefined;
  private inputBase = 0;
  /** Whether the memory is shared (its buffer never detaches when it grows). */
  private shared = false;
  private busy = false;
  private recovering = false;
  private lastHigh = 0;
  private lastTop = 0;
  /**
   * The request whose slots the input region holds (after a decide), so
   * `record` need not encode it again; and the session input the decide
   * checked and loaded (its state is still in the session region: a
   * decision only reads it), so `record` with the same input need not check
   * and copy it again (ADR 0043).
   */
  private encoded: { readonly request: unknown; readonly actionId: number; readonly key: string | undefined; readonly loaded?: { readonly input: SessionInput; readonly now: number; readonly state: Uint8Array | undefined } } | undefined;

  /** Whether `manifest` has been handed out (and so frozen, its every rule checked). */
  private published = false;

  constructor(
    readonly module: WasmModule,
    /** The manifest as the loader opened it: rules decoded on first use, frozen when first handed out (ADR 0050). */
    private readonly data: Manifest,
    exports: PolicyExports,
  ) {
    this.prep = prepare(data);
    this.intake = new Intake(data, this.prep.captures);
    this.policy = this.prep.policy;
    this.attach(exports);
  }

  /**
   * The manifest, frozen all the way down before any caller holds it; the
   * first read decodes and checks every rule (throws `PolicyLoadError` for
   * a corrupt one, as loading did before rules were decoded lazily).
   */
  get manifest(): Manifest {
    if (!this.published) {
      freezeManifest(this.data);
      this.published = true;
    }
    return this.data;
  }

  actions(): string[] {
    return this.prep.actions.map((a) => a.name);
  }

  get sessions(): PolicyEngine["sessions"] {
    const session = this.data.session;
    if (session === undefined) return undefined;
    return {
      key: (request) => this.sessionKey(request),
      retainMs: session.retainMs,
      record: (request, input, effect) => this.record(request, input, effect),
      outcome: (request, input, call, outcome) => this.outcome(request, input, call, outcome),
    };
  }

  memoryBytes(): number {
    return this.exports?.memory.buffer.byteLength ?? 0;
  }

  decide(request: unknown, state?: RuntimeState, session?: SessionInput): Decision {
    if (this.busy) return this.internal("`decide` was called again before the previous call returned");
    this.busy = true;
    try {
      return this.decideOrDeny(request, state, session);
    } catch (error) {
      return this.internal(messageOf(error));
    } finally {
      this.busy = false;
      // Keep nothing of the request.
      const view = this.intake.view;
      const captures = view.captures;
      for (let i = 0; i < captures.length; i++) captures[i] = undefined;
      view.action = "";
      view.rates = undefined;
    }
  }

  private decideOrDeny(request: unknown, given: RuntimeState | undefined, session: SessionInput | undefined): Decision {
    const prep = this.prep;
    this.encoded = undefined;
    // The state is read once, into plain data; the request is read once by the intake.
    const state = readState(given, this.intake.bounds);
    if (state instanceof Refused) return refused(prep, state.refusal);
    if (this.exports === undefined && !this.recovering) this.replace();
    const exports = this.exports;
    if (exports === undefined) {
      // No module to write into: take the request into spare memory, so its refusal or a kill switch still comes first.
      const refusal = this.intake.take(request, state?.trust, this.spareArena(), state);
      if (refusal !== undefined) return refused(prep, refusal);
      const kill = killSwitch(state, this.intake.view, prep);
      if (kill !== undefined) return killed(prep, kill);
      return this.internal("the policy module is being instantiated again after a failure; retry shortly");
    }
    if (this.stale()) this.views(exports);
    const a = this.arena;
    this.clear(a);
    const refusal = this.intake.take(request, state?.trust, a, state);
    // A string that did not fit may have left bytes past the arena's top: then the whole arena is cleared next time.
    if (!this.intake.overflow) {
      this.lastHigh = a.high;
      this.lastTop = a.top;
    }
    if (refusal !== undefined) return refused(prep, refusal);
    if (this.intake.overflow) return this.internal("the request's strings do not fit the module's string arena");
    const view = this.intake.view;
    const kill = killSwitch(state, view, prep);
    if (kill !== undefined) return killed(prep, kill);
    // Session refusals come after the request's own and the kill switches (the reference's order).
    const needs = this.data.actions[view.actionId]!.session?.needs !== undefined;
    const key = needs ? viewSessionKey(this.intake.plan, view) : undefined;
    if (needs) {
      const problem = sessionProblem(this.data, view.actionId, key, session);
      if (problem !== undefined) return refused(prep, problem);
      this.loadSession(exports, session!);
    }
    // No spread of a conditional object here: this runs on every decision.
    this.encoded =
      needs && session!.state !== undefined
        ? { request, actionId: view.actionId, key, loaded: { input: session!, now: session!.now, state: session!.state } }
        : { request, actionId: view.actionId, key };
    let address: number;
    try {
      address = exports.decide(view.actionId, view.human ? 1 : 0) >>> 0;
    } catch (error) {
      this.replace();
      return this.internal(`the policy module trapped (${messageOf(error)})`);
    }
    if (this.stale()) this.views(exports);
    let raw;
    try {
      raw = readResult(this.arena.view, address, prep.rules, prep.limits.length);
    } catch (error) {
      // A rule entry of the manifest that is corrupt (found on its first use, ADR 0050): the module is not at fault.
      if (error instanceof PolicyLoadError) return this.internal(error.message);
      this.replace();
      return this.internal(`the policy module wrote an impossible result (${messageOf(error)})`);
    }
    if (raw.fault !== 0) return refused(prep, faultError(this.data, view.actionId, raw.fault));
    return finish(prep, raw, view, state);
  }

  sessionKey(request: unknown): string | undefined {
    if (this.data.session === undefined || typeof request !== "object" || request === null) return undefined;
    const r = request as Record<string, unknown>;
    return sessionKey(this.data, { agent: r["agent"], human: r["human"], env: r["env"], context: r["context"] });
  }

  record(request: unknown, session: SessionInput, effect: DecisionEffect): SessionUpdate {
    const code = recordEffectCode(effect);
    if (code === undefined) return { ok: false, error: { code: "session_error", message: `cannot record the effect ${JSON.stringify(effect)}; use allow, approve or deny`, path: "" } };
    return this.update(request, session, (exports, actionId) => exports.session!.record(actionId, code), this.intake);
  }

  outcome(request: unknown, session: SessionInput, call: number, outcome: SessionOutcome): SessionUpdate {
    const code = outcomeCode(outcome);
    if (code === undefined) return { ok: false, error: { code: "session_error", message: `unknown outcome ${JSON.stringify(outcome)}; use succeeded, failed or rolled_back`, path: "" } };
    if (!Number.isSafeInteger(call) || call < 1) return { ok: false, error: { code: "session_error", message: `a call number is a whole number at least 1 (from \`record\`), got ${String(call)}`, path: "" } };
    let intake: Intake;
    try {
      intake = this.outcomeIntake();
    } catch (error) {
      // A corrupt action schema found by the deferred checks (ADR 0050).
      return { ok: false, error: { code: "internal_error", message: `internal error in the policy engine: ${messageOf(error)}`, path: "" } };
    }
    return this.update(request, session, (exports, actionId) => exports.session!.outcome(actionId, code, call >>> 0), intake);
  }

  /**
   * Outcomes are read through a relaxed intake: a host may keep only what an
   * outcome reads (governance `outcomeRequest`, ADR 0025), so nothing is required, while
   * every value present is validated as at decision time.
   */
  private outcomeIntake(): Intake {
    // The relaxed copy reads every action's schema: run the checks loading deferred first (ADR 0050).
    if (this.relaxed === undefined) checkDeferred(this.data);
    this.relaxed ??= new Intake(relaxedManifest(this.data), this.prep.captures);
    return this.relaxed;
  }

  /** Shared by `record` and `outcome`: validate (or reuse the decided slots), load the session, run, copy the state out. */
  private update(request: unknown, session: SessionInput, run: (exports: PolicyExports, actionId: number) => number, intake: Intake): SessionUpdate {
    if (this.data.session === undefined) return { ok: false, error: { code: "session_error", message: "the policy has no session rules; there is no session to record", path: "" } };
    if (this.busy) return { ok: false, error: { code: "internal_error", message: "internal error in the policy engine: a session was recorded during a decision", path: "" } };
    this.busy = true;
    try {
      let actionId: number;
      let key: string | undefined;
      const reuse = intake === this.intake && this.encoded !== undefined && this.encoded.request === request && this.exports !== undefined;
      // The decide before this loaded this very input (a given state, not a new one: a new session's state is made with fresh key bytes each time).
      const loaded = reuse ? this.encoded!.loaded : undefined;
      const same = loaded !== undefined && loaded.input === session && loaded.now === session.now && loaded.state === session.state;
      if (reuse) {
        actionId = this.encoded!.actionId;
        key = this.encoded!.key;
      } else {
        // Read the request again (validated and written into the module's memory, or spare memory while there is no module).
        if (this.exports === undefined && !this.recovering) this.replace();
        if (this.exports !== undefined && this.stale()) this.views(this.exports);
        const a = this.exports === undefined ? this.spareArena() : this.arena;
        if (this.exports !== undefined) this.clear(a);
        const refusal = intake.take(request, undefined, a);
        if (this.exports !== undefined && !intake.overflow) {
          this.lastHigh = a.high;
          this.lastTop = a.top;
        }
        if (refusal !== undefined) return { ok: false, error: refusal };
        if (intake.overflow) return { ok: false, error: { code: "internal_error", message: "internal error in the policy engine: the request's strings do not fit the module's string arena", path: "" } };
        actionId = intake.view.actionId;
        key = viewSessionKey(intake.plan, intake.view);
      }
      if (this.data.actions[actionId]!.session?.needs === undefined) {
        // Nothing watches this action: it is not an event of any session.
        const problem = inputProblem(this.data, session);
        return problem !== undefined ? { ok: false, error: problem } : { ok: true, state: session.state ?? this.newState(), call: 0 };
      }
      const problem = same ? undefined : sessionProblem(this.data, actionId, key, session);
      if (problem !== undefined) return { ok: false, error: problem };
      const exports = this.exports;
      if (exports === undefined) return { ok: false, error: { code: "internal_error", message: "internal error in the policy engine: the policy module is being instantiated again after a failure; retry shortly", path: "" } };
      if (this.stale()) this.views(exports);
      if (!same) this.loadSession(exports, session);
      try {
        run(exports, actionId);
      } catch (error) {
        this.replace();
        return { ok: false, error: { code: "internal_error", message: `internal error in the policy engine: the policy module trapped (${messageOf(error)})`, path: "" } };
      }
      if (this.stale()) this.views(exports);
      const region = exports.session!.region + SESSION.state;
      const state = this.arena.bytes.slice(region, region + this.data.session.stateBytes);
      const call = this.arena.view.getUint32(region + SESSION.callsAt, true);
      return { ok: true, state, call };
    } catch (error) {
      return { ok: false, error: { code: "internal_error", message: `internal error in the policy engine: ${messageOf(error)}`, path: "" } };
    } finally {
      this.busy = false;
      this.encoded = undefined;
      // Keep nothing of the request.
      const view = intake.view;
      const captures = view.captures;
      for (let i = 0; i < captures.length; i++) captures[i] = undefined;
      view.action = "";
    }
  }

  /** Writes `now` and the session's state (a new one when none is given) into the module's session region. */
  private loadSession(exports: PolicyExports, session: SessionInput): void {
    const s = exports.session!;
    const a = this.arena;
    a.view.setFloat64(s.region + SESSION.now, session.now, true);
    const state = s.region + SESSION.state;
    if (session.state !== undefined) {
      a.bytes.set(session.state, state);
      return;
    }
    a.bytes.set(randomKey(), state + SESSION.keyAt);
    s.init();
  }

  /** A new, empty state (for a host that records nothing yet). */
  private newState(): Uint8Array {
    const exports = this.exports;
    if (exports?.session === undefined) return new Uint8Array(0);
    if (this.stale()) this.views(exports);
    this.loadSession(exports, { now: 0 });
    const region = exports.session.region + SESSION.state;
    return this.arena.bytes.slice(region, region + this.data.session!.stateBytes);
  }

  /**
   * Whether the views are of a buffer the memory no longer uses. Growing a
   * wasm memory detaches its old ArrayBuffer (byteLength 0), so a length
   * check tells us without `memory.buffer`, an accessor that costs more than
   * a decision's wasm call. A shared memory is never detached: ask it.
   */
  private stale(): boolean {
    const buffer = this.arena.buffer;
    if (buffer.byteLength === 0) return true;
    return this.shared && this.exports !== undefined && this.exports.memory.buffer !== buffer;
  }

  /** Zeroes what the previous call wrote; until this call's intake completes, assume everything may be dirty. */
  private clear(a: Arena): void {
    zero(a.bytes, a.slotBase, this.lastHigh);
    zero(a.bytes, a.arenaStart, this.lastTop);
    a.top = a.arenaStart;
    a.high = a.slotBase;
    this.lastHigh = a.arenaStart;
    this.lastTop = a.arenaEnd;
  }

  /** A private region laid out like the module's input region, never read by any module. */
  private spareArena(): Arena {
    const memory = this.data.memory;
    const size = memory.slotBytes + memory.arenaBytes;
    if (this.spare === undefined || this.spare.buffer.byteLength !== size) {
      const buffer = new ArrayBuffer(size);
      this.spare = { buffer, view: new DataView(buffer), bytes: new Uint8Array(buffer), slotBase: 0, arenaStart: memory.slotBytes, arenaEnd: size, top: 0, high: 0 };
    }
    const a = this.spare;
    a.bytes.fill(0);
    a.top = a.arenaStart;
    a.high = a.slotBase;
    return a;
  }

  private attach(exports: PolicyExports): void {
    this.exports = exports;
    this.inputBase = exports.input() >>> 0;
    this.views(exports);
    this.lastHigh = this.arena.arenaStart;
    this.lastTop = this.arena.arenaEnd;
  }

  private views(exports: PolicyExports): void {
    const buffer = exports.memory.buffer;
    this.shared = !(buffer instanceof ArrayBuffer);
    const slotBase = this.inputBase;
    const arenaStart = slotBase + this.data.memory.slotBytes;
    const prev = this.arena as Arena | undefined;
    this.arena = {
      buffer,
      view: new DataView(buffer),
      bytes: new Uint8Array(buffer),
      slotBase,
      arenaStart,
      arenaEnd: arenaStart + this.data.memory.arenaBytes,
      top: prev?.top ?? arenaStart,
      high: prev?.high ?? slotBase,
    };
  }

  /** Discards the instance after a failure and instantiates the module afresh (synchronously where the host allows). */
  private replace(): void {
    this.exports = undefined;
    // A new instance's memory holds no request and no session.
    this.encoded = undefined;
    try {
      this.attach(instantiateSync(this.module, this.data));
      return;
    } catch {
      // Some hosts forbid synchronous instantiation of large modules (browser main threads).
    }
    if (this.recovering) return;
    this.recovering = true;
    instantiateAsync(this.module, this.data).then(
      (exports) => {
        this.recovering = false;
        try {
          this.attach(exports);
        } catch {
          this.exports = undefined; // the next decision tries again
        }
      },
      () => {
        this.recovering = false; // the next decision tries again
      },
    );
  }

  private internal(message: string): Decision {
    return refused(this.prep, { code: "internal_error", message: `internal error in the policy engine: ${message}`, path: "" });
  }
}

/** The first engaged kill switch that applies (runtime/kill-scope.ts: global, agent, family, then env and action scopes, by identity key). */
function killSwitch(state: RuntimeState | undefined, view: RequestView, prep: Prepared): string | undefined {
  const list = state?.killed;
  if (list === undefined || list.length === 0) return undefined;
  const action = prep.actions[view.actionId]!;
  return killedBy(list, view.captures[prep.captures.agentId], action.name, action.family, view.captures[prep.captures.env]);
}
