/**
 * Kill switches: global, per agent, per action family, per environment,
 * and per action pattern (in every environment or in one).
 *
 * In: engage / release calls (who and why), and per request an agent id,
 * an action and an env. Out: the engaged switch that applies, if any —
 * looked up with one `getMany` of a fixed set of keys (global, the agent,
 * the family, the env, and for each prefix pattern of the action — `a.*`,
 * `a.b.*`, …, the exact name — one key for every env and one for the
 * request's env), so the check costs the same however many switches are
 * engaged — and abort signals for requests in flight.
 * Engaging and releasing are audited with who and why; a switch stays
 * engaged until released explicitly (no expiry), and lives in the state
 * store, so it survives a restart when the store persists.
 * Names are keyed by `identityKey` (case, Unicode form, invisible
 * characters and surrounding blanks do not make another name): a switch on
 * agent `ci-fixer` also stops `CI-Fixer`, one on env `production` also
 * `Production` and `ｐｒｏｄｕｃｔｉｏｎ`, one on `aws.ec2.*` also
 * `AWS.ec2.run`. Env switches match string envs. If the audit entry of an
 * engage cannot be written the switch stays engaged (the safe side) and the
 * error is thrown; if a release's cannot, the switch is engaged again.
 * Must not consult the policy: an engaged switch denies before evaluation.
 */
import type { AuditLog } from "./audit.js";
import type { Clock } from "./clock.js";
import { identityKey } from "../identity.js";
import { parseStored, type StateStore } from "./store.js";

/** What a switch covers. */
export type KillScope = "global" | "agent" | "family" | "env" | "action";

/**
 * Which switch: `{scope: "global"}`, `{scope: "agent", name: "ci-fixer"}`,
 * `{scope: "family", name: "aws"}`, `{scope: "env", name: "production"}`,
 * `{scope: "action", name: "aws.ec2.*", env?: "production"}` (an exact
 * action name or a `prefix.*` pattern, in one env or in all).
 */
export interface KillTarget {
  readonly scope: KillScope;
  /** The agent id, action family, env or action pattern; absent for `global`. */
  readonly name?: string;
  /** For `action`: only in this env. */
  readonly env?: string;
}

/** An engaged switch. */
export interface KillSwitchRecord {
  readonly scope: KillScope;
  /**
   * The name a decision's reason shows: `"global"`, the agent id, the
   * family, `env production`, `aws.ec2.*` or `aws.ec2.* in production`.
   */
  readonly name: string;
  /** The pattern of an `action` switch, as engaged. */
  readonly pattern?: string;
  /** The env of an `env` switch, or of an `action` switch limited to one. */
  readonly env?: string;
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

/** The most segments an action pattern of a switch may have; the check reads one key per prefix up to it. */
export const MAX_PATTERN_SEGMENTS = 16;

/** A request in flight that a switch can stop. */
interface Watcher {
  readonly agent: string;
  readonly action: string;
  readonly env: unknown;
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
    const t = checkTarget(target);
    const { by, reason } = checkActor(actor);
    const record: KillSwitchRecord = {
      scope: t.scope,
      name: t.name,
      ...(t.pattern === undefined ? {} : { pattern: t.pattern }),
      ...(t.env === undefined ? {} : { env: t.env }),
      by,
      reason,
      at: this.clock.now(),
    };
    for (;;) {
      const current = await this.store.get(t.key);
      if (await this.store.compareAndSet(t.key, current, JSON.stringify(record))) break;
    }
    // Abort first: a switch that is engaged must stop what it covers even if its audit entry fails.
    for (const watcher of this.watchers) {
      if (covers(record, watcher.agent, watcher.action, watcher.env)) watcher.controller.abort(new Error(killReason(record)));
    }
    await this.audit.append({ kind: "kill.engage", scope: t.scope, name: t.name, ...(t.env === undefined ? {} : { env: t.env }), by, reason });
    return record;
  }

  /** Releases a switch; returns false (and audits nothing) when it was not engaged. */
  async release(target: KillTarget, actor: KillActor): Promise<boolean> {
    const t = checkTarget(target);
    const { by, reason } = checkActor(actor);
    let released: string;
    for (;;) {
      const current = await this.store.get(t.key);
      if (current === undefined) return false;
      if (await this.store.compareAndSet(t.key, current, undefined)) {
        released = current;
        break;
      }
    }
    try {
      await this.audit.append({ kind: "kill.release", scope: t.scope, name: t.name, ...(t.env === undefined ? {} : { env: t.env }), by, reason });
    } catch (error) {
      // An unaudited release must not stand: engage it again (unless someone already has).
      await this.store.compareAndSet(t.key, undefined, released);
      throw error;
    }
    return true;
  }

