/**
 * The portable JSON entry point: lays out the "JSON plan" the stdlib's
 * `json_encode` reads (stdlib/json-*.ts; layouts in stdlib/README.md, "JSON
 * plan") and adds the two exports `agp_json_input` and `agp_decide_json`
 * (runtime/abi.ts JSON_EXPORTS; docs/abi.md).
 *
 * In: the module under construction, its manifest, the address of the input
 * region (`agp_input`), and the name of the decide function to call. Out:
 * static data (schema nodes numbered in pre-order, slot records, action
 * table and name set), reserved buffers (JSON input, tokens, decoded
 * strings, result header, per-call state) and the two exported functions.
 * Must not import binaryen (module.ts does) or change anything the JS path
 * reads: the JSON path writes the same slots through its own code.
 */
import { JSON_EXPORTS, JSON_RESULT } from "../../runtime/abi.js";
import { DEFAULT_REQUEST_BOUNDS, type Manifest, type PatternAutomaton, type RequestBounds, type SchemaNode, type Slot } from "../../runtime/manifest.js";
import { buildStringSet, type Dfa } from "../lower/index.js";
import type { PolicyModule } from "./module.js";
import { placeDfa, placeHashSet } from "./static-tables.js";
import { NUMBER_SCRATCH_BYTES } from "./stdlib-abi.js";

/**
 * The JSON input buffer's default size (`agp compile --json-input-bytes`),
 * and the range accepted: the module reserves about 13 bytes of memory per
 * input byte (tokens, decoded strings, the sort area). Longer texts are
 * decided by the runtime's reader (runtime/json/reader.ts), so this is a
 * speed and memory setting, never a limit on what may be decided.
 */
export const JSON_LIMITS = { inputBytes: 32768, minInputBytes: 64, maxInputBytes: 16 * 1024 * 1024 } as const;

/** Request parts a top-level slot path starts with, in the order the plan's name table lists them. */
export const JSON_ROOTS = ["agent", "human", "action", "args", "env", "context"] as const;

const NONE = 0xffffffff;
const NODE_KINDS = { any: 0, null: 1, boolean: 2, number: 3, string: 4, array: 5, object: 6, union: 7 } as const;
const SLOT_KINDS = { state: 0, sym: 1, str: 2, num: 3, bool: 4, array: 5 } as const;
const STATE_BYTES = 64;
/** Words (u32) per schema node in the plan. */
const NODE_WORDS = 12;
const PLAN_FIELDS = 24;

/** The `json` field of the manifest. */
export function jsonLimits(inputBytes: number = JSON_LIMITS.inputBytes, bounds: RequestBounds = DEFAULT_REQUEST_BOUNDS): { inputBytes: number; maxDepth: number } {
  return { inputBytes, maxDepth: bounds.maxDepth };
}

