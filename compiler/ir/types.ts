/**
 * The IR: a checked policy set specialized per action, with every request
 * read resolved to a slot of the input layout, ready for the code generator.
 *
 * In: nothing (pure types). Out: `IrProgram`, plain data (arrays, records,
 * numbers, strings — no Maps, no classes, no AST nodes), so it can be printed
 * (./print.ts), validated (./validate.ts), hashed (canonical JSON) and read
 * by codegen without the checker. Must not import anything but the
 * runtime's manifest types (slots and schemas are the runtime contract).
 *
 * INVARIANT: every rule use and every expression node records the source
 * line it came from, and every rule use its rule index (→ `IrProgram.rules`,
 * which holds the id, file and line).
 */
import type { ManifestLimit, ManifestObligation, ManifestRule, SchemaNode, Slot } from "../../runtime/manifest.js";

/** Bumped when the IR's shape changes (part of the hashed content). 2: string views, `strIn`, `under`; 3: session monitors. */
export const IR_VERSION = 3;

export interface IrProgram {
  readonly irVersion: number;
  /** Every catalog action, sorted by name; index = action id. */
  readonly actions: readonly IrAction[];
  /** Rules, sorted by file, line, id; index = rule index (the manifest's). */
  readonly rules: readonly ManifestRule[];
  /** Limits, sorted by id; index = limit index. */
  readonly limits: readonly ManifestLimit[];
  /** The declared merge rule of each obligation some rule sets (absent when none is declared). */
  readonly obligations?: Readonly<Record<string, ManifestObligation>>;
  /** Schemas of the request parts for validation. */
  readonly request: { readonly agent: SchemaNode; readonly human: SchemaNode; readonly env: SchemaNode; readonly context: SchemaNode };
  /** Distinct glob patterns (`matches`, and `contains "lit"` as `*lit*`); index = glob id. */
  readonly globs: readonly IrGlob[];
  /** Size of the largest action's slot area, and the string arena's capacity. */
  readonly memory: { readonly slotBytes: number; readonly arenaBytes: number };
  /** Present when some rule reads the session (docs/decisions/0024-session-rules.md). */
  readonly session?: IrSession;
}

/** The session state's layout and monitors. */
export interface IrSession {
  /** The request field naming the session. */
  readonly key: readonly string[];
  /** Bytes of one session's state, header included. */
  readonly stateBytes: number;
  /** 8 hex digits naming the layout: states of another layout are refused. */
  readonly layout: string;
  /** How long an idle session's state means anything (the longest retain, plus the longest sum step). */
  readonly retainMs: number;
  /** Scratch bytes for building hashed keys (the largest key). */
  readonly keyBytes: number;
  /** Scratch entries for the distinct hashes of one event (the largest array correlation). */
  readonly keyItems: number;
  readonly monitors: readonly IrMonitor[];
}

/**
 * A monitor: a fixed region of the state that keeps what one distinct
 * operator needs. Offsets are from the state's start.
 * - `last`: the last time of a matching event (`earlier`, `exposed`); keyed: per key.
 * - `count`: a ring of the last `ring` times; keyed: per key.
 * - `sum`: `buckets.n + 1` (bucket, sum) pairs; keyed: per key.
 * - `previous`: whether the last call matched (and its key's hash).
 * - `since`: the anchor time and whether a breaking event followed.
 */
export interface IrMonitor {
  readonly kind: "last" | "count" | "sum" | "previous" | "since";
  readonly offset: number;
  readonly bytes: number;
  /** The window that decides liveness (keyed monitors, overflow) in ms; unkeyed `last` is read with each use's own window. */
  readonly windowMs: number;
  /** The operator as written (for messages and `agp inspect`). */
  readonly text: string;
  /** Its window as written (`1 hour`, `60 minutes`), for the overflow message. */
  readonly window: string;
  /** Correlated: at most `capacity` entries of `entryBytes` (16-byte header: hash, newest time). */
  readonly keyed?: { readonly capacity: number; readonly entryBytes: number };
  /** `count`: how many times the ring keeps. */
  readonly ring?: number;
  /** `sum`: n buckets of `stepMs` (plus the current one). */
  readonly buckets?: { readonly n: number; readonly stepMs: number };
}

