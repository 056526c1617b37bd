/**
 * The IR validator: structural invariants codegen relies on, checked
 * between stages in tests (and by `compilePolicy` before emitting).
 *
 * In: an `IrProgram`. Out: a list of problems (empty when valid), each
 * naming the action and what is wrong. Must not repair anything.
 *
 * Checks: action ids are positions and names sorted; rule and limit
 * indices in range; a rule use's effect equals its rule's; slot refs in
 * range, of the kind the node reads, with a binding the enclosing
 * quantifiers provide, and an item slot read only through a binding over
 * its array; sym ids within the dictionary; indexes on a slot of the kind
 * they read, at the level they say, every entry's key of its kind and its
 * residual valid (through binding 1 for per-item indexes), every indexed rule
 * reached by an entry; glob ids in range; slots inside the slot area.
 */
import type { IrAction, IrExpr, IrIndexKey, IrIndexKind, IrKeyPart, IrProgram, IrRead, IrRuleUse, IrSlotRef, IrStr } from "./types.js";

/** Problems found in a program; empty when it is valid. */
export function validateIr(program: IrProgram): string[] {
  const problems: string[] = [];
  program.actions.forEach((action, i) => {
    const say = (what: string) => problems.push(`action ${action.name}: ${what}`);
    if (action.id !== i) say(`id ${action.id} at position ${i}`);
    const previous = program.actions[i - 1];
    if (previous !== undefined && !(previous.name < action.name)) say("actions are not sorted by name");
    checkReads(action, program, say);
    checkSession(action, program, say);
    const checkUse = (use: IrRuleUse) => {
      const rule = program.rules[use.rule];
      if (rule === undefined) return say(`rule index ${use.rule} out of range`);
      if (rule.effect !== use.effect) say(`rule ${rule.id} used as ${use.effect}`);
      checkExpr(use.condition, action, program, [], say);
    };
    for (const [principal, side] of [["agent", action.agent], ["human", action.human]] as const) {
      for (const use of side.unindexed) {
        checkUse(use);
        if (program.rules[use.rule]?.principal !== principal) say(`rule index ${use.rule} on the ${principal} side`);
      }
      side.indexed.forEach((use) => {
        checkUse(use);
        if (program.rules[use.rule]?.principal !== principal) say(`rule index ${use.rule} on the ${principal} side`);
      });
      const reached = new Set<number>();
      for (const index of side.indexes) {
        const read = action.reads[index.slot];
        const kind = index.kind === "sym" ? "sym" : index.kind === "num" || index.kind === "range" ? "num" : "str";
        if (read === undefined || read.kind !== kind) say(`index on slot ${index.slot} of the wrong kind`);
        if (index.array === undefined ? read?.parent !== -1 : read?.parent !== index.array || action.reads[index.array]?.parent !== -1) say(`index on slot ${index.slot} at the wrong level`);
        if (index.entries.length === 0) say(`index on slot ${index.slot} without entries`);
        for (const entry of index.entries) {
          if (side.indexed[entry.rule] === undefined) say(`index entry names rule position ${entry.rule}`);
          reached.add(entry.rule);
          checkExpr(entry.residual, action, program, index.array === undefined ? [] : [index.array], say);
          if (!keyFits(index.kind, entry.key, read?.dictionarySize ?? 0)) say(`index entry key ${JSON.stringify(entry.key)} does not fit a ${index.kind} index`);
        }
      }
      if (reached.size !== side.indexed.length) say("an indexed rule has no entry");
    }
    for (const limit of action.limits) {
      if (program.limits[limit.limit] === undefined) say(`limit index ${limit.limit} out of range`);
      checkExpr(limit.condition, action, program, [], say);
      if (limit.amount.kind === "slot") checkRef(limit.amount.ref, "num", action, [], say);
    }
  });
  return problems;
}

/** A key has the form its index kind reads, sets sorted and distinct, sym ids inside the dictionary. */
function keyFits(kind: IrIndexKind, key: IrIndexKey, dictionarySize: number): boolean {
  const sorted = (list: readonly number[]) => list.length > 0 && list.every((v, i) => i === 0 || v > list[i - 1]!);
  switch (kind) {
    case "sym":
      return "ids" in key && sorted(key.ids) && key.ids.every((id) => id >= 0 && id < dictionarySize);
    case "num":
      return "values" in key && sorted(key.values) && key.values.every(Number.isFinite);
    case "range":
      return "lo" in key && (key.lo === null || Number.isFinite(key.lo)) && (key.hi === null || Number.isFinite(key.hi));
    default:
      return "text" in key && key.text !== "";
  }
}

function checkReads(action: IrAction, program: IrProgram, say: (what: string) => void): void {
  action.reads.forEach((read, i) => {
    if (read.parent >= i || (read.parent >= 0 && action.reads[read.parent]?.kind !== "array")) say(`slot ${i} has parent ${read.parent}`);
    const room = read.parent < 0 ? program.memory.slotBytes : (action.reads[read.parent]?.stride ?? 0);
    const size = read.kind === "num" || read.kind === "str" ? 8 : 4;
    if (read.offset < 0 || read.offset + size > room) say(`slot ${i} at ${read.offset} lies outside its area (${room} bytes)`);
  });
}

type Say = (what: string) => void;

/** Bindings: for depth k (1-based) the array slot its items come from. */
function checkRef(ref: IrSlotRef, kind: IrRead["kind"], action: IrAction, bindings: readonly number[], say: Say): void {
  const read = action.reads[ref.slot];
  if (read === undefined) return say(`slot ${ref.slot} out of range`);
  if (read.kind !== kind) say(`slot ${ref.slot} is ${read.kind}, read as ${kind}`);
  if (ref.binding === 0 ? read.parent !== -1 : bindings[ref.binding - 1] !== read.parent) say(`slot ${ref.slot} read through binding ${ref.binding}`);
}

