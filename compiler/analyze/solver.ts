/**
 * The solver: Z3 (the `z3-solver` package, Z3 compiled to WebAssembly),
 * started once per run and stopped at the end so the process can exit.
 *
 * In: an `Encoding` (declarations, definitions, domain, string atoms) and
 * the goal terms of one query, with a time limit. Out: `sat` with a model
 * reader, `unsat` (with the tracked goals that suffice, an unsat core), or
 * `unknown` with why (a timeout, the string search's budget).
 * This is the only file that imports z3-solver, and it imports it lazily:
 * other verbs never pay for loading Z3.
 *
 * Strings: Z3 sees each test of a string against a constant as a Boolean
 * (an atom). When Z3 answers sat, ./strings.ts checks that the atoms it
 * chose for each string can hold together and finds the string; when they
 * cannot, the smallest failing combination is added as a clause and Z3 is
 * asked again (lazy refinement, so unsat answers stay exact). Strings
 * compared with other strings are left to Z3's string theory.
 */
import type { Encoding, StringAtom } from "./encoding.js";
import type { ModelReader } from "./layout.js";
import { and, not, or, str, type Term } from "./smt.js";
import { findString, type Feasibility, type Language, type StringTest } from "./strings.js";

export type SolveResult =
  | { readonly status: "sat"; readonly model: ModelReader }
  | { readonly status: "unsat"; readonly core: readonly string[] }
  | { readonly status: "unknown"; readonly reason: string };

export interface SolveOptions {
  /** Milliseconds per solver call. */
  readonly timeoutMs: number;
  /** Goals whose names an unsat core may report (each asserted under an assumption). */
  readonly tracked?: readonly { readonly name: string; readonly term: Term }[];
}

/** A running solver; `close()` it when done. */
export interface Solver {
  solve(enc: Encoding, goals: readonly Term[], options: SolveOptions): Promise<SolveResult>;
  /** Milliseconds spent starting Z3. */
  readonly startMs: number;
  close(): Promise<void>;
}

const MAX_REFINEMENTS = 64;
/** The largest code point Z3 strings hold by default (its `unicode` encoding). */
const Z3_MAX_CHAR = 0x2ffff;

/** Starts Z3. */
export async function openSolver(): Promise<Solver> {
  const started = performance.now();
  const z3 = (await import("z3-solver")) as unknown as { init: () => Promise<Z3Api>; killThreads: (em: unknown) => Promise<void>; default?: unknown };
  const module = (typeof z3.init === "function" ? z3 : (z3.default as typeof z3)) as typeof z3;
  const api = await module.init();
  const ctx = new api.Context("agp");
  const feasibility = new Map<string, Feasibility>();
  const sessions = new WeakMap<Encoding, Session>();
  let closed = false;
  return {
    startMs: performance.now() - started,
    solve: (enc, goals, options) => solve(api, ctx, feasibility, sessions, enc, goals, options),
    async close() {
      if (closed) return;
      closed = true;
      await module.killThreads(api.em).catch(() => undefined);
    },
  };
}

// The slice of the z3-solver API used here (its own types are deep generics).
interface Z3Api {
  readonly Context: new (name: string) => Z3Context;
  readonly Z3: { get_string_length(ctx: unknown, ast: unknown): number; get_string_contents(ctx: unknown, ast: unknown, n: number): number[] };
  readonly em: unknown;
}
interface Z3Expr {
  readonly ast: unknown;
  value?(): unknown;
}
interface Z3Context {
  readonly ptr: unknown;
  readonly Solver: new () => Z3Solver;
  readonly Bool: { const(name: string): Z3Expr };
  readonly Int: { const(name: string): Z3Expr };
  readonly Real: { const(name: string): Z3Expr };
  readonly String: { const(name: string): Z3Expr };
  isTrue(e: unknown): boolean;
  isFalse(e: unknown): boolean;
  isIntVal(e: unknown): boolean;
  isRealVal(e: unknown): boolean;
}
interface Z3Solver {
  set(key: string, value: unknown): void;
  fromString(s: string): void;
  push(): void;
  pop(): void;
  check(...assumptions: Z3Expr[]): Promise<"sat" | "unsat" | "unknown">;
  model(): { eval(e: Z3Expr, completion?: boolean): Z3Expr };
  unsatCore(): { length(): number; get(i: number): { toString(): string } };
  reasonUnknown(): string;
}

