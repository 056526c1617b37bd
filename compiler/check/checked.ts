/**
 * The checked policy set: what compiler/check hands to the compiler (lower)
 * and to the reference interpreter, once a policy set has no errors.
 *
 * In: nothing (pure types). Out: plain data — arrays, records and AST nodes;
 * no classes, no Maps keyed by nodes, no closures — so it can be printed,
 * serialised (`JSON.stringify` with a Map replacer for catalog object types)
 * and walked by later stages without importing the checker.
 * This file must not import anything but the AST, the catalog model and spans.
 *
 * Every expression of every rule and limit comes back as a `TypedExpr`, a
 * mirror of the AST expression that adds its type and, for a `Path`, what
 * the path resolved to: a request field (root + field chain, with the field's
 * type under each matched action), a constant, a quantifier variable or an
 * enum member.
 */
import type {
  CallStatus,
  CallExpr,
  CompareExpr,
  ConditionDecl,
  DefaultsDecl,
  DelegationMode,
  Effect,
  FixtureDecl,
  HasExpr,
  LabelDecl,
  LabelExpr,
  LetDecl,
  LimitDecl,
  Literal,
  LogicalExpr,
  NotExpr,
  PastExpr,
  Path,
  Principal,
  QuantifiedExpr,
  RuleDecl,
  SetLiteral,
  TestDecl,
} from "../syntax/index.js";
import type { CompiledPattern, Field, ObligationDecl, SchemaLocation } from "../catalog/index.js";

// ---------------------------------------------------------------- types

/**
 * A value type as the checker sees it. Every catalog `FieldType` is a `Type`
 * (locations are optional here because literals have no schema location);
 * `set` is the type of set literals and set constants; `error` marks an
 * expression whose problem was already reported (it suppresses follow-on errors).
 */
export type Type =
  | StringT
  | NumberT
  | BooleanT
  | NullT
  | ArrayT
  | SetT
  | ObjectT
  | UnionT
  | AnyT
  | ErrorT;

export interface StringT {
  readonly kind: "string";
  readonly maxLength?: number;
  readonly minLength?: number;
  readonly pattern?: CompiledPattern;
  readonly enum?: readonly string[];
  readonly ordered?: boolean;
  readonly location?: SchemaLocation;
}
export interface NumberT {
  readonly kind: "number";
  readonly integer: boolean;
  readonly minimum?: number;
  readonly exclusiveMinimum?: number;
  readonly maximum?: number;
  readonly exclusiveMaximum?: number;
  readonly multipleOf?: number;
  readonly enum?: readonly number[];
  readonly location?: SchemaLocation;
}
export interface BooleanT {
  readonly kind: "boolean";
  readonly location?: SchemaLocation;
}
export interface NullT {
  readonly kind: "null";
  readonly location?: SchemaLocation;
}
export interface ArrayT {
  readonly kind: "array";
  readonly items: Type;
  readonly maxItems?: number;
  readonly location?: SchemaLocation;
}
/** A set literal or set constant: `{"a", "b"}`. `element` is `error` for `{}`. */
export interface SetT {
  readonly kind: "set";
  readonly element: Type;
  readonly size: number;
}
export interface ObjectT {
  readonly kind: "object";
  readonly fields: ReadonlyMap<string, Field>;
  readonly additionalProperties: boolean;
  readonly location?: SchemaLocation;
}
export interface UnionT {
  readonly kind: "union";
  readonly options: readonly Type[];
  readonly location?: SchemaLocation;
}
export interface AnyT {
  readonly kind: "any";
  readonly location?: SchemaLocation;
}
export interface ErrorT {
  readonly kind: "error";
}

// ---------------------------------------------------------------- values

export type LiteralValue = string | number | boolean | null;

/** The value of a `let`: a literal, or a set of literals (in source order). */
export type ConstantValue =
  | { readonly kind: "literal"; readonly value: LiteralValue }
  | { readonly kind: "set"; readonly values: readonly LiteralValue[] };

// ---------------------------------------------------------------- resolutions

/** The request parts a path can start with. */
export type RequestRoot = "agent" | "human" | "action" | "args" | "env" | "context";
export const REQUEST_ROOTS: readonly RequestRoot[] = ["agent", "human", "action", "args", "env", "context"];

/** A request field's type under one matched action. */
export interface ActionFieldType {
  readonly action: string;
  readonly type: Type;
  /** False when some field of the chain is optional for this action. */
  readonly required: boolean;
}

