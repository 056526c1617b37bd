/**
 * What indexes run on at decision time (ADR 0033): bucket records in static
 * data, residual conditions compiled into a few dispatch functions, the
 * stamps that keep a bucket or a rule from being taken twice in one
 * decision, and the shared functions that walk them.
 *
 * In: entries (rule, effect, residual, whether the rule can be reached
 * twice) from ./index-emit.ts. Out: bucket addresses; at `finish`, the
 * functions `agp_bucket(bucket, principal, item)`, `agp_entries(first,
 * count, principal, item)`, the residual functions (in the module's table)
 * and the stamp memory. Must not evaluate a residual twice for one rule
 * once the rule is pushed, or push a rule twice.
 *
 * Bucket record (4-aligned): u32 count, u32 stamp slot (0xFFFFFFFF: the
 * bucket may fire more than once), then per entry u32 rule index and u32
 * meta = effect | 4·(rule stamped) | 8·residual (0: the residual is `true`).
 * A residual r ≥ 1 is arm (r − 1) & 63 of table function base + (r − 1) >> 6,
 * `(arm, item) → i32`, the item a quantified array's item for per-item
 * indexes.
 *
 * Stamps: a decision's epoch (a mutable i64 global, bumped at the start of
 * every decide function that uses stamps) is written into a stamp when its
 * bucket fires or its rule is pushed; a stamp equal to the epoch means
 * "already done in this decision". Stamps of earlier decisions never equal
 * a later epoch (an i64 does not wrap), so no decision sees another's.
 */
import { dispatch } from "./br-table.js";
import { FunctionBuilder } from "./function-builder.js";
import type { Expr, PolicyModule } from "./module.js";

/** One entry of a bucket as the module reads it. */
export interface EntryWord {
  /** Rule index (the manifest's). */
  readonly rule: number;
  /** 0 allow, 1 approve, 2 deny. */
  readonly effect: number;
  /** Residual id (0: `true`). */
  readonly residual: number;
  /** The rule may be reached through more than one bucket: check and set its stamp. */
  readonly stamped: boolean;
}

/** Where the rule lists are (./helpers.ts) and how many rules the program has. */
export interface IndexRuntimeLayout {
  readonly lists: number;
  readonly listSize: number;
  readonly ruleCount: number;
}

/** Bytes of one entry in static data. */
export const ENTRY_BYTES = 8;

/** Residual arms per dispatch function. */
const ARMS = 64;

const EPOCH = "agp_epoch";

/** Expression nodes past which a function is `large` (module.ts: cheap passes only). */
export const LARGE_FUNCTION = 4000;

/** Index machinery of one module under construction. */
export class IndexRuntime {
  private readonly residuals: ((fn: FunctionBuilder) => Expr)[] = [];
  /** Expression nodes per residual (for marking large dispatch functions). */
  private readonly sizes: number[] = [];
  private readonly residualIds = new Map<string, number>();
  private bucketStamps = 0;
  private ruleStamps = false;
  private finished = false;

  constructor(
    private readonly m: PolicyModule,
    private readonly layout: IndexRuntimeLayout,
  ) {
    m.addGlobal(EPOCH, "i64", true, 0n);
  }

  /**
   * The id of a residual, compiled once per distinct `key` (the caller's
   * canonical text of the expression and the action it reads); 0 for true.
   * `size`: its expression nodes.
   */
  residual(key: string, isTrue: boolean, size: number, emit: (fn: FunctionBuilder) => Expr): number {
    if (isTrue) return 0;
    const found = this.residualIds.get(key);
    if (found !== undefined) return found;
    this.residuals.push(emit);
    this.sizes.push(size);
    const id = this.residuals.length;
    this.residualIds.set(key, id);
    return id;
  }

