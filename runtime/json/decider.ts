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
 */
import type { Decision } from "../decision.js";
import type { PolicyEngine } from "../engine.js";
import { DEFAULT_REQUEST_BOUNDS, type Manifest, type RequestBounds, type SchemaNode } from "../manifest.js";
import { RATE_FIELDS, type RuntimeState } from "../request.js";
import { killedBy } from "../kill-scope.js";
import { JSON_EXPORTS, JSON_RESULT, JSON_STATUS } from "../abi.js";
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
import { api, checkExports, messageOf } from "../load/module.js";
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
  /** Decides one request given as UTF-8 JSON bytes (or a string). Never throws. */
  decideJson(request: Uint8Array | string, state?: RuntimeState): Decision;
}

interface JsonExports {
  readonly input: () => number;
  readonly decideJson: (len: number) => number;
  readonly decide: (action: number, flags: number) => number;
  /** `agp_input`: the slot area the module encoded the request into. */
  readonly slots: () => number;
  readonly memory: WasmMemory;
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
  checkExports(instance, manifest);
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
    } catch {
      // Hosts that forbid synchronous instantiation keep the old instance; the module never traps by design.
    }
  }

  private refresh(): void {
    const buffer = this.ex.memory.buffer;
    this.buffer = buffer;
    this.view = new DataView(buffer);
    this.bytes = new Uint8Array(buffer);
  }

  decideJson(request: Uint8Array | string, state?: RuntimeState): Decision {
    try {
      return this.decideOrDeny(typeof request === "string" ? encoder.encode(request) : request, state);
    } catch (error) {
      return refused(this.prep, { code: "internal_error", message: `internal error in the policy engine: ${messageOf(error)}`, path: "" });
    }
  }

  private decideOrDeny(bytes: Uint8Array, given: RuntimeState | undefined): Decision {
    const prep = this.prep;
    // Read once into plain data (own properties only), as the object path reads it.
    const state = readState(given, this.bounds);
    if (state instanceof Refused) return refused(prep, state.refusal);
    if (bytes.length > this.inputBytes) {
      // Longer than the module's buffer: the module's checks in JS (./reader.ts), then the object path.
      const read = readJson(bytes, this.bounds);
      if (read.kind === "malformed") return refused(prep, renderMalformed(read.code, read.offset, bytes.length, this.inputBytes));
      if (read.kind === "too_large") return refused(prep, tooLarge(this.bounds));
      return this.engine.decide(read.value, state);
    }
    const ex = this.ex;
    if (this.buffer !== ex.memory.buffer) this.refresh();
    this.bytes.set(bytes, this.inputAt);
    let at: number;
    try {
      at = ex.decideJson(bytes.length) >>> 0;
    } catch (error) {
      this.replace();
      throw new Error(`the policy module trapped (${messageOf(error)})`);
    }
    if (this.buffer !== ex.memory.buffer) this.refresh();
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
    const raw = readResult(view, address, prep.rules, prep.limits.length);
    const seen = this.seen;
    seen.action = action.name;
    seen.actionId = actionId;
    seen.trust = trust;
    seen.rates = rates;
    seen.human = false;
    seen.captures.fill(undefined);
    if (raw.charges.length > 0 || state?.approvals !== undefined) {
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