/** What a `Path` names. */
export type PathResolution =
  | {
      readonly kind: "field";
      readonly root: RequestRoot;
      /** The field chain after the root: `args.pr.number` → ["pr", "number"]. */
      readonly fields: readonly string[];
      /** True inside a past call's filter for `current.…`: the field of the current request, not the past call's. */
      readonly current?: true;
      /**
       * The type under every matched action, in action-name order. For
       * `agent`, `human`, `env` and `context` the type does not depend on the
       * action, and the list holds one entry per matched action all the same.
       */
      readonly perAction: readonly ActionFieldType[];
    }
  | { readonly kind: "constant"; readonly name: string; readonly package: string; readonly value: ConstantValue }
  /**
   * A quantifier variable; `fields` reads into an element that is an object.
   * `current` marks, inside a past call's filter, a variable bound outside
   * the operator: an item of the current request.
   */
  | { readonly kind: "variable"; readonly name: string; readonly fields: readonly string[]; readonly current?: true }
  /** A bare enum member (`medium` in `action.costClass >= medium`). */
  | { readonly kind: "enumMember"; readonly value: string }
  /** Unresolved: an error was reported. */
  | { readonly kind: "error" };

// ---------------------------------------------------------------- typed expressions

/** An expression with its type; mirrors `Expr`. `node` is the AST node it came from. */
export type TypedExpr =
  | { readonly kind: "Path"; readonly node: Path; readonly type: Type; readonly resolution: PathResolution }
  | { readonly kind: "Literal"; readonly node: Literal; readonly type: Type; readonly value: LiteralValue }
  | { readonly kind: "Set"; readonly node: SetLiteral; readonly type: Type; readonly values: readonly LiteralValue[] }
  | {
      readonly kind: "Logical";
      readonly node: LogicalExpr;
      readonly type: Type;
      readonly op: "and" | "or";
      readonly left: TypedExpr;
      readonly right: TypedExpr;
    }
  | { readonly kind: "Not"; readonly node: NotExpr; readonly type: Type; readonly operand: TypedExpr }
  | {
      readonly kind: "Compare";
      readonly node: CompareExpr;
      readonly type: Type;
      readonly op: CompareExpr["op"];
      readonly left: TypedExpr;
      readonly right: TypedExpr;
    }
  | { readonly kind: "Has"; readonly node: HasExpr; readonly type: Type; readonly path: TypedExpr }
  | {
      readonly kind: "Quantified";
      readonly node: QuantifiedExpr;
      readonly type: Type;
      readonly quantifier: "all" | "any";
      readonly variable: string;
      readonly collection: TypedExpr;
      readonly body: TypedExpr;
    }
  /** A built-in string view of a string: `lower(args.repo)`; its type is a string. */
  | { readonly kind: "View"; readonly node: CallExpr; readonly type: Type; readonly view: ViewKind; readonly arg: TypedExpr }
  /**
   * A use of a named condition, expanded: `unknown(r)` (a `CallExpr`) or a
   * bare `in_production` (a `Path`). `body` is the condition's body typed
   * for this use, its parameters being quantifier-like variables bound to
   * `args` (evaluated first, in the caller's scope).
   */
  | {
      readonly kind: "Call";
      readonly node: CallExpr | Path;
      readonly type: Type;
      readonly name: string;
      readonly package: string;
      readonly params: readonly string[];
      readonly args: readonly TypedExpr[];
      readonly body: TypedExpr;
    }
  | TypedPast
  | { readonly kind: "LabelTest"; readonly node: LabelExpr; readonly type: Type; readonly label: string; readonly windowMs?: number };

/**
 * A session operator (docs/decisions/0024-session-rules.md) with what the
 * checker derived: windows in milliseconds, the capacity of a correlated
 * set, and for `count` the ring size K that decides its comparison.
 */
export interface TypedPast {
  readonly kind: "Past";
  readonly node: PastExpr;
  /** boolean, or number for `count` and `sum`. */
  readonly type: Type;
  readonly op: PastExpr["op"];
  readonly call: TypedCall;
  readonly anchor?: TypedCall;
  /** `sum` only: a number field of the past call, or a number. */
  readonly value?: TypedExpr;
  readonly windowMs: number;
  /** `sum` only: the bucket length. */
  readonly stepMs?: number;
  /** Correlated operators: the most distinct keys kept within the window. */
  readonly capacity?: number;
  /** `count` only: how many of the latest times decide its comparison. */
  readonly ring?: number;
}

