/**
 * Turning the JSON entry point's compact problem (JSON_RESULT: code, schema
 * node, detail, value span, path segments) into the refusal the JS path
 * gives for the same request, byte for byte (ADR 0006 messages, as
 * runtime/encode/validate.ts words them). docs/abi.md gives the same rules
 * to hosts in other languages.
 *
 * In: the module's memory, the JSON result header's address, the request
 * bytes, the numbered schema nodes. Out: a `Refusal`. Must not trust the
 * module: an id or span out of range becomes an internal error.
 */
import { JSON_ERROR_CODES, JSON_INTERNAL_CODES, JSON_MALFORMED_CODES, JSON_RESULT } from "../abi.js";
import type { RequestBounds, SchemaNode } from "../manifest.js";
import { expected } from "../encode/validate.js";
import { childPath, describe, keySuffix, quote, tick, type Refusal } from "../encode/values.js";

const NONE = 0xffffffff;

/** A problem the module reported in a JSON result header (status refused). */
export function renderRefusal(view: DataView, at: number, input: Uint8Array, nodes: readonly SchemaNode[], bounds: RequestBounds): Refusal {
  const code = JSON_ERROR_CODES[view.getUint32(at + JSON_RESULT.code, true) as keyof typeof JSON_ERROR_CODES];
  if (code === undefined) throw new Error("the JSON result has an unknown error code");
  const nodeId = view.getInt32(at + JSON_RESULT.node, true);
  const node = nodeId < 0 ? undefined : nodes[nodeId];
  if (nodeId >= 0 && node === undefined) throw new Error(`the JSON result names schema node ${nodeId}, which does not exist`);
  const detail = view.getUint32(at + JSON_RESULT.detail, true);
  const path = readPath(view, at);
  const value = () => valueAt(view, at, input);
  const p = tick(path);
  const refusal = (message: string): Refusal => ({ code, message, path });
  switch (code) {
    case "wrong_type":
      if (node !== undefined) return refusal(`${p} must be ${expected(node)}, got ${describe(value())}`);
      return refusal(path === "" ? `the request must be an object, got ${describe(value())}` : `${p} must be a string, got ${describe(value())}`);
    case "missing_field": {
      if (detail === 0) return refusal(`missing required field ${p}`);
      const dependency = (node as ObjectNode | undefined)?.dependentRequired?.[detail - 1];
      if (dependency === undefined) throw new Error("the JSON result names a dependentRequired entry that does not exist");
      const parent = path.slice(0, path.length - keySuffix(lastKey(view, at)).length);
      return refusal(`missing required field ${p} (required when ${tick(parent + keySuffix(dependency.name))} is present)`);
    }
    case "unknown_field":
      return refusal(node === undefined ? `unknown field ${p} in the request` : `unknown field ${p}`);
    case "too_long":
      return refusal(`${p} is longer than its maxLength ${(node as { maxLength?: number }).maxLength}`);
    case "too_short":
      return refusal(`${p} is shorter than its minLength ${(node as { minLength?: number }).minLength}`);
    case "too_many_items":
      return refusal(`${p} has more items than its maxItems ${(node as { maxItems?: number }).maxItems}`);
    case "too_few_items":
      return refusal(`${p} has fewer items than its minItems ${(node as { minItems?: number }).minItems}`);
    case "duplicate_items":
      return refusal(`${p} must have unique items, but item ${detail & 0xffff} repeats item ${detail >>> 16}`);
    case "too_many_properties":
      return refusal(`${p} has more properties than its maxProperties ${(node as ObjectNode).maxProperties}`);
    case "too_few_properties":
      return refusal(`${p} has fewer properties than its minProperties ${(node as ObjectNode).minProperties}`);
    case "out_of_range": {
      const n = node as NumberNode;
      const v = value() as number;
      if (detail === 0) return refusal(n.exclusiveMinimum !== undefined ? `${p} must be greater than ${n.exclusiveMinimum}, got ${v}` : `${p} must be at least ${n.minimum}, got ${v}`);
      return refusal(n.exclusiveMaximum !== undefined ? `${p} must be less than ${n.exclusiveMaximum}, got ${v}` : `${p} must be at most ${n.maximum}, got ${v}`);
    }
    case "not_multiple_of":
      return refusal(`${p} must be a multiple of ${(node as NumberNode).multipleOf}, got ${value() as number}`);
    case "pattern_mismatch":
      return refusal(`${p} does not match its pattern ${quote((node as { pattern?: { source: string } }).pattern?.source ?? "")}`);
    case "ambiguous_one_of":
      return refusal(`${p} must match exactly one option of its oneOf, but matches options ${detail >>> 16} and ${detail & 0xffff}`);
    case "not_in_enum": {
      const members = (node as { type: string; enum?: readonly (string | number)[] }).enum ?? [];
      const listed = node?.type === "string" ? members.map((m) => JSON.stringify(m)).join(", ") : members.join(", ");
      return refusal(`${p} must be one of ${listed}, got ${describe(value())}`);
    }
    case "invalid_string":
      return refusal(`${p} is not well-formed Unicode (a lone surrogate at index ${detail})`);
    case "unknown_action":
      return refusal(`unknown action ${tick(value() as string)}`);
    case "too_large":
      return tooLarge(bounds);
    default:
      throw new Error(`the JSON result has the error code \`${code}\`, which no refusal message covers`);
  }
}

