/**
 * Canonical JSON (RFC 8785, JCS) and the digests built on it.
 *
 * In: JSON values (a request, its args, an audit entry). Out: their
 * canonical text (keys sorted by UTF-16 code units, no whitespace, numbers in
 * ECMAScript shortest form, strings escaped as JSON.stringify does) and
 * SHA-256 digests of it, as `sha256:<hex>`.
 * Must not accept what JCS cannot represent: non-finite numbers, lone
 * surrogates, `undefined` inside arrays, functions, or cycles — it throws a
 * `CanonicalJsonError` instead of guessing. Object members whose value is
 * `undefined` are skipped, as JSON.stringify does.
 */
import { sha256Hex } from "./sha256.js";
import { defineMember, kindWithArticle, ownMember } from "./snapshot.js";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, "g");

/** A value that cannot be written as canonical JSON. */
export class CanonicalJsonError extends Error {
  override readonly name = "CanonicalJsonError";
}

/** The RFC 8785 canonical JSON text of `value`. */
export function canonicalJson(value: unknown): string {
  return fastCanonical(value) ?? write(value, [], new Set());
}

/** How deep the fast path walks before leaving a value to the careful writer. */
const FAST_DEPTH = 64;

/**
 * The canonical text by the engine's own JSON.stringify, or undefined when
 * the value needs the careful writer (which also words every refusal).
 * JSON.stringify writes an object's members in its own key order, so it
 * writes RFC 8785 exactly when every object's keys are already sorted by
 * UTF-16 code units and none is an array index (an object lists those
 * first, in numeric order, whatever their insertion order), and every
 * value is plain JSON data: finite numbers, no `undefined` in arrays, no
 * functions, cycles, class instances or `toJSON`. The walk checks all of
 * that without building anything; a lone surrogate, which JSON.stringify
 * escapes as `\udXXX`, is caught in the text (any such escape sends the
 * value to the careful writer, which throws). Values are read twice (walk,
 * then write), so an accessor that changes its answer could differ between
 * the two: agp passes only plain data it made itself (snapshots,
 * `toJsonSafe` copies, which are built sorted to take this path).
 */
function fastCanonical(value: unknown): string | undefined {
  if (!plainSorted(value, 0)) return undefined;
  const text = JSON.stringify(value);
  return text.includes("\\ud") ? undefined : text;
}

/** True when JSON.stringify writes `value` as RFC 8785 does (but for lone surrogates, checked in the text). */
function plainSorted(value: unknown, depth: number): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case "boolean":
    case "string":
      return true;
    case "number":
      return Number.isFinite(value);
    case "object": {
      if (depth >= FAST_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item === undefined || !plainSorted(item, depth + 1)) return false;
        }
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      let previous = "";
      let first = true;
      for (const key in value) {
        if (!first && key <= previous) return false;
        if (!Object.hasOwn(value, key) || key === "toJSON" || isIndexKey(key)) return false;
        const member: unknown = (value as Record<string, unknown>)[key];
        if (member === undefined || !plainSorted(member, depth + 1)) return false;
        previous = key;
        first = false;
      }
      return true;
    }
    default:
      return false; // undefined at the top, functions, bigints, symbols: the careful writer words it
  }
}

/** An array-index key ("0", "17"): objects list these first, in numeric order. */
function isIndexKey(key: string): boolean {
  const c = key.charCodeAt(0);
  return c >= 48 && c <= 57;
}

/** Where a value sits, as `a.b[2]`; joined only when reporting a problem. */
function pathOf(path: readonly (string | number)[]): string {
  const text = path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("");
  return text === "" ? "value" : text.replace(/^\./, "");
}

function write(value: unknown, path: (string | number)[], seen: Set<object>): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`\`${pathOf(path)}\` is ${value}, which JSON cannot represent`);
      return JSON.stringify(value); // ECMAScript Number::toString, as JCS requires; -0 → "0"
    case "string":
      if (LONE_SURROGATE.test(value)) throw new CanonicalJsonError(`\`${pathOf(path)}\` is not well-formed Unicode (a lone surrogate)`);
      return JSON.stringify(value);
    case "object": {
      if (seen.has(value)) throw new CanonicalJsonError(`\`${pathOf(path)}\` contains itself`);
      seen.add(value);
      let text = "";
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          path.push(i);
          if (item === undefined) throw new CanonicalJsonError(`\`${pathOf(path)}\` is undefined`);
          text += (i === 0 ? "" : ",") + write(item, path, seen);
          path.pop();
        }
        text = `[${text}]`;
      } else {
        const record = value as Record<string, unknown>;
        // Default sort compares UTF-16 code units, exactly as RFC 8785 §3.2.3 asks.
        const keys = Object.keys(record).sort();
        for (const key of keys) {
          const member = record[key];
          if (member === undefined) continue;
          path.push(key);
          text += (text === "" ? "" : ",") + write(key, path, seen) + ":" + write(member, path, seen);
          path.pop();
        }
        text = `{${text}}`;
      }
      seen.delete(value);
      return text;
    }
    default:
      throw new CanonicalJsonError(`\`${pathOf(path)}\` is ${kindWithArticle(value)}, which JSON cannot represent`);
  }
}

