/**
 * The IR as text, for `agp inspect --ir` and golden tests.
 *
 * In: an `IrProgram`. Out: a deterministic multi-line string: rules and
 * limits, then per action (only those with rules or limits) its mode, cost
 * bound, slots, rules per principal (indexes with their buckets) and limits.
 * Every rule line shows its id and source line. Must not depend on anything
 * but the IR.
 */
import type { IrAction, IrExpr, IrIndexKey, IrKeyPart, IrNum, IrProgram, IrRead, IrRuleUse, IrSide, IrSlotRef, IrStr, IrWatch } from "./types.js";

/** Prints a program. */
export function printIr(program: IrProgram): string {
  const out: string[] = [];
  out.push(`ir ${program.irVersion}: ${program.actions.length} actions, ${program.rules.length} rules, ${program.limits.length} limits, ${program.globs.length} globs`);
  out.push(`memory: slots ${program.memory.slotBytes} bytes, arena ${program.memory.arenaBytes} bytes`);
  program.rules.forEach((r, i) => out.push(`rule #${i} ${r.id} (${r.file}:${r.line}) ${r.effect}${r.principal === "human" ? " for human" : ""}`));
  program.limits.forEach((l, i) => out.push(`limit #${i} ${l.id} (${l.file}:${l.line}) ${l.kind} ${l.cap}`));
  program.globs.forEach((g, i) => out.push(`glob #${i} ${JSON.stringify(g.pattern)} (${g.states} states)`));
  const session = program.session;
  if (session !== undefined) {
    out.push(`session ${session.key.join(".")}: ${session.stateBytes} bytes, layout ${session.layout}, retain ${session.retainMs} ms, key scratch ${session.keyBytes} bytes × ${session.keyItems}`);
    session.monitors.forEach((m, i) => {
      const shape = [
        m.keyed === undefined ? "" : ` keyed ≤ ${m.keyed.capacity} × ${m.keyed.entryBytes}`,
        m.ring === undefined ? "" : ` ring ${m.ring}`,
        m.buckets === undefined ? "" : ` ${m.buckets.n}+1 buckets of ${m.buckets.stepMs} ms`,
      ].join("");
      out.push(`monitor #${i} ${m.kind} @${m.offset} (${m.bytes} bytes, window ${m.windowMs} ms${shape}): ${m.text}`);
    });
  }
  for (const action of program.actions) {
    if (!hasContent(action)) continue;
    out.push("");
    out.push(`action ${action.id} ${action.name}: mode ${action.mode}${action.humanCovered ? ", human covered" : ""}, cost ≤ ${action.costBound}`);
    action.reads.forEach((read, i) => out.push(`  slot ${i}: ${describeRead(read, action.reads)}`));
    printSide(out, "agent", action.agent, program, action);
    printSide(out, "human", action.human, program, action);
    for (const limit of action.limits) {
      out.push(`  limit ${program.limits[limit.limit]?.id ?? "?"} (line ${limit.line}) amount ${num(limit.amount, action)}`);
      out.push(`    when ${expr(limit.condition, action)}`);
    }
    const s = action.session;
    if (s !== undefined) {
      const needs = s.needs === undefined ? "no" : "rule" in s.needs ? `rule ${program.rules[s.needs.rule]?.id ?? "?"}` : "watched";
      out.push(`  session: needs ${needs}; checks ${s.checks.map((c) => `#${c.monitor}/${program.rules[c.rule]?.id ?? "?"}`).join(", ") || "none"}`);
      for (const w of s.record) out.push(`  record ${watch(w, action)}`);
      for (const w of s.outcome) out.push(`  outcome ${watch(w, action)}`);
    }
  }
  return `${out.join("\n")}\n`;
}

function hasContent(action: IrAction): boolean {
  const side = (s: IrSide) => s.unindexed.length > 0 || s.indexes.length > 0;
  const session = action.session !== undefined && (action.session.record.length > 0 || action.session.outcome.length > 0 || action.session.needs !== undefined);
  return side(action.agent) || side(action.human) || action.limits.length > 0 || session;
}

const STATUS = ["allowed", "parked", "refused", "succeeded", "failed", "rolled_back"];

function watch(w: IrWatch, action: IrAction): string {
  const status = w.role === "previous" ? "any call" : (STATUS[w.status] ?? "?");
  const keys = w.keys === undefined ? "" : ` key ${key(w.keys, action)}`;
  const amount = w.amount === undefined ? "" : ` amount ${num(w.amount, action)}`;
  return `${w.role} #${w.monitor} on ${status} (line ${w.line}) when ${expr(w.condition, action)}${keys}${amount}`;
}

function key(parts: readonly IrKeyPart[], action: IrAction): string {
  return `(${parts.map((p) => (p.from === "slot" ? ref(p.ref, action) : `each ${slotName(p.item, action)} of ${slotName(p.array, action)}`)).join(", ")})`;
}

function describeRead(read: IrRead, reads: readonly IrRead[]): string {
  const where = read.parent < 0 ? "" : ` in items of slot ${read.parent}`;
  const path = read.path.length === 0 ? "(item)" : read.path.join(".");
  const extra =
    read.kind === "array" ? ` items @${read.itemsOffset} × ${read.stride} (≤ ${read.maxItems})` : read.kind === "sym" ? ` dictionary ${read.dictionarySize}` : read.kind === "str" ? ` ≤ ${read.maxBytes} bytes` : "";
  void reads;
  return `${read.kind} ${path} @${read.offset}${where}${extra}`;
}

function printSide(out: string[], principal: string, side: IrSide, program: IrProgram, action: IrAction): void {
  const rule = (use: IrRuleUse) => `${use.effect} ${program.rules[use.rule]?.id ?? "?"} (line ${use.line}) when ${expr(use.condition, action)}`;
  for (const use of side.unindexed) out.push(`  ${principal}: ${rule(use)}`);
  for (const index of side.indexes) {
    const items = index.array === undefined ? "" : ` per item of ${slotName(index.array, action)}`;
    out.push(`  ${principal}: index ${index.kind} on ${slotName(index.slot, action)}${items} (${index.entries.length} entries)`);
    for (const entry of index.entries) {
      const use = side.indexed[entry.rule];
      const name = use === undefined ? "?" : `${use.effect} ${program.rules[use.rule]?.id ?? "?"} (line ${use.line})`;
      out.push(`    ${keyText(entry.key)} → ${name} when ${expr(entry.residual, action)}`);
    }
  }
}

function keyText(key: IrIndexKey): string {
  if ("ids" in key) return `#{${key.ids.join(", ")}}`;
  if ("values" in key) return `{${key.values.join(", ")}}`;
  if ("text" in key) return JSON.stringify(key.text);
  const lo = key.lo === null ? "(-inf" : `${key.loOpen ? "(" : "["}${key.lo}`;
  const hi = key.hi === null ? "+inf)" : `${key.hi}${key.hiOpen ? ")" : "]"}`;
  return `${lo}, ${hi}`;
}

function slotName(slot: number, action: IrAction): string {
  const read = action.reads[slot];
  return read === undefined ? `?${slot}` : `${read.kind}:${read.path.length === 0 ? "(item)" : read.path.join(".")}`;
}

function ref(r: IrSlotRef, action: IrAction): string {
  return `${slotName(r.slot, action)}${r.binding === 0 ? "" : `@${r.binding}`}`;
}

function num(n: IrNum, action: IrAction): string {
  return n.kind === "const" ? String(n.value) : ref(n.ref, action);
}

function str(s: IrStr, action: IrAction): string {
  if (s.kind === "view") return `${s.view}(${str(s.operand, action)})`;
  return s.kind === "const" ? JSON.stringify(s.value) : ref(s.ref, action);
}

function expr(e: IrExpr, action: IrAction): string {
  switch (e.op) {
    case "const":
      return String(e.value);
    case "and":
    case "or":
      return `(${expr(e.left, action)} ${e.op} ${expr(e.right, action)})`;
    case "not":
      return `not ${expr(e.operand, action)}`;
    case "state":
      return `${e.test}(${ref(e.ref, action)})`;
    case "symIn":
      return `${ref(e.ref, action)} in #{${e.ids.join(", ")}}`;
    case "symCmp":
      return `${ref(e.ref, action)} ${e.cmp} #${e.id}`;
    case "symCmpSlot":
      return `${ref(e.left, action)} ${e.cmp} ${ref(e.right, action)}`;
    case "num":
      return `${num(e.left, action)} ${e.cmp} ${num(e.right, action)}`;
    case "numIn":
      return `${num(e.operand, action)} in {${e.values.join(", ")}}`;
    case "bool":
      return ref(e.ref, action);
    case "str":
      return `${str(e.left, action)} ${e.test} ${str(e.right, action)}`;
    case "strIn":
      return `${str(e.operand, action)} in {${e.values.map((v) => JSON.stringify(v)).join(", ")}}`;
    case "under":
      return `${str(e.operand, action)} under {${e.bases.map((b) => JSON.stringify(b)).join(", ")}}`;
    case "glob":
      return `${str(e.operand, action)} matches glob #${e.glob}`;
    case "quantifier":
      return `${e.quantifier} @${e.depth} in ${ref(e.array, action)}: ${expr(e.body, action)}`;
    case "session": {
      const q = e.query;
      const k = "key" in q && q.key !== undefined ? ` key ${key(q.key, action)}` : "";
      switch (q.kind) {
        case "within":
          return `session #${e.monitor} within ${q.windowMs} ms${k}`;
        case "previous":
          return `session #${e.monitor} previous ${STATUS[q.status] ?? "?"} within ${q.windowMs} ms${k}`;
        case "since":
          return `session #${e.monitor} since within ${q.windowMs} ms`;
        case "count":
          return `count(session #${e.monitor} within ${q.windowMs} ms${k}) ${q.cmp} ${q.value}`;
        case "sum":
          return `sum(session #${e.monitor}${k}) ${q.cmp} ${num(q.right, action)}`;
      }
    }
  }
}
