/**
 * The gateway's one read of an untrusted request: a plain JSON copy.
 *
 * In: whatever the host passed (objects, arrays, proxies, getters, class
 * instances, cycles, anything). Out: either a copy made only of null,
 * booleans, finite numbers, well-formed strings, arrays and plain objects —
 * every object member an own, enumerable data property of the copy, so a
 * member named `__proto__` or `constructor` stays a member — or the first
 * reason the value is not JSON data, with where it is.
 * Every property of the input is looked at once, through its property
 * descriptor: a getter is never called (it is refused), a Proxy's traps run
 * at most once per key, and a trap that throws is caught. Depth and size are
 * bounded, so copying never overflows the stack. Must not throw, and must
 * not return anything the host can still change.
 */

/** How much of a request the gateway reads. */
export interface SnapshotLimits {
  /** Deepest nesting of arrays and objects (the request object is depth 1). Default 64. */
  readonly maxDepth: number;
  /** Most units read: one per value, plus the length of every string and key (UTF-16 code units). Default 1,048,576. */
  readonly maxSize: number;
}

/** The defaults of `SnapshotLimits`. */
export const DEFAULT_SNAPSHOT_LIMITS: SnapshotLimits = { maxDepth: 64, maxSize: 1_048_576 };

/** The largest `maxDepth` accepted: copying recurses once per level. */
export const MAX_SNAPSHOT_DEPTH = 1_000;

/** The copy, or why there is none. */
export type Snapshot =
  | { readonly ok: true; readonly value: unknown }
  | {
      readonly ok: false;
      /** What is wrong, naming where (`` `args.items[2]` is a function, which is not JSON ``). */
      readonly reason: string;
      /** Where, as `args.items[2]`; `""` for the value as a whole. */
      readonly path: string;
    };

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Where the copy is: segments (keys and indexes), joined only when reporting a problem. */
type Segments = (string | number)[];

/** Stops the copy; caught by `snapshotJson` only. The message is rendered once the path is known. */
class Unreadable {
  readonly path: string;
  readonly problem: string;
  constructor(segments: Segments, problem: (where: string, path: string) => string) {
    this.path = render(segments);
    this.problem = problem(this.path === "" ? "the request" : `\`${this.path}\``, this.path);
  }
}

/** Validates limits given by a caller; throws a TypeError naming the bad one. */
export function snapshotLimits(given: Partial<SnapshotLimits> | undefined, what = "request"): SnapshotLimits {
  if (given === undefined) return DEFAULT_SNAPSHOT_LIMITS;
  if (typeof given !== "object" || given === null) throw new TypeError(`\`${what}\` must be an object with \`maxDepth\` and \`maxSize\``);
  for (const key of Object.keys(given)) {
    if (key !== "maxDepth" && key !== "maxSize") throw new TypeError(`unknown \`${what}\` option \`${key}\`; use maxDepth or maxSize`);
  }
  const limits = { ...DEFAULT_SNAPSHOT_LIMITS, ...given };
  if (!Number.isInteger(limits.maxDepth) || limits.maxDepth < 1 || limits.maxDepth > MAX_SNAPSHOT_DEPTH) {
    throw new TypeError(`\`${what}.maxDepth\` must be an integer from 1 to ${MAX_SNAPSHOT_DEPTH}, got ${String(limits.maxDepth)}`);
  }
  if (!Number.isSafeInteger(limits.maxSize) || limits.maxSize < 1) {
    throw new TypeError(`\`${what}.maxSize\` must be a positive integer, got ${String(limits.maxSize)}`);
  }
  return limits;
}

/**
 * A plain JSON copy of `value`, read once. Object members whose value is
 * `undefined` are left out (as JSON.stringify does); symbol-keyed and
 * non-enumerable properties are not read.
 */