/** What one action's solver has been told so far (it keeps declarations and base assertions). */
interface Session {
  readonly solver: Z3Solver;
  declarations: number;
  definitions: number;
  domain: number;
  readonly relational: Set<string>;
  readonly linked: Set<string>;
  readonly atomsSeen: Set<string>;
}

async function solve(
  api: Z3Api,
  ctx: Z3Context,
  cache: Map<string, Feasibility>,
  sessions: WeakMap<Encoding, Session>,
  enc: Encoding,
  goals: readonly Term[],
  options: SolveOptions,
): Promise<SolveResult> {
  let session = sessions.get(enc);
  if (session === undefined) {
    const created = new ctx.Solver();
    created.set("timeout", Math.max(1, Math.round(options.timeoutMs)));
    session = { solver: created, declarations: 0, definitions: 0, domain: 0, relational: new Set(), linked: new Set(), atomsSeen: new Set() };
    sessions.set(enc, session);
  }
  const solver = session.solver;
  const tracked = options.tracked ?? [];
  for (const t of tracked) if (!enc.declarations.has(t.name)) enc.declarations.set(t.name, "Bool");

  const atomsByVar = new Map<string, StringAtom[]>();
  for (const atom of enc.atoms.values()) {
    if (enc.strings.get(atom.variable)?.relational === true) continue;
    atomsByVar.set(atom.variable, [...(atomsByVar.get(atom.variable) ?? []), atom]);
  }
  const feasible = (variable: string, tests: readonly { atom: StringAtom; member: boolean }[]): Feasibility => {
    const v = enc.strings.get(variable)!;
    const key = JSON.stringify([v.bounds, tests.map((t) => [t.atom.language, t.member])]);
    let answer = cache.get(key);
    if (answer === undefined) {
      answer = findString(tests.map((t): StringTest => ({ language: t.atom.language, member: t.member })), v.bounds);
      cache.set(key, answer);
    }
    return answer;
  };
  // Tell the solver what the encoding gained since the last query, at the base level.
  const base = delta(enc, session);
  // Single atoms and pairs of one string that can never hold together (for new atoms only).
  for (const [variable, atoms] of atomsByVar) {
    const fresh = atoms.filter((a) => !session.atomsSeen.has(a.name));
    for (const a of fresh) for (const m of [true, false]) if (feasible(variable, [{ atom: a, member: m }]).kind === "none") base.push(`(assert ${m ? not(a.name) : a.name})`);
    if (atoms.length <= 12) {
      for (const a of fresh) {
        for (const b of atoms) {
          if (b === a || (!session.atomsSeen.has(b.name) && b.name < a.name)) continue;
          for (const ma of [true, false]) for (const mb of [true, false]) {
            if (feasible(variable, [{ atom: a, member: ma }, { atom: b, member: mb }]).kind === "none") base.push(`(assert ${not(and(lit(a.name, ma), lit(b.name, mb)))})`);
          }
        }
      }
    }
  }
  for (const atoms of atomsByVar.values()) for (const a of atoms) session.atomsSeen.add(a.name);
  if (base.length > 0) solver.fromString(base.join("\n"));

  solver.push();
  try {
    const scoped = [...goals.map((g) => `(assert ${g})`), ...tracked.map((t) => `(assert (=> ${t.name} ${t.term}))`)];
    if (scoped.length > 0) solver.fromString(scoped.join("\n"));
    const assumptions = tracked.map((t) => ctx.Bool.const(t.name));
    for (let round = 0; round < MAX_REFINEMENTS; round++) {
      const status = await solver.check(...assumptions);
      if (status === "unknown") return { status: "unknown", reason: unknownReason(solver.reasonUnknown(), options.timeoutMs) };
      if (status === "unsat") {
        const core = solver.unsatCore();
        const names: string[] = [];
        for (let i = 0; i < core.length(); i++) names.push(core.get(i).toString());
        return { status: "unsat", core: names };
      }
      const model = solver.model();
      const bool = (name: string, completion = true): boolean | undefined => {
        const v = model.eval(ctx.Bool.const(name), completion);
        return ctx.isTrue(v) ? true : ctx.isFalse(v) ? false : undefined;
      };
      const witnesses = new Map<string, string>();
      const blocking: Term[] = [];
      let unknown = false;
      for (const [variable, atoms] of atomsByVar) {
        const tests = atoms.flatMap((atom) => {
          const value = bool(atom.name, false);
          return value === undefined ? [] : [{ atom, member: value }];
        });
        const answer = feasible(variable, tests);
        if (answer.kind === "witness") witnesses.set(variable, answer.value);
        else if (answer.kind === "unknown") unknown = true;
        else blocking.push(not(and(...smallestCore(variable, tests).map((t) => lit(t.atom.name, t.member)))));
      }
      if (blocking.length > 0) {
        solver.fromString(blocking.map((b) => `(assert ${b})`).join("\n"));
        continue;
      }
      if (unknown) return { status: "unknown", reason: "a string test is too complex to search" };
      // Read every value now: the model is not kept past this query.
      const bools = new Map<string, boolean>();
      const numbers = new Map<string, number>();
      for (const [name, sort] of enc.declarations) {
        if (sort === "Bool") {
          const b = bool(name);
          if (b !== undefined) bools.set(name, b);
        } else if (sort === "Int" || sort === "Real") {
          const n = numberOf(ctx, model.eval(sort === "Int" ? ctx.Int.const(name) : ctx.Real.const(name), true));
          if (n !== undefined) numbers.set(name, n);
        }
      }
      const strings = new Map<string, string>();
      for (const v of enc.strings.values()) {
        if (!v.relational) {
          strings.set(v.id, witnesses.get(v.id) ?? defaultString(v.bounds.minLength));
          continue;
        }
        const value = model.eval(ctx.String.const(v.smt), true);
        const n = api.Z3.get_string_length(ctx.ptr, value.ast);
        strings.set(v.id, String.fromCodePoint(...api.Z3.get_string_contents(ctx.ptr, value.ast, n)));
      }
      const reader: ModelReader = { bool: (name) => bools.get(name), number: (name) => numbers.get(name), string: (id) => strings.get(id) };
      return { status: "sat", model: reader };
    }
    return { status: "unknown", reason: `the string tests needed more than ${MAX_REFINEMENTS} refinements` };
  } finally {
    solver.pop();
  }

  function smallestCore(variable: string, tests: readonly { atom: StringAtom; member: boolean }[]) {
    let core = [...tests];
    for (let i = core.length - 1; i >= 0; i--) {
      const without = core.filter((_, j) => j !== i);
      if (feasible(variable, without).kind === "none") core = without;
    }
    return core;
  }
}

