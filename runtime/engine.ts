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
import type { Decision } from "./decision.js";
import type { RuntimeState } from "./request.js";
import type { Manifest } from "./manifest.js";
import { compileRequestChecks, newParts, readState, validateRequest, type Parts, type RequestChecks } from "./encode/request.js";
import { Refused } from "./encode/values.js";
import { ownValue } from "./encode/snapshot.js";
import { compileActionEncoder, zero, type ActionEncoder, type Arena } from "./encode/slots.js";
import { finish, killed, refused } from "./finish/decision.js";
import { killedBy } from "./kill-scope.js";
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
   * (trust, counters, approvals, kill switches). Never throws; anything wrong
   * is a deny whose `error` says what.
   */
  decide(request: unknown, state?: RuntimeState): Decision;
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

  memoryBytes(): number {
    return this.exports?.memory.buffer.byteLength ?? 0;
  }

  decide(request: unknown, state?: RuntimeState): Decision {
    if (this.busy) return this.internal("`decide` was called again before the previous call returned");
    this.busy = true;
    try {
      return this.decideOrDeny(request, state);
    } catch (error) {
      return this.internal(messageOf(error));
    } finally {
      this.busy = false;
      const p = this.parts;
      p.agent = p.args = p.context = EMPTY;
      p.human = p.env = p.trust = p.rates = undefined;
    }
  }

  private decideOrDeny(request: unknown, given: RuntimeState | undefined): Decision {
    const parts = this.parts;
    // The state and the request are read once, into plain data; nothing below reads the host's objects.
    const state = readState(given, this.checks.bounds);
    if (state instanceof Refused) return refused(this.prep, state.refusal);
    const refusal = validateRequest(request, state, this.checks, parts);
    if (refusal !== undefined) return refused(this.prep, refusal);
    const kill = killedBy(state?.killed, ownValue(parts.agent, "id"), parts.action, this.prep.actions[parts.actionId]!.family, parts.env);
    if (kill !== undefined) return killed(this.prep, kill);

    if (this.exports === undefined && !this.recovering) this.replace();
    const exports = this.exports;
    if (exports === undefined) return this.internal("the policy module is being instantiated again after a failure; retry shortly");
    if (this.stale()) this.views(exports);
    this.encode(parts);
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
    return finish(this.prep, raw, parts, state);
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

