/**
 * What `agp inspect <file.wasm>` shows about a compiled policy module: its
 * size, imports (none), exports with signatures, sections, the policy's
 * hash, version, compiler and ABI, and from the manifest the actions (id,
 * slots, human-covered, worst-case cost bound including session monitors,
 * what each needs of a session), rules, limits, and for session rules the
 * state's bytes per session and its monitors.
 *
 * In: the module's bytes and its manifest as the runtime checked it. Out:
 * `ModuleReport` (the `--format json` document) and its text rendering.
 * Must not decide anything or compile anything.
 */
import { displayText } from "../../runtime/display-text.js";
import { DEFAULT_REQUEST_BOUNDS, type Manifest, type ManifestLimit, type ManifestMonitor, type RequestBounds } from "../../runtime/index.js";
import { quorumText } from "./render-decision.js";
import { summarizeWasm, type WasmEntity, type WasmSection } from "./wasm-binary.js";

/** The `--format json` document of `agp inspect <file.wasm>`. */
export interface ModuleReport {
  readonly file: string;
  readonly bytes: number;
  readonly policy: { readonly hash: string; readonly version: string };
  readonly compiler: string;
  readonly abi: number;
  readonly memory: Manifest["memory"];
  readonly json?: Manifest["json"];
  readonly bounds: RequestBounds;
  readonly imports: readonly WasmEntity[];
  readonly exports: readonly WasmEntity[];
  readonly sections: readonly WasmSection[];
  readonly actions: readonly {
    readonly id: number;
    readonly name: string;
    readonly slots: number;
    readonly humanCovered: boolean;
    readonly costBound: number;
    /** What a request of it needs of its session: `reads` (a rule reads history; `rule` names it) or `watched` (only recorded). */
    readonly session?: { readonly needs: "reads"; readonly rule: string } | { readonly needs: "watched" };
  }[];
  readonly rules: readonly {
    readonly index: number;
    readonly id: string;
    readonly effect: string;
    readonly principal: string;
    readonly file: string;
    readonly line: number;
    readonly audit: string;
    readonly reason?: string;
  }[];
  readonly limits: readonly ManifestLimit[];
  /** Session rules: the key, the state's bytes per session, its layout, how long it is kept, the monitors. */
  readonly session?: { readonly key: string; readonly stateBytes: number; readonly layout: string; readonly retainMs: number; readonly monitors: readonly ManifestMonitor[] };
}

/** The report of one module. */
export function moduleReport(file: string, bytes: Uint8Array, manifest: Manifest): ModuleReport {
  const wasm = summarizeWasm(bytes);
  return {
    file,
    bytes: bytes.length,
    policy: { hash: manifest.policy.hash, version: manifest.policy.version },
    compiler: manifest.compiler,
    abi: manifest.abi,
    memory: manifest.memory,
    ...(manifest.json === undefined ? {} : { json: manifest.json }),
    bounds: manifest.bounds ?? DEFAULT_REQUEST_BOUNDS,
    imports: wasm.imports,
    exports: wasm.exports,
    sections: wasm.sections,
    actions: manifest.actions.map((a, id) => {
      const needs = a.session?.needs;
      const session = needs === undefined ? undefined : "rule" in needs ? { needs: "reads" as const, rule: manifest.rules[needs.rule]?.id ?? "?" } : { needs: "watched" as const };
      return { id, name: a.name, slots: a.slots.length, humanCovered: a.humanCovered, costBound: a.costBound, ...(session === undefined ? {} : { session }) };
    }),
    rules: manifest.rules.map((r, index) => ({
      index,
      id: r.id,
      effect: r.effect,
      principal: r.principal,
      file: r.file,
      line: r.line,
      audit: r.audit,
      ...(r.reason === undefined ? {} : { reason: r.reason }),
    })),
    limits: manifest.limits,
    ...(manifest.session === undefined
      ? {}
      : {
          session: {
            key: manifest.session.key.join("."),
            stateBytes: manifest.session.stateBytes,
            layout: manifest.session.layout,
            retainMs: manifest.session.retainMs,
            monitors: manifest.session.monitors,
          },
        }),
  };
}

