/**
 * Places the lowering's tables (glob DFAs, literal sets) in a module's
 * static data, in the layouts the stdlib reads (stdlib/README.md).
 *
 * In: a PolicyModule and a DFA or hash table. Out: the address to pass to
 * stdlib `dfa_*` / `set_lookup*`.
 * Must not: re-encode layouts (compiler/lower owns them) or place a class
 * map twice: identical maps are shared.
 */
import { encodeClassMap, encodeDfaTable, type Dfa, type HashSetTable } from "../lower/index.js";
import type { PolicyModule } from "./module.js";

/** Places a glob's DFA (sharing its class map) and returns the table's address. */
export function placeDfa(module: PolicyModule, dfa: Dfa): number {
  const classMap = module.addData(encodeClassMap(dfa), { shared: true, align: 1 });
  return module.addData(encodeDfaTable(dfa, classMap), { align: 4 });
}

/** Places a literal set's hash table and returns its address. */
export function placeHashSet(module: PolicyModule, table: HashSetTable): number {
  return module.addData(table.bytes, { align: 4 });
}
