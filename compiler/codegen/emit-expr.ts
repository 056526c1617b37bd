/**
 * IR tests → wasm expressions (i32 0 / 1), through the binaryen wrapper.
 *
 * In: an `IrExpr`, the action's reads, the address of the input's slot area,
 * the placed tables (DFAs by glob id, literal strings, bitsets, number sets).
 * Out: an `Expr`. Must not read outside a slot's bytes or a string's length
 * as written for this call, or write anywhere but a view's own buffer (its
 * operand's byte bound); every loop is bounded (quantifiers by the count
 * the encoder wrote, at most `maxItems`; views by their operand's length).
 */
import type { IrExpr, IrNum, IrRead, IrSlotRef, IrStr } from "../ir/index.js";
import { buildNumberSet, buildStringSet } from "../lower/index.js";
import type { FunctionBuilder } from "./function-builder.js";
import type { Expr, PolicyModule } from "./module.js";
import { placeHashSet } from "./static-tables.js";
import { emitQuery, type SessionLayout } from "./session.js";

/** What expressions of one action need. */
export interface ExprContext {
  readonly module: PolicyModule;
  readonly reads: readonly IrRead[];
  /** Absolute address of the slot area. */
  readonly input: number;
  /** DFA table address of a glob id (placed on first use). */
  readonly dfas: (glob: number) => number;
  /** Places a literal string once; its address. */
  readonly literal: (text: string) => { address: number; length: number };
  /** The session's memory, in a program with session rules. */
  readonly session?: SessionLayout;
  /**
   * The action's view buffers (reserved by `viewBytes`): each view node
   * writes to its own, and a node emitted twice (a rule in several index
   * buckets) reuses its buffer.
   */
  readonly views: { next: number; readonly end: number; readonly placed: Map<IrStr, number> };
}

