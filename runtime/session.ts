/**
 * The host's half of session rules (docs/decisions/0024-session-rules.md,
 * docs/abi.md "Sessions"): what a session input is, which actions need one,
 * the refusals that say why a request cannot be decided in its session, and
 * the checks a state must pass before it goes into the module.
 *
 * In: the manifest, the request's parts, the host's session input. Out:
 * refusals (`session_error`) with the reference interpreter's exact
 * messages, the session key's value, a state's problems. Must not import
 * Node built-ins or the compiler; must not touch the module's memory (the
 * engine does).
 */
import { OUTCOME_CODES, SESSION } from "./abi.js";
import type { DecisionError, DecisionEffect } from "./decision.js";
import type { Manifest } from "./manifest.js";
import { describe } from "./encode/values.js";
import type { CapturePlan, RequestView } from "./encode/view.js";

import type { SessionInput } from "./decision.js";
export type { SessionInput, SessionOutcome, SessionUpdate } from "./decision.js";

/** Effect codes of `agp_session_record`. */
export const RECORD_EFFECT: Readonly<Record<DecisionEffect, number>> = { allow: 0, approve: 1, deny: 2 };

/**
 * The module's code for an effect to record, or undefined for anything else.
 * Own keys only: an effect named after an Object.prototype member
 * (`constructor`, `toString`) would otherwise find a function, which the
 * wasm boundary turns into 0, "allow".
 */
export function recordEffectCode(effect: unknown): number | undefined {
  return typeof effect === "string" && Object.hasOwn(RECORD_EFFECT, effect) ? RECORD_EFFECT[effect as DecisionEffect] : undefined;
}

/** The module's code for a reported outcome, or undefined for anything else (own keys only, as above). */
export function outcomeCode(outcome: unknown): number | undefined {
  return typeof outcome === "string" && Object.hasOwn(OUTCOME_CODES, outcome) ? OUTCOME_CODES[outcome as keyof typeof OUTCOME_CODES] : undefined;
}

function error(message: string, path = ""): DecisionError {
  return { code: "session_error", message, path };
}

/** The session key's value in the request parts, or undefined when absent, null or not a string. */
export function sessionKey(manifest: Manifest, parts: { readonly agent: unknown; readonly human: unknown; readonly env: unknown; readonly context: unknown }): string | undefined {
  const [root, ...fields] = manifest.session?.key ?? ["context", "session"];
  let value: unknown = root === "agent" ? parts.agent : root === "human" ? parts.human : root === "context" ? parts.context : root === "env" ? parts.env : undefined;
  for (const field of fields) value = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[field] : undefined;
  return typeof value === "string" ? value : undefined;
}

/** The session key of a request the intake has read: its captured string, or undefined when absent, null or not a string. */
export function viewSessionKey(plan: CapturePlan, view: RequestView): string | undefined {
  if (plan.sessionKey < 0) return undefined;
  const value = view.captures[plan.sessionKey];
  return typeof value === "string" ? value : undefined;
}

/**
 * Why a request of `action` cannot be decided in its session, or undefined
 * when it can (or needs none): no key, no session input, a bad `now`, or a
 * state that is not this policy's. The order is the reference's.
 */
export function sessionProblem(manifest: Manifest, action: number, key: string | undefined, input: SessionInput | undefined): DecisionError | undefined {
  const needs = manifest.actions[action]?.session?.needs;
  if (needs === undefined || manifest.session === undefined) return undefined;
  if (key === undefined) {
    const keyText = manifest.session.key.join(".");
    const message =
      "rule" in needs
        ? `rule \`${manifest.rules[needs.rule]!.id}\` needs the session's history, but the request has no \`${keyText}\``
        : `session rules watch \`${manifest.actions[action]!.name}\`, but the request has no \`${keyText}\``;
    return error(message, keyText);
  }
  if (input === undefined) return error("the policy's session rules need the session's state and the time; none was given");
  return inputProblem(manifest, input);
}

/** A manifest's layout id as the number a state's header holds, parsed once per manifest (every decision checks it). */
const layoutIds = new WeakMap<object, number>();

function layoutId(session: NonNullable<Manifest["session"]>): number {
  let id = layoutIds.get(session);
  if (id === undefined) {
    id = Number.parseInt(session.layout, 16) >>> 0;
    layoutIds.set(session, id);
  }
  return id;
}

/** The little-endian u32 at `at` (no DataView: this runs on every session decision). */
function u32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

/** A bad `now` or a state of another policy (or a damaged one). */
export function inputProblem(manifest: Manifest, input: SessionInput): DecisionError | undefined {
  const now: unknown = (input as { now?: unknown }).now;
  if (typeof now !== "number" || !Number.isSafeInteger(now) || now < 0) {
    return error(`\`now\` must be a whole number of milliseconds at least 0, got ${describe(now)}`);
  }
  const state: unknown = (input as { state?: unknown }).state;
  if (state === undefined) return undefined;
  const session = manifest.session!;
  if (!(state instanceof Uint8Array)) return error(`the session's state must be the bytes the policy gave (a Uint8Array), got ${describe(state)}`);
  const ok =
    state.byteLength === session.stateBytes &&
    u32(state, SESSION.magicAt) === SESSION.magic &&
    u32(state, SESSION.stateBytesAt) === session.stateBytes &&
    u32(state, SESSION.layoutAt) === layoutId(session);
  if (ok) return undefined;
  const expected = `layout ${session.layout}, ${String(session.stateBytes)} bytes`;
  const found =
    state.byteLength >= SESSION.headerBytes && u32(state, SESSION.magicAt) === SESSION.magic
      ? `layout ${u32(state, SESSION.layoutAt).toString(16).padStart(8, "0")}, ${String(state.byteLength)} bytes`
      : `${String(state.byteLength)} bytes that are no session state`;
  return error(`the session's state does not belong to this policy (it has ${found}, the policy keeps ${expected}); start a new session`);
}

/** The refusal of a decision whose k-th overflow check (1-based `fault`) failed. */
export function faultError(manifest: Manifest, action: number, fault: number): DecisionError {
  const check = manifest.actions[action]?.session?.checks[fault - 1];
  const monitor = check === undefined ? undefined : manifest.session?.monitors[check.monitor];
  if (check === undefined || monitor === undefined) return { code: "internal_error", message: `internal error in the policy engine: the policy module reported session fault ${String(fault)}, which its manifest does not have`, path: "" };
  const rule = manifest.rules[check.rule]!.id;
  return error(
    `session rule \`${rule}\` keeps at most ${String(monitor.capacity ?? 0)} distinct values of its correlated fields within ${monitor.window}, and this session has had more; it recovers ${monitor.window} after the last value it could not keep`,
  );
}

/** Whether any action of the policy needs a session. */
export function hasSessions(manifest: Manifest): boolean {
  return manifest.session !== undefined && manifest.actions.some((a) => a.session?.needs !== undefined);
}

/** 16 random bytes for a new session's hash key (Web Crypto: browsers, workers and Node all have it). */
export function randomKey(): Uint8Array {
  const bytes = new Uint8Array(16);
  const crypto = (globalThis as { crypto?: { getRandomValues?: (b: Uint8Array) => Uint8Array } }).crypto;
  if (crypto?.getRandomValues === undefined) throw new Error("this JavaScript host has no crypto.getRandomValues for session keys");
  crypto.getRandomValues(bytes);
  return bytes;
}
