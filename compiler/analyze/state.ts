/**
 * The symbolic runtime state of one request: the limit counters a request
 * meets and the approvals already given. Shared by every policy a query
 * encodes, so two policies are compared on the same request *and* state.
 *
 * In: an `Encoding`, the approver groups any quorum names and how many
 * approver slots to model. Out: terms (`counter`, `quorumMet`,
 * `anyApproval`) and, from a model, the `RuntimeState` JSON (`counters`,
 * `approvals`) an example carries. Must not encode rules or limits.
 *
 * Approvers are slots: present or not, a member of each named group or not.
 * Their ids are generated when written out (distinct, and never the
 * agent's or the human's, which never count). Trust is not modelled here:
 * `state.trust` only replaces `agent.trust`, which the request already
 * ranges over; kill switches deny under every policy alike.
 */
import type { Encoding } from "./encoding.js";
import type { ModelReader } from "./layout.js";
import { and, cmp, int, ite, or, sum, type Term } from "./smt.js";

/** A quorum as the analysis reads it. */
export interface QuorumSpec {
  readonly count: number;
  readonly groups: readonly string[];
}

export class StateLayout {
  private readonly counters = new Map<string, { present: string; used: string }>();
  private readonly slots: { present: string; member: Map<string, string> }[];

  constructor(
    private readonly enc: Encoding,
    groups: readonly string[],
    slotCount: number,
  ) {
    this.slots = Array.from({ length: slotCount }, (_, i) => {
      const member = new Map<string, string>();
      for (const g of groups) member.set(g, enc.fresh(`approver${i}_in_${g}`, "Bool"));
      return { present: enc.fresh(`approver${i}`, "Bool"), member };
    });
  }

  /** The counter of a limit: whether the state gives one, and how much is used. */
  counter(limitId: string): { present: Term; used: Term } {
    let c = this.counters.get(limitId);
    if (c === undefined) {
      c = { present: this.enc.fresh(`counter_${limitId}`, "Bool"), used: this.enc.fresh(`used_${limitId}`, "Real") };
      this.enc.domain.push(cmp(">=", c.used, "0.0"));
      this.counters.set(limitId, c);
    }
    return c;
  }

  /** The state gives at least one approval. */
  get anyApproval(): Term {
    return or(...this.slots.map((s) => s.present));
  }

  /** `count` distinct given approvers from `groups` (any group when empty). */
  quorumMet(quorum: QuorumSpec): Term {
    const counted = this.slots.map((s) => ite(and(s.present, quorum.groups.length === 0 ? "true" : or(...quorum.groups.map((g) => s.member.get(g) ?? "false"))), "1", "0"));
    return cmp(">=", sum(counted), int(quorum.count));
  }

  /** The state as JSON: counters the model gives, approvals with fresh ids. */
  toJson(model: ModelReader, taken: readonly string[]): Record<string, unknown> {
    const state: Record<string, unknown> = {};
    const counters: Record<string, number> = {};
    for (const [id, c] of this.counters) {
      if (model.bool(c.present) === true) counters[id] = model.number(c.used) ?? 0;
    }
    if (Object.keys(counters).length > 0) state.counters = counters;
    const approvals: { id: string; groups: string[] }[] = [];
    let n = 0;
    for (const slot of this.slots) {
      if (model.bool(slot.present) !== true) continue;
      let id: string;
      do id = `approver-${++n}`;
      while (taken.includes(id));
      approvals.push({ id, groups: [...slot.member].filter(([, v]) => model.bool(v) === true).map(([g]) => g) });
    }
    if (approvals.length > 0) state.approvals = approvals;
    return state;
  }
}
