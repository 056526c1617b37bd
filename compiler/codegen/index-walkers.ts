/**
 * The functions that walk range and infix index structures at decision
 * time (ADR 0033), added to a module once, when an index needs them.
 *
 * In: a PolicyModule (with ./index-runtime.ts's `agp_entries` and
 * `agp_bucket`). Out: `agp_region(thresholds, count, value) → region`,
 * `agp_itree(tree, node, region, principal, item)` and
 * `agp_ac(automaton, s, sLen, principal, item)`. Must not loop longer than
 * their bounds: a binary search, one root-to-leaf path, at most two
 * transitions per input byte.
 *
 * Interval tree (one blob, node links relative to its start; node at 0 the
 * root): node = u32 center, u32 below, u32 above (0: none; the root is never
 * a child), u32 count, u32 byFirst, u32 byLast (offsets of two lists: u32
 * bound[count], then count entries, 8 bytes each); byFirst's bounds are the
 * spans' first regions ascending, byLast's their last regions descending.
 *
 * Aho–Corasick automaton (one blob, state links relative to its start; the
 * root at 0): state = u32 failure, u32 bucket (absolute address, 0: no
 * literal ends here), u32 dictionary (0: none; the root spells nothing),
 * u32 edge count, u32 edges (offset of u8 byte[count] sorted, padded to 4,
 * then u32 target[count]).
 */
import { FunctionBuilder } from "./function-builder.js";
import type { Expr, PolicyModule } from "./module.js";

const added = new WeakMap<PolicyModule, Set<string>>();

function once(m: PolicyModule, name: string, add: () => void): void {
  const set = added.get(m) ?? new Set<string>();
  added.set(m, set);
  if (set.has(name)) return;
  set.add(name);
  add();
}

/**
 * A binary search (lower bound) over `count` sorted entries: leaves in `lo`
 * the first index whose entry is not `below` the key (`count` when none).
 * `below(mid)` compares the entry at index `mid` with the key.
 */
function lowerBound(m: PolicyModule, fn: FunctionBuilder, at: { readonly lo: number; readonly hi: number; readonly mid: number }, count: Expr, below: (mid: Expr) => Expr, labels: string): Expr {
  const c = m.code;
  const get = (l: number) => c.local(l, "i32");
  const { lo, hi, mid } = at;
  const done = fn.label(`${labels}done`);
  const next = fn.label(`${labels}next`);
  return c.block(null, [
    c.setLocal(lo, c.i32(0)),
    c.setLocal(hi, count),
    c.block(done, [
      c.loop(
        next,
        c.block(null, [
          c.br(done, c.i32Op("ge_u", get(lo), get(hi))),
          c.setLocal(mid, c.i32Op("shr_u", c.i32Op("add", get(lo), get(hi)), c.i32(1))),
          c.if(below(get(mid)), c.setLocal(lo, c.i32Op("add", get(mid), c.i32(1))), c.setLocal(hi, get(mid))),
          c.br(next),
        ]),
      ),
    ]),
  ]);
}

/** Adds `agp_region(t, m, v) → 2·#(t < v) + (v ∈ t)` over `m` sorted f64 thresholds at `t`. */
export function addRegion(m: PolicyModule): void {
  once(m, "agp_region", () => {
    const c = m.code;
    const fn = new FunctionBuilder(["i32", "i32", "f64"]);
    const lo = fn.local("i32");
    const hi = fn.local("i32");
    const mid = fn.local("i32");
    const get = (l: number) => c.local(l, "i32");
    const at = (i: Expr) => c.load("f64", c.i32Op("add", get(0), c.i32Op("shl", i, c.i32(3))));
    const body = c.block(
      null,
      [
        lowerBound(m, fn, { lo, hi, mid }, get(1), (at_) => c.f64Op("lt", at(at_), c.local(2, "f64")), ""),
        c.i32Op(
          "add",
          c.i32Op("shl", get(lo), c.i32(1)),
          c.if(c.i32Op("lt_u", get(lo), get(1)), c.f64Op("eq", at(get(lo)), c.local(2, "f64")), c.i32(0)),
        ),
      ],
      "i32",
    );
    m.addFunction({ name: "agp_region", params: ["i32", "i32", "f64"], result: "i32", locals: fn.locals, body });
  });
}