/** The SMT-LIB lines the solver has not seen yet: declarations, definitions, domain, string links. */
function delta(enc: Encoding, session: Session): string[] {
  const lines: string[] = [];
  const declarations = [...enc.declarations];
  for (const [name, sort] of declarations.slice(session.declarations)) lines.push(`(declare-const ${name} ${sort})`);
  session.declarations = declarations.length;
  for (const v of enc.strings.values()) {
    if (!v.relational || session.relational.has(v.id)) continue;
    session.relational.add(v.id);
    lines.push(...relationalLines(v));
  }
  lines.push(...enc.definitions.slice(session.definitions));
  session.definitions = enc.definitions.length;
  for (const d of enc.domain.slice(session.domain)) lines.push(`(assert ${d})`);
  session.domain = enc.domain.length;
  for (const atom of enc.atoms.values()) {
    const v = enc.strings.get(atom.variable);
    if (v?.relational !== true || session.linked.has(atom.name)) continue;
    session.linked.add(atom.name);
    lines.push(`(assert (= ${atom.name} (str.in_re ${v.smt} ${regex(atom.language)})))`);
  }
  return lines;
}

function relationalLines(v: { smt: string; bounds: { minLength: number; maxLength?: number } }): string[] {
  const lines = [`(declare-const ${v.smt} String)`, `(assert (>= (str.len ${v.smt}) ${v.bounds.minLength}))`];
  if (v.bounds.maxLength !== undefined) lines.push(`(assert (<= (str.len ${v.smt}) ${v.bounds.maxLength}))`);
  lines.push(`(assert (str.in_re ${v.smt} (re.* (re.union (re.range ${str("\u0000")} ${str("\ud7ff")}) (re.range ${str("\ue000")} ${str(String.fromCodePoint(Z3_MAX_CHAR))})))))`);
  return lines;
}