/** Bytes of view buffers one action's expressions need: every view node's bound, 8-aligned. */
export function viewBytes(e: IrExpr): number {
  const ofStr = (s: IrStr): number => (s.kind === "view" ? align8(Math.max(1, s.maxBytes)) + ofStr(s.operand) : 0);
  switch (e.op) {
    case "and":
    case "or":
      return viewBytes(e.left) + viewBytes(e.right);
    case "not":
      return viewBytes(e.operand);
    case "str":
      return ofStr(e.left) + ofStr(e.right);
    case "strIn":
    case "under":
    case "glob":
      return ofStr(e.operand);
    case "quantifier":
      return viewBytes(e.body);
    default:
      return 0;
  }
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

/** Emits a test. */
export function emitExpr(e: IrExpr, cx: ExprContext, fn: FunctionBuilder): Expr {
  const c = cx.module.code;
  switch (e.op) {
    case "const":
      return c.i32(e.value ? 1 : 0);
    case "and":
      return c.if(emitExpr(e.left, cx, fn), emitExpr(e.right, cx, fn), c.i32(0));
    case "or":
      return c.if(emitExpr(e.left, cx, fn), c.i32(1), emitExpr(e.right, cx, fn));
    case "not":
      return c.eqz(emitExpr(e.operand, cx, fn));
    case "state": {
      const state = load(cx, fn, e.ref, "i32");
      return e.test === "present" ? c.i32Op("ne", state, c.i32(0)) : c.i32Op("eq", state, c.i32(e.test === "null" ? 2 : 1));
    }
    case "symIn":
      return symIn(cx, fn, e.ref, e.ids);
    case "symCmp":
      return c.i32Op(signed(e.cmp), load(cx, fn, e.ref, "i32"), c.i32(e.id));
    case "symCmpSlot":
      return c.i32Op(signed(e.cmp), load(cx, fn, e.left, "i32"), load(cx, fn, e.right, "i32"));
    case "num":
      return c.f64Op(float(e.cmp), num(cx, fn, e.left), num(cx, fn, e.right));
    case "numIn": {
      const value = num(cx, fn, e.operand);
      if (e.values.length <= 4) {
        const v = fn.local("f64");
        const tests = e.values.map((n, i) => c.f64Op("eq", i === 0 ? c.teeLocal(v, value, "f64") : c.local(v, "f64"), c.f64(n)));
        return tests.reduce((acc, t) => c.i32Op("or", acc, t));
      }
      const table = placeHashSet(cx.module, buildNumberSet(e.values));
      return c.i32Op("ge_s", c.callStdlib("set_lookup_f64", [c.i32(table), value]), c.i32(0));
    }
    case "bool":
      return load(cx, fn, e.ref, "i32");
    case "str": {
      const [a, al] = str(cx, fn, e.left);
      const [b, bl] = str(cx, fn, e.right);
      const name = e.test === "eq" ? "bytes_eq" : e.test === "startsWith" ? "starts_with" : e.test === "endsWith" ? "ends_with" : "contains";
      return c.callStdlib(name, [a, al, b, bl]);
    }
    case "glob": {
      const [s, sl] = str(cx, fn, e.operand);
      return c.callStdlib("dfa_matches", [c.i32(cx.dfas(e.glob)), s, sl]);
    }
    case "strIn":
      return strIn(e.operand, e.values, cx, fn);
    case "under": {
      // The path is normalised once; each base is then an equality or a prefix test.
      const [p, pl] = str(cx, fn, e.operand);
      const at = fn.local("i32");
      const len = fn.local("i32");
      const tests = e.bases.map((base) => {
        const { address, length } = cx.literal(base);
        return c.callStdlib("under_base", [c.local(at, "i32"), c.local(len, "i32"), c.i32(address), c.i32(length)]);
      });
      return c.block(null, [c.setLocal(at, p), c.setLocal(len, pl), tests.reduce((acc, t) => c.i32Op("or", acc, t))], "i32");
    }
    case "quantifier":
      return quantifier(e, cx, fn);
    case "session":
      return emitQuery(e, cx, fn);
  }
}

/** The address expression of a slot and the constant offset to add. */
function address(cx: ExprContext, fn: FunctionBuilder, ref: IrSlotRef): [Expr, number] {
  const c = cx.module.code;
  const offset = cx.reads[ref.slot]!.offset;
  if (ref.binding === 0) return [c.i32(cx.input + offset), 0];
  const item = fn.items.get(ref.binding);
  if (item === undefined) throw new Error(`internal error: no item bound at depth ${ref.binding}`);
  return [c.local(item, "i32"), offset];
}

function load(cx: ExprContext, fn: FunctionBuilder, ref: IrSlotRef, kind: "i32" | "f64", extra = 0): Expr {
  const [at, offset] = address(cx, fn, ref);
  return cx.module.code.load(kind, at, offset + extra);
}

function num(cx: ExprContext, fn: FunctionBuilder, n: IrNum): Expr {
  return n.kind === "const" ? cx.module.code.f64(n.value) : load(cx, fn, n.ref, "f64");
}

/**
 * A string operand as (address, length) expressions, evaluated in that
 * order. A view's address is its buffer's (a constant); its length
 * expression computes the view from its operand into the buffer.
 */
function str(cx: ExprContext, fn: FunctionBuilder, s: IrStr): [Expr, Expr] {
  const c = cx.module.code;
  if (s.kind === "const") {
    const { address: at, length } = cx.literal(s.value);
    return [c.i32(at), c.i32(length)];
  }
  if (s.kind === "view") {
    const [from, fromLength] = str(cx, fn, s.operand);
    let buffer = cx.views.placed.get(s);
    if (buffer === undefined) {
      buffer = cx.views.next;
      cx.views.next += align8(Math.max(1, s.maxBytes));
      // A view written past its reservation would overwrite other data: refuse to build such a module.
      if (cx.views.next > cx.views.end) throw new Error("internal error: string view buffers outgrew their reservation");
      cx.views.placed.set(s, buffer);
    }
    const name = s.view === "lower" ? "view_lower" : s.view === "domain" ? "view_domain" : "view_normpath";
    return [c.i32(buffer), c.callStdlib(name, [from, fromLength, c.i32(buffer)])];
  }
  return [load(cx, fn, s.ref, "i32"), load(cx, fn, s.ref, "i32", 4)];
}

/** A string among literal strings: up to four byte comparisons, else one hash lookup. */
function strIn(operand: IrStr, values: readonly string[], cx: ExprContext, fn: FunctionBuilder): Expr {
  const c = cx.module.code;
  const [s, sl] = str(cx, fn, operand);
  if (values.length > 4) {
    const table = placeHashSet(cx.module, buildStringSet(values));
    return c.i32Op("ge_s", c.callStdlib("set_lookup", [c.i32(table), s, sl]), c.i32(0));
  }
  const at = fn.local("i32");
  const len = fn.local("i32");
  const tests = values.map((value) => {
    const { address, length } = cx.literal(value);
    return c.callStdlib("bytes_eq", [c.local(at, "i32"), c.local(len, "i32"), c.i32(address), c.i32(length)]);
  });
  return c.block(null, [c.setLocal(at, s), c.setLocal(len, sl), tests.reduce((acc, t) => c.i32Op("or", acc, t))], "i32");
}

function symIn(cx: ExprContext, fn: FunctionBuilder, ref: IrSlotRef, ids: readonly number[]): Expr {
  const c = cx.module.code;
  const value = load(cx, fn, ref, "i32");
  const first = ids[0]!;
  const last = ids[ids.length - 1]!;
  if (ids.length === 1) return c.i32Op("eq", value, c.i32(first));
  if (last - first + 1 === ids.length) return c.i32Op("le_u", c.i32Op("sub", value, c.i32(first)), c.i32(last - first));
  const v = fn.local("i32");
  if (ids.length <= 4) {
    return ids.map((id, i) => c.i32Op("eq", i === 0 ? c.teeLocal(v, value, "i32") : c.local(v, "i32"), c.i32(id))).reduce((acc, t) => c.i32Op("or", acc, t));
  }
  // A bitset over the dictionary: one bounds check, one byte load.
  const bits = new Uint8Array((last >> 3) + 1);
  for (const id of ids) bits[id >> 3]! |= 1 << (id & 7);
  const table = cx.module.addData(bits, { align: 1 });
  return c.if(
    c.i32Op("le_u", c.teeLocal(v, value, "i32"), c.i32(last)),
    c.i32Op("and", c.i32Op("shr_u", c.load("u8", c.i32Op("add", c.i32Op("shr_u", c.local(v, "i32"), c.i32(3)), c.i32(table))), c.i32Op("and", c.local(v, "i32"), c.i32(7))), c.i32(1)),
    c.i32(0),
  );
}

function quantifier(e: Extract<IrExpr, { op: "quantifier" }>, cx: ExprContext, fn: FunctionBuilder): Expr {
  const c = cx.module.code;
  const read = cx.reads[e.array.slot]!;
  const count = fn.local("i32");
  const item = fn.local("i32");
  const result = fn.local("i32");
  const [base, offset] = address(cx, fn, e.array);
  const [base2] = address(cx, fn, e.array);
  const done = fn.label("q_done");
  const next = fn.label("q_next");
  const all = e.quantifier === "all";
  const saved = fn.items.get(e.depth);
  fn.items.set(e.depth, item);
  const body = emitExpr(e.body, cx, fn);
  if (saved === undefined) fn.items.delete(e.depth);
  else fn.items.set(e.depth, saved);
  return c.block(
    null,
    [
      c.setLocal(count, c.load("i32", base, offset)),
      // Items start at the level's base + itemsOffset; at the top level `base2` already adds the slot's offset.
      c.setLocal(item, c.i32Op("add", base2, c.i32(read.itemsOffset! - (e.array.binding === 0 ? read.offset : 0)))),
      c.setLocal(result, c.i32(all ? 1 : 0)),
      c.block(done, [
        c.loop(
          next,
          c.block(null, [
            c.br(done, c.eqz(c.local(count, "i32"))),
            all
              ? c.if(c.eqz(body), c.block(null, [c.setLocal(result, c.i32(0)), c.br(done)]))
              : c.if(body, c.block(null, [c.setLocal(result, c.i32(1)), c.br(done)])),
            c.setLocal(count, c.i32Op("sub", c.local(count, "i32"), c.i32(1))),
            c.setLocal(item, c.i32Op("add", c.local(item, "i32"), c.i32(read.stride!))),
            c.br(next),
          ]),
        ),
      ]),
      c.local(result, "i32"),
    ],
    "i32",
  );
}

function signed(cmp: string): "eq" | "ne" | "lt_s" | "le_s" | "gt_s" | "ge_s" {
  return cmp === "==" ? "eq" : cmp === "!=" ? "ne" : cmp === "<" ? "lt_s" : cmp === "<=" ? "le_s" : cmp === ">" ? "gt_s" : "ge_s";
}

function float(cmp: string): "eq" | "ne" | "lt" | "le" | "gt" | "ge" {
  return cmp === "==" ? "eq" : cmp === "!=" ? "ne" : cmp === "<" ? "lt" : cmp === "<=" ? "le" : cmp === ">" ? "gt" : "ge";
}
