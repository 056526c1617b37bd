/**
 * The manifest: what a compiled policy module carries in its `agp.manifest`
 * custom section (as JSON, its rule table packed: load/manifest-wire.ts), and everything a host needs besides the
 * module's code — the action table, the input layout, rule and limit data,
 * the request schema for validation, the content hash and the version.
 *
 * In: nothing (pure types and constants). Out: the contract between the
 * code generator (compiler/codegen writes it) and every host (runtime/
 * reads it; docs/abi.md documents it for Go, Rust or Python hosts).
 * Must not import anything: runtime/ never depends on compiler/.
 *
 * INVARIANT: indices are positions in these arrays and are what the module
 * speaks in (action ids, rule indices, limit indices).
 */

/** Name of the custom section holding the manifest (UTF-8 JSON of its wire form, load/manifest-wire.ts). */
export const MANIFEST_SECTION = "agp.manifest";

/**
 * Bumped on any incompatible change to the manifest, the input layout or the
 * result layout. 2: every catalog keyword enforced (ADR 0010). 3: session
 * rules (the session region, result +20, the session exports;
 * docs/decisions/0024-session-rules.md). 4: the section holds the compact
 * wire form, its rule table packed (runtime/load/manifest-wire.ts,
 * docs/decisions/0044-compact-manifest.md).
 */
export const ABI_VERSION = 4;

export interface Manifest {
  /** Equals `ABI_VERSION` of the compiler that wrote it; hosts refuse other values. */
  readonly abi: number;
  /** The agp version that compiled the module. */
  readonly compiler: string;
  /** Which policy this is: hex SHA-256 of the compiled content, and the bundle version. */
  readonly policy: { readonly hash: string; readonly version: string };
  /** Every action of the policy set's catalogs, sorted by name; index = action id. */
  readonly actions: readonly ManifestAction[];
  /** Every rule, sorted by file, then line, then id; index = rule index. */
  readonly rules: readonly ManifestRule[];
  /** Every limit, sorted by id; index = limit index. */
  readonly limits: readonly ManifestLimit[];
  /** Schemas of the request parts other than `action` and `args`, for validation. */
  readonly request: {
    readonly agent: SchemaNode;
    readonly human: SchemaNode;
    readonly env: SchemaNode;
    readonly context: SchemaNode;
  };
  /**
   * The declared merge rule of each obligation a rule sets (optional: absent
   * in modules compiled before typed obligations, and for names no catalog
   * declares, which merge by their values: numbers → the smallest, booleans
   * → `true`, strings must be equal, sets → the union).
   */
  readonly obligations?: Readonly<Record<string, ManifestObligation>>;
  /** Byte layout of the module's input and result regions (see InputLayout). */
  readonly memory: {
    /** Size in bytes of the largest action's slot area. */
    readonly slotBytes: number;
    /** Capacity in bytes of the string arena that follows the slot area. */
    readonly arenaBytes: number;
  };
  /**
   * The JSON entry point's limits (docs/abi.md, "The JSON entry point");
   * absent in modules compiled before it existed, which have no JSON entry.
   */
  readonly json?: {
    /**
     * Capacity of the module's JSON input buffer. The module refuses longer
     * texts (malformed code 8); the JS runtime decides them with its own
     * reader instead, so the size of a text never changes its decision.
     */
    readonly inputBytes: number;
    /** Equals `bounds.maxDepth` (kept for hosts written before `bounds`). */
    readonly maxDepth: number;
  };
  /**
   * Limits on every request, the same on every path (ADR 0008): a request
   * nested deeper or holding more values is a `too_large` deny. Absent in
   * modules compiled before it existed: hosts use DEFAULT_REQUEST_BOUNDS.
   */
  readonly bounds?: RequestBounds;
  /** Present when the policy has session rules (docs/abi.md, "Sessions"). */
  readonly session?: ManifestSession;
}

/** How the module keeps sessions: what a host needs to find, check and store a session's state. */
export interface ManifestSession {
  /** The request field naming the session, e.g. ["context", "session"]. */
  readonly key: readonly string[];
  /** Bytes of one session's state (header included). */
  readonly stateBytes: number;
  /** 8 hex digits naming the layout; a state of another layout is refused. */
  readonly layout: string;
  /** How long an idle session's state means anything (a store may forget it after this long without events). */
  readonly retainMs: number;
  /** The monitors, in state order: for messages and inspection. */
  readonly monitors: readonly ManifestMonitor[];
}

export interface ManifestMonitor {
  readonly kind: "last" | "count" | "sum" | "previous" | "since";
  /** The operator as written. */
  readonly text: string;
  /** Its window as written (`1 hour`), for the overflow message; `""` for a label's. */
  readonly window: string;
  readonly offset: number;
  readonly bytes: number;
  readonly windowMs: number;
  /** Correlated: the most distinct keys it keeps. */
  readonly capacity?: number;
}

