/**
 * A byte-level NFA without epsilon moves, built piece by piece.
 *
 * In: calls from a pattern's lowering (glob.ts): self-loops for `*`,
 * byte-range sequences for literals, `?` and classes.
 * Out: states with byte-range edges, a start state (0) and accepting states.
 * Must not: know about glob syntax; it only knows bytes.
 */
import type { ByteRange } from "./utf8-ranges.js";

/** One transition on any byte in [lo, hi]. */
export interface NfaEdge extends ByteRange {
  readonly to: number;
}

/** An NFA over bytes; state 0 is the start. */
export interface Nfa {
  readonly edges: readonly (readonly NfaEdge[])[];
  readonly accepting: ReadonlySet<number>;
}

/** Builds an NFA as a chain: each piece leads from the current state on. */
export class NfaBuilder {
  private readonly edges: NfaEdge[][] = [[]];
  private current = 0;

  /** Any run of bytes (including none) may be read at the current state. */
  loopAnyByte(): void {
    const here = this.edges[this.current]!;
    if (!here.some((e) => e.to === this.current && e.lo === 0 && e.hi === 255)) {
      here.push({ lo: 0, hi: 255, to: this.current });
    }
  }

  /**
   * Exactly one of the byte-range sequences is read next. With no sequences
   * nothing can be read, so the automaton accepts nothing from here on.
   */
  oneOf(sequences: readonly (readonly ByteRange[])[]): void {
    const target = this.newState();
    for (const sequence of sequences) {
      let from = this.current;
      sequence.forEach((range, i) => {
        const to = i === sequence.length - 1 ? target : this.newState();
        this.edges[from]!.push({ lo: range.lo, hi: range.hi, to });
        from = to;
      });
    }
    this.current = target;
  }

  /** The NFA accepting exactly when the whole input brought it to the current state. */
  finish(): Nfa {
    return { edges: this.edges, accepting: new Set([this.current]) };
  }

  private newState(): number {
    this.edges.push([]);
    return this.edges.length - 1;
  }
}
