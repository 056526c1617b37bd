/**
 * Message helpers shared by validation and finishing: request paths as users
 * read them, value descriptions ("the string \"120\""), code points, and the
 * fail-closed `Problem`.
 *
 * In: plain JS values. Out: strings and `Problem`s. The formats are those of
 * docs/decisions/0006-decision-semantics.md and the reference interpreter,
 * byte for byte. Must not know about schemas, slots or the module.
 */
import type { DecisionErrorCode } from "../decision.js";
import { meter } from "./meter.js";

/**
 * A fail-closed problem. Validators build it with a path suffix relative to
 * where they run (".command", "[2]"); parents prepend their part, and the
 * message is rendered once the full path is known. Only failures allocate.
 */
export class Problem {
  constructor(
    readonly code: DecisionErrorCode,
    /** Path relative to the validator that found it; parents prepend. */
    public suffix: string,
    /** Renders the message for the full path. */
    readonly render: (path: string) => string,
  ) {}

  /** The full path under `root` (e.g. "args"). */
  pathUnder(root: string): string {
    return root + this.suffix;
  }
}

/** A problem already rendered: what a decision's `error` carries. */
export interface Refusal {
  readonly code: DecisionErrorCode;
  readonly message: string;
  readonly path: string;
}

/** A refusal returned in place of a result (a tagged wrapper, so no result value can look like one). */
export class Refused {
  constructor(readonly refusal: Refusal) {}
}

/** Renders a problem found under `root`. */
export function refusalOf(problem: Problem, root: string): Refusal {
  const path = problem.pathUnder(root);
  return { code: problem.code, message: problem.render(path), path };
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** The suffix a key adds to a non-empty path: ".repo", or `["odd key"]`. */
export function keySuffix(key: string): string {
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** Appends an object key to a path (`args` + `repo` → `args.repo`; at the top, `repo`). */
export function childPath(parent: string, key: string): string {
  if (IDENTIFIER.test(key)) return parent === "" ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

/** A request path or name in backticks, as every message shows user input. */
export function tick(text: string): string {
  return `\`${text}\``;
}

/** The number of Unicode code points in `s`. */
export function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/**
 * Whether `s` has more than `limit` code points, looking at no more than
 * 2 × `limit` code units: a string of more than twice as many units surely
 * has more code points (a code point takes at most two units), one of at
 * most `limit` units surely does not (ADR 0035).
 */
export function longerThan(s: string, limit: number): boolean {
  const n = s.length;
  if (n <= limit) return false;
  if (n > 2 * limit) return true;
  meter.units += n;
  return codePointLength(s) > limit;
}

/**
 * Whether `s` has fewer than `limit` code points, looking at fewer than
 * 2 × `limit` code units: fewer units than `limit` are surely short, twice
 * as many surely not.
 */
export function shorterThan(s: string, limit: number): boolean {
  const n = s.length;
  if (n < limit) return true;
  if (n >= 2 * limit) return false;
  meter.units += n;
  return codePointLength(s) < limit;
}

/** The index of the first lone surrogate in `s`, or -1 when `s` is well-formed Unicode. */
export function loneSurrogateAt(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    return i;
  }
  return -1;
}

const QUOTE_LIMIT = 64;

/**
 * A string as a message shows it: JSON-quoted, cut after 64 code points with
 * `…` (a lone surrogate counts as one, as `Array.from` counts). Reads at
 * most 65 code points of `s`, however long it is.
 */
export function quote(s: string): string {
  const n = s.length;
  let i = 0;
  for (let points = 0; i < n && points < QUOTE_LIMIT; points++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
  }
  return i >= n ? JSON.stringify(s) : `${JSON.stringify(s.slice(0, i))}…`;
}

/** Describes a value for "got …": `the string "120"`, `the number 1.5`, `an array`, `null`. */
export function describe(value: unknown): string {
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
export function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * The first own enumerable key (code-unit order) not in `declared`, counting
 * keys whose value is `undefined` only when `evenUndefined`: the smallest
 * such key, found in one scan that reads only keys smaller than the best so
 * far (never a sort: ADR 0035). For plain copies.
 */
export function firstUndeclared(value: Readonly<Record<string, unknown>>, declared: ReadonlySet<string>, evenUndefined = false): string | undefined {
  let best: string | undefined;
  for (const key in value) {
    meter.keys++;
    if ((best !== undefined && key >= best) || declared.has(key)) continue;
    if (evenUndefined ? hasOwn.call(value, key) : hasKey(value, key)) best = key;
  }
  return best;
}

/** Whether an own key is present (and not `undefined`, which JSON cannot express). */
export function hasKey(object: Readonly<Record<string, unknown>>, key: string): boolean {
  return hasOwn.call(object, key) && object[key] !== undefined;
}

