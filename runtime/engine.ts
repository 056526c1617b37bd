/**
 * The policy engine: one loaded module and the closures compiled from its
 * manifest, deciding one request at a time, synchronously.
 *
 * In: a compiled module, its checked manifest, its exports. Out:
 * `PolicyEngine.decide(request, state) → Decision`. Steps (ADR 0006, ADR
 * 0007 "who does what"): validate state and request; kill switches; encode
 * the slots; `agp_decide`; read the result; finish from the manifest.
 * The request and the state are read once into plain data before anything
 * else (encode/snapshot.ts): validation, encoding and finishing all read
 * that copy, never the host's objects.
 * Must not throw from `decide` and must never allow on an error: any
 * exception becomes an `internal_error` deny. A trap (or a result that
 * cannot be right) discards the instance and instantiates the module
 * afresh, so one bad call cannot poison the next. Must not keep anything
 * of a request after `decide` returns.
 */
import type { Decision, DecisionEffect } from "./decision.js";
import type { RuntimeState } from "./request.js";
import { OUTCOME_CODES, SESSION } from "./abi.js";
import { faultError, inputProblem, randomKey, RECORD_EFFECT, sessionKey, sessionProblem, type SessionInput, type SessionOutcome, type SessionUpdate } from "./session.js";
import type { Manifest } from "./manifest.js";
import { compileRequestChecks, newParts, readState, validateRequest, type Parts, type RequestChecks } from "./encode/request.js";
import { Refused } from "./encode/values.js";
import { ownValue } from "./encode/snapshot.js";
import { compileActionEncoder, zero, type ActionEncoder, type Arena } from "./encode/slots.js";
import { finish, killed, refused } from "./finish/decision.js";
import { prepare, type Prepared } from "./finish/prepared.js";
import { readResult } from "./finish/result.js";
import { instantiateAsync, instantiateSync, messageOf, type PolicyExports } from "./load/module.js";
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
  /** Records the outcome of call number `call` (from `record`) of this request. */
  outcome(request: unknown, session: SessionInput, call: number, outcome: SessionOutcome): SessionUpdate;
  /** The session key of a request (the value of the policy's session field), or undefined. */
  sessionKey(request: unknown): string | undefined;
  /** The engine's session support for a gateway; undefined when the policy has no session rules. */
  readonly sessions: { key(request: unknown): string | undefined; readonly retainMs: number; record: PolicyEngine["record"]; outcome: PolicyEngine["outcome"] } | undefined;
}

/** The engine behind `PolicyEngine`. */
export class Engine implements PolicyEngine {
  readonly policy: { readonly hash: string; readonly version: string };
  private readonly checks: RequestChecks;
  private readonly encoders: readonly ActionEncoder[];
  private readonly prep: Prepared;
  private readonly parts: Parts = newParts();
  private arena!: Arena;
  private exports: PolicyExports | undefined;
  private inputBase = 0;
  /** Whether the memory is shared (its buffer never detaches when it grows). */
  private shared = false;
  private busy = false;
  private recovering = false;
  private lastHigh = 0;
  private lastTop = 0;
  /** The request whose slots the input region holds (after a decide), so `record` need not encode it again. */
  private encoded: { readonly request: unknown; readonly actionId: number; readonly key: string | undefined } | undefined;

  constructor(
    readonly module: WasmModule,
    readonly manifest: Manifest,
    exports: PolicyExports,
  ) {
    this.checks = compileRequestChecks(manifest);
    this.encoders = manifest.actions.map((a) => compileActionEncoder(a.slots));
    this.prep = prepare(manifest);
    this.policy = this.prep.policy;
    this.attach(exports);
  }

  actions(): string[] {
    return this.prep.actions.map((a) => a.name);
  }