export function snapshotJson(value: unknown, limits: SnapshotLimits = DEFAULT_SNAPSHOT_LIMITS): Snapshot {
  const state: CopyState = { size: 0, limits, ancestors: new Set<object>(), at: [] };
  try {
    return { ok: true, value: copy(value, 1, state) };
  } catch (error) {
    if (error instanceof Unreadable) return { ok: false, reason: error.problem, path: error.path };
    // Not ours (a stack overflow in a host's trap, say): still an answer, never a throw.
    return { ok: false, reason: `reading the value failed: ${describeThrown(error)}`, path: "" };
  }
}

interface CopyState {
  size: number;
  readonly limits: SnapshotLimits;
  readonly ancestors: Set<object>;
  /** The path of the value being copied (pushed and popped, rendered only for a problem). */
  readonly at: Segments;
}

function copy(value: unknown, depth: number, state: CopyState): unknown {
  grow(state, 1);
  switch (typeof value) {
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value)) throw new Unreadable(state.at, (where) => `${where} is ${String(value)}, which is not JSON`);
      return value;
    case "string":
      grow(state, value.length);
      if (!wellFormed(value)) throw new Unreadable(state.at, (where) => `${where} is not well-formed Unicode (a lone surrogate)`);
      return value;
    case "undefined":
      throw new Unreadable(state.at, (where) => `${where} is undefined, which is not JSON`);
    case "object":
      if (value === null) return null;
      return copyContainer(value, depth, state);
    default:
      throw new Unreadable(state.at, (where) => `${where} is a ${typeof value}, which is not JSON`);
  }
}

function copyContainer(value: object, depth: number, state: CopyState): unknown {
  if (depth > state.limits.maxDepth) throw new Unreadable(state.at, (where) => `${where} is nested deeper than ${state.limits.maxDepth} levels`);
  if (state.ancestors.has(value)) throw new Unreadable(state.at, (where) => `${where} contains itself`);
  const isArray = read(state, () => Array.isArray(value));
  state.ancestors.add(value);
  const result = isArray ? copyArray(value, depth, state) : copyObject(value, depth, state);
  state.ancestors.delete(value);
  return result;
}

function copyArray(value: object, depth: number, state: CopyState): unknown[] {
  const lengthDescriptor = read(state, () => Object.getOwnPropertyDescriptor(value, "length"));
  const length: unknown = lengthDescriptor?.value;
  if (lengthDescriptor === undefined || !("value" in lengthDescriptor) || typeof length !== "number" || !Number.isSafeInteger(length) || length < 0) {
    throw new Unreadable(state.at, (where) => `${where} is an array without a readable length`);
  }
  grow(state, length); // refuse a huge array before reading any of it
  const out: unknown[] = new Array<unknown>(length);
  for (let i = 0; i < length; i++) {
    state.at.push(i);
    const descriptor = read(state, () => Object.getOwnPropertyDescriptor(value, i));
    if (descriptor === undefined) throw new Unreadable(state.at, (where) => `${where} is missing (a sparse array), which is not JSON`);
    out[i] = copy(dataOf(descriptor, state), depth + 1, state);
    state.at.pop();
  }
  return out;
}