function lit(name: string, member: boolean): Term {
  return member ? name : not(name);
}

function defaultString(minLength: number): string {
  return "x".repeat(minLength);
}

function unknownReason(reason: string, timeoutMs: number): string {
  return /cancel|timeout/i.test(reason) ? `the solver ran out of time (${timeoutMs} ms)` : `the solver could not decide (${reason})`;
}

function numberOf(ctx: Z3Context, value: Z3Expr): number | undefined {
  if (ctx.isIntVal(value)) return Number(value.value!() as bigint);
  if (ctx.isRealVal(value)) {
    const { numerator, denominator } = value.value!() as { numerator: bigint; denominator: bigint };
    return Number(numerator) / Number(denominator);
  }
  return undefined;
}


/** The whole query as SMT-LIB text. */
export function script(enc: Encoding, goals: readonly Term[], tracked: readonly { name: string; term: Term }[] = []): string {
  const lines: string[] = [];
  for (const [name, sort] of enc.declarations) lines.push(`(declare-const ${name} ${sort})`);
  for (const v of enc.strings.values()) if (v.relational) lines.push(...relationalLines(v));
  lines.push(...enc.definitions);
  for (const d of enc.domain) lines.push(`(assert ${d})`);
  for (const atom of enc.atoms.values()) {
    const v = enc.strings.get(atom.variable);
    if (v?.relational === true) lines.push(`(assert (= ${atom.name} (str.in_re ${v.smt} ${regex(atom.language)})))`);
  }
  for (const g of goals) lines.push(`(assert ${g})`);
  for (const t of tracked) lines.push(`(declare-const ${t.name} Bool)`, `(assert (=> ${t.name} ${t.term}))`);
  return lines.join("\n");
}

/** A language as a Z3 regular expression (for strings Z3 decides itself). */
function regex(language: Language): string {
  const patterns = language.patterns.map((tokens) => {
    const parts: string[] = [];
    let literal = "";
    const flush = () => {
      if (literal !== "") parts.push(`(str.to_re ${str(literal)})`);
      literal = "";
    };
    for (const t of tokens) {
      if (t.kind === "literal") {
        literal += String.fromCodePoint(t.codePoint);
        continue;
      }
      flush();
      if (t.kind === "star") parts.push("(re.* re.allchar)");
      else if (t.kind === "one") parts.push("re.allchar");
      else {
        const ranges = t.ranges.map(([lo, hi]) => `(re.range ${str(String.fromCodePoint(lo))} ${str(String.fromCodePoint(hi))})`);
        const union = ranges.length === 1 ? ranges[0]! : `(re.union ${ranges.join(" ")})`;
        parts.push(t.negated ? `(re.inter re.allchar (re.comp ${union}))` : union);
      }
    }
    flush();
    if (parts.length === 0) return `(str.to_re "")`;
    return parts.length === 1 ? parts[0]! : `(re.++ ${parts.join(" ")})`;
  });
  return patterns.length === 1 ? patterns[0]! : patterns.length === 0 ? "re.none" : `(re.union ${patterns.join(" ")})`;
}

