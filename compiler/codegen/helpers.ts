/**
 * The module's shared helper functions, written once per module: appending
 * a matched rule to a list, classifying a principal's lists into a side
 * code, and finishing the result region from a combining-table entry.
 *
 * In: a `PolicyModule` and the addresses of the rule lists and the result.
 * Out: functions `agp_push`, `agp_side`, `agp_finish`. Must not write
 * outside the lists and the result region; every loop is bounded by a
 * list's count (at most the rules covering the action).
 *
 * Lists: for principal p (0 agent, 1 human) and effect e (0 allow, 1
 * approve, 2 deny) a u32 count then u32 rule indices, at
 * `lists + (p * 3 + e) * listSize`, in match order; `agp_finish` sorts what
 * it copies into the result (insertion sort while short, heapsort beyond:
 * an index can make one decision name thousands of rules).
 */
import { RESULT } from "../../runtime/abi.js";
import { FunctionBuilder } from "./function-builder.js";
import type { Expr, PolicyModule } from "./module.js";

/** Addresses the helpers work on. */
export interface HelperLayout {
  readonly lists: number;
  readonly listSize: number;
  readonly result: number;
}

/** Lists up to this long are insertion-sorted. */
const SHORT = 16;

/** Adds `agp_push(list, rule)`, `agp_side(principal) → code`, `agp_finish(entry) → charges address`. */
export function addHelpers(module: PolicyModule, layout: HelperLayout): void {
  const c = module.code;
  const list = (p: number, e: number) => layout.lists + (p * 3 + e) * layout.listSize;

  // agp_push(list, rule): count++ and store.
  {
    const n = c.load("i32", c.local(0, "i32"));
    module.addFunction({
      name: "agp_push",
      params: ["i32", "i32"],
      result: "none",
      locals: ["i32"],
      body: c.block(null, [
        c.setLocal(2, n),
        c.store("i32", c.i32Op("add", c.local(0, "i32"), c.i32Op("shl", c.local(2, "i32"), c.i32(2))), c.local(1, "i32"), 4),
        c.store("i32", c.local(0, "i32"), c.i32Op("add", c.local(2, "i32"), c.i32(1))),
      ]),
    });
  }

  // agp_side(principal): 2 deny by rule, 1 approve, 0 allow, 3 default deny.
  for (const p of [0, 1]) {
    const count = (e: number) => c.load("i32", c.i32(list(p, e)));
    module.addFunction({
      name: `agp_side${p}`,
      params: [],
      result: "i32",
      body: c.if(count(2), c.i32(2), c.if(count(1), c.i32(1), c.if(count(0), c.i32(0), c.i32(3)))),
    });
  }

  // agp_append(out, list) → out + 4·count: copies a list's indices.
  module.addFunction({
    name: "agp_append",
    params: ["i32", "i32"],
    result: "i32",
    locals: ["i32"],
    body: c.block(
      null,
      [
        c.setLocal(2, c.i32Op("shl", c.load("i32", c.local(1, "i32")), c.i32(2))),
        c.copyMemory(c.local(0, "i32"), c.i32Op("add", c.local(1, "i32"), c.i32(4)), c.local(2, "i32")),
        c.i32Op("add", c.local(0, "i32"), c.local(2, "i32")),
      ],
      "i32",
    ),
  });

  // agp_sort(at, end): u32s in [at, end) ascending; insertion sort for short lists, heapsort past SHORT.
  {
    const fn = new FunctionBuilder(["i32", "i32"]);
    const i = fn.local("i32");
    const j = fn.local("i32");
    const x = fn.local("i32");
    const y = fn.local("i32");
    const n = fn.local("i32");
    const root = fn.local("i32");
    const child = fn.local("i32");
    const size = fn.local("i32");
    const get = (l: number) => c.local(l, "i32");
    const insertion = c.block(null, [
      c.setLocal(i, c.i32Op("add", get(0), c.i32(4))),
      c.block("outer_done", [
        c.loop(
          "outer",
          c.block(null, [
            c.br("outer_done", c.i32Op("ge_u", get(i), get(1))),
            c.setLocal(x, c.load("i32", get(i))),
            c.setLocal(j, get(i)),
            c.block("inner_done", [
              c.loop(
                "inner",
                c.block(null, [
                  c.br("inner_done", c.i32Op("le_u", get(j), get(0))),
                  c.setLocal(y, c.load("i32", c.i32Op("sub", get(j), c.i32(4)))),
                  c.br("inner_done", c.i32Op("le_u", get(y), get(x))),
                  c.store("i32", get(j), get(y)),
                  c.setLocal(j, c.i32Op("sub", get(j), c.i32(4))),
                  c.br("inner"),
                ]),
              ),
            ]),
            c.store("i32", get(j), get(x)),
            c.setLocal(i, c.i32Op("add", get(i), c.i32(4))),
            c.br("outer"),
          ]),
        ),
      ]),
    ]);
    // Heapsort (a decision that names thousands of rules must not sort in quadratic time).
    const at = (k: Expr) => c.i32Op("add", get(0), c.i32Op("shl", k, c.i32(2)));
    // sift(root, size): moves a[root] down the max-heap of the first `size` elements.
    const sift = (label: string): Expr =>
      c.block(null, [
        c.setLocal(x, c.load("i32", at(get(root)))),
        c.block(`${label}_done`, [
          c.loop(
            `${label}_next`,
            c.block(null, [
              c.setLocal(child, c.i32Op("add", c.i32Op("shl", get(root), c.i32(1)), c.i32(1))),
              c.br(`${label}_done`, c.i32Op("ge_u", get(child), get(size))),
              c.if(
                c.i32Op("and", c.i32Op("lt_u", c.i32Op("add", get(child), c.i32(1)), get(size)), c.i32Op("gt_u", c.load("i32", at(c.i32Op("add", get(child), c.i32(1)))), c.load("i32", at(get(child))))),
                c.setLocal(child, c.i32Op("add", get(child), c.i32(1))),
              ),
              c.setLocal(y, c.load("i32", at(get(child)))),
              c.br(`${label}_done`, c.i32Op("le_u", get(y), get(x))),
              c.store("i32", at(get(root)), get(y)),
              c.setLocal(root, get(child)),
              c.br(`${label}_next`),
            ]),
          ),
        ]),
        c.store("i32", at(get(root)), get(x)),
      ]);
    const heap = c.block(null, [
      c.setLocal(size, get(n)),
      c.setLocal(i, c.i32Op("shr_u", get(n), c.i32(1))),
      c.block("build_done", [
        c.loop(
          "build",
          c.block(null, [
            c.br("build_done", c.eqz(get(i))),
            c.setLocal(i, c.i32Op("sub", get(i), c.i32(1))),
            c.setLocal(root, get(i)),
            sift("build_sift"),
            c.br("build"),
          ]),
        ),
      ]),
      c.block("pop_done", [
        c.loop(
          "pop",
          c.block(null, [
            c.br("pop_done", c.i32Op("le_u", get(size), c.i32(1))),
            c.setLocal(size, c.i32Op("sub", get(size), c.i32(1))),
            c.setLocal(y, c.load("i32", at(get(size)))),
            c.store("i32", at(get(size)), c.load("i32", get(0))),
            c.store("i32", get(0), get(y)),
            c.setLocal(root, c.i32(0)),
            sift("pop_sift"),
            c.br("pop"),
          ]),
        ),
      ]),
    ]);
    const body = c.block(null, [
      c.setLocal(n, c.i32Op("shr_u", c.i32Op("sub", get(1), get(0)), c.i32(2))),
      c.if(c.i32Op("le_u", get(n), c.i32(SHORT)), insertion, heap),
    ]);
    module.addFunction({ name: "agp_sort", params: ["i32", "i32"], result: "none", locals: fn.locals, body });
  }

  // agp_finish(entry) → address where charges go.
  {
    const R = layout.result;
    const fn = new FunctionBuilder(["i32"]);
    const effect = fn.local("i32");
    const deciders = fn.local("i32");
    const permitting = fn.local("i32");
    const out = fn.local("i32");
    const start = fn.local("i32");
    const get = (l: number) => c.local(l, "i32");
    const entry = (k: number) => c.load("u8", get(0), k);
    const appendList = (p: number, e: Expr): Expr =>
      // list(p, e) = lists + (p·3 + e)·listSize, e known only at run time.
      c.setLocal(out, c.call("agp_append", [get(out), c.i32Op("add", c.i32(list(p, 0)), c.i32Op("mul", e, c.i32(layout.listSize)))], "i32"));
    const body: Expr[] = [
      c.setLocal(effect, entry(0)),
      c.setLocal(deciders, entry(1)),
      c.setLocal(permitting, entry(2)),
      c.store("i32", c.i32(R), get(effect), RESULT.effect),
      c.store("i32", c.i32(R), entry(3), RESULT.blockedBy),
      c.store("i32", c.i32(R), c.i32(0), RESULT.charges),
      c.store("i32", c.i32(R), c.i32(0), 20),
      c.setLocal(out, c.i32(R + RESULT.lists)),
    ];
    for (const p of [0, 1]) body.push(c.if(c.i32Op("and", get(deciders), c.i32(1 << p)), appendList(p, get(effect))));
    body.push(
      c.call("agp_sort", [c.i32(R + RESULT.lists), get(out)], "none"),
      c.store("i32", c.i32(R), c.i32Op("shr_u", c.i32Op("sub", get(out), c.i32(R + RESULT.lists)), c.i32(2)), RESULT.deciding),
      c.setLocal(start, get(out)),
    );
    for (const p of [0, 1]) {
      body.push(c.if(c.i32Op("and", get(permitting), c.i32(1 << p)), c.block(null, [appendList(p, c.i32(0)), appendList(p, c.i32(1))])));
    }
    body.push(
      c.call("agp_sort", [get(start), get(out)], "none"),
      c.store("i32", c.i32(R), c.i32Op("shr_u", c.i32Op("sub", get(out), get(start)), c.i32(2)), RESULT.obligation),
      c.i32Op("and", c.i32Op("add", get(out), c.i32(7)), c.i32(~7)),
    );
    module.addFunction({ name: "agp_finish", params: ["i32"], result: "i32", locals: fn.locals, body: c.block(null, body, "i32") });
  }
}
