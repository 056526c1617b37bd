/**
 * Session state for the gateway (docs/decisions/0024-session-rules.md, §7):
 * each session's state lives in the store at `session:<id>` (base64),
 * written with compare-and-set — the seam every `StateStore` (memory, file,
 * Redis) implements — and kept for the policy's session lifetime after the
 * last event. Checks and reports of one session run one at a time in this
 * process (a queue per session); across processes the compare-and-set
 * decides, and the loser decides again.
 *
 * In: the store, the clock; per call, the live engine's session support.
 * Out: `Sessions`: `read`, `write` (compare-and-set), `restore` (take a
 * write back), `serially`; `SessionConflict`; `keptForOutcome` (what a run
 * record keeps to report the outcome). Must not decide anything or
 * import Node built-ins (browsers and workers run the gateway too).
 */
import type { DecisionEffect, SessionInput, SessionOutcome, SessionUpdate } from "../decision.js";
import { outcomeRequest, type KeptRequest, type OutcomeManifest } from "./outcome-record.js";
import type { Clock } from "./clock.js";
import type { RedactedRequest, Secrets } from "./secrets.js";
import type { StateStore } from "./store.js";

/** What the gateway needs of an engine for sessions (the runtime's `PolicyEngine` provides it). */
export interface SessionSupport {
  /** The session key of a request, or undefined (no key, or the policy has no session rules). */
  key(request: unknown): string | undefined;
  /** How long an idle session's state means anything. */
  readonly retainMs: number;
  record(request: unknown, session: SessionInput, effect: DecisionEffect): SessionUpdate;
  outcome(request: unknown, session: SessionInput, call: number, outcome: SessionOutcome): SessionUpdate;
}

/** A session's state as read: the stored text (for compare-and-set) and the bytes. */
export interface StoredSession {
  readonly id: string;
  readonly text: string | undefined;
  readonly state: Uint8Array | undefined;
}

/** How many times a check or report decides again when another process wrote the session first. */
export const SESSION_ROUNDS = 8;

/** Another check wrote the session while this one decided: decide again. */
export class SessionConflict extends Error {
  constructor() {
    super("the session's state changed while this check decided");
  }
}

/** The gateway's sessions. */
export class Sessions {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: StateStore,
    private readonly clock: Clock,
  ) {}

  /** Runs `work` after every earlier call for the same session in this process. */
  serially<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(id) ?? Promise.resolve();
    const run = previous.then(work, work);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(id, settled);
    void settled.then(() => {
      if (this.queues.get(id) === settled) this.queues.delete(id);
    });
    return run;
  }

  /** The session's state now (undefined: a new session). A stored value that is not base64 reads as no bytes, which the engine refuses. */
  async read(id: string): Promise<StoredSession> {
    const text = await this.store.get(sessionKey(id));
    return { id, text, state: text === undefined ? undefined : (decode(text) ?? new Uint8Array(0)) };
  }

  /** The session input for a call at the clock's now. */
  input(stored: StoredSession): SessionInput {
    return stored.state === undefined ? { now: this.clock.now() } : { now: this.clock.now(), state: stored.state };
  }

  /** Writes the next state if the stored one is still `stored.text`; false when another writer came first. */
  write(stored: StoredSession, next: Uint8Array, retainMs: number): Promise<boolean> {
    return this.store.compareAndSet(sessionKey(stored.id), stored.text, encode(next), { expiresAt: this.clock.now() + retainMs });
  }

  /**
   * Takes back a write (its audit entry could not be written, so it did not
   * happen): the state `stored` had, if nothing was written since `written`.
   * A write since stays (best effort; the session keeps an event that was refused unaudited).
   */
  async restore(id: string, written: Uint8Array, stored: StoredSession, retainMs: number): Promise<void> {
    const key = sessionKey(id);
    const now = encode(written);
    await this.store.compareAndSet(key, now, stored.text, stored.text === undefined ? undefined : { expiresAt: this.clock.now() + retainMs });
  }
}

/**
 * What a run record keeps for its outcome (ADR 0025): what the manifest says
 * the outcome reads, unless any manifest (live or shadow) marks a kept
 * field secret; for an engine whose manifest cannot say, the whole request
 * unless it holds a secret (`recorded` lists the secret paths met).
 */
export function keptForOutcome(manifest: OutcomeManifest | undefined, request: unknown, recorded: RedactedRequest, secrets: Secrets): { readonly request: unknown } | { readonly secret: string } {
  let kept: KeptRequest | undefined;
  try {
    kept = manifest === undefined ? undefined : outcomeRequest(manifest, request);
  } catch {
    kept = undefined;
  }
  if (kept !== undefined) {
    // A field another manifest (the shadow's) marks secret is not kept either.
    const also = "request" in kept ? secrets.redact(kept.request).redacted : [];
    return also.length > 0 ? { secret: also[0]! } : kept;
  }
  return recorded.redacted.length > 0 ? { secret: recorded.redacted[0]! } : { request };
}

/** The store key of a session. */
export function sessionKey(id: string): string {
  return `session:${id}`;
}

/** Bytes as base64 (btoa: browsers, workers and Node all have it). */
export function encode(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Base64 to bytes; undefined when the text is not base64. */
export function decode(text: string): Uint8Array | undefined {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
