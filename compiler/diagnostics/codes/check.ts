/**
 * AGP2xx: type and name errors; AGP3xx: warnings (errors under --strict,
 * except AGP305, which is reported only). Reported by compiler/check.
 * Every code here has a golden test in test/check/golden.test.ts and a
 * section in docs/errors.md.
 */
import type { CodeEntry } from "./entry.js";

export const CHECK_CODES = {
  // ------------------------------------------------------------ names
  AGP201: {
    title: "unknown field",
    severity: "error",
    message: "`{path}` does not exist on {owner}",
  },
  AGP202: {
    title: "unknown action",
    severity: "error",
    message: "no action named `{name}` in the catalogs of {scope}",
  },
  AGP203: {
    title: "unknown name",
    severity: "error",
    message: "unknown name `{name}`",
    help: "a bare name must be a constant (`let`), a quantifier variable, or a member of the enum it is compared with",
  },
  AGP204: {
    title: "unknown approver group",
    severity: "error",
    message: "no approver group named `{group}`",
  },
  AGP205: {
    title: "unknown rule",
    severity: "error",
    message: "no rule named `{name}`",
  },
  AGP206: {
    title: "unknown limit",
    severity: "error",
    message: "no limit named `{name}`",
  },
  AGP207: {
    title: "duplicate rule id",
    severity: "error",
    message: "rule id `{id}` is used twice",
    help: "rule ids are unique across the whole policy set; rename one of them",
  },
  AGP208: {
    title: "duplicate constant or condition",
    severity: "error",
    message: "`{name}` is defined twice in package `{package}`",
    help: "constants and named conditions are visible in every file of their package; rename or remove one",
  },
  AGP209: {
    title: "duplicate limit id",
    severity: "error",
    message: "limit id `{id}` is used twice",
    help: "limit ids are unique across the whole policy set; rename one of them",
  },
  AGP210: {
    title: "optional field read without a guard",
    severity: "error",
    message: "`{path}` is optional in {owner}; reading it needs a `has` guard",
    help: "guard it: `has {guard} and …`",
  },
  AGP211: {
    title: "type mismatch",
    severity: "error",
    message: "`{op}` cannot compare {left} with {right}",
  },
  AGP212: {
    title: "not an enum member",
    severity: "error",
    message: "`{value}` is not a member of the enum of `{path}`",
  },
  AGP213: {
    title: "ordering an unordered enum",
    severity: "error",
    message: "`{op}` needs an ordered enum, but the enum of `{path}` is unordered",
    help: "compare with `==`/`in`, or mark the enum `\"x-agp-ordered\": true` in {file} at `{pointer}`",
  },
  AGP214: {
    title: "null comparison on a non-nullable field",
    severity: "error",
    message: "`{path}` is never null",
    help: "the schema does not allow null here; to test whether an optional field is present, use `has {path}`",
  },
  AGP215: {
    title: "condition is not a boolean",
    severity: "error",
    message: "{what} must be true or false, but `{expr}` is {type}",
  },
  AGP216: {
    title: "string without maxLength",
    severity: "error",
    message: "`{op}` inspects `{path}` byte by byte, but its schema has no `maxLength`",
    help: "add `\"maxLength\": <n>` to {file} at `{pointer}`",
  },
  AGP217: {
    title: "array without maxItems",
    severity: "error",
    message: "{use} `{path}`, but its schema has no `maxItems`",
    help: "add `\"maxItems\": <n>` to {file} at `{pointer}`",
  },
  AGP218: {
    title: "`has` on something that is not a field",
    severity: "error",
    message: "`has` needs a request field, but `{path}` is {what}",
  },
  AGP219: {
    title: "field type differs between actions",
    severity: "error",
    message: "`{path}` is {first} in `{firstAction}` but {second} in `{secondAction}`",
    help: "narrow the pattern `{pattern}` so the field has one type, or split the rule",
  },
  AGP220: {
    title: "quantifier variable shadows a name",
    severity: "error",
    message: "quantifier variable `{name}` shadows {what}",
    help: "rename the variable",
  },
  AGP221: {
    title: "not a collection",
    severity: "error",
    message: "{use} needs a set or an array, but `{expr}` is {type}",
  },
  AGP222: {
    title: "glob is not a constant string",
    severity: "error",
    message: "the glob after `matches` must be a string literal or a string constant",
    help: "globs are compiled ahead of time; write the pattern literally: `matches \"rm -rf *\"`",
  },
  AGP223: {
    title: "bad limit key",
    severity: "error",
    message: "limit key `{path}` is {type}; a key must be a string or an integer",
  },
  AGP224: {
    title: "budget cost is not a number",
    severity: "error",
    message: "the cost of budget `{id}` must be a number, but `{expr}` is {type}",
  },
  AGP225: {
    title: "approval clause on the wrong effect",
    severity: "error",
    message: "{message}",
  },
  AGP226: {
    title: "conflicting package statements",
    severity: "error",
    message: "{message}",
  },
  AGP227: {
    title: "nullable field used without a null check",
    severity: "error",
    message: "`{path}` may be null in {owner}; `{op}` needs a value",
    help: "check it first: `{path} != null and …`",
  },
  AGP228: {
    title: "human read in a rule for the agent",
    severity: "error",
    message: "`{path}` reads the human, who may be absent in {where}",
    help: "guard it: `has human and …`, or make the rule `for human`",
  },
  AGP229: {
    title: "cannot read into a value",
    severity: "error",
    message: "cannot read `.{field}` of `{path}`, which is {type}",
  },
  AGP230: {
    title: "duplicate obligation",
    severity: "error",
    message: "obligation `{key}` is given twice",
    help: "keep one value",
  },
  AGP236: {
    title: "reserved obligation name",
    severity: "error",
    message: "`{key}` cannot name an obligation",
    help: "gateways read obligations as object keys, and in JavaScript `__proto__` would change the object's prototype instead; choose another name",
  },
  AGP231: {
    title: "unknown fixture",
    severity: "error",
    message: "no fixture named `{name}`",
  },
  AGP232: {
    title: "constant or condition named like a request root",
    severity: "error",
    message: "{what} `{name}` would hide the request's `{name}`",
    help: "rename the {what}",
  },
  AGP233: {
    title: "limit key reads a whole value",
    severity: "error",
    message: "limit key `{path}` names {type}; name a field inside it",
  },
  AGP235: {
    title: "limit key reads action metadata",
    severity: "error",
    message: "limit key `{path}` reads the action, not the request; limits cannot be keyed on `action.…`",
    help: "key by a request field (`per args.service`, `per agent`), or write one limit per action pattern",
  },
  AGP234: {
    title: "budget cost may be negative",
    severity: "error",
    message: "the cost of budget `{id}` may be negative: {why}",
    help: "{fix}",
  },
  AGP280: {
    title: "requester asked without a human",
    severity: "error",
    message: "`by requester` needs the human the agent acts for, but {kind} `{id}` may decide a request that has none",
    help: "{fix}",
  },
  AGP281: {
    title: "`(same person allowed)` without two quorums",
    severity: "warning",
    message: "`(same person allowed)` has no effect: {kind} `{id}` names fewer than two quorums",
    help: "remove `(same person allowed)`; it lets one approver count towards several quorums",
  },
  AGP282: {
    title: "`binds` on the wrong effect",
    severity: "error",
    message: "`binds` only applies to `approve` rules, but rule `{id}` is `{effect}`",
    help: "remove the `binds` clause, or make the rule `approve`",
  },
  AGP283: {
    title: "`binds` outside the context",
    severity: "error",
    message: "`binds {path}`: an approval binds context fields only (`context.…`)",
    help: "the action, its args, the agent, the human and the env are always bound; name a field of `context`, such as `context.plan`",
  },
  AGP284: {
    title: "`binds` names an unknown context field",
    severity: "error",
    message: "`binds {path}`: the request's context has no field `{field}`, and allows no other",
    help: "{help}",
  },
  AGP285: {
    title: "context field bound twice",
    severity: "warning",
    message: "`binds` names `{path}` twice",
    help: "remove the repeat",
  },

  AGP286: {
    title: "outcome filter reads a secret",
    severity: "error",
    message: "rule `{rule}` reads `{path}` of `{action}` when its outcome is reported (`{status}`), but the catalog marks `{secret}` secret: the gateway keeps no secret until the outcome arrives, so every report of such a call would be refused",
    help: "match the outcome by fields that are not secret (an id, or a digest the host computes into its own field), or match the call when it is decided (drop `{status}`: decision filters are read at once and nothing is kept)",
  },

  // ------------------------------------------------------------ sessions (docs/decisions/0024-session-rules.md)
  AGP240: {
    title: "window longer than the session keeps",
    severity: "error",
    message: "{what} is {window}, longer than the {retain} this package keeps a session's history",
  },
  AGP241: {
    title: "unbounded correlation",
    severity: "error",
    message: "this operator keeps one entry per distinct {keys} seen, and nothing bounds how many there are",
  },
  AGP242: {
    title: "unknown label",
    severity: "error",
    message: "no label named `{label}` is declared",
  },
  AGP243: {
    title: "session key missing from the catalog",
    severity: "error",
    message: "{message}",
    help: "{help}",
  },
  AGP244: {
    title: "conflicting `session` statements",
    severity: "error",
    message: "{message}",
    help: "{help}",
  },
  AGP245: {
    title: "filter compares the past call with the current request in a way no monitor can keep",
    severity: "error",
    message: "`{expr}` compares the past call with the current request; a filter may only do that as `<past field> == <current value>` or `<current value> in <past array>`, each a condition of its own",
    help: "other tests of the current request go outside the operator: `… and earlier …`",
  },
  AGP246: {
    title: "session operator where it cannot be",
    severity: "error",
    message: "{op} cannot be used in {where}",
    help: "session operators belong in rule conditions (not in limits, label conditions, filters, summed values or named conditions)",
  },
  AGP247: {
    title: "`count` not compared with a number",
    severity: "error",
    message: "a `count` must be compared with a number literal or constant: {why}",
    help: "write it as `count … within … >= 5`",
  },
  AGP248: {
    title: "summed value is not a number field of the past call",
    severity: "error",
    message: "`sum` adds a number field of each past call (or a number): {why}",
  },
  AGP249: {
    title: "`current` outside a filter",
    severity: "error",
    message: "`{path}` does not read anything here",
  },
  AGP250: {
    title: "bad sum step",
    severity: "error",
    message: "a sum's window is kept in equal buckets: {why}",
    help: "give a `step` that divides the window into at most 1000 buckets, such as `within 24 hours step 1 hour`",
  },
  AGP251: {
    title: "correlated value is not a required scalar",
    severity: "error",
    message: "a correlated value must be a string with `maxLength`, a number or a boolean that is never absent or null: {why}",
  },
  AGP252: {
    title: "`since` with a correlation",
    severity: "error",
    message: "`{expr}` compares past calls with the current request, which `since` cannot keep",
    help: "use `earlier`, `count` or `previous` for correlated history; `since` keeps one anchor for the whole session",
  },
  AGP253: {
    title: "capacity too large",
    severity: "error",
    message: "a correlated set of {capacity} values is more than the {max} a session may keep per operator",
    help: "lower `track`",
  },
  AGP259: {
    title: "outcome of no earlier call",
    severity: "error",
    message: "an `outcome` step reports an earlier call step, but {which}",
    help: "report the outcome after the call's step, or say which: `outcome succeeded of step 1`",
  },

  // ------------------------------------------------------------ obligations (ADR 0029)
  AGP260: {
    title: "undeclared obligation",
    severity: "error",
    message: "no catalog declares the obligation `{key}`",
  },
  AGP261: {
    title: "obligation value of the wrong type",
    severity: "error",
    message: "obligation `{key}` takes {expected}, but `{value}` is {found}",
  },
  AGP262: {
    title: "obligation value not declared",
    severity: "error",
    message: "`{value}` is not one of the values the catalog declares for obligation `{key}`",
  },
  AGP263: {
    title: "obligation given values of different types",
    severity: "error",
    message: "rule `{rule}` gives obligation `{key}` {found}, but rule `{other}` gives it {type}: a gateway reads one type, and a request both rules match would be denied",
    help: "give it one type everywhere, or declare it in a catalog's `obligations` section (docs/catalogs.md)",
  },
  AGP264: {
    title: "obligation value names no constant",
    severity: "error",
    message: "obligation value `{name}` is {what}",
  },

  // ------------------------------------------------------------ named conditions (ADR 0027)
  AGP265: {
    title: "wrong number of arguments",
    severity: "error",
    message: "`{name}` takes {wanted}, but is given {given}",
  },
  AGP266: {
    title: "condition uses itself",
    severity: "error",
    message: "condition `{name}` uses itself: {cycle}",
    help: "conditions are expanded where they are used, so they cannot be recursive; write the repeated part out",
  },
  AGP267: {
    title: "name hides another",
    severity: "error",
    message: "`{name}` hides {what}",
  },
  AGP268: {
    title: "condition expands too far",
    severity: "error",
    message: "`{name}` cannot be expanded: {why}",
    help: "split the condition, or use it in fewer places of one rule",
  },
  AGP269: {
    title: "call of something that is not a condition",
    severity: "error",
    message: "`{name}` is {what}: only named conditions and the built-in functions `lower`, `domain` and `normpath` can be called",
  },

  // ------------------------------------------------------------ strings and paths (ADR 0028)
  AGP270: {
    title: "string view of a value that is not a string",
    severity: "error",
    message: "`{view}` takes a string, but `{expr}` is {type}",
  },
  AGP271: {
    title: "literal a view never produces",
    severity: "error",
    message: "`{value}` can never be a value of `{view}`: {why}",
  },
  AGP272: {
    title: "unusable base path",
    severity: "error",
    message: "`under` needs an absolute base path, but `{base}` {why}",
    help: "write the directory from the root, such as `\"/workspace\"`",
  },
  AGP273: {
    title: "base of `under` is not constant",
    severity: "error",
    message: "the base after `under` must be a string or a set of strings, written out or named by a constant",
    help: "paths are compared with bases known ahead of time: `args.path under \"/workspace\"` or `under {\"/workspace\", \"/tmp\"}`",
  },

  // ------------------------------------------------------------ what the compiler needs (ADR 0029)
  AGP274: {
    title: "fields of different enums ordered",
    severity: "error",
    message: "`{op}` cannot order `{left}` against `{right}`: their enums differ ({leftMembers} against {rightMembers})",
    help: "order each field against its own members (`{example}`), or give both fields one ordered enum in the catalog",
  },
  AGP276: {
    title: "glob the compiler cannot build",
    severity: "error",
    message: "{message}",
    help: "{help}",
  },
  AGP275: {
    title: "value of several kinds compared",
    severity: "error",
    message: "`{path}` can be {type} in {owner}; `{op}` needs one kind of value",
    help: "give the field one JSON type in the catalog (a string, a number or a boolean, optionally null)",
  },

  // ------------------------------------------------------------ warnings
  AGP301: {
    title: "condition can never be true",
    severity: "warning",
    message: "{kind} `{id}` can never match: {reason}",
  },
  AGP302: {
    title: "pattern matches no action",
    severity: "warning",
    message: "`{pattern}` matches no action in the catalogs of {scope}, so {kind} `{id}` can never match",
  },
  AGP303: {
    title: "rule made pointless by a deny",
    severity: "warning",
    message: "rule `{id}` can never decide: rule `{deny}` denies every request it matches",
    help: "remove `{id}`, or narrow `{deny}`",
  },
  AGP304: {
    title: "unused constant or condition",
    severity: "warning",
    message: "{what} `{name}` is never used",
    help: "remove it, or use it in a condition",
  },
  AGP305: {
    title: "action no rule mentions",
    severity: "warning",
    message: "no rule mentions action `{action}`; every request for it is denied",
    help: "add a rule for it if agents should use it; this stays a warning under --strict",
  },
  AGP306: {
    title: "`has` on a required field",
    severity: "warning",
    message: "`has {path}` is always true: {why}",
    help: "remove the `has` test",
  },
  AGP307: {
    title: "rule for the human in an agent_only package",
    severity: "warning",
    message: "rule `{id}` is never evaluated: package `{package}` has `delegation agent_only`",
    help: "remove `for human`, or change the package's delegation mode",
  },
  AGP310: {
    title: "unused label",
    severity: "warning",
    message: "no rule tests label `{label}`",
    help: "test it (`exposed {label} within …`, `carries {label}`) or remove the declaration",
  },
  AGP311: {
    title: "`track` larger than the values can be",
    severity: "warning",
    message: "`track {track}` keeps room for more values than the {domain} the catalog allows",
    help: "remove `track`: the catalog bounds the set",
  },
  AGP312: {
    title: "`track` without a correlation",
    severity: "warning",
    message: "`track` has no effect: this `{op}` does not compare past calls with the current request",
    help: "remove `track`",
  },
  AGP315: {
    title: "obligation not declared",
    severity: "warning",
    message: "obligation `{key}` is not declared: its name and the type of its value are not checked",
    help: "declare the obligations gateways enforce in a catalog's `obligations` section (docs/catalogs.md); then every other name is an error",
  },
} as const satisfies Record<string, CodeEntry>;