/** How deep and how big a request may be (`agp compile --max-depth`, `--max-values`). */
export interface RequestBounds {
  /** Deepest nesting of arrays and objects (the request object itself is depth 1). */
  readonly maxDepth: number;
  /** Most values (objects, arrays, strings, numbers, booleans, nulls; keys do not count). */
  readonly maxValues: number;
}

/** The bounds when none are given. */
export const DEFAULT_REQUEST_BOUNDS: RequestBounds = Object.freeze({ maxDepth: 64, maxValues: 100000 });

export interface ManifestAction {
  /** Full name, e.g. "github.pull_request.merge". */
  readonly name: string;
  readonly family: string;
  /** The schema `args` must satisfy. */
  readonly args: SchemaNode;
  /** Where the encoder writes each value the policy reads for this action. */
  readonly slots: readonly Slot[];
  /** Worst-case abstract steps of one decision for this action (see docs/abi.md). */
  readonly costBound: number;
  /** True when some `for human` rule covers this action (the human side may speak). */
  readonly humanCovered: boolean;
  /** Present in a module with session rules. */
  readonly session?: {
    /** Why a request for it needs the session key: a rule (index) that reads history, or only watched; absent: it does not. */
    readonly needs?: { readonly rule: number } | { readonly watched: true };
    /** Overflow checks, in reporting order: the result's fault k + 1 names `checks[k]`. */
    readonly checks: readonly { readonly monitor: number; readonly rule: number }[];
    /**
     * The request paths an outcome of a call of this action reads (sorted; an
     * array's path stands for its items): all a host must keep of a run to
     * report its outcome (ADR 0025). Absent in modules compiled before it
     * existed (keep the whole request for those).
     */
    readonly reads?: readonly (readonly string[])[];
  };
  /**
   * The catalog's `readOnly` metadata: true for actions that change
   * nothing. The gateway records it in audit entries (`mutating`). Absent in
   * modules compiled before it existed.
   */
  readonly readOnly?: boolean;
}

export type Effect = "allow" | "approve" | "deny";

/** An obligation's value: a literal, or a set of strings (sorted, distinct). */
export type ObligationValue = string | number | boolean | readonly string[];

/**
 * How the values of one obligation merge (ADR 0029), as a catalog declared
 * it: `min` / `max` (numbers; strings by `enum` order), `or` / `and`
 * (booleans), `same` (equal values only), `union` / `intersection` (sets).
 */
export interface ManifestObligation {
  readonly type: "number" | "integer" | "boolean" | "string" | "set";
  readonly merge: "min" | "max" | "or" | "and" | "same" | "union" | "intersection";
  /** Strings and sets: the values allowed, in order (the order `min` / `max` use). */
  readonly enum?: readonly string[];
}

export interface ManifestRule {
  readonly id: string;
  readonly file: string;
  readonly line: number;
  readonly effect: Effect;
  readonly principal: "agent" | "human";
  /** The `because` text, if any. */
  readonly reason?: string;
  readonly audit: "info" | "notice" | "security";
  /** `with k = v` in source order; a set of strings is sorted and distinct. */
  readonly obligations: readonly { readonly key: string; readonly value: ObligationValue | null }[];
  /** `by N of group …` quorums (approve rules). */
  readonly quorums: readonly { readonly count: number; readonly groups: readonly string[] }[];
  /** `by requester`: the human the agent acts for must confirm. Absent: not asked. */
  readonly requester?: true;
  /** `(same person allowed)`: one approver may count towards several quorums. Absent: distinct people. */
  readonly samePerson?: true;
  /** `binds context.plan, …`: context paths the approval is bound to, in source order. Absent: none. */
  readonly binds?: readonly string[];
}

export interface ManifestLimit {
  readonly id: string;
  readonly file: string;
  readonly line: number;
  readonly kind: "rate" | "budget";
  /** The count for a rate, the amount for a budget. */
  readonly cap: number;
  /** Budget unit label (`usd`), if any. */
  readonly unit?: string;
  readonly window: { readonly count: number; readonly unit: "second" | "minute" | "hour" | "day" | "week" | "month" };
  /** Key paths in declared order, e.g. [["agent", "id"], ["args", "service"]]. */
  readonly keys: readonly (readonly string[])[];
  /** `otherwise`: deny (default) or park for approval with these quorums. */
  readonly otherwise:
    | { readonly kind: "deny" }
    | {
        readonly kind: "approve";
        readonly quorums: readonly { readonly count: number; readonly groups: readonly string[] }[];
        readonly requester?: true;
        readonly samePerson?: true;
      };
  readonly reason?: string;
}

/**
 * A JSON Schema reduced to what validation checks (see
 * docs/decisions/0006-decision-semantics.md, "Validation", and
 * docs/decisions/0010-catalog-keywords.md). Object properties are in schema
 * order: validation reports the first problem in that order, as the
 * reference interpreter does. Optional members are absent when the schema
 * does not constrain that way.
 */