  /**
   * The engaged switch that applies to this agent, action and env (global
   * first, then agent, family, env, then action patterns from the broadest
   * prefix to the exact name, every-env before this-env): one `getMany` of
   * a fixed set of keys.
   */
  async check(agent: string, action: string, env: unknown = null): Promise<KillSwitchRecord | undefined> {
    const values = await this.store.getMany(checkKeys(agent, action, env));
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
  watch(agent: string, action: string, env: unknown = null): { readonly signal: AbortSignal; stop(): void } {
    const watcher: Watcher = { agent, action, env, controller: new AbortController() };
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

/** The key an env is compared by: its identity key when it is a string (other envs match no env switch). */
function envKey(env: unknown): string | undefined {
  return typeof env === "string" ? identityKey(env) : undefined;
}

/**
 * The patterns that cover an action, by key: every `prefix.*` of its
 * identity key's segments (up to `MAX_PATTERN_SEGMENTS`), then the exact
 * name. Splitting the identity key (not the raw name) means a fullwidth
 * full stop or an invisible character cannot hide a segment boundary.
 */
export function coveringPatterns(action: string): string[] {
  const key = identityKey(action);
  const segments = key.split(".");
  const patterns: string[] = [];
  for (let i = 1; i < segments.length && i <= MAX_PATTERN_SEGMENTS; i++) patterns.push(`${segments.slice(0, i).join(".")}.*`);
  patterns.push(key);
  return patterns;
}

/** The store keys one check reads, in the order they are tried. */
function checkKeys(agent: string, action: string, env: unknown): string[] {
  const e = envKey(env);
  const keys = [switchKey("global", ""), switchKey("agent", identityKey(agent)), switchKey("family", identityKey(familyOf(action))), switchKey("env", e ?? "")];
  for (const pattern of coveringPatterns(action)) {
    keys.push(actionKey(pattern, undefined));
    if (e !== undefined) keys.push(actionKey(pattern, e));
  }
  return keys;
}

function covers(record: KillSwitchRecord, agent: string, action: string, env: unknown): boolean {
  switch (record.scope) {
    case "global":
      return true;
    case "agent":
      return identityKey(record.name) === identityKey(agent);
    case "family":
      return identityKey(record.name) === identityKey(familyOf(action));
    case "env":
      return record.env !== undefined && envKey(env) === identityKey(record.env);
    case "action":
      return (
        record.pattern !== undefined &&
        coveringPatterns(action).includes(identityKey(record.pattern)) &&
        (record.env === undefined || envKey(env) === identityKey(record.env))
      );
  }
}

/** The store key of a switch; names are keyed by their `identityKey`, so names differing in case or form share it. */
function switchKey(scope: "global" | "agent" | "family" | "env", key: string): string {
  return scope === "global" ? "kill:global" : `kill:${scope}:${key}`;
}

/**
 * An action switch's key: `kill:action:*:<pattern key>` for every env,
 * `kill:action:"<env key>":<pattern key>` for one (the env as a JSON
 * string, so no env and pattern pair can spell another pair's key).
 */
function actionKey(pattern: string, env: string | undefined): string {
  return `kill:action:${env === undefined ? "*" : JSON.stringify(env)}:${pattern}`;
}

/** The target, read once and checked, with its store key and display name. */
function checkTarget(target: KillTarget): { scope: KillScope; name: string; key: string; pattern?: string; env?: string } {
  const scopes = "global, agent, family, env or action";
  if (typeof target !== "object" || target === null) throw new TypeError(`a kill switch needs a target: { scope: ${scopes}, name?, env? }`);
  const scope: unknown = target.scope;
  const name: unknown = target.name;
  const env: unknown = target.env;
  if (scope === "global") {
    if (env !== undefined) throw new TypeError("a `global` kill switch covers every env; for one env use `{ scope: \"env\", name: \"<env>\" }`");
    return { scope: "global", name: "global", key: switchKey("global", "") };
  }
  if (scope !== "agent" && scope !== "family" && scope !== "env" && scope !== "action") throw new TypeError(`unknown kill switch scope \`${String(scope)}\`; use ${scopes}`);
  if (typeof name !== "string" || identityKey(name) === "") throw new TypeError(`a \`${scope}\` kill switch needs a name`);
  if (env !== undefined && scope !== "action") throw new TypeError(`\`env\` limits an \`action\` kill switch to one env; a \`${scope}\` switch takes none`);
  if (env !== undefined && (typeof env !== "string" || identityKey(env) === "")) throw new TypeError("a kill switch's `env` must be a non-empty string");
  if (scope === "agent" || scope === "family") return { scope, name, key: switchKey(scope, identityKey(name)) };
  if (scope === "env") return { scope, name: `env ${name}`, env: name, key: switchKey("env", identityKey(name)) };
  const pattern = checkPattern(name);
  const inEnv = env as string | undefined;
  return {
    scope,
    name: inEnv === undefined ? name : `${name} in ${inEnv}`,
    pattern: name,
    ...(inEnv === undefined ? {} : { env: inEnv }),
    key: actionKey(pattern, inEnv === undefined ? undefined : identityKey(inEnv)),
  };
}

/** An action pattern's key: an exact name or `prefix.*`, at most `MAX_PATTERN_SEGMENTS` segments, no empty segment. */
function checkPattern(name: string): string {
  const key = identityKey(name);
  const wildcard = key.endsWith(".*");
  const segments = (wildcard ? key.slice(0, -2) : key).split(".");
  if (key === "*" || segments.some((s) => s === "" || s.includes("*"))) {
    throw new TypeError(`\`${name}\` is not an action pattern: write an action name or \`prefix.*\` (for every action, use a \`global\` or \`env\` switch)`);
  }
  if (segments.length > MAX_PATTERN_SEGMENTS) throw new TypeError(`an action pattern of a kill switch has at most ${MAX_PATTERN_SEGMENTS} segments`);
  return key;
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
