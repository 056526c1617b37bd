/**
 * Public face of compiler/automata: byte-level finite automata shared by the
 * stages that compile text patterns — `matches` globs (compiler/lower) and
 * catalog `pattern` regular expressions (compiler/catalog). NFAs over UTF-8
 * bytes, subset construction to byte-class DFAs, minimization, the table
 * layout the stdlib runs, and code point → UTF-8 range splitting.
 * Knows nothing about globs, regular expressions or policies.
 */
export { determinize, byteClasses, dfaAccepts, runDfa, type Dfa, type DeterminizeResult, type DfaRun } from "./dfa.js";
export { minimize } from "./minimize.js";
export { NfaBuilder, type Nfa, type NfaEdge } from "./nfa.js";
export { MAX_SCALAR, encodeScalar, utf8Sequences, type ByteRange } from "./utf8-ranges.js";
export { encodeClassMap, encodeDfaTable, dfaTableSize, fitsDfaTable, rowOffset, NO_DEAD_STATE } from "./dfa-layout.js";