/** A past call pattern, resolved: the actions it matches, its status and its filter split into static and correlated parts. */
export interface TypedCall {
  readonly actions: readonly string[];
  readonly status: CallStatus;
  readonly filter?: TypedExpr;
  /** Top-level conjuncts of the filter that read only the past call, in order. */
  readonly statics: readonly TypedExpr[];
  /** Top-level conjuncts that compare the past call with the current request. */
  readonly correlations: readonly Correlation[];
}

/** `<past scalar> == <current>` (eq) or `<current> in <past array>` (in); `past` reads the past call, `current` the current request. */
export interface Correlation {
  readonly op: "eq" | "in";
  readonly past: TypedExpr;
  readonly current: TypedExpr;
}

/** The built-in string views (compiler/check/views.ts has their meaning). */
export type ViewKind = "lower" | "domain" | "normpath";

// ---------------------------------------------------------------- the policy set

/** One package: every file that says `package <name>` (files without one form the package `""`). */
export interface CheckedPackage {
  readonly name: string;
  readonly delegation: DelegationMode;
  /** Catalog files named by the package's `actions` statements, resolved as the driver named them. */
  readonly catalogs: readonly string[];
  readonly files: readonly string[];
}

export interface CheckedConstant {
  readonly name: string;
  readonly package: string;
  readonly file: string;
  readonly value: ConstantValue;
  readonly type: Type;
  readonly decl: LetDecl;
}

/** A named condition of a package (`let name(params) = body`). */
export interface CheckedCondition {
  readonly name: string;
  readonly package: string;
  readonly file: string;
  readonly params: readonly string[];
  readonly decl: ConditionDecl;
}

/** An obligation's value, constants resolved: a literal, or a set of strings (sorted, distinct). */
export type ObligationValue = LiteralValue | readonly string[];

/** One `with key = value` of a rule, its value resolved. */
export interface CheckedObligation {
  readonly key: string;
  readonly value: ObligationValue;
}

export interface CheckedRule {
  readonly id: string;
  readonly package: string;
  readonly file: string;
  readonly effect: Effect;
  readonly principal: Principal;
  /** Every action the patterns match, sorted. */
  readonly actions: readonly string[];
  readonly condition?: TypedExpr;
  /** The `with` clause in source order, values resolved (constants read, sets sorted). */
  readonly obligations: readonly CheckedObligation[];
  readonly decl: RuleDecl;
}

export interface CheckedLimit {
  readonly id: string;
  readonly package: string;
  readonly file: string;
  readonly actions: readonly string[];
  /** Resolved keys: `agent` reads as `agent.id`, `human` as `human.id`. */
  readonly keys: readonly TypedExpr[];
  readonly cost?: TypedExpr;
  readonly condition?: TypedExpr;
  readonly decl: LimitDecl;
}

/** Test declarations, kept as written for the test harness, with their file's defaults and fixtures. */
export interface CheckedTestFile {
  readonly file: string;
  readonly defaults: readonly DefaultsDecl[];
  readonly fixtures: readonly FixtureDecl[];
  readonly tests: readonly TestDecl[];
}

/** A label declaration: from a `label` statement, or a catalog's `"x-agp-labels"` (no condition, no statement). */
export interface CheckedLabel {
  readonly name: string;
  /** The package of the statement; `""` for a catalog's. */
  readonly package: string;
  readonly file: string;
  /** Every action it covers, sorted. */
  readonly actions: readonly string[];
  readonly condition?: TypedExpr;
  readonly decl?: LabelDecl;
}

/** How the policy set identifies and keeps sessions (docs/decisions/0024-session-rules.md). */
export interface CheckedSession {
  /** The request field naming the session, e.g. ["context", "session"]. */
  readonly key: readonly string[];
  /** The longest `retain` of any package, in milliseconds. */
  readonly retainMs: number;
  /** Per package: its `retain` (ms) and default `track` capacity. */
  readonly packages: readonly { readonly name: string; readonly retainMs: number; readonly track?: number }[];
}

export interface CheckedPolicySet {
  readonly packages: readonly CheckedPackage[];
  readonly constants: readonly CheckedConstant[];
  readonly conditions: readonly CheckedCondition[];
  readonly rules: readonly CheckedRule[];
  readonly limits: readonly CheckedLimit[];
  readonly tests: readonly CheckedTestFile[];
  /** Every label declaration, statements first (in rule order of files), then catalogs'. */
  readonly labels: readonly CheckedLabel[];
  /** Present when some rule reads session state or some label is declared. */
  readonly session?: CheckedSession;
  /** The obligations the catalogs declare, by name (absent when none does): each one's type and merge rule. */
  readonly obligations?: ReadonlyMap<string, ObligationDecl>;
}
