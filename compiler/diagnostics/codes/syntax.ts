/**
 * AGP1xx: syntax errors, reported by compiler/syntax (lexer, parser, AST builder).
 * Every code here has a golden test in test/fixtures/syntax/_error_/ and a row
 * in docs/errors.md.
 *
 * Parser mismatches share one template, "expected {expected} after `{after}`,
 * found {found}": `expected` names what the grammar wanted in the author's
 * terms, `after` is the statement's text so far, `found` is what was there.
 */
import type { CodeEntry } from "./entry.js";

const EXPECTED = "expected {expected} after `{after}`, found {found}";

export const SYNTAX_CODES = {
  AGP101: { title: "unexpected character", severity: "error", message: "unexpected character {char}" },
  AGP102: {
    title: "unterminated string",
    severity: "error",
    message: "unterminated string: the line ends before the closing `\"`",
    help: "add `\"` where the string ends",
  },
  AGP103: {
    title: "invalid escape in a string",
    severity: "error",
    message: "invalid escape `{escape}` in a string",
    help: "strings use JSON escapes: \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX",
  },
  AGP104: { title: "missing or unknown effect", severity: "error", message: EXPECTED },
  AGP105: {
    title: "malformed number",
    severity: "error",
    message: "malformed number `{number}`",
    help: "a number is digits with an optional leading `-` and an optional fraction, such as `120`, `-1` or `0.5`",
  },
  AGP106: {
    title: "number out of range",
    severity: "error",
    message: "number `{number}` is out of range",
    help: "numbers must lie between -9007199254740991 and 9007199254740991",
  },
  AGP107: { title: "unknown statement", severity: "error", message: "expected {expected}, found {found}" },
  AGP108: { title: "unexpected input after a statement", severity: "error", message: EXPECTED },
  AGP109: {
    title: "reserved word used as a name",
    severity: "error",
    message: "`{word}` is a reserved word and cannot be used as {what}",
    help: "choose another name, such as `{word}_`",
  },
  AGP110: {
    title: "package given twice",
    severity: "error",
    message: "`package` is given twice in this file",
    help: "a file belongs to one package; remove one of the `package` lines",
  },
  AGP111: { title: "missing package name", severity: "error", message: EXPECTED },
  AGP112: { title: "missing catalog path", severity: "error", message: EXPECTED },
  AGP113: { title: "unknown delegation mode", severity: "error", message: EXPECTED },
  AGP114: {
    title: "missing constant or condition value",
    severity: "error",
    message: EXPECTED,
    help: "a `let` holds a string, number, boolean, null or set (a constant), or a condition (a named condition)",
  },
  AGP115: { title: "missing `=`", severity: "error", message: EXPECTED },
  AGP116: { title: "duplicate set element", severity: "error", message: "{element} appears twice in this set" },
  AGP117: {
    title: "set mixes types",
    severity: "error",
    message: "a set holds values of one type, but {element} is {type} and the first element is {firstType}",
  },
  AGP118: { title: "missing rule id", severity: "error", message: EXPECTED },
  AGP119: { title: "missing `:`", severity: "error", message: EXPECTED },
  AGP120: { title: "missing action pattern", severity: "error", message: EXPECTED },
  AGP121: {
    title: "misplaced `*` in an action pattern",
    severity: "error",
    message: "`*` can only be the last segment of an action pattern, after a name",
  },
  AGP122: { title: "missing principal", severity: "error", message: EXPECTED },
  AGP123: { title: "missing condition", severity: "error", message: EXPECTED },
  AGP124: {
    title: "clause given twice",
    severity: "error",
    message: "`{clause}` is given twice in this {statement}",
    help: "each clause may appear at most once; merge them into one",
  },
  AGP125: { title: "missing reason string", severity: "error", message: EXPECTED },
  AGP126: { title: "unknown audit level", severity: "error", message: EXPECTED },
  AGP127: {
    title: "malformed approval requirement",
    severity: "error",
    message: EXPECTED,
    help: "an approval requirement reads `by 2 of group \"sre\"` or `by 1 of groups \"a\", \"b\"`",
  },
  AGP128: {
    title: "approver count is not a positive whole number",
    severity: "error",
    message: "the number of approvers must be a positive whole number, found `{count}`",
  },
  AGP129: {
    title: "malformed obligation",
    severity: "error",
    message: EXPECTED,
    help: "an obligation reads `name = value`, such as `with max_runtime_seconds = 120`",
  },
  AGP130: {
    title: "chained comparison",
    severity: "error",
    message: "comparisons do not chain",
    help: "write `{left} {op1} {middle} and {middle} {op2} {right}`",
  },
  AGP131: { title: "missing operand", severity: "error", message: EXPECTED },
  AGP132: { title: "unclosed bracket", severity: "error", message: EXPECTED },
  AGP133: {
    title: "malformed quantifier",
    severity: "error",
    message: EXPECTED,
    help: "a quantifier reads `all x in collection: condition` or `any x in collection: condition`",
  },
  AGP134: {
    title: "`=` used as a comparison",
    severity: "error",
    message: "`=` does not compare values",
    help: "use `==` to test equality",
  },
  AGP135: { title: "missing name", severity: "error", message: EXPECTED },
  AGP136: { title: "missing limit measure", severity: "error", message: EXPECTED },
  AGP137: { title: "missing or unknown time window", severity: "error", message: EXPECTED },
  AGP138: {
    title: "count is not a positive whole number",
    severity: "error",
    message: "{what} must be a positive whole number, found `{count}`",
  },
  AGP139: { title: "limit without `on`", severity: "error", message: EXPECTED },
  AGP140: { title: "malformed `otherwise`", severity: "error", message: EXPECTED },
  AGP141: {
    title: "budget without `cost`",
    severity: "error",
    message: "budget `{id}` has no `cost` clause",
    help: "add `cost <expression>`, such as `cost args.estimated_cost_usd`",
  },
  AGP142: {
    title: "`cost` on a rate limit",
    severity: "error",
    message: "`cost` applies only to budgets, and `{id}` is a rate limit",
    help: "remove the `cost` clause, or make the limit a budget: `budget {count} per ...`",
  },
  AGP143: { title: "missing test name", severity: "error", message: EXPECTED },
  AGP144: {
    title: "test without `expect`",
    severity: "error",
    message: "test {name} has no `expect` clause",
    help: "add `expect allow`, `expect approve` or `expect deny`",
  },
  AGP145: { title: "missing value", severity: "error", message: EXPECTED },
  AGP146: { title: "malformed object entry", severity: "error", message: EXPECTED },
  AGP147: { title: "duplicate key", severity: "error", message: "key `{key}` is given twice in this object" },
  AGP148: { title: "malformed table", severity: "error", message: EXPECTED },
  AGP149: {
    title: "table row width differs from the header",
    severity: "error",
    message: "this row has {cells}, but the table has {columns}",
  },
  AGP150: {
    title: "table column is not a name",
    severity: "error",
    message: "a table column must be a name, found {found}",
    help: "the first row of a `where` table names the columns, such as `| account | effect |`",
  },
  AGP151: {
    title: "placeholder is not a column",
    severity: "error",
    message: "`${name}` is not a column of this test's table",
  },
  AGP152: {
    title: "placeholder outside a table test",
    severity: "error",
    message: "`${name}` is used in a test without a `where` table",
    help: "add a `where` table whose first row names the column `{name}`",
  },
  AGP153: {
    title: "misplaced `not`",
    severity: "error",
    message: EXPECTED,
    help: "`not` after a value only forms `not in`; to negate a comparison, put `not` before it: `not a == b`",
  },
  AGP154: {
    title: "brackets nested too deeply",
    severity: "error",
    message: "brackets nest more than {limit} levels deep here",
    help: "flatten the expression or the test data; name inner values with `let` or `fixture`",
  },
  AGP155: {
    title: "statement nested too deeply",
    severity: "error",
    message: "this statement nests `not` or quantifiers too deeply to be read",
    help: "simplify the condition: `not not x` is `x`, and nested quantifiers can usually be split into separate rules",
  },
  AGP156: {
    title: "expression nested too deeply",
    severity: "error",
    message: "this expression nests more than {limit} levels deep",
    help: "split the condition across rules, and simplify chains of `not` and quantifiers inside quantifiers; long `and`/`or` chains are fine",
  },
  AGP170: {
    title: "action name in a table cell is not quoted",
    severity: "error",
    message: "an action name in a table cell must be quoted: `{name}` is read as the fixture `{first}` followed by `.`",
    help: "write `\"{name}\"`; `request $column` takes the quoted name",
  },
  AGP171: {
    title: "set written with brackets",
    severity: "error",
    message: "sets are written with braces `{…}`, not brackets `[…]`",
  },
  AGP172: {
    title: "empty parameter list",
    severity: "error",
    message: "`()` with nothing inside: a condition without parameters has no parentheses",
  },
  AGP173: {
    title: "pattern listed twice",
    severity: "error",
    message: "`{pattern}` is listed twice in this pattern list",
  },
  AGP174: {
    title: "parameter named twice",
    severity: "error",
    message: "parameter `{name}` is named twice",
    help: "give each parameter its own name",
  },
  AGP175: {
    title: "obligation value read from the request",
    severity: "error",
    message: "an obligation's value is a literal, a set or a constant, but `{path}` is read from the request",
    help: "obligations are fixed when the policy is compiled; for a value that depends on the request, write one rule per value (`when …`)",
  },
  AGP180: {
    title: "unknown approver",
    severity: "error",
    message: EXPECTED,
    help: "approvers are `requester` (the human the agent acts for) or quorums such as `1 of group \"sre\"`",
  },
  AGP181: {
    title: "malformed `(same person allowed)`",
    severity: "error",
    message: EXPECTED,
    help: "write `(same person allowed)` after the last approver to let one person count towards several quorums",
  },
  AGP182: {
    title: "`requester` named twice",
    severity: "error",
    message: "`requester` is named twice in one approval requirement",
    help: "the requester confirms once; remove one `requester`",
  },
  AGP199: { title: "syntax error", severity: "error", message: EXPECTED },
} as const satisfies Record<string, CodeEntry>;