/** The report as text. */
export function moduleReportText(report: ModuleReport): string {
  const out: string[] = [];
  out.push(`${report.file}: agp policy module, ${report.bytes} bytes`);
  out.push(`policy:   sha256 ${report.policy.hash}, version ${report.policy.version}`);
  out.push(`compiler: ${report.compiler}, abi ${report.abi}`);
  const json = report.json === undefined ? "; no JSON entry point" : `; JSON buffer ${report.json.inputBytes} bytes`;
  out.push(`memory:   slots ${report.memory.slotBytes} bytes, string arena ${report.memory.arenaBytes} bytes${json}`);
  out.push(`requests: nesting ≤ ${report.bounds.maxDepth} levels, ≤ ${report.bounds.maxValues} values`);
  const session = report.session;
  if (session !== undefined) {
    out.push(`sessions: key ${session.key}, ${session.stateBytes} bytes of state per session (layout ${session.layout}), kept ${durationText(session.retainMs)} after the last event`);
  }
  out.push("");
  if (report.imports.length === 0) out.push("imports: none");
  else {
    out.push(`imports (${report.imports.length}):`);
    for (const item of table(report.imports.map((i) => [`${i.module ?? ""}.${i.name}`, i.kind, i.signature]))) out.push(item);
  }
  out.push("");
  out.push(`exports (${report.exports.length}):`);
  for (const item of table(report.exports.map((e) => [e.name, e.kind, e.signature]))) out.push(item);
  out.push("");
  out.push(`sections (${report.sections.length}):`);
  for (const item of table(report.sections.map((s) => [s.name, `${s.bytes} bytes`]))) out.push(item);
  out.push("");
  out.push(`actions (${report.actions.length}):`);
  const needs = (a: ModuleReport["actions"][number]): string[] =>
    session === undefined ? [] : [a.session === undefined ? "-" : a.session.needs === "reads" ? `reads (rule ${a.session.rule})` : "recorded"];
  out.push(
    ...table([
      ["id", "name", "slots", "human", "cost bound", ...(session === undefined ? [] : ["session"])],
      ...report.actions.map((a) => [String(a.id), a.name, String(a.slots), a.humanCovered ? "yes" : "no", String(a.costBound), ...needs(a)]),
    ]),
  );
  out.push("");
  out.push(`rules (${report.rules.length}):`);
  if (report.rules.length > 0) {
    out.push(
      ...table([
        ["#", "id", "effect", "principal", "where", "reason"],
        ...report.rules.map((r) => [String(r.index), r.id, r.effect, r.principal, `${r.file}:${r.line}`, r.reason ?? "-"]),
      ]),
    );
  }
  out.push("");
  out.push(`limits (${report.limits.length}):`);
  if (report.limits.length > 0) {
    for (const item of table([["#", "id", "cap", "keys", "otherwise", "where"], ...report.limits.map((l, i) => [String(i), l.id, capText(l), keysText(l), otherwiseText(l), `${l.file}:${l.line}`])])) out.push(item);
  }
  if (session !== undefined) {
    out.push("");
    out.push(`session monitors (${session.monitors.length}, ${session.stateBytes - 64} bytes after the 64-byte header):`);
    if (session.monitors.length > 0) {
      const rows = session.monitors.map((m, i) => [String(i), m.kind, m.text, m.window === "" ? "-" : m.window, `${m.bytes} bytes`, m.capacity === undefined ? "-" : `${m.capacity} values`]);
      for (const item of table([["#", "kind", "operator", "window", "state", "capacity"], ...rows])) out.push(item);
    }
  }
  // Every name, reason and file in a module is the module's to choose: escaped, one line each.
  return `${out.map(displayText).join("\n")}\n`;
}

/** Milliseconds as the largest whole unit (`1 day`, `90 minutes`). */
function durationText(ms: number): string {
  const units: [number, string][] = [
    [604_800_000, "week"],
    [86_400_000, "day"],
    [3_600_000, "hour"],
    [60_000, "minute"],
    [1000, "second"],
  ];
  for (const [size, name] of units) {
    if (ms % size === 0 && ms >= size) {
      const n = ms / size;
      return `${n} ${name}${n === 1 ? "" : "s"}`;
    }
  }
  return `${ms} ms`;
}

function capText(limit: ManifestLimit): string {
  const amount = limit.kind === "rate" ? `${limit.cap}` : `budget ${limit.cap}${limit.unit === undefined ? "" : ` ${limit.unit}`}`;
  return `${amount} per ${limit.window.count} ${limit.window.unit}`;
}

function keysText(limit: ManifestLimit): string {
  return limit.keys.length === 0 ? "-" : limit.keys.map((k) => k.join(".")).join(", ");
}

function otherwiseText(limit: ManifestLimit): string {
  const o = limit.otherwise;
  if (o.kind === "deny") return "deny";
  const terms = [...(o.requester === true ? ["requester"] : []), ...o.quorums.map(quorumText)];
  return `approve by ${terms.join(" and ")}${o.samePerson === true ? " (same person allowed)" : ""}`;
}

/** Rows as aligned columns, two spaces apart, indented by two. */
function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  const escaped = rows.map((row) => row.map(displayText));
  for (const row of escaped) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return escaped.map((row) => `  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  ")}`.trimEnd());
}
