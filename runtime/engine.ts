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
import type { Decision } from "./decision.js";
import type { RuntimeState } from "./request.js";
import type { Manifest } from "./manifest.js";
import { readState } from "./encode/request.js";
import { Refused } from "./encode/values.js";
import { Intake } from "./encode/intake.js";
import type { RequestView } from "./encode/view.js";
import { zero, type Arena } from "./encode/slots.js";
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
  private readonly intake: Intake;
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

  constructor(
    readonly module: WasmModule,
    readonly manifest: Manifest,
    exports: PolicyExports,
  ) {
    this.prep = prepare(manifest);
    this.intake = new Intake(manifest, this.prep.captures);
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
      // Keep nothing of the request.
      const view = this.intake.view;
      const captures = view.captures;
      for (let i = 0; i < captures.length; i++) captures[i] = undefined;
      view.action = "";
      view.rates = undefined;
    }
  }

  private decideOrDeny(request: unknown, given: RuntimeState | undefined): Decision {
    const prep = this.prep;
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
      this.replace();
      return this.internal(`the policy module wrote an impossible result (${messageOf(error)})`);
    }
    return finish(prep, raw, view, state);
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
    const memory = this.manifest.memory;
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

/** The first engaged kill switch that applies (runtime/kill-scope.ts: global, agent, family, then env and action scopes, by identity key). */
function killSwitch(state: RuntimeState | undefined, view: RequestView, prep: Prepared): string | undefined {
  const list = state?.killed;
  if (list === undefined || list.length === 0) return undefined;
  const action = prep.actions[view.actionId]!;
  return killedBy(list, view.captures[prep.captures.agentId], action.name, action.family, view.captures[prep.captures.env]);
}