  get sessions(): PolicyEngine["sessions"] {
    const session = this.manifest.session;
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
      const p = this.parts;
      p.agent = p.args = p.context = EMPTY;
      p.human = p.env = p.trust = undefined;
    }
  }

  private decideOrDeny(request: unknown, given: RuntimeState | undefined, session: SessionInput | undefined): Decision {
    const parts = this.parts;
    this.encoded = undefined;
    // The state and the request are read once, into plain data; nothing below reads the host's objects.
    const state = readState(given, this.checks.bounds);
    if (state instanceof Refused) return refused(this.prep, state.refusal);
    const refusal = validateRequest(request, state, this.checks, parts);
    if (refusal !== undefined) return refused(this.prep, refusal);
    const kill = killSwitch(state, parts, this.prep.actions[parts.actionId]!.family);
    if (kill !== undefined) return killed(this.prep, kill);
    const needs = this.manifest.actions[parts.actionId]!.session?.needs !== undefined;
    const key = needs ? sessionKey(this.manifest, parts) : undefined;
    if (needs) {
      const problem = sessionProblem(this.manifest, parts.actionId, key, session);
      if (problem !== undefined) return refused(this.prep, problem);
    }

    if (this.exports === undefined && !this.recovering) this.replace();
    const exports = this.exports;
    if (exports === undefined) return this.internal("the policy module is being instantiated again after a failure; retry shortly");
    if (this.stale()) this.views(exports);
    if (needs) this.loadSession(exports, session!);
    this.encode(parts);
    this.encoded = { request, actionId: parts.actionId, key };
    let address: number;
    try {
      address = exports.decide(parts.actionId, parts.human === undefined ? 0 : 1) >>> 0;
    } catch (error) {
      this.replace();
      return this.internal(`the policy module trapped (${messageOf(error)})`);
    }
    if (this.stale()) this.views(exports);
    let raw;
    try {
      raw = readResult(this.arena.view, address, this.prep.rules, this.prep.limits.length);
    } catch (error) {
      this.replace();
      return this.internal(`the policy module wrote an impossible result (${messageOf(error)})`);
    }
    if (raw.fault !== 0) return refused(this.prep, faultError(this.manifest, parts.actionId, raw.fault));
    return finish(this.prep, raw, parts, state);
  }

  sessionKey(request: unknown): string | undefined {
    if (this.manifest.session === undefined || typeof request !== "object" || request === null) return undefined;
    const r = request as Record<string, unknown>;
    return sessionKey(this.manifest, { agent: r["agent"], human: r["human"], env: r["env"], context: r["context"] });
  }

  record(request: unknown, session: SessionInput, effect: DecisionEffect): SessionUpdate {
    const code = RECORD_EFFECT[effect];
    if (code === undefined) return { ok: false, error: { code: "session_error", message: `cannot record the effect ${JSON.stringify(effect)}; use allow, approve or deny`, path: "" } };
    return this.update(request, session, (exports, actionId) => exports.session!.record(actionId, code));
  }

  outcome(request: unknown, session: SessionInput, call: number, outcome: SessionOutcome): SessionUpdate {
    const code = OUTCOME_CODES[outcome];
    if (code === undefined) return { ok: false, error: { code: "session_error", message: `unknown outcome ${JSON.stringify(outcome)}; use succeeded, failed or rolled_back`, path: "" } };
    if (!Number.isSafeInteger(call) || call < 1) return { ok: false, error: { code: "session_error", message: `a call number is a whole number at least 1 (from \`record\`), got ${String(call)}`, path: "" } };
    return this.update(request, session, (exports, actionId) => exports.session!.outcome(actionId, code, call >>> 0));
  }

  /** Shared by `record` and `outcome`: validate (or reuse the decided slots), load the session, run, copy the state out. */
  private update(request: unknown, session: SessionInput, run: (exports: PolicyExports, actionId: number) => number): SessionUpdate {
    if (this.manifest.session === undefined) return { ok: false, error: { code: "session_error", message: "the policy has no session rules; there is no session to record", path: "" } };
    if (this.busy) return { ok: false, error: { code: "internal_error", message: "internal error in the policy engine: a session was recorded during a decision", path: "" } };
    this.busy = true;
    try {
      let actionId: number;
      let key: string | undefined;
      const reuse = this.encoded !== undefined && this.encoded.request === request && this.exports !== undefined;
      if (reuse) {
        actionId = this.encoded!.actionId;
        key = this.encoded!.key;
      } else {
        const parts = this.parts;
        const refusal = validateRequest(request, undefined, this.checks, parts);
        if (refusal !== undefined) return { ok: false, error: refusal };
        actionId = parts.actionId;
        key = sessionKey(this.manifest, parts);
      }
      if (this.manifest.actions[actionId]!.session?.needs === undefined) {
        // Nothing watches this action: it is not an event of any session.
        const problem = inputProblem(this.manifest, session);
        return problem !== undefined ? { ok: false, error: problem } : { ok: true, state: session.state ?? this.newState(), call: 0 };
      }
      const problem = sessionProblem(this.manifest, actionId, key, session);
      if (problem !== undefined) return { ok: false, error: problem };
      if (this.exports === undefined && !this.recovering) this.replace();
      const exports = this.exports;
      if (exports === undefined) return { ok: false, error: { code: "internal_error", message: "internal error in the policy engine: the policy module is being instantiated again after a failure; retry shortly", path: "" } };
      if (this.stale()) this.views(exports);
      this.loadSession(exports, session);
      if (!reuse) this.encode(this.parts);
      try {
        run(exports, actionId);
      } catch (error) {
        this.replace();
        return { ok: false, error: { code: "internal_error", message: `internal error in the policy engine: the policy module trapped (${messageOf(error)})`, path: "" } };
      }
      if (this.stale()) this.views(exports);
      const region = exports.session!.region + SESSION.state;
      const state = this.arena.bytes.slice(region, region + this.manifest.session.stateBytes);
      const call = this.arena.view.getUint32(region + SESSION.callsAt, true);
      return { ok: true, state, call };
    } catch (error) {
      return { ok: false, error: { code: "internal_error", message: `internal error in the policy engine: ${messageOf(error)}`, path: "" } };
    } finally {
      this.busy = false;
      this.encoded = undefined;
      const p = this.parts;
      p.agent = p.args = p.context = EMPTY;
      p.human = p.env = p.trust = undefined;
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
    return this.arena.bytes.slice(region, region + this.manifest.session!.stateBytes);
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

  /** Zeroes what the previous call wrote, then writes this request's slots. */
  private encode(parts: Parts): void {
    const a = this.arena;
    zero(a.bytes, a.slotBase, this.lastHigh);
    zero(a.bytes, a.arenaStart, this.lastTop);
    a.top = a.arenaStart;
    a.high = a.slotBase;
    // Until the call completes, assume the worst: everything may be dirty.
    this.lastHigh = a.arenaStart;
    this.lastTop = a.arenaEnd;
    this.encoders[parts.actionId]!(parts, a);
    this.lastHigh = a.high;
    this.lastTop = a.top;
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
    const arenaStart = slotBase + this.manifest.memory.slotBytes;
    const prev = this.arena as Arena | undefined;
    this.arena = {
      buffer,
      view: new DataView(buffer),
      bytes: new Uint8Array(buffer),
      slotBase,
      arenaStart,
      arenaEnd: arenaStart + this.manifest.memory.arenaBytes,
      top: prev?.top ?? arenaStart,
      high: prev?.high ?? slotBase,
    };
  }

  /** Discards the instance after a failure and instantiates the module afresh (synchronously where the host allows). */
  private replace(): void {
    this.exports = undefined;
    try {
      this.attach(instantiateSync(this.module, this.manifest));
      return;
    } catch {
      // Some hosts forbid synchronous instantiation of large modules (browser main threads).
    }
    if (this.recovering) return;
    this.recovering = true;
    instantiateAsync(this.module, this.manifest).then(
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

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

/** The first engaged kill switch that applies: `"global"`, the agent's id, the action's family. */
function killSwitch(state: RuntimeState | undefined, parts: Parts, family: string): string | undefined {
  const list = state?.killed;
  if (list === undefined || list.length === 0) return undefined;
  if (list.includes("global")) return "global";
  const id = ownValue(parts.agent, "id");
  if (typeof id === "string" && list.includes(id)) return id;
  if (list.includes(family)) return family;
  return undefined;
}