/**
 * What an event of this action does to a monitor: when its status is
 * `status` and `condition` holds on its request, `role` applies.
 * - `event`: a matching event for `last` / `count` / `sum` (with `keys`, `amount`);
 * - `previous`: sets the monitor's "last call matched" to `condition` (every call; `status` unused);
 * - `anchor` / `break`: `since`'s anchor and breaking events.
 */
export interface IrWatch {
  readonly monitor: number;
  readonly role: "event" | "previous" | "anchor" | "break";
  /** Status code (runtime/abi.ts, SESSION_STATUS). */
  readonly status: number;
  readonly line: number;
  readonly condition: IrExpr;
  readonly keys?: readonly IrKeyPart[];
  readonly amount?: IrNum;
}

/**
 * One part of a hashed key, in correlation order. `slot`: a scalar slot
 * read through `ref`; `item`: (recorded events only) each item of the array
 * slot `array`, read at the item's slot `item` — one key per distinct item.
 */
export type IrKeyPart =
  | { readonly from: "slot"; readonly kind: "str" | "num" | "bool"; readonly ref: IrSlotRef }
  | { readonly from: "item"; readonly kind: "str" | "num" | "bool"; readonly array: number; readonly item: number };

/** An action's part in the session. */
export interface IrActionSession {
  /** Why a request for it needs the session: a rule (index) that reads history, or only watched; absent: it does not. */
  readonly needs?: { readonly rule: number } | { readonly watched: true };
  /** Overflow checks in reporting order: a correlated monitor read by a covering rule. */
  readonly checks: readonly { readonly monitor: number; readonly rule: number }[];
  /** Watches applied when a call is recorded, in order. */
  readonly record: readonly IrWatch[];
  /** Watches applied when an outcome of a call of this action is reported. */
  readonly outcome: readonly IrWatch[];
}

/** What a session query asks of its monitor (the current request's key, if correlated). */
export type IrSessionQuery =
  | { readonly kind: "within"; readonly windowMs: number; readonly key?: readonly IrKeyPart[] }
  | { readonly kind: "previous"; readonly windowMs: number; readonly status: number; readonly key?: readonly IrKeyPart[] }
  | { readonly kind: "since"; readonly windowMs: number }
  | { readonly kind: "count"; readonly windowMs: number; readonly key?: readonly IrKeyPart[]; readonly cmp: IrCompare; readonly value: number }
  | { readonly kind: "sum"; readonly key?: readonly IrKeyPart[]; readonly cmp: IrCompare; readonly right: IrNum };

export interface IrGlob {
  readonly pattern: string;
  /** States of its minimal DFA (for the cost bound and the reader). */
  readonly states: number;
}

/** How the agent's and the human's answers combine for one action. */
export type IrMode = "both" | "either" | "agent_only" | "human_only";

export interface IrAction {
  readonly id: number;
  readonly name: string;
  readonly family: string;
  readonly args: SchemaNode;
  /** The encoder's layout (the manifest's `slots`). */
  readonly slots: readonly Slot[];
  /** Every slot the expressions read, flattened: `IrSlotRef.slot` indexes this list. */
  readonly reads: readonly IrRead[];
  readonly mode: IrMode;
  /** True when a `for human` rule covers the action (the human side may speak). */
  readonly humanCovered: boolean;
  /** The catalog's `readOnly` metadata (the manifest records it for audit entries). */
  readonly readOnly: boolean;
  readonly agent: IrSide;
  readonly human: IrSide;
  /** Limits covering the action, by limit index. */
  readonly limits: readonly IrLimitUse[];
  /** Worst-case abstract steps of one decision (with the session's record step, when it has one). */
  readonly costBound: number;
  /** Present in a program with a session. */
  readonly session?: IrActionSession;
}

