/**
 * One solver query under construction: the variables it declares, the named
 * definitions, the domain constraints every valid request satisfies, the
 * string tests (atoms) the string search decides, and every place where the
 * encoding is not exact.
 *
 * In: calls from the layout and the encoders. Out: SMT-LIB text (`script`)
 * and the tables the solver loop and the concretizer read.
 * Must not call the solver or know about rules: it is bookkeeping.
 *
 * Symbolic values (`Sym`) are what an expression evaluates to: a literal, a
 * Boolean/number term, a string variable, an enum index, a union with a tag,
 * an array with a length and slots, a set, an object (its layout node), or
 * `opaque` (something the encoder cannot represent; a fresh unconstrained
 * variable stands in, and the query is marked approximate).
 */
import type { LiteralValue } from "../check/index.js";
import type { Language, StringBounds } from "./strings.js";
import type { Term } from "./smt.js";

export type Sort = "Bool" | "Int" | "Real" | "String";

/** What an expression evaluates to, symbolically. */
export type Sym =
  | { readonly kind: "lit"; readonly value: LiteralValue }
  | { readonly kind: "bool"; readonly term: Term }
  | { readonly kind: "num"; readonly term: Term; readonly int: boolean }
  | { readonly kind: "str"; readonly id: string }
  | { readonly kind: "enum"; readonly term: Term; readonly members: readonly string[] }
  | { readonly kind: "union"; readonly tag: Term; readonly options: readonly Sym[] }
  | { readonly kind: "array"; readonly length: Term; readonly slots: readonly Sym[] }
  | { readonly kind: "set"; readonly values: readonly LiteralValue[] }
  | { readonly kind: "object"; readonly node: ObjectHandle }
  | { readonly kind: "opaque"; readonly why: string };

/** A way back from an object value to its fields (the layout implements it). */
export interface ObjectHandle {
  field(name: string): { readonly value: Sym; readonly present: Term } | undefined;
}

/** One string variable: its bounds, and whether it meets another string (then Z3 decides it). */
export interface StringVar {
  readonly id: string;
  /** The SMT constant used when the variable is relational. */
  readonly smt: string;
  readonly bounds: StringBounds;
  relational: boolean;
}

/** A Boolean standing for "string variable `variable` is in `language`". */
export interface StringAtom {
  readonly name: string;
  readonly variable: string;
  readonly language: Language;
}

/** How a query departs from the exact meaning. */
export interface Approximation {
  /**
   * `over`: the query allows more than the policy can do (an unsat answer
   * stays a proof; a sat answer must be confirmed). `under`: it allows less
   * (an unsat answer proves nothing).
   */
  readonly kind: "over" | "under";
  readonly what: string;
}

/** A query under construction. */
export class Encoding {
  readonly declarations = new Map<string, Sort>();
  readonly definitions: string[] = [];
  readonly domain: Term[] = [];
  readonly strings = new Map<string, StringVar>();
  readonly atoms = new Map<string, StringAtom>();
  readonly approximations: Approximation[] = [];
  private readonly atomKeys = new Map<string, string>();
  private counter = 0;

  /** A new constant of `sort`, named after `hint` (letters, digits and `_` only). */
  fresh(hint: string, sort: Sort): string {
    const name = `${hint.replace(/[^A-Za-z0-9_]/g, "_").slice(0, 40)}_${this.counter++}`;
    this.declarations.set(name, sort);
    return name;
  }

  /** A named definition `(define-fun name () sort term)`; returns the name (or the term when it is tiny). */
  define(hint: string, term: Term, sort: Sort = "Bool"): Term {
    if (/^[A-Za-z0-9_.-]+$/.test(term)) return term;
    const name = `${hint.replace(/[^A-Za-z0-9_]/g, "_").slice(0, 40)}_${this.counter++}`;
    this.definitions.push(`(define-fun ${name} () ${sort} ${term})`);
    return name;
  }

  /** Declares a string variable for a request path. */
  stringVar(id: string, bounds: StringBounds): Sym {
    if (!this.strings.has(id)) {
      const smt = `s_${this.counter++}`;
      this.strings.set(id, { id, smt, bounds, relational: false });
    }
    return { kind: "str", id };
  }

  /** The atom "`variable` is in `language`", one per distinct pair. */
  stringAtom(variable: string, language: Language): Term {
    const key = `${variable}\u0000${JSON.stringify(language)}`;
    const known = this.atomKeys.get(key);
    if (known !== undefined) return known;
    const name = this.fresh("in", "Bool");
    this.atoms.set(name, { name, variable, language });
    this.atomKeys.set(key, name);
    return name;
  }

  /** Marks a string variable as compared with another string: Z3 decides it. */
  relational(id: string): string {
    const v = this.strings.get(id);
    if (v === undefined) throw new Error(`internal error: unknown string variable ${id}`);
    v.relational = true;
    return v.smt;
  }

  approximate(kind: Approximation["kind"], what: string): void {
    if (!this.approximations.some((a) => a.kind === kind && a.what === what)) this.approximations.push({ kind, what });
  }

  /** True when an unsat answer of this query is a proof. */
  get unsatIsProof(): boolean {
    return !this.approximations.some((a) => a.kind === "under");
  }
}
