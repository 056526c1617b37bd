/**
 * `agp replay`: the blast radius of a change against recorded traffic.
 * Every recorded request is decided by the candidate policy and compared
 * with the baseline (another policy, or the decision recorded with it);
 * the requests whose decision changes are grouped by action and by the
 * rules that decided before and after.
 *
 * In: records (one per line of a JSONL file: a request, or
 * `{ "request", "state"?, "decision"? }`; or audit entries that carry the
 * request), a candidate decider, optionally a baseline decider. Out:
 * groups of changes and AGP723 findings; or the first record that cannot
 * be read, with its line. Must not read files or print.
 */
import { diagnostic, type Span } from "../diagnostics/index.js";
import type { Decision } from "../../runtime/index.js";
import { listIds, type Finding } from "./findings.js";

/** One recorded request. */
export interface Recorded {
  readonly line: number;
  readonly request: unknown;
  readonly state?: Record<string, unknown>;
  /** The decision recorded with it (its effect and deciding rules), when the record has one. */
  readonly decision?: { readonly effect: Decision["effect"]; readonly rules: readonly string[] };
}

/** Decides a request (a compiled module, as a gateway loads it). */
export type Decide = (request: unknown, state?: Record<string, unknown>) => Decision;

/** The changes of one action from one (effect, rules) to another. */
export interface ReplayGroup {
  readonly action: string;
  readonly before: { readonly effect: Decision["effect"]; readonly rules: readonly string[] };
  readonly after: { readonly effect: Decision["effect"]; readonly rules: readonly string[] };
  readonly direction: "widens" | "narrows" | "same effect";
  /** Lines of the records, in file order. */
  readonly lines: readonly number[];
}

export interface ReplayResult {
  readonly records: number;
  readonly changed: number;
  readonly groups: readonly ReplayGroup[];
  readonly findings: readonly Finding[];
}

const RANK: Record<Decision["effect"], number> = { deny: 0, approve: 1, allow: 2 };
const EFFECTS = new Set(["allow", "approve", "deny"]);

/** Parses JSONL records; the first problem with its line. */
export function parseRecords(text: string, file: string): { readonly records: Recorded[] } | { readonly error: string } {
  const records: Recorded[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      return { error: `${file}:${i + 1}: not valid JSON (${error instanceof Error ? error.message : String(error)})` };
    }
    const record = recordOf(value, i + 1);
    if (typeof record === "string") return { error: `${file}:${i + 1}: ${record}` };
    if (record !== undefined) records.push(record);
  }
  return { records };
}

/** A record from one parsed line; undefined for audit entries that are not decisions; a message when it cannot be used. */
function recordOf(value: unknown, line: number): Recorded | string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "a record must be a JSON object";
  const o = value as Record<string, unknown>;
  if (typeof o.kind === "string" && typeof o.hash === "string") {
    // An audit entry: usable only when it carries the request itself.
    if (o.kind !== "decision") return undefined;
    if (typeof o.request !== "object" || o.request === null) {
      return "this audit entry records an args digest, not the request; replay needs the requests themselves (record them, or pass --requests)";
    }
  }
  if ("request" in o) {
    const state = o.state;
    if (state !== undefined && (typeof state !== "object" || state === null || Array.isArray(state))) return "`state` must be an object";
    const decision = recordedDecision(o.decision);
    if (typeof decision === "string") return decision;
    return { line, request: o.request, ...(state === undefined ? {} : { state: state as Record<string, unknown> }), ...(decision === undefined ? {} : { decision }) };
  }
  return { line, request: o };
}

function recordedDecision(value: unknown): Recorded["decision"] | string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null) return "`decision` must be an object with `effect` and `rules`";
  const d = value as Record<string, unknown>;
  if (typeof d.effect !== "string" || !EFFECTS.has(d.effect)) return "`decision.effect` must be allow, approve or deny";
  const rules = Array.isArray(d.rules) ? d.rules : [];
  const ids = rules.map((r) => (typeof r === "string" ? r : typeof r === "object" && r !== null && typeof (r as { id?: unknown }).id === "string" ? (r as { id: string }).id : undefined));
  if (ids.some((id) => id === undefined)) return "`decision.rules` must list rule ids (or `{ id }` objects)";
  return { effect: d.effect as Decision["effect"], rules: ids as string[] };
}

/** Replays records against a candidate; `baseline` defaults to each record's recorded decision. */
export function replay(records: readonly Recorded[], candidate: Decide, baseline: Decide | undefined, file: string): ReplayResult | { readonly error: string } {
  const groups = new Map<string, { action: string; before: ReplayGroup["before"]; after: ReplayGroup["after"]; lines: number[] }>();
  let changed = 0;
  for (const record of records) {
    let before: ReplayGroup["before"];
    if (baseline !== undefined) before = brief(baseline(record.request, record.state));
    else if (record.decision !== undefined) before = record.decision;
    else return { error: `${file}:${record.line}: the record has no recorded \`decision\`; pass --baseline to decide it with the current policy` };
    const after = brief(candidate(record.request, record.state));
    if (before.effect === after.effect && same(before.rules, after.rules)) continue;
    changed++;
    const action = typeof (record.request as { action?: unknown })?.action === "string" ? (record.request as { action: string }).action : "(no action)";
    const key = JSON.stringify([action, before, after]);
    const group = groups.get(key) ?? { action, before, after, lines: [] };
    group.lines.push(record.line);
    groups.set(key, group);
  }
  const list: ReplayGroup[] = [...groups.values()]
    .map((g) => ({ ...g, direction: RANK[g.after.effect] > RANK[g.before.effect] ? ("widens" as const) : RANK[g.after.effect] < RANK[g.before.effect] ? ("narrows" as const) : ("same effect" as const) }))
    .sort((a, b) => a.action.localeCompare(b.action) || a.lines[0]! - b.lines[0]!);
  const findings = list.map((g): Finding => {
    const n = g.lines.length;
    const change = `${g.direction === "same effect" ? "keep" : g.direction === "widens" ? "widen" : "narrow"}${n === 1 ? "s" : ""}: ${side(g.before)} → ${side(g.after)}`;
    return {
      kind: "replay-change",
      diagnostic: diagnostic("AGP723", lineSpan(file, g.lines[0]!), { count: n, requests: n === 1 ? "request" : "requests", action: g.action, change: g.direction === "same effect" ? `change${n === 1 ? "s" : ""} deciding rules: ${side(g.before)} → ${side(g.after)}` : change }),
      action: g.action,
      rules: { before: g.before.rules, after: g.after.rules },
    };
  });
  return { records: records.length, changed, groups: list, findings };
}

function side(s: ReplayGroup["before"]): string {
  return s.rules.length === 0 ? s.effect : `${s.effect} by ${listIds(s.rules)}`;
}

function brief(d: Decision): ReplayGroup["before"] {
  return { effect: d.effect, rules: d.rules.map((r) => (r.kind === "limit" ? `limit:${r.id}` : r.id)) };
}

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
}

function lineSpan(file: string, line: number): Span {
  return { file, line, column: 1, endLine: line, endColumn: 1, offset: 0, endOffset: 0 };
}