  /** Places a bucket record; `once`: it fires at most once per decision (a stamp slot). */
  bucket(entries: readonly EntryWord[], once: boolean): number {
    const bytes = new Uint8Array(8 + ENTRY_BYTES * entries.length);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, entries.length, true);
    view.setUint32(4, once ? this.bucketStamps++ : 0xffffffff, true);
    this.writeEntries(view, 8, entries);
    return this.m.addData(bytes, { align: 4, shared: !once });
  }

  /** Writes entries (u32 rule, u32 meta) at `offset` of `view`; notes stamped rules. */
  writeEntries(view: DataView, offset: number, entries: readonly EntryWord[]): void {
    entries.forEach((e, i) => {
      if (e.stamped) this.ruleStamps = true;
      view.setUint32(offset + ENTRY_BYTES * i, e.rule, true);
      view.setUint32(offset + ENTRY_BYTES * i + 4, (e.effect | (e.stamped ? 4 : 0) | (e.residual << 3)) >>> 0, true);
    });
  }

  /** True when some bucket or rule has a stamp: decide functions must bump the epoch. */
  get usesStamps(): boolean {
    return this.bucketStamps > 0 || this.ruleStamps;
  }

  /** `epoch += 1`, at the start of a decide function. */
  bumpEpoch(): Expr {
    const c = this.m.code;
    return c.setGlobal(EPOCH, c.i64Op("add", c.global(EPOCH, "i64"), c.i64(1n)));
  }

  /** `agp_bucket(bucket, principal, item)`. */
  fireBucket(bucket: Expr, principal: number, item: Expr): Expr {
    const c = this.m.code;
    return c.call("agp_bucket", [bucket, c.i32(principal), item], "none");
  }

  /** `agp_entries(first, count, principal, item)`. */
  runEntries(first: Expr, count: Expr, principal: number, item: Expr): Expr {
    const c = this.m.code;
    return c.call("agp_entries", [first, count, c.i32(principal), item], "none");
  }

  /** Adds the residual functions, the stamp memory and the walkers; after this nothing more can be added. */
  finish(): void {
    if (this.finished) throw new Error("internal error: index runtime finished twice");
    this.finished = true;
    const m = this.m;
    const c = m.code;
    const names: string[] = [];
    for (let start = 0; start < this.residuals.length; start += ARMS) {
      const fn = new FunctionBuilder(["i32", "i32"]);
      fn.items.set(1, 1);
      const arms = this.residuals.slice(start, start + ARMS).map((emit) => c.return(emit(fn)));
      const name = `agp_residual_${start / ARMS}`;
      const large = this.sizes.slice(start, start + ARMS).reduce((a, b) => a + b, 0) > LARGE_FUNCTION;
      m.addFunction({ name, params: ["i32", "i32"], result: "i32", locals: fn.locals, body: c.block(null, [dispatch(m, fn, c.local(0, "i32"), arms, c.nop()), c.i32(0)], "i32"), rarelyRun: true, large });
      names.push(name);
    }
    const residualBase = names.length === 0 ? 0 : m.addTableFunctions(names);
    const bucketStamps = this.bucketStamps === 0 ? 0 : m.reserve(8 * this.bucketStamps, 8);
    const ruleStamps = this.ruleStamps ? m.reserve(16 * this.layout.ruleCount, 8) : 0;
    const epoch = () => c.global(EPOCH, "i64");
    const get = (l: number) => c.local(l, "i32");

    // agp_entries(e, n, p, item): every entry's residual, and the rule pushed when it holds.
    {
      const fn = new FunctionBuilder(["i32", "i32", "i32", "i32"]);
      const [e, n, p, item] = [0, 1, 2, 3];
      const end = fn.local("i32");
      const meta = fn.local("i32");
      const rule = fn.local("i32");
      const stamp = fn.local("i32");
      const r = fn.local("i32");
      const done = fn.label("done");
      const next = fn.label("next");
      const holds: Expr =
        names.length === 0
          ? c.i32Op("eq", get(r), c.i32(0))
          : c.if(
              c.eqz(get(r)),
              c.i32(1),
              c.callIndirectTyped(
                c.i32Op("add", c.i32Op("shr_u", c.i32Op("sub", get(r), c.i32(1)), c.i32(6)), c.i32(residualBase)),
                [c.i32Op("and", c.i32Op("sub", get(r), c.i32(1)), c.i32(ARMS - 1)), get(item)],
                ["i32", "i32"],
                "i32",
              ),
            );
      const list = c.i32Op(
        "add",
        c.i32(this.layout.lists),
        c.i32Op("mul", c.i32Op("add", c.i32Op("mul", get(p), c.i32(3)), c.i32Op("and", get(meta), c.i32(3))), c.i32(this.layout.listSize)),
      );
      const stamped = c.i32Op("and", get(meta), c.i32(4));
      const stampAddress = c.i32Op("add", c.i32(ruleStamps), c.i32Op("shl", c.i32Op("add", c.i32Op("mul", get(p), c.i32(this.layout.ruleCount)), get(rule)), c.i32(3)));
      const push = c.call("agp_push", [list, get(rule)], "none");
      const take: Expr = this.ruleStamps
        ? c.block(null, [
            c.if(stamped, c.setLocal(stamp, stampAddress), c.setLocal(stamp, c.i32(0))),
            c.if(
              c.i32Op("or", c.eqz(get(stamp)), c.i64Op("ne", c.load("i64", get(stamp)), epoch())),
              c.block(null, [
                c.setLocal(r, c.i32Op("shr_u", get(meta), c.i32(3))),
                c.if(holds, c.block(null, [c.if(get(stamp), c.store("i64", get(stamp), epoch())), push])),
              ]),
            ),
          ])
        : c.block(null, [c.setLocal(r, c.i32Op("shr_u", get(meta), c.i32(3))), c.if(holds, push)]);
      const body = c.block(null, [
        c.setLocal(end, c.i32Op("add", get(e), c.i32Op("shl", get(n), c.i32(3)))),
        c.block(done, [
          c.loop(
            next,
            c.block(null, [
              c.br(done, c.i32Op("ge_u", get(e), get(end))),
              c.setLocal(rule, c.load("i32", get(e))),
              c.setLocal(meta, c.load("i32", get(e), 4)),
              take,
              c.setLocal(e, c.i32Op("add", get(e), c.i32(8))),
              c.br(next),
            ]),
          ),
        ]),
      ]);
      m.addFunction({ name: "agp_entries", params: ["i32", "i32", "i32", "i32"], result: "none", locals: fn.locals, body });
    }

    // agp_bucket(b, p, item): a bucket's entries, once per decision when it has a stamp slot.
    {
      const fn = new FunctionBuilder(["i32", "i32", "i32"]);
      const slot = fn.local("i32");
      const at = fn.local("i32");
      const run = this.runEntriesLocal(get(0), c.load("i32", get(0)), get(1), get(2));
      const body =
        this.bucketStamps === 0
          ? run
          : c.block(null, [
              c.setLocal(slot, c.load("i32", get(0), 4)),
              c.if(
                c.i32Op("ne", get(slot), c.i32(-1)),
                c.block(null, [
                  c.setLocal(at, c.i32Op("add", c.i32(bucketStamps), c.i32Op("shl", get(slot), c.i32(3)))),
                  c.if(c.i64Op("eq", c.load("i64", get(at)), epoch()), c.return()),
                  c.store("i64", get(at), epoch()),
                ]),
              ),
              run,
            ]);
      m.addFunction({ name: "agp_bucket", params: ["i32", "i32", "i32"], result: "none", locals: fn.locals, body });
    }
  }

  private runEntriesLocal(bucket: Expr, count: Expr, principal: Expr, item: Expr): Expr {
    const c = this.m.code;
    return c.call("agp_entries", [c.i32Op("add", bucket, c.i32(8)), count, principal, item], "none");
  }
}