function copyObject(value: object, depth: number, state: CopyState): Record<string, unknown> {
  const prototype = read(state, () => Object.getPrototypeOf(value) as object | null);
  const plain = prototype === null || prototype === Object.prototype || read(state, () => Object.getPrototypeOf(prototype)) === null;
  if (!plain) throw new Unreadable(state.at, (where) => `${where} is ${kindOf(prototype)}, which is not JSON`);
  const keys = read(state, () => Reflect.ownKeys(value));
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (typeof key !== "string") continue;
    grow(state, key.length);
    if (!wellFormed(key)) throw new Unreadable(state.at, (_where, path) => `a key of ${path === "" ? "the request" : `\`${path}\``} is not well-formed Unicode (a lone surrogate)`);
    state.at.push(key);
    const descriptor = read(state, () => Object.getOwnPropertyDescriptor(value, key));
    if (descriptor !== undefined && descriptor.enumerable === true) {
      const member = dataOf(descriptor, state);
      if (member !== undefined) defineMember(out, key, copy(member, depth + 1, state));
    }
    state.at.pop();
  }
  return out;
}

/**
 * Sets an own, enumerable, writable member — even one named `__proto__`,
 * which plain assignment would turn into a change of prototype. Every copy
 * of JSON-derived data in governance code goes through this.
 */
export function defineMember(target: Record<string, unknown>, key: string, value: unknown): void {
  // `__proto__` is the one accessor on Object.prototype; every other key assigned is an own data member (and assignment is much faster).
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** An own member of a JSON object, never an inherited one (a polluted `Object.prototype` changes nothing). */
export function ownMember(object: unknown, key: string): unknown {
  if (typeof object !== "object" || object === null || Array.isArray(object)) return undefined;
  return Object.prototype.hasOwnProperty.call(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}

/** Describes anything thrown, without calling the thrower's code twice or throwing itself. */
export function describeThrown(error: unknown): string {
  try {
    if (typeof error === "string") return clip(error);
    if (error === null || typeof error === "number" || typeof error === "boolean" || typeof error === "undefined" || typeof error === "bigint") return String(error);
    if (typeof error === "object") {
      const descriptor = Object.getOwnPropertyDescriptor(error, "message") ?? (error instanceof Error ? { value: error.message } : undefined);
      const message: unknown = descriptor?.value;
      if (typeof message === "string") return clip(message);
      return "a value that is not an Error";
    }
    return kindWithArticle(error);
  } catch {
    return "a value that cannot be described";
  }
}

/** What a value is, with its article, for "got …": `undefined`, `null`, `an object`, `an array`, `a function`. */
export function kindWithArticle(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return "an array";
  const type = typeof value;
  return `${/^[aeiou]/.test(type) ? "an" : "a"} ${type}`;
}

function clip(text: string): string {
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

function dataOf(descriptor: PropertyDescriptor, state: CopyState): unknown {
  if (!("value" in descriptor) && (descriptor.get !== undefined || descriptor.set !== undefined)) {
    throw new Unreadable(state.at, (where) => `${where} is a getter; the gateway reads plain data properties only`);
  }
  return descriptor.value;
}

/** Runs one read of the host's object; anything it throws becomes a refusal where the copy is. */
function read<T>(state: CopyState, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof Unreadable) throw error;
    throw new Unreadable(state.at, (where) => `reading ${where} threw: ${describeThrown(error)}`);
  }
}

function grow(state: CopyState, units: number): void {
  state.size += units;
  if (state.size > state.limits.maxSize) {
    throw new Unreadable(state.at, () => `the request is larger than the gateway reads (more than ${state.limits.maxSize} units: one per value plus every string's and key's length)`);
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const nativeWellFormed = (String.prototype as { isWellFormed?: () => boolean }).isWellFormed;

/** Whether a string has no lone surrogate (String.prototype.isWellFormed where the runtime has it). */
function wellFormed(text: string): boolean {
  return nativeWellFormed !== undefined ? nativeWellFormed.call(text) : !LONE_SURROGATE.test(text);
}

/** `a Date object`, `a Map object`, or `an object with a custom prototype`. */
function kindOf(prototype: object | null): string {
  try {
    const constructor: unknown = prototype === null ? undefined : Object.getOwnPropertyDescriptor(prototype, "constructor")?.value;
    const name: unknown = typeof constructor === "function" ? Object.getOwnPropertyDescriptor(constructor, "name")?.value : undefined;
    if (typeof name === "string" && IDENTIFIER.test(name)) return `${/^[AEIOU]/.test(name) ? "an" : "a"} ${name} object`;
  } catch {
    // fall through: a hostile prototype gets the generic description
  }
  return "an object with a custom prototype";
}

/** `args.items[2]`, `args["odd key"]`: a path as users read it. */
function render(segments: Segments): string {
  let path = "";
  for (const segment of segments) {
    if (typeof segment === "number") path += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) path += path === "" ? segment : `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}
