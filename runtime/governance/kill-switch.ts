/**
 * Kill switches: global, per agent, per action family.
 *
 * In: engage / release calls (who and why), and per request an agent id and
 * an action. Out: the engaged switch that applies, if any — looked up with
 * one `getMany` of exactly three keys, so the check costs the same however
 * many switches are engaged — and abort signals for requests in flight.
 * Engaging and releasing are audited with who and why; a switch stays
 * engaged until released explicitly (no expiry), and lives in the state
 * store, so it survives a restart when the store persists.
 * An agent switch covers every agent id with the same `identityKey` (so a
 * switch on `ci-fixer` also stops `CI-Fixer`). If the audit entry of an
 * engage cannot be written the switch stays engaged (the safe side) and the
 * error is thrown; if a release's cannot, the switch is engaged again.
 * Must not consult the policy: an engaged switch denies before evaluation.
 */
import type { AuditLog } from "./audit.js";
import type { Clock } from "./clock.js";
import { identityKey, sameIdentity } from "../identity.js";
import { parseStored, type StateStore } from "./store.js";

/** What a switch covers. */
export type KillScope = "global" | "agent" | "family";

/** Which switch: `{scope: "global"}`, `{scope: "agent", name: "ci-fixer"}`, `{scope: "family", name: "aws"}`. */
export interface KillTarget {
  readonly scope: KillScope;
  /** The agent id or action family; absent for `global`. */
  readonly name?: string;
}

/** An engaged switch. */
export interface KillSwitchRecord {
  readonly scope: KillScope;
  /** `"global"`, the agent id, or the family: the name a decision's reason shows. */
  readonly name: string;
  /** Who engaged it. */
  readonly by: string;
  /** Why. */
  readonly reason: string;
  /** When (ms since the epoch). */
  readonly at: number;
}

/** Who does it and why: required for engaging and releasing. */
export interface KillActor {
  readonly by: string;
  readonly reason: string;
}

/** A request in flight that a switch can stop. */
interface Watcher {
  readonly agent: string;
  readonly family: string;
  readonly controller: AbortController;
}

/** The kill switches of one store. */
export class KillSwitch {
  private readonly watchers = new Set<Watcher>();

  constructor(
    private readonly store: StateStore,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Engages a switch (again: updates who and why) and aborts the requests in
   * flight in this process that it covers. Audited.
   */
  async engage(target: KillTarget, actor: KillActor): Promise<KillSwitchRecord> {
    const { scope, name } = checkTarget(target);
    const { by, reason } = checkActor(actor);
    const record: KillSwitchRecord = { scope, name, by, reason, at: this.clock.now() };
    const key = switchKey(scope, name);
    for (;;) {
      const current = await this.store.get(key);
      if (await this.store.compareAndSet(key, current, JSON.stringify(record))) break;
    }
    // Abort first: a switch that is engaged must stop what it covers even if its audit entry fails.
    for (const watcher of this.watchers) {
      if (covers(record, watcher.agent, watcher.family)) watcher.controller.abort(new Error(killReason(record)));
    }
    await this.audit.append({ kind: "kill.engage", scope, name, by, reason });
    return record;
  }

  /** Releases a switch; returns false (and audits nothing) when it was not engaged. */
  async release(target: KillTarget, actor: KillActor): Promise<boolean> {
    const { scope, name } = checkTarget(target);
    const { by, reason } = checkActor(actor);
    const key = switchKey(scope, name);
    let released: string;
    for (;;) {
      const current = await this.store.get(key);
      if (current === undefined) return false;
      if (await this.store.compareAndSet(key, current, undefined)) {
        released = current;
        break;
      }
    }
    try {
      await this.audit.append({ kind: "kill.release", scope, name, by, reason });
    } catch (error) {
      // An unaudited release must not stand: engage it again (unless someone already has).
      await this.store.compareAndSet(key, undefined, released);
      throw error;
    }
    return true;
  }

  /** The engaged switch that applies to this agent and action (global first, then agent, then family). */
  async check(agent: string, action: string): Promise<KillSwitchRecord | undefined> {
    const values = await this.store.getMany([switchKey("global", "global"), switchKey("agent", agent), switchKey("family", familyOf(action))]);
    for (const value of values) {
      const record = parseStored<KillSwitchRecord>(value);
      if (record !== undefined) return record;
    }
    return undefined;
  }

  /** Every engaged switch. */
  async list(): Promise<KillSwitchRecord[]> {
    return (await this.store.list("kill:")).flatMap(([, value]) => parseStored<KillSwitchRecord>(value) ?? []);
  }

  /**
   * Watches a request in flight: the signal aborts when a switch covering it
   * is engaged through this object. Call the returned `stop` when the request
   * is over. (Gateways in other processes sharing the store learn of a switch
   * on their next check; see docs/governance.md.)
   */
  watch(agent: string, action: string): { readonly signal: AbortSignal; stop(): void } {
    const watcher: Watcher = { agent, family: familyOf(action), controller: new AbortController() };
    this.watchers.add(watcher);
    return { signal: watcher.controller.signal, stop: () => this.watchers.delete(watcher) };
  }

  /** How many requests are being watched (for tests and monitoring). */
  get inFlight(): number {
    return this.watchers.size;
  }
}

/** The reason a decision denied by a switch gives, as every engine words it (ADR 0006). */
export function killReason(record: Pick<KillSwitchRecord, "name">): string {
  return `kill switch \`${record.name}\` is engaged`;
}

/** An action's family: the part before the first dot. */
export function familyOf(action: string): string {
  const dot = action.indexOf(".");
  return dot < 0 ? action : action.slice(0, dot);
}

function covers(record: KillSwitchRecord, agent: string, family: string): boolean {
  return record.scope === "global" || (record.scope === "agent" ? sameIdentity(record.name, agent) : record.name === family);
}

/** The store key of a switch; an agent's is keyed by its `identityKey`, so ids differing in case or form share it. */
function switchKey(scope: KillScope, name: string): string {
  return scope === "global" ? "kill:global" : scope === "agent" ? `kill:agent:${identityKey(name)}` : `kill:${scope}:${name}`;
}

/** The target, read once and checked. */
function checkTarget(target: KillTarget): { scope: KillScope; name: string } {
  if (typeof target !== "object" || target === null) throw new TypeError("a kill switch needs a target: { scope: \"global\" | \"agent\" | \"family\", name? }");
  const scope: unknown = target.scope;
  const name: unknown = target.name;
  if (scope === "global") return { scope: "global", name: "global" };
  if (scope !== "agent" && scope !== "family") throw new TypeError(`unknown kill switch scope \`${String(scope)}\`; use global, agent or family`);
  if (typeof name !== "string" || name === "") throw new TypeError(`a \`${scope}\` kill switch needs a name`);
  return { scope, name };
}

/** Who and why, read once and checked. */
function checkActor(actor: KillActor): KillActor {
  if (typeof actor !== "object" || actor === null) throw new TypeError("a kill switch needs `by` and `reason`: who engages or releases it, and why");
  const by: unknown = actor.by;
  const reason: unknown = actor.reason;
  if (typeof by !== "string" || by.trim() === "") throw new TypeError("a kill switch needs `by`: who engages or releases it");
  if (typeof reason !== "string" || reason.trim() === "") throw new TypeError("a kill switch needs `reason`: why");
  return { by, reason };
}
