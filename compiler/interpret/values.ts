/**
 * Small helpers on request values shared by validation and evaluation:
 * request paths as users read them, value descriptions for messages, code
 * point counting, scalar equality, and the evaluation error.
 *
 * In: plain JS values. Out: strings, booleans. Must not know about rules,
 * catalogs or decisions.
 */
import type { DecisionErrorCode } from "../../runtime/decision.js";

/** A request value as the interpreter sees it (after JSON parsing). */
export type Value = unknown;

/** A scalar: what `==`, `in` and sets work with. */
export type Scalar = string | number | boolean | null;

/**
 * A fail-closed refusal raised while validating or evaluating. Caught by
 * ./decide.ts and turned into a deny; never escapes `decide`.
 */
export class Refusal extends Error {
  constructor(
    readonly code: DecisionErrorCode,
    message: string,
    /** Request path, e.g. `args.items[2]`; "" when not tied to one. */
    readonly path: string,
  ) {
    super(message);
  }
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Appends an object key to a request path: `args` + `repo` → `args.repo`; odd keys are quoted. */
export function childPath(parent: string, key: string): string {
  if (IDENTIFIER.test(key)) return parent === "" ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

/** Appends an array index: `args.paths` + 2 → `args.paths[2]`. */
export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

/** The number of Unicode code points in `s` (what JSON Schema's maxLength counts). */
export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** The index of the first lone surrogate in `s`, or -1 when `s` is well-formed Unicode. */
export function loneSurrogateAt(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
      return i;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return i;
  }
  return -1;
}

const QUOTE_LIMIT = 64;

/** A string as a message shows it: JSON-quoted, cut after 64 code points with `…` (only those are read). */
export function quote(s: string): string {
  let head = "";
  let points = 0;
  for (const point of s) {
    if (points === QUOTE_LIMIT) return `${JSON.stringify(head)}…`;
    head += point;
    points++;
  }
  return JSON.stringify(s);
}

/** Describes what a value is, for "got …" in messages: `the string "120"`, `the number 1.5`, `an array`. */
export function describe(value: Value): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return `the string ${quote(value)}`;
    case "number":
      return `the number ${String(value)}`;
    case "boolean":
      return `the boolean ${String(value)}`;
    case "object":
      return "an object";
    default:
      return `a ${typeof value} value`;
  }
}

/** True for a plain JSON object (not an array, not null). */
export function isObject(value: Value): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** True for a string, finite number, boolean or null. */
export function isScalar(value: Value): value is Scalar {
  return (
    value === null ||
    typeof value === "string" ||
    typeof value === "boolean" ||
    (typeof value === "number" && Number.isFinite(value))
  );
}

/** Whether an own key is present (and not `undefined`, which JSON cannot express). */
export function hasKey(object: Readonly<Record<string, unknown>>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key) && object[key] !== undefined;
}