/** A string operand: slots are str slots; a view's bound is positive and its operand is checked too. */
function checkStr(s: IrStr, action: IrAction, bindings: readonly number[], say: Say): void {
  if (s.kind === "slot") checkRef(s.ref, "str", action, bindings, say);
  if (s.kind === "view") {
    if (!(s.maxBytes >= 0)) say(`view ${s.view} without a byte bound`);
    checkStr(s.operand, action, bindings, say);
  }
}

function checkExpr(e: IrExpr, action: IrAction, program: IrProgram, bindings: readonly number[], say: Say): void {
  const num = (n: { kind: "slot"; ref: IrSlotRef } | { kind: "const"; value: number }) => {
    if (n.kind === "slot") checkRef(n.ref, "num", action, bindings, say);
  };
  switch (e.op) {
    case "const":
      return;
    case "and":
    case "or":
      checkExpr(e.left, action, program, bindings, say);
      return checkExpr(e.right, action, program, bindings, say);
    case "not":
      return checkExpr(e.operand, action, program, bindings, say);
    case "state":
      return checkRef(e.ref, "state", action, bindings, say);
    case "symIn": {
      checkRef(e.ref, "sym", action, bindings, say);
      const size = action.reads[e.ref.slot]?.dictionarySize ?? 0;
      if (e.ids.some((id, i) => id < 0 || id >= size || (i > 0 && id <= e.ids[i - 1]!))) say(`sym ids ${e.ids.join(",")} not sorted or outside the dictionary`);
      return;
    }
    case "symCmp":
      checkRef(e.ref, "sym", action, bindings, say);
      if (e.id < 0 || e.id >= (action.reads[e.ref.slot]?.dictionarySize ?? 0)) say(`sym id ${e.id} outside the dictionary`);
      return;
    case "symCmpSlot":
      checkRef(e.left, "sym", action, bindings, say);
      return checkRef(e.right, "sym", action, bindings, say);
    case "num":
      num(e.left);
      return num(e.right);
    case "numIn":
      return num(e.operand);
    case "bool":
      return checkRef(e.ref, "bool", action, bindings, say);
    case "str":
      checkStr(e.left, action, bindings, say);
      return checkStr(e.right, action, bindings, say);
    case "strIn":
      checkStr(e.operand, action, bindings, say);
      if (e.values.length === 0 || e.values.some((v, i) => i > 0 && v <= e.values[i - 1]!)) say("strIn values empty or not sorted and distinct");
      return;
    case "under":
      if (e.operand.kind !== "view" || e.operand.view !== "normpath") say("under tests a path that is not normalised");
      checkStr(e.operand, action, bindings, say);
      if (e.bases.length === 0 || e.bases.some((b, i) => !b.startsWith("/") || (i > 0 && b <= e.bases[i - 1]!))) say("under bases empty, relative, or not sorted and distinct");
      return;
    case "glob":
      if (program.globs[e.glob] === undefined) say(`glob ${e.glob} out of range`);
      return checkStr(e.operand, action, bindings, say);
    case "quantifier":
      checkRef(e.array, "array", action, bindings, say);
      if (e.depth !== bindings.length + 1) say(`quantifier at depth ${e.depth} inside ${bindings.length}`);
      return checkExpr(e.body, action, program, [...bindings, e.array.slot], say);
    case "session": {
      const monitor = program.session?.monitors[e.monitor];
      if (monitor === undefined) return say(`session monitor ${e.monitor} out of range`);
      const q = e.query;
      const expected = q.kind === "within" ? "last" : q.kind;
      if (monitor.kind !== expected) say(`a ${q.kind} query of a ${monitor.kind} monitor`);
      if ("key" in q && q.key !== undefined) {
        if ((monitor.keyed === undefined) !== (q.kind !== "previous")) {
          // previous monitors keep a hash without being keyed; the others are keyed exactly when correlated.
        }
        checkKey(q.key, action, bindings, say, false);
      }
      if (q.kind === "sum" && q.right.kind === "slot") num(q.right);
      return;
    }
  }
}

function checkKey(parts: readonly IrKeyPart[], action: IrAction, bindings: readonly number[], say: Say, recorded: boolean): void {
  for (const part of parts) {
    if (part.from === "slot") checkRef(part.ref, part.kind, action, bindings, say);
    else {
      if (!recorded) say("an item key part outside a recorded call");
      const array = action.reads[part.array];
      const item = action.reads[part.item];
      if (array?.kind !== "array") say(`key array slot ${part.array} is not an array`);
      if (item === undefined || item.parent !== part.array || item.kind !== part.kind) say(`key item slot ${part.item} is not a ${part.kind} item of slot ${part.array}`);
    }
  }
}

/** The session part of an action: monitors in range, watches and checks well formed. */
export function checkSession(action: IrAction, program: IrProgram, say: Say): void {
  const s = action.session;
  if (s === undefined) return;
  const monitors = program.session?.monitors ?? [];
  for (const c of s.checks) {
    if (monitors[c.monitor]?.keyed === undefined) say(`overflow check of monitor ${c.monitor}, which keeps no set`);
    if (program.rules[c.rule] === undefined) say(`overflow check names rule ${c.rule}`);
  }
  for (const w of [...s.record, ...s.outcome]) {
    if (monitors[w.monitor] === undefined) say(`watch of monitor ${w.monitor} out of range`);
    checkExpr(w.condition, action, program, [], say);
    if (w.keys !== undefined) checkKey(w.keys, action, [], say, true);
    if (w.amount?.kind === "slot") checkRef(w.amount.ref, "num", action, [], say);
  }
}