/** Lays out the plan and adds `agp_json_input` / `agp_decide_json` (which calls `decide`). */
export function addJsonEntry(module: PolicyModule, manifest: Manifest, input: number, decide: string): void {
  const c = module.code;
  const { inputBytes } = manifest.json ?? jsonLimits();
  const bounds = manifest.bounds ?? DEFAULT_REQUEST_BOUNDS;
  const maxDepth = bounds.maxDepth;
  const tokenCap = Math.floor(inputBytes / 2) + 2;
  const scratchCap = 2 * inputBytes + 16;
  const jsonInput = module.reserve(inputBytes, 8);
  const tokens = module.reserve((tokenCap + 1) * 16, 8);
  const scratch = module.reserve(scratchCap, 8);
  const result = module.reserve(JSON_RESULT.path + JSON_RESULT.segmentSize * (maxDepth + 2), 8);
  const state = module.reserve(STATE_BYTES, 8);
  const sortArea = module.reserve((tokenCap + 2) * 4, 8);
  const numberScratch = module.reserve(NUMBER_SCRATCH_BYTES, 8);

  const text = new Map<string, number>();
  const bytesOf = (s: string) => new TextEncoder().encode(s);
  const str = (s: string): { address: number; length: number } => {
    const bytes = bytesOf(s);
    let address = text.get(s);
    if (address === undefined) {
      address = module.addData(bytes.length === 0 ? new Uint8Array(1) : bytes, { align: 1, shared: true });
      text.set(s, address);
    }
    return { address, length: bytes.length };
  };
  const u32s = (values: readonly number[], align = 4) => module.addData(new Uint8Array(new Uint32Array(values.map((v) => v >>> 0)).buffer), { align });

  let nextId = 0;
  // Node layout (stdlib/README.md, "JSON plan"): NODE_WORDS u32 words; word 0 the kind, word 1 the id.
  const node = (schema: SchemaNode): number => {
    const id = nextId++;
    const words = new Uint32Array(NODE_WORDS);
    words[0] = NODE_KINDS[schema.type];
    words[1] = id;
    switch (schema.type) {
      case "number": {
        const members = schema.enum ?? [];
        const lower = schema.minimum ?? schema.exclusiveMinimum;
        const upper = schema.maximum ?? schema.exclusiveMaximum;
        words[2] =
          (schema.integer ? 1 : 0) |
          (lower !== undefined ? 2 : 0) |
          (upper !== undefined ? 4 : 0) |
          (schema.exclusiveMinimum !== undefined ? 8 : 0) |
          (schema.exclusiveMaximum !== undefined ? 16 : 0) |
          (schema.multipleOf !== undefined ? 32 : 0);
        words[3] = members.length;
        words[4] = members.length === 0 ? 0 : module.addData(new Uint8Array(new Float64Array(members).buffer), { align: 8 });
        const view = new DataView(words.buffer);
        view.setFloat64(24, lower ?? 0, true);
        view.setFloat64(32, upper ?? 0, true);
        view.setFloat64(40, schema.multipleOf ?? 0, true);
        break;
      }
      case "string": {
        const members = [...new Set(schema.enum ?? [])];
        words[2] = schema.maxLength ?? NONE;
        words[3] = members.length;
        words[4] = members.length === 0 ? 0 : placeHashSet(module, buildStringSet(members));
        words[5] = schema.minLength ?? 0;
        words[6] = schema.pattern === undefined ? 0 : placeDfa(module, dfaOf(schema.pattern));
        break;
      }
      case "array":
        words[2] = node(schema.items);
        words[3] = schema.maxItems ?? NONE;
        words[4] = schema.minItems ?? 0;
        words[5] = schema.uniqueItems === true ? 1 : 0;
        break;
      case "object": {
        const props = schema.properties.map((p) => {
          const name = str(p.name);
          return [name.address, name.length, p.required ? 1 : 0, node(p.schema)];
        });
        words[2] = schema.additionalProperties ? 0 : 1;
        words[3] = props.length;
        words[4] = props.length === 0 ? 0 : u32s(props.flat());
        // INVARIANT: `additional` is numbered after the properties (schema-ids.ts numbers it so).
        words[5] = schema.additional === undefined ? 0 : node(schema.additional);
        words[6] = schema.minProperties ?? 0;
        words[7] = schema.maxProperties ?? NONE;
        const dependencies = schema.dependentRequired ?? [];
        words[8] = dependencies.length;
        words[9] =
          dependencies.length === 0
            ? 0
            : u32s(
                dependencies.flatMap((d) => {
                  const name = str(d.name);
                  const requires = u32s(d.requires.flatMap((r) => [str(r).address, str(r).length]));
                  return [name.address, name.length, d.requires.length, requires];
                }),
              );
        break;
      }
      case "union": {
        const options = schema.options.map((o) => [node(o), kindMask(o)]);
        words[2] = options.length;
        words[3] = options.length === 0 ? 0 : u32s(options.flat());
        words[4] = schema.oneOf === true ? 1 : 0;
        break;
      }
      default:
        break;
    }
    return module.addData(new Uint8Array(words.buffer), { align: 8 });
  };
  // INVARIANT: this order is the pre-order numbering docs/abi.md gives hosts (runtime/json/schema-ids.ts).
  const agent = node(manifest.request.agent);
  const human = node(manifest.request.human);
  const env = node(manifest.request.env);
  const context = node(manifest.request.context);
  const argsNodes = manifest.actions.map((a) => node(a.args));

  const slotRecords = (slots: readonly Slot[], topLevel: boolean): number => {
    if (slots.length === 0) return 0;
    const words: number[] = [];
    for (const slot of slots) {
      const root = topLevel ? JSON_ROOTS.indexOf(slot.path[0] as (typeof JSON_ROOTS)[number]) : NONE;
      if (topLevel && root < 0) throw new Error(`internal error: slot path \`${slot.path.join(".")}\` starts with no request part`);
      const steps = topLevel ? slot.path.slice(1) : slot.path;
      const path = steps.length === 0 ? 0 : u32s(steps.flatMap((s) => [str(s).address, str(s).length]));
      const extra = [0, 0, 0, 0, 0];
      if (slot.kind === "sym") {
        const first = new Map<string, number>();
        slot.dictionary.forEach((word, i) => {
          if (!first.has(word)) first.set(word, i);
        });
        const words = [...first.keys()];
        extra[0] = words.length === 0 ? 0 : placeHashSet(module, buildStringSet(words));
        extra[1] = words.length === 0 ? 0 : u32s(words.map((w) => first.get(w)!));
      } else if (slot.kind === "array") {
        extra[0] = slot.itemsOffset;
        extra[1] = slot.stride;
        extra[2] = slot.maxItems;
        extra[3] = slot.items.length;
        extra[4] = slotRecords(slot.items, false);
      }
      words.push(SLOT_KINDS[slot.kind], slot.offset, steps.length, path, ...extra, root);
    }
    return u32s(words, 8);
  };
  const actionWords = manifest.actions.flatMap((a, i) => [argsNodes[i]!, a.slots.length, slotRecords(a.slots, true), 0]);
  const actions = actionWords.length === 0 ? 0 : u32s(actionWords);
  const actionSet = manifest.actions.length === 0 ? 0 : placeHashSet(module, buildStringSet(manifest.actions.map((a) => a.name)));
  const names = u32s(JSON_ROOTS.flatMap((r) => [str(r).address, str(r).length, 0, 0]));

  const slotBytes = manifest.memory.slotBytes;
  const arenaStart = input + slotBytes;
  const header = [
    jsonInput, inputBytes, tokens, tokenCap, scratch, scratchCap, maxDepth, result,
    input, slotBytes, arenaStart, arenaStart + manifest.memory.arenaBytes,
    actionSet, manifest.actions.length, actions, agent, human, env, context, names, state, sortArea,
    numberScratch, bounds.maxValues,
  ];
  if (header.length !== PLAN_FIELDS) throw new Error("internal error: JSON plan header has the wrong size");
  const plan = u32s(header, 8);

  module.addFunction({ name: "agp_json_input", params: [], result: "i32", body: c.i32(jsonInput) });
  module.addFunction({
    name: "agp_decide_json",
    params: ["i32"],
    result: "i32",
    body: c.block(
      null,
      [
        c.if(
          c.eqz(c.callStdlib("json_encode", [c.i32(plan), c.local(0, "i32")])),
          c.store("i32", c.i32(result), c.call(decide, [c.load("i32", c.i32(result), JSON_RESULT.action), c.load("i32", c.i32(result), JSON_RESULT.flags)], "i32"), JSON_RESULT.decision),
        ),
        c.i32(result),
      ],
      "i32",
    ),
  });
  module.exportFunction("agp_json_input", JSON_EXPORTS.input);
  module.exportFunction("agp_decide_json", JSON_EXPORTS.decide);
}

/** A pattern's automaton (manifest JSON) as the DFA the table encoder takes. */
function dfaOf(automaton: PatternAutomaton): Dfa {
  const stateCount = automaton.transitions.length / automaton.classCount;
  const accepting = new Uint8Array(stateCount);
  for (const s of automaton.accepting) accepting[s] = 1;
  return {
    stateCount,
    classCount: automaton.classCount,
    classOf: Uint8Array.from(automaton.classOf),
    transitions: Uint32Array.from(automaton.transitions),
    accepting,
    start: automaton.start,
    dead: automaton.dead,
  };
}

/** The JSON kinds a schema node admits, as json-validate.ts's kindBit numbers them. */
function kindMask(schema: SchemaNode): number {
  switch (schema.type) {
    case "any":
      return 127;
    case "null":
      return 1;
    case "boolean":
      return 2;
    case "number":
      return schema.integer ? 4 : 12;
    case "string":
      return 16;
    case "array":
      return 32;
    case "object":
      return 64;
    case "union":
      return schema.options.reduce((m, o) => m | kindMask(o), 0);
  }
}
