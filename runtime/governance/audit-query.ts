/**
 * Queries over audit entries: "every production action by any agent in the
 * last 30 days, who authorized it, which rule allowed it".
 *
 * In: entries (from `readAuditEntries`), filters, and the time "now" for
 * relative ranges. Out: the matching entries, in file order, and a plain
 * text table of them. Must not read files or the clock: callers pass text
 * and time.
 */
import type { AuditEntry } from "./audit.js";

/** Filters; every one given must match. */
export interface AuditQuery {
  readonly agent?: string;
  readonly human?: string;
  /** An action name, or a pattern where `*` matches any run of characters (`aws.*`, `*.merge`). */
  readonly action?: string;
  /** Compared with the entry's env as text (`production`). */
  readonly env?: string;
  /** A decision's effect (`allow`, `approve`, `deny`); entries that are not decisions do not match. */
  readonly effect?: string;
  /** Entries at or after this time (ms since the epoch). */
  readonly since?: number;
  /** Entries at or before this time (ms since the epoch). */
  readonly until?: number;
}

/** The entries that match every filter. */
export function queryAudit(entries: readonly AuditEntry[], query: AuditQuery): AuditEntry[] {
  const action = query.action === undefined ? undefined : patternOf(query.action);
  return entries.filter((e) => {
    if (query.agent !== undefined && e["agent"] !== query.agent) return false;
    if (query.human !== undefined && e["human"] !== query.human) return false;
    if (action !== undefined && !(typeof e["action"] === "string" && action.test(e["action"]))) return false;
    if (query.env !== undefined && textOf(e["env"]) !== query.env) return false;
    if (query.effect !== undefined && (e.kind !== "decision" || effectOf(e) !== query.effect)) return false;
    const time = Date.parse(e.time);
    if (query.since !== undefined && !(time >= query.since)) return false;
    if (query.until !== undefined && !(time <= query.until)) return false;
    return true;
  });
}

/**
 * A time bound: an ISO 8601 date or time (`2026-01-31`, `2026-01-31T12:00:00Z`)
 * or a duration back from `now` (`30d`, `12h`, `15m`, `2w`). Undefined when it
 * is neither.
 */
export function parseSince(text: string, now: number): number | undefined {
  const relative = /^(\d+)([smhdw])$/.exec(text.trim());
  if (relative !== null) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[relative[2] as "s" | "m" | "h" | "d" | "w"];
    return now - Number(relative[1]) * unit;
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim())) return undefined;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : time;
}

/** The entries as an aligned table, one row per entry, with a header. */
export function renderAuditTable(entries: readonly AuditEntry[]): string {
  const header = ["time", "seq", "kind", "agent", "human", "action", "env", "result", "rules", "approvers"];
  const rows = entries.map((e) => [
    e.time,
    String(e.seq),
    e.kind,
    cell(e["agent"]),
    cell(e["human"]),
    cell(e["action"]),
    cell(e["env"]),
    resultOf(e),
    rulesOf(e),
    approversOf(e),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].map((l) => `${l}\n`).join("");
}

function patternOf(pattern: string): RegExp {
  const escaped = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*");
  return new RegExp(`^${escaped}$`, "s");
}

function effectOf(e: AuditEntry): unknown {
  const decision = e["decision"];
  return typeof decision === "object" && decision !== null ? (decision as Record<string, unknown>)["effect"] : undefined;
}

function textOf(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value ?? null);
}

function cell(value: unknown): string {
  return value === undefined || value === null || value === "" ? "-" : textOf(value);
}

function resultOf(e: AuditEntry): string {
  switch (e.kind) {
    case "decision":
      return `${String(effectOf(e))}→${String(e["result"])}`;
    case "outcome":
      return String(e["outcome"]);
    case "kill.engage":
    case "kill.release":
      return `${String(e["scope"])}:${String(e["name"])} by ${String(e["by"])}`;
    default:
      return `${String(e["ticket"])} by ${String(e["approver"])}`;
  }
}

function rulesOf(e: AuditEntry): string {
  const decision = e["decision"];
  if (typeof decision !== "object" || decision === null) return "-";
  const rules = (decision as { rules?: { id?: unknown }[] }).rules ?? [];
  return rules.length === 0 ? "-" : rules.map((r) => String(r.id)).join(",");
}

function approversOf(e: AuditEntry): string {
  const approvers = e["approvers"];
  if (!Array.isArray(approvers) || approvers.length === 0) return "-";
  return approvers.map((a: { id?: unknown }) => String(a.id)).join(",");
}
