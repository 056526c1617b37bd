/**
 * Reading the module's result region (runtime/abi.ts, `RESULT`).
 *
 * In: the module's memory, the address `agp_decide` returned, the number of
 * rules and limits. Out: a `RawResult`, or a `ResultError` when the region
 * is out of bounds or names an effect, rule or limit that does not exist
 * (the engine turns that into an `internal_error` deny).
 * Must not interpret the result (./decision.ts does).
 */
import { EFFECT_CODES, PRINCIPAL_CODES, RESULT } from "../abi.js";
import type { Effect } from "../manifest.js";

/** What the module said, in manifest indices. */
export interface RawResult {
  readonly effect: Effect;
  readonly blockedBy: "agent" | "human" | undefined;
  /** Deciding rule indices, ascending. */
  readonly deciding: readonly number[];
  /** Rules whose obligations apply, ascending. */
  readonly obligation: readonly number[];
  /** Limits that apply, by limit index, with the module's amounts. */
  readonly charges: readonly { readonly limit: number; readonly amount: number }[];
  /** The session fault (ABI 3, result +20): 0, or k + 1 for the action's k-th overflow check. */
  readonly fault: number;
}

/** A result the module wrote that cannot be right. */
export class ResultError extends Error {}

const EFFECTS: Effect[] = [];
EFFECTS[EFFECT_CODES.allow] = "allow";
EFFECTS[EFFECT_CODES.approve] = "approve";
EFFECTS[EFFECT_CODES.deny] = "deny";

/**
 * Reads the result at `address`. Beyond bounds, checks what must hold of any
 * honest result, so a damaged module can never turn into an allow: allow and
 * approve have deciding rules of that effect, a deny's deciding rules are deny
 * rules, obligations come from allow and approve rules only.
 */
export function readResult(view: DataView, address: number, rules: { readonly length: number; at(index: number): { readonly effect: Effect } | undefined }, limitCount: number): RawResult {
  const ruleCount = rules.length;
  const size = view.byteLength;
  if (address < 0 || address % 8 !== 0 || address + RESULT.lists > size) throw new ResultError(`result address ${address} is out of bounds`);
  const effectCode = view.getUint32(address + RESULT.effect, true);
  const effect = EFFECTS[effectCode];
  if (effect === undefined) throw new ResultError(`unknown effect code ${effectCode}`);
  const principal = view.getUint32(address + RESULT.blockedBy, true);
  const blockedBy =
    principal === PRINCIPAL_CODES.agent ? "agent" : principal === PRINCIPAL_CODES.human ? "human" : principal === PRINCIPAL_CODES.none ? undefined : bad(`unknown principal code ${principal}`);
  const nDeciding = view.getUint32(address + RESULT.deciding, true);
  const nObligation = view.getUint32(address + RESULT.obligation, true);
  const nCharges = view.getUint32(address + RESULT.charges, true);
  if (nDeciding > ruleCount || nObligation > ruleCount || nCharges > limitCount) {
    throw new ResultError(`result lists are longer than the manifest (${nDeciding} deciding, ${nObligation} obligation, ${nCharges} charges)`);
  }
  let at = address + RESULT.lists;
  const listEnd = at + 4 * (nDeciding + nObligation);
  const chargesAt = (listEnd + 7) & ~7;
  if (chargesAt + nCharges * RESULT.chargeSize > size) throw new ResultError("result lists run past the end of memory");
  const deciding = readIndices(view, at, nDeciding, ruleCount, "rule");
  at += 4 * nDeciding;
  const obligation = readIndices(view, at, nObligation, ruleCount, "rule");
  const charges = nCharges === 0 ? NONE : readCharges(view, chargesAt, nCharges, limitCount);
  if (effect !== "deny" && nDeciding === 0) throw new ResultError(`an ${effect} without deciding rules`);
  // The rules named are looked up (and, in a lazily decoded table, decoded and checked: a corrupt entry throws) before any is trusted.
  for (const index of deciding) {
    const ruleEffect = rules.at(index)!.effect;
    if (ruleEffect !== effect) throw new ResultError(`rule ${index} (${ruleEffect}) cannot decide ${effect === "deny" ? "a" : "an"} ${effect}`);
  }
  for (const index of obligation) {
    if (rules.at(index)!.effect === "deny") throw new ResultError(`rule ${index} is a deny rule and has no obligations to apply`);
  }
  const fault = view.getUint32(address + RESULT.fault, true);
  return { effect, blockedBy, deciding, obligation, charges, fault };
}

const NONE: readonly never[] = Object.freeze([]);

function readCharges(view: DataView, at: number, count: number, limitCount: number): { limit: number; amount: number }[] {
  const charges: { limit: number; amount: number }[] = [];
  for (let i = 0; i < count; i++) {
    const entry = at + i * RESULT.chargeSize;
    const limit = view.getUint32(entry, true);
    if (limit >= limitCount || (i > 0 && limit <= charges[i - 1]!.limit)) throw new ResultError(`charge ${i} names limit ${limit}`);
    charges.push({ limit, amount: view.getFloat64(entry + 8, true) });
  }
  return charges;
}

function readIndices(view: DataView, at: number, count: number, max: number, what: string): readonly number[] {
  if (count === 0) return NONE;
  const list: number[] = [];
  for (let i = 0; i < count; i++) {
    const index = view.getUint32(at + 4 * i, true);
    if (index >= max || (i > 0 && index <= list[i - 1]!)) throw new ResultError(`result names ${what} ${index} out of order or out of range`);
    list.push(index);
  }
  return list;
}

function bad(message: string): never {
  throw new ResultError(message);
}

