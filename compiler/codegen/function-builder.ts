/**
 * Building one generated function: its locals, unique labels, and the
 * item pointers quantifiers bind.
 *
 * In: the parameter types. Out: local indices and the `locals` list for
 * `addFunction`. Must not emit code itself.
 */
import type { ValueType } from "./stdlib-abi.js";

/** Locals and labels of a function under construction. */
export class FunctionBuilder {
  readonly locals: ValueType[] = [];
  /** Item pointer local per quantifier depth (1-based). */
  readonly items = new Map<number, number>();
  private labels = 0;

  constructor(readonly params: readonly ValueType[]) {}

  /** A new local of `type`; its index. */
  local(type: ValueType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  /** A label unique in this function. */
  label(prefix: string): string {
    return `${prefix}${this.labels++}`;
  }
}
