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
  let closed = false;
  return {
    startMs: performance.now() - started,
    solve: (enc, goals, options) => solve(api, ctx, feasibility, enc, goals, options),
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
  isRatVal(e: unknown): boolean;
}
interface Z3Solver {
  set(key: string, value: unknown): void;
  fromString(s: string): void;
  check(...assumptions: Z3Expr[]): Promise<"sat" | "unsat" | "unknown">;
  model(): { eval(e: Z3Expr, completion?: boolean): Z3Expr };
  unsatCore(): { length(): number; get(i: number): { toString(): string } };
  reasonUnknown(): string;
}

async function solve(
  api: Z3Api,
  ctx: Z3Context,
  cache: Map<string, Feasibility>,
  enc: Encoding,
  goals: readonly Term[],
  options: SolveOptions,
): Promise<SolveResult> {
  const solver = new ctx.Solver();
  solver.set("timeout", Math.max(1, Math.round(options.timeoutMs)));
  const tracked = options.tracked ?? [];
  solver.fromString(script(enc, goals, tracked));
  const assumptions = tracked.map((t) => ctx.Bool.const(t.name));
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
  // Up front: single atoms and pairs of one string that can never hold together.
  const lemmas: Term[] = [];
  for (const [variable, atoms] of atomsByVar) {
    for (const a of atoms) for (const m of [true, false]) if (feasible(variable, [{ atom: a, member: m }]).kind === "none") lemmas.push(m ? not(a.name) : a.name);
    if (atoms.length > 12) continue;
    for (let i = 0; i < atoms.length; i++) {
      for (let j = i + 1; j < atoms.length; j++) {
        for (const mi of [true, false]) for (const mj of [true, false]) {
          const tests = [{ atom: atoms[i]!, member: mi }, { atom: atoms[j]!, member: mj }];
          if (feasible(variable, tests).kind === "none") lemmas.push(not(and(lit(atoms[i]!.name, mi), lit(atoms[j]!.name, mj))));
        }
      }
    }
  }
  if (lemmas.length > 0) solver.fromString(assertAll(lemmas));

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
      solver.fromString(assertAll(blocking));
      continue;
    }
    if (unknown) return { status: "unknown", reason: "a string test is too complex to search" };
    const reader: ModelReader = {
      bool: (name) => bool(name),
      number: (name) => numberOf(ctx, model.eval(enc.declarations.get(name) === "Int" ? ctx.Int.const(name) : ctx.Real.const(name), true)),
      string: (id) => {
        const v = enc.strings.get(id);
        if (v === undefined) return undefined;
        if (!v.relational) return witnesses.get(id) ?? defaultString(v.bounds.minLength);
        const value = model.eval(ctx.String.const(v.smt), true);
        const n = api.Z3.get_string_length(ctx.ptr, value.ast);
        return String.fromCodePoint(...api.Z3.get_string_contents(ctx.ptr, value.ast, n));
      },
    };
    return { status: "sat", model: reader };
  }
  return { status: "unknown", reason: `the string tests needed more than ${MAX_REFINEMENTS} refinements` };

  function smallestCore(variable: string, tests: readonly { atom: StringAtom; member: boolean }[]) {
    let core = [...tests];
    for (let i = core.length - 1; i >= 0; i--) {
      const without = core.filter((_, j) => j !== i);
      if (feasible(variable, without).kind === "none") core = without;
    }
    return core;
  }
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
  if (ctx.isRatVal(value)) {
    const { numerator, denominator } = value.value!() as { numerator: bigint; denominator: bigint };
    return Number(numerator) / Number(denominator);
  }
  return undefined;
}

/** Assertions over constants the solver already knows (a solver keeps the declarations it parsed). */
function assertAll(terms: readonly Term[]): string {
  return terms.map((t) => `(assert ${t})`).join("\n");
}

/** The whole query as SMT-LIB text. */
export function script(enc: Encoding, goals: readonly Term[], tracked: readonly { name: string; term: Term }[] = []): string {
  const lines: string[] = [];
  for (const [name, sort] of enc.declarations) lines.push(`(declare-const ${name} ${sort})`);
  for (const v of enc.strings.values()) {
    if (!v.relational) continue;
    lines.push(`(declare-const ${v.smt} String)`);
    lines.push(`(assert (>= (str.len ${v.smt}) ${v.bounds.minLength}))`);
    if (v.bounds.maxLength !== undefined) lines.push(`(assert (<= (str.len ${v.smt}) ${v.bounds.maxLength}))`);
    lines.push(`(assert (str.in_re ${v.smt} (re.* (re.union (re.range ${str("\u0000")} ${str("\ud7ff")}) (re.range ${str("\ue000")} ${str(String.fromCodePoint(Z3_MAX_CHAR))})))))`);
  }
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

