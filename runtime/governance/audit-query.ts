/**
 * Queries over audit entries: "every production action by any agent in the
 * last 30 days, who authorized it, which rule allowed it".
 *
 * In: entries (from `readAuditEntries`, or one at a time from a reader that
 * streams a file), filters, and the time "now" for relative ranges. Out:
 * whether an entry matches, the matching entries in file order, and a
 * plain text table of them whose every cell is escaped for a terminal
 * (`displayCell`: no value can start a row, pass for two cells, or send a
 * control sequence). Nothing here holds more than one entry at a time
 * except `queryAudit` and `renderAuditTable`, which take arrays for small
 * logs; `auditTableRow` and `AuditTableWidths` let a caller render a table
 * in two streaming passes. Must not read files or the clock: callers pass
 * text and time.
 */
import { displayCell } from "../display-text.js";
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
  /** The entry's kind (`decision`, `outcome`, `kill.engage`, …). */
  readonly kind?: string;
  /** A decision's result (`run`, `refuse`, `wait`); entries that are not decisions do not match. */
  readonly result?: string;
  /** An outcome's report (`succeeded`, `failed`, `rolled_back`); entries that are not outcomes do not match. */
  readonly outcome?: string;
  /** The audit level the entry records (`info`, `notice`, `security`): decisions and outcomes. */
  readonly level?: string;
  /**
   * `true`: entries about actions that may change something — the action is
   * not `readOnly`, or no catalog said (an entry written before this field
   * existed included): a change is never hidden. `false`: only actions the
   * catalog marks `readOnly`.
   */
  readonly mutating?: boolean;
  /** Entries at or after this time (ms since the epoch). */
  readonly since?: number;
  /** Entries at or before this time (ms since the epoch). */
  readonly until?: number;
}

/** The entries that match every filter. */
export function queryAudit(entries: Iterable<AuditEntry>, query: AuditQuery): AuditEntry[] {
  const matches = auditMatcher(query);
  const found: AuditEntry[] = [];
  for (const entry of entries) if (matches(entry)) found.push(entry);
  return found;
}

/** A test for one entry against every filter of `query` (compiled once, applied per entry). */
export function auditMatcher(query: AuditQuery): (entry: AuditEntry) => boolean {
  const action = query.action === undefined ? undefined : patternOf(query.action);
  return (e) => {
    if (query.agent !== undefined && e["agent"] !== query.agent) return false;
    if (query.human !== undefined && e["human"] !== query.human) return false;
    if (action !== undefined && !(typeof e["action"] === "string" && action.test(e["action"]))) return false;
    if (query.env !== undefined && textOf(e["env"]) !== query.env) return false;
    if (query.effect !== undefined && (e.kind !== "decision" || effectOf(e) !== query.effect)) return false;
    if (query.kind !== undefined && e.kind !== query.kind) return false;
    if (query.result !== undefined && (e.kind !== "decision" || e["result"] !== query.result)) return false;
    if (query.outcome !== undefined && (e.kind !== "outcome" || e["outcome"] !== query.outcome)) return false;
    if (query.level !== undefined && e["level"] !== query.level) return false;
    if (query.mutating !== undefined) {
      if (e.kind !== "decision" && e.kind !== "outcome") return false;
      const readOnly = e["mutating"] === false;
      if (query.mutating === readOnly) return false;
    }
    const time = Date.parse(e.time);
    if (query.since !== undefined && !(time >= query.since)) return false;
    if (query.until !== undefined && !(time <= query.until)) return false;
    return true;
  };
}

/**
 * A time bound: an ISO 8601 date or time (`2026-01-31`, `2026-01-31T12:00:00Z`),
 * a duration back from `now` (`30d`, `12h`, `15m`, `2w`), or `today` /
 * `yesterday` (the start of that day, UTC, so `--since yesterday --until
 * today` is all of yesterday). Undefined when it is none of these.
 */
export function parseSince(text: string, now: number): number | undefined {
  const word = text.trim().toLowerCase();
  if (word === "today" || word === "yesterday") {
    const midnight = Math.floor(now / 86_400_000) * 86_400_000;
    return word === "today" ? midnight : midnight - 86_400_000;
  }
  const relative = /^(\d+)([smhdw])$/.exec(text.trim());
  if (relative !== null) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[relative[2] as "s" | "m" | "h" | "d" | "w"];
    return now - Number(relative[1]) * unit;
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim())) return undefined;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : time;
}

/** The table's column names. */
export const AUDIT_TABLE_HEADER: readonly string[] = ["time", "seq", "kind", "agent", "human", "action", "env", "result", "rules", "approvers"];

/** One entry's cells; every value from the file in them is escaped for a terminal (`displayCell`). */
export function auditTableRow(e: AuditEntry): string[] {
  return [part(e.time), part(e.seq), part(e.kind), cell(e["agent"]), cell(e["human"]), cell(e["action"]), cell(e["env"]), resultOf(e), rulesOf(e), approversOf(e)];
}

/** Column widths, grown one row at a time (the first pass of a streamed table). */
export class AuditTableWidths {
  readonly widths: number[] = AUDIT_TABLE_HEADER.map((h) => h.length);

  add(row: readonly string[]): void {
    for (let i = 0; i < row.length; i++) this.widths[i] = Math.max(this.widths[i]!, row[i]!.length);
  }

  /** A row laid out in these widths, with its newline. */
  line(cells: readonly string[]): string {
    return `${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(this.widths[i]!))).join("  ").trimEnd()}\n`;
  }
}

/** The entries as an aligned table, one row per entry, with a header. */
export function renderAuditTable(entries: Iterable<AuditEntry>): string {
  const widths = new AuditTableWidths();
  const rows: string[][] = [];
  for (const entry of entries) {
    const row = auditTableRow(entry);
    widths.add(row);
    rows.push(row);
  }
  let text = widths.line(AUDIT_TABLE_HEADER);
  for (const row of rows) text += widths.line(row);
  return text;
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

/** An entry field as a cell: "-" when absent, else the escaped value (a non-string is shown as JSON). */
function cell(value: unknown): string {
  return value === undefined || value === null || value === "" ? "-" : displayCell(textOf(value));
}

/** A value inside a cell, escaped (`undefined` when absent). */
function part(value: unknown): string {
  return value === undefined ? "undefined" : displayCell(textOf(value));
}

function resultOf(e: AuditEntry): string {
  switch (e.kind) {
    case "decision":
      return `${part(effectOf(e))}→${part(e["result"])}`;
    case "outcome":
      return part(e["outcome"]);
    case "kill.engage":
    case "kill.release":
      return `${part(e["scope"])}:${part(e["name"])} by ${part(e["by"])}`;
    default:
      return `${part(e["ticket"])} by ${part(e["approver"])}`;
  }
}

function rulesOf(e: AuditEntry): string {
  const decision = e["decision"];
  if (typeof decision !== "object" || decision === null) return "-";
  const rules = (decision as { rules?: { id?: unknown }[] }).rules ?? [];
  if (!Array.isArray(rules)) return part(rules);
  return rules.length === 0 ? "-" : rules.map((r) => part(typeof r === "object" && r !== null ? r.id : undefined)).join(",");
}

function approversOf(e: AuditEntry): string {
  const approvers = e["approvers"];
  if (!Array.isArray(approvers) || approvers.length === 0) return "-";
  return approvers.map((a: { id?: unknown } | null) => part(typeof a === "object" && a !== null ? a.id : undefined)).join(",");
}