/** `sha256:<hex>` of the canonical JSON of `value`. */
export function digestOf(value: unknown): string {
  return `sha256:${sha256Hex(canonicalJson(value))}`;
}

/** The parts of a request an approval is bound to. */
export interface ActionBinding {
  readonly action: string;
  readonly args: unknown;
  readonly agent: string;
  readonly human: string | null;
  readonly env: unknown;
  readonly policyVersion: string;
  /**
   * The context fields the policy binds (`binds context.plan`), path →
   * value; a field the request lacks is left out (absent is not `null`).
   * Absent when the policy binds none, so such digests are what they were.
   */
  readonly context?: Readonly<Record<string, unknown>>;
}

/**
 * What an approval is bound to: the action, its exact args, the agent's id,
 * the human's id (or null), the env, the policy bundle's version, and the
 * context fields the policy names (`binds`, e.g. `context.plan`: an
 * approval given for one plan is not one for another). Not the rest of the
 * context (reasoning text changes between retries) nor trust (the runtime's
 * own). Pass the snapshot with its secrets sealed (./secrets.ts), so the
 * digest binds their values without showing them. Returns undefined for a request that has no such parts (it will be
 * refused by the engine anyway). Reads own members only; pass the gateway's
 * snapshot of the request (./snapshot.ts), never the host's object.
 */
export function bindingOf(request: unknown, policyVersion: string, binds: readonly string[] = []): ActionBinding | undefined {
  const action = ownMember(request, "action");
  const agent = idOf(ownMember(request, "agent"));
  if (typeof action !== "string" || agent === undefined) return undefined;
  const humanPart = ownMember(request, "human");
  const human = humanPart === undefined || humanPart === null ? null : idOf(humanPart);
  if (human === undefined) return undefined;
  const binding = { action, args: ownMember(request, "args") ?? {}, agent, human, env: ownMember(request, "env") ?? null, policyVersion };
  if (binds.length === 0) return binding;
  const context: Record<string, unknown> = {};
  for (const path of binds) {
    let value: unknown = request;
    for (const step of path.split(".")) value = ownMember(value, step);
    if (value !== undefined) defineMember(context, path, value);
  }
  return { ...binding, context };
}

/** The digest an approval is bound to (see `bindingOf`). */
export function actionDigest(binding: ActionBinding): string {
  return digestOf(binding);
}

function idOf(principal: unknown): string | undefined {
  const id = ownMember(principal, "id");
  return typeof id === "string" ? id : undefined;
}

/** How deep `toJsonSafe` copies; deeper values become `"[too deep]"`. */
const SAFE_DEPTH = 256;

/**
 * A copy of `value` that canonical JSON can always write: lone surrogates
 * become U+FFFD, non-finite numbers and `undefined` array items become null,
 * cycles, values nested deeper than 256 levels and values JSON lacks
 * (functions, bigints, symbols) become a short description. Own enumerable
 * members only, each kept as an own member (a `__proto__` key stays a key).
 * For recording input the gateway did not snapshot (approver notes, kill
 * switch reasons): the audit log must never fail because a value was
 * hostile; never for digests that bind approvals.
 */
export function toJsonSafe(value: unknown, seen: Set<object> = new Set(), depth = 0): unknown {
  if (value === null || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string") return LONE_SURROGATE.test(value) ? value.replace(LONE_SURROGATES, "\uFFFD") : value;
  if (value === undefined) return null;
  if (typeof value !== "object") return `[${typeof value}]`;
  if (seen.has(value)) return "[cycle]";
  if (depth >= SAFE_DEPTH) return "[too deep]";
  seen.add(value);
  let copy: unknown;
  if (Array.isArray(value)) copy = value.map((item) => toJsonSafe(item, seen, depth + 1));
  else {
    const out: Record<string, unknown> = {};
    // Sorted, so canonical JSON writes the copy by the fast path.
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    keys.sort();
    for (const k of keys) {
      const v = record[k];
      if (v !== undefined) defineMember(out, toJsonSafe(k) as string, toJsonSafe(v, seen, depth + 1));
    }
    copy = out;
  }
  seen.delete(value);
  return copy;
}