/** One slot as expressions see it: kind, path, offset relative to its base (request or array item). */
export interface IrRead {
  readonly kind: Slot["kind"];
  /** Path from the base (request root first at the top level; relative inside an item). */
  readonly path: readonly string[];
  /** -1 at the top level; else the index (in `reads`) of the array slot whose items hold it. */
  readonly parent: number;
  readonly offset: number;
  /** Array slots only. */
  readonly itemsOffset?: number;
  readonly stride?: number;
  readonly maxItems?: number;
  /** Str slots only: the most UTF-8 bytes a value takes. */
  readonly maxBytes?: number;
  /** Sym slots only: the dictionary size. */
  readonly dictionarySize?: number;
}

/**
 * One principal's rules for one action: rules evaluated always, and rules
 * reached only through indexes (ADR 0033), which pick the candidates a
 * request can make true.
 */
export interface IrSide {
  readonly unindexed: readonly IrRuleUse[];
  /** Rules every one of whose ways to hold is an index entry; entries name them by position here. */
  readonly indexed: readonly IrRuleUse[];
  readonly indexes: readonly IrIndex[];
}

/** A rule instantiated for one action. */
export interface IrRuleUse {
  /** Rule index (`IrProgram.rules`). */
  readonly rule: number;
  readonly effect: ManifestRule["effect"];
  readonly line: number;
  readonly condition: IrExpr;
}

/**
 * An index on one slot (ADR 0033): at decision time the slot's value selects
 * the entries whose key it satisfies, and only their residual conditions are
 * evaluated. A rule holds exactly when one of its entries' keys and that
 * entry's residual hold (`condition` ≡ ⋁ key ∧ residual).
 * - `sym`: the sym slot's dictionary id is one of `ids` (a hash of the id);
 * - `num`: the number is one of `values` (a hash table of numbers);
 * - `range`: the number lies in an interval (a sorted threshold array and a
 *   centered interval tree);
 * - `prefix` / `suffix`: the string starts / ends with `text` (hash sets of
 *   the input's prefixes / suffixes at the lengths that occur);
 * - `infix`: the string contains `text` (one Aho–Corasick automaton run over
 *   the input).
 * With `array` set, the slot is an item slot of that (top-level) array: every
 * item is looked up, and residuals read the item through binding 1.
 */
export interface IrIndex {
  readonly kind: IrIndexKind;
  readonly slot: number;
  /** Keyed per item: the top-level array slot whose items are looked up. */
  readonly array?: number;
  readonly entries: readonly IrIndexEntry[];
}

export type IrIndexKind = "sym" | "num" | "range" | "prefix" | "suffix" | "infix";

/** One way a rule can hold: a key the slot's value must satisfy, and the rest of the condition. */
export interface IrIndexEntry {
  /** Position of the rule in the side's `indexed`. */
  readonly rule: number;
  readonly key: IrIndexKey;
  /** What must hold besides the key (evaluated only when the key selects this entry). */
  readonly residual: IrExpr;
}

/** The key of an entry; its form follows the index kind. */
export type IrIndexKey =
  /** `sym`: dictionary ids, sorted, distinct. */
  | { readonly ids: readonly number[] }
  /** `num`: numbers, sorted, distinct (no -0). */
  | { readonly values: readonly number[] }
  /** `range`: an interval; a null bound is unbounded. */
  | { readonly lo: number | null; readonly loOpen: boolean; readonly hi: number | null; readonly hiOpen: boolean }
  /** `prefix` / `suffix` / `infix`: a non-empty literal. */
  | { readonly text: string };

export interface IrLimitUse {
  /** Limit index (`IrProgram.limits`). */
  readonly limit: number;
  readonly line: number;
  readonly condition: IrExpr;
  /** Rate: the constant 1; budget: the cost. */
  readonly amount: IrNum;
}