/** Past the request bounds: the refusal every path gives (runtime/encode/snapshot.ts words it the same). */
export function tooLarge(bounds: RequestBounds): Refusal {
  return { code: "too_large", message: `the request is too large: the policy accepts at most ${bounds.maxDepth} levels of nesting and ${bounds.maxValues} values`, path: "" };
}

type NumberNode = Extract<SchemaNode, { type: "number" }>;
type ObjectNode = Extract<SchemaNode, { type: "object" }>;

/** The last path segment's key (a dependentRequired refusal ends in the missing key). */
function lastKey(view: DataView, at: number): string {
  const count = view.getUint32(at + JSON_RESULT.pathCount, true);
  if (count === 0) throw new Error("the JSON result's missing field has no path");
  const s = at + JSON_RESULT.path + (count - 1) * JSON_RESULT.segmentSize;
  const a = view.getUint32(s + 4, true);
  const b = view.getUint32(s + 8, true);
  const bytes = new Uint8Array(view.buffer);
  if (view.getUint32(s, true) !== 0 || a + b > bytes.length) throw new Error("the JSON result's missing field is not a key");
  return decodeWtf8(bytes.subarray(a, a + b));
}

/**
 * Malformed JSON (status malformed): `malformed_json` at the request's root.
 * Code 8 (a text longer than the module's buffer) never reaches here from
 * the JS decider, which reads such texts itself (./reader.ts); the message
 * is for hosts that cannot.
 */
export function renderMalformed(code: number, offset: number, length: number, cap: number): Refusal {
  if (code === 8) return { code: "malformed_json", message: `the request is ${length} bytes, over the policy's JSON input limit of ${cap} bytes`, path: "" };
  const reason = JSON_MALFORMED_CODES[code as keyof typeof JSON_MALFORMED_CODES] ?? `error ${code}`;
  return { code: "malformed_json", message: `the request is not valid JSON: ${reason} at byte ${offset}`, path: "" };
}

/** A layout overflow (status internal). */
export function internalText(code: number): string {
  return JSON_INTERNAL_CODES[code as keyof typeof JSON_INTERNAL_CODES] ?? `JSON entry error ${code}`;
}

/** The path segments as a request path: `args.items[2].name`, `["odd key"]`. */
function readPath(view: DataView, at: number): string {
  const count = view.getUint32(at + JSON_RESULT.pathCount, true);
  const bytes = new Uint8Array(view.buffer);
  let path = "";
  for (let i = 0; i < count; i++) {
    const s = at + JSON_RESULT.path + i * JSON_RESULT.segmentSize;
    const kind = view.getUint32(s, true);
    const a = view.getUint32(s + 4, true);
    const b = view.getUint32(s + 8, true);
    if (kind === 1) path = `${path}[${a}]`;
    else {
      if (a + b > bytes.length) throw new Error("the JSON result's path lies outside memory");
      path = childPath(path, decodeWtf8(bytes.subarray(a, a + b)));
    }
  }
  return path;
}

/** The offending value, parsed from its span of the request (the implicit context `{}` when there is none). */
function valueAt(view: DataView, at: number, input: Uint8Array): unknown {
  const start = view.getUint32(at + JSON_RESULT.start, true);
  const end = view.getUint32(at + JSON_RESULT.end, true);
  if (start === NONE) return {};
  if (end > input.length || start > end) throw new Error("the JSON result's value span lies outside the request");
  return JSON.parse(decodeWtf8(input.subarray(start, end)));
}

/** UTF-8 (and WTF-8 lone surrogates, as the module decodes `\ud800`) → a JS string, exactly. */
export function decodeWtf8(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    let cp: number;
    if (b < 0x80) {
      cp = b;
      i += 1;
    } else if (b < 0xe0) {
      cp = ((b & 0x1f) << 6) | (bytes[i + 1]! & 0x3f);
      i += 2;
    } else if (b < 0xf0) {
      cp = ((b & 0x0f) << 12) | ((bytes[i + 1]! & 0x3f) << 6) | (bytes[i + 2]! & 0x3f);
      i += 3;
    } else {
      cp = ((b & 0x07) << 18) | ((bytes[i + 1]! & 0x3f) << 12) | ((bytes[i + 2]! & 0x3f) << 6) | (bytes[i + 3]! & 0x3f);
      i += 4;
    }
    out += String.fromCodePoint(cp);
  }
  return out;
}