/** Adds `agp_itree(tree, region, principal, item)`: the entries of every span holding the region. */
export function addIntervalTree(m: PolicyModule): void {
  once(m, "agp_itree", () => {
    const c = m.code;
    const fn = new FunctionBuilder(["i32", "i32", "i32", "i32"]);
    const [tree, region, principal, item] = [0, 1, 2, 3];
    const node = fn.local("i32");
    const count = fn.local("i32");
    const list = fn.local("i32");
    const k = fn.local("i32");
    const center = fn.local("i32");
    const get = (l: number) => c.local(l, "i32");
    const field = (offset: number) => c.load("i32", c.i32Op("add", get(tree), get(node)), offset);
    const bound = () => c.load("i32", c.i32Op("add", c.i32Op("add", get(tree), get(list)), c.i32Op("shl", get(k), c.i32(2))));
    const entries = () => c.i32Op("add", c.i32Op("add", get(tree), get(list)), c.i32Op("shl", get(count), c.i32(2)));
    /** k = the length of the list's prefix whose bounds pass `test`. */
    const prefix = (test: () => Expr): Expr => {
      const done = fn.label("prefix_done");
      const next = fn.label("prefix_next");
      return c.block(null, [
        c.setLocal(k, c.i32(0)),
        c.block(done, [
          c.loop(next, c.block(null, [c.br(done, c.i32Op("ge_u", get(k), get(count))), c.br(done, c.eqz(test())), c.setLocal(k, c.i32Op("add", get(k), c.i32(1))), c.br(next)])),
        ]),
      ]);
    };
    const run = () => c.call("agp_entries", [entries(), get(k), get(principal), get(item)], "none");
    const done = fn.label("tree_done");
    const next = fn.label("tree_next");
    const body = c.block(null, [
      c.setLocal(node, c.i32(0)),
      c.block(done, [
        c.loop(
          next,
          c.block(null, [
            c.setLocal(center, field(0)),
            c.setLocal(count, field(12)),
            c.if(
              c.i32Op("lt_u", get(region), get(center)),
              c.block(null, [c.setLocal(list, field(16)), prefix(() => c.i32Op("le_u", bound(), get(region))), run(), c.setLocal(node, field(4))]),
              c.if(
                c.i32Op("gt_u", get(region), get(center)),
                c.block(null, [c.setLocal(list, field(20)), prefix(() => c.i32Op("ge_u", bound(), get(region))), run(), c.setLocal(node, field(8))]),
                c.block(null, [c.setLocal(list, field(16)), c.setLocal(k, get(count)), run(), c.br(done)]),
              ),
            ),
            c.br(done, c.eqz(get(node))),
            c.br(next),
          ]),
        ),
      ]),
    ]);
    m.addFunction({ name: "agp_itree", params: ["i32", "i32", "i32", "i32"], result: "none", locals: fn.locals, body });
  });
}

/** Adds `agp_ac(automaton, s, sLen, principal, item)`: fires the bucket of every literal occurring in the string. */
export function addAhoCorasick(m: PolicyModule): void {
  once(m, "agp_ac", () => {
    const c = m.code;
    const fn = new FunctionBuilder(["i32", "i32", "i32", "i32", "i32"]);
    const [base, s, sLen, principal, item] = [0, 1, 2, 3, 4];
    const i = fn.local("i32");
    const state = fn.local("i32");
    const b = fn.local("i32");
    const n = fn.local("i32");
    const edges = fn.local("i32");
    const lo = fn.local("i32");
    const hi = fn.local("i32");
    const mid = fn.local("i32");
    const out = fn.local("i32");
    const get = (l: number) => c.local(l, "i32");
    const field = (of: Expr, offset: number) => c.load("i32", c.i32Op("add", get(base), of), offset);
    const byteAt = (j: Expr) => c.load("u8", c.i32Op("add", get(edges), j));
    const search = lowerBound(m, fn, { lo, hi, mid }, get(n), (at) => c.i32Op("lt_u", byteAt(at), get(b)), "search_");
    const step = (() => {
      const found = fn.label("step_found");
      const again = fn.label("step_again");
      return c.block(found, [
        c.loop(
          again,
          c.block(null, [
            c.setLocal(n, field(get(state), 12)),
            c.setLocal(edges, c.i32Op("add", get(base), field(get(state), 16))),
            search,
            c.if(
              c.i32Op("and", c.i32Op("lt_u", get(lo), get(n)), c.i32Op("eq", byteAt(get(lo)), get(b))),
              c.block(null, [
                // targets follow the bytes, padded to 4
                c.setLocal(state, c.load("i32", c.i32Op("add", c.i32Op("and", c.i32Op("add", get(edges), c.i32Op("add", get(n), c.i32(3))), c.i32(~3)), c.i32Op("shl", get(lo), c.i32(2))))),
                c.br(found),
              ]),
            ),
            c.br(found, c.eqz(get(state))),
            c.setLocal(state, field(get(state), 0)),
            c.br(again),
          ]),
        ),
      ]);
    })();
    const report = (() => {
      const done = fn.label("report_done");
      const next = fn.label("report_next");
      return c.block(null, [
        c.setLocal(out, c.if(field(get(state), 4), get(state), field(get(state), 8))),
        c.block(done, [
          c.loop(
            next,
            c.block(null, [
              c.br(done, c.eqz(get(out))),
              c.call("agp_bucket", [field(get(out), 4), get(principal), get(item)], "none"),
              c.setLocal(out, field(get(out), 8)),
              c.br(next),
            ]),
          ),
        ]),
      ]);
    })();
    const done = fn.label("run_done");
    const next = fn.label("run_next");
    const body = c.block(null, [
      c.setLocal(i, c.i32(0)),
      c.setLocal(state, c.i32(0)),
      c.block(done, [
        c.loop(
          next,
          c.block(null, [
            c.br(done, c.i32Op("ge_u", get(i), get(sLen))),
            c.setLocal(b, c.load("u8", c.i32Op("add", get(s), get(i)))),
            step,
            report,
            c.setLocal(i, c.i32Op("add", get(i), c.i32(1))),
            c.br(next),
          ]),
        ),
      ]),
    ]);
    m.addFunction({ name: "agp_ac", params: ["i32", "i32", "i32", "i32", "i32"], result: "none", locals: fn.locals, body });
  });
}