export type SchemaNode =
  | {
      readonly type: "string";
      readonly maxLength?: number;
      readonly minLength?: number;
      readonly enum?: readonly string[];
      /** `pattern`, with the automaton that decides it (JSON Schema search semantics, already built in). */
      readonly pattern?: PatternAutomaton;
    }
  | {
      readonly type: "number";
      readonly integer: boolean;
      /** At most one of `minimum` and `exclusiveMinimum`, and of `maximum` and `exclusiveMaximum`. */
      readonly minimum?: number;
      readonly exclusiveMinimum?: number;
      readonly maximum?: number;
      readonly exclusiveMaximum?: number;
      /** `value / multipleOf` must be a whole number (IEEE double division). */
      readonly multipleOf?: number;
      readonly enum?: readonly number[];
    }
  | { readonly type: "boolean" }
  | { readonly type: "null" }
  | {
      readonly type: "array";
      readonly items: SchemaNode;
      readonly maxItems?: number;
      readonly minItems?: number;
      /** Items (scalars) must be pairwise different; only with `maxItems`. */
      readonly uniqueItems?: true;
    }
  | {
      readonly type: "object";
      /** `secret`: the catalog marks the property `"x-agp-secret": true`; the gateway never records its value. */
      readonly properties: readonly { readonly name: string; readonly required: boolean; readonly schema: SchemaNode; readonly secret?: true }[];
      readonly additionalProperties: boolean;
      /** The schema of undeclared properties' values, when `additionalProperties` is a schema. */
      readonly additional?: SchemaNode;
      readonly minProperties?: number;
      readonly maxProperties?: number;
      /** When `name` is present, each of `requires` must be; in schema order. */
      readonly dependentRequired?: readonly { readonly name: string; readonly requires: readonly string[] }[];
    }
  | {
      readonly type: "union";
      readonly options: readonly SchemaNode[];
      /** A `oneOf` whose options can overlap: exactly one option may accept. */
      readonly oneOf?: true;
    }
  | { readonly type: "any" };

/**
 * A `pattern` as a complete DFA over the UTF-8 bytes of the whole string:
 * `state = start`; for each byte `b`, `state = transitions[state *
 * classCount + classOf[b]]`; the string matches when `accepting` has the
 * final state. `dead` (or -1) is a state no input leaves, so a host may stop
 * early. The search semantics of JSON Schema (`.*` around the pattern,
 * `^` / `$` anchors) is part of the automaton.
 */
export interface PatternAutomaton {
  /** The pattern as the catalog wrote it (for messages). */
  readonly source: string;
  /** 256 entries: the class of each byte value. */
  readonly classOf: readonly number[];
  readonly classCount: number;
  readonly start: number;
  readonly dead: number;
  /** stateCount × classCount next states, row-major. */
  readonly transitions: readonly number[];
  /** The accepting states, ascending. */
  readonly accepting: readonly number[];
}

/**
 * One value the module reads, at a fixed byte offset of the slot area
 * (offsets are relative to the slot area's start; every slot of an action
 * is written on every call, so no request sees another's data).
 *
 * - `state`: u32 at `offset`: 0 absent, 1 present, 2 null. Written for every
 *   path that may be absent or null (optional fields, `human.*`).
 * - `sym`: i32 at `offset`: the value's index in `dictionary` (strings the
 *   policy compares the field with, or an enum's members in declared order,
 *   so ordinal comparisons work), -1 when it is none of them. Used for fields
 *   the policy only compares with literals.
 * - `str`: u32 pointer (absolute address, inside the arena) at `offset`,
 *   u32 length in UTF-8 bytes at `offset + 4`.
 * - `num`: f64 at `offset` (8-aligned).
 * - `bool`: u32 0 or 1 at `offset`.
 * - `array`: u32 item count at `offset`; item `i`'s slots start at
 *   `itemsOffset + i * stride`, laid out by `items` (offsets relative to the
 *   item's start); at most `maxItems` items.
 */
export type Slot =
  | { readonly kind: "state"; readonly path: readonly string[]; readonly offset: number }
  | { readonly kind: "sym"; readonly path: readonly string[]; readonly offset: number; readonly dictionary: readonly string[] }
  | { readonly kind: "str"; readonly path: readonly string[]; readonly offset: number }
  | { readonly kind: "num"; readonly path: readonly string[]; readonly offset: number }
  | { readonly kind: "bool"; readonly path: readonly string[]; readonly offset: number }
  | {
      readonly kind: "array";
      readonly path: readonly string[];
      readonly offset: number;
      readonly itemsOffset: number;
      readonly stride: number;
      readonly maxItems: number;
      /** Slots of one item; paths are relative to the item (`[]` for the item itself). */
      readonly items: readonly Slot[];
    };