/** A slot read: `slot` indexes the action's `reads`; `binding` 0 is the request, k the k-th enclosing quantifier's item. */
export interface IrSlotRef {
  readonly slot: number;
  readonly binding: number;
}

/** A number operand. */
export type IrNum = { readonly kind: "slot"; readonly ref: IrSlotRef } | { readonly kind: "const"; readonly value: number };
/** A string operand (UTF-8 bytes). */
export type IrStr =
  | { readonly kind: "slot"; readonly ref: IrSlotRef }
  | { readonly kind: "const"; readonly value: string }
  /**
   * A view of a string computed by the module (ADR 0028): `lower`, `domain`,
   * `normpath`. Never longer than its operand, whose byte bound is `maxBytes`.
   */
  | { readonly kind: "view"; readonly view: IrView; readonly operand: IrStr; readonly maxBytes: number };

/** The string views the module computes. */
export type IrView = "lower" | "domain" | "normpath";

export type IrCompare = "==" | "!=" | "<" | "<=" | ">" | ">=";

/** A boolean expression. Every node carries the source line it came from. */
export type IrExpr =
  | { readonly op: "const"; readonly line: number; readonly value: boolean }
  | { readonly op: "and" | "or"; readonly line: number; readonly left: IrExpr; readonly right: IrExpr }
  | { readonly op: "not"; readonly line: number; readonly operand: IrExpr }
  /** A state slot: `present` (has), `null`, `value` (present and not null). */
  | { readonly op: "state"; readonly line: number; readonly ref: IrSlotRef; readonly test: "present" | "null" | "value" }
  /** The sym slot's id is one of `ids` (sorted, distinct). */
  | { readonly op: "symIn"; readonly line: number; readonly ref: IrSlotRef; readonly ids: readonly number[] }
  /** Ordered-enum comparison of a sym slot with a dictionary id. */
  | { readonly op: "symCmp"; readonly line: number; readonly cmp: IrCompare; readonly ref: IrSlotRef; readonly id: number }
  /** Two sym slots sharing one dictionary (equal ids; both -1 never compares equal). */
  | { readonly op: "symCmpSlot"; readonly line: number; readonly cmp: IrCompare; readonly left: IrSlotRef; readonly right: IrSlotRef }
  | { readonly op: "num"; readonly line: number; readonly cmp: IrCompare; readonly left: IrNum; readonly right: IrNum }
  /** Membership in a literal number set (hashed when large). */
  | { readonly op: "numIn"; readonly line: number; readonly operand: IrNum; readonly values: readonly number[] }
  /** A bool slot's value. */
  | { readonly op: "bool"; readonly line: number; readonly ref: IrSlotRef }
  | { readonly op: "str"; readonly line: number; readonly test: "eq" | "startsWith" | "endsWith" | "contains"; readonly left: IrStr; readonly right: IrStr }
  /** The string is one of `values` (sorted, distinct; hashed when many). */
  | { readonly op: "strIn"; readonly line: number; readonly operand: IrStr; readonly values: readonly string[] }
  /** `operand` (always a `normpath` view) is one of `bases` or under one (bases absolute, in normal form, sorted, distinct). */
  | { readonly op: "under"; readonly line: number; readonly operand: IrStr; readonly bases: readonly string[] }
  /** A glob's DFA run over a string operand. */
  | { readonly op: "glob"; readonly line: number; readonly operand: IrStr; readonly glob: number }
  /** `all` / `any` over an array slot's items; the body reads the item through binding `depth`. */
  | {
      readonly op: "quantifier";
      readonly line: number;
      readonly quantifier: "all" | "any";
      readonly array: IrSlotRef;
      readonly depth: number;
      readonly body: IrExpr;
    }
  /** A session operator read from its monitor. */
  | { readonly op: "session"; readonly line: number; readonly monitor: number; readonly query: IrSessionQuery };
