/**
 * Layout of test data: literals, objects, arrays, fixture names, merges,
 * placeholders.
 *
 * In: TestValue nodes. Out: an inline run (`{ a: 1, b: "x" }`, `[1, 2]`),
 * or, where a value may break (request arguments, given clauses, fixtures),
 * one line per entry or item with trailing commas when the inline form does
 * not fit or holds a comment.
 * This file must not know which clause a value belongs to.
 */
import type { MergeValue, ObjectEntry, ObjectValue, TestValue } from "../syntax/index.js";
import type { LayoutContext } from "./context.js";
import { isBareName, literal, quote } from "./literals.js";
import { INDENT, closing, concat, fits, join, line, opening, spanned, text, type Inline, type Line } from "./text.js";

/** An object key: bare when it is a name, else a JSON string. */
export function objectKey(entry: ObjectEntry): Inline {
  return spanned(isBareName(entry.key) ? entry.key : quote(entry.key), entry.keySpan);
}

function entryInline(entry: ObjectEntry): Inline {
  return concat(objectKey(entry), text(": "), valueInline(entry.value));
}

function objectInline(node: ObjectValue): Inline {
  if (node.entries.length === 0) return spanned("{}", node.span);
  return concat(
    opening("{ ", node.span),
    join(node.entries.map(entryInline), ", "),
    closing(" }", node.span),
  );
}

function mergeHead(node: MergeValue): Inline {
  return concat(spanned(node.base.name, node.base.span), text(" with "));
}

/** A test value on one line. */
export function valueInline(value: TestValue): Inline {
  switch (value.kind) {
    case "String":
    case "Number":
    case "Boolean":
    case "Null":
      return literal(value);
    case "Object":
      return objectInline(value);
    case "Array":
      return concat(opening("[", value.span), join(value.items.map(valueInline), ", "), closing("]", value.span));
    case "Name":
      return spanned(value.name, value.span);
    case "Placeholder":
      return spanned(`$${value.name}`, value.span);
    case "Merge":
      return concat(mergeHead(value), objectInline(value.overrides));
  }
}

/**
 * `prefix` followed by `value` and `suffix`, starting at `indent`: one line
 * when it fits and holds no comment, else the value's entries or items one
 * per line, one step deeper, each ending with a comma.
 */
export function valueLines(prefix: Inline, value: TestValue, indent: number, suffix: string, context: LayoutContext): Line[] {
  const inline = concat(prefix, valueInline(value), text(suffix));
  if (fits(indent, inline) && !context.commentWithin(value.span)) return [line(indent, inline)];
  switch (value.kind) {
    case "Object":
      return objectLines(prefix, value, indent, suffix, context);
    case "Merge":
      return objectLines(concat(prefix, mergeHead(value)), value.overrides, indent, suffix, context);
    case "Array": {
      if (value.items.length === 0 && !context.commentWithin(value.span)) return [line(indent, inline)];
      const inner = indent + INDENT;
      return [
        line(indent, concat(prefix, opening("[", value.span))),
        ...value.items.flatMap((item) => valueLines(text(""), item, inner, ",", context)),
        line(indent, concat(closing("]", value.span), text(suffix)), inner),
      ];
    }
    default:
      return [line(indent, inline)];
  }
}

function objectLines(prefix: Inline, node: ObjectValue, indent: number, suffix: string, context: LayoutContext): Line[] {
  const inline = concat(prefix, objectInline(node), text(suffix));
  if (node.entries.length === 0 && !context.commentWithin(node.span)) return [line(indent, inline)];
  const inner = indent + INDENT;
  return [
    line(indent, concat(prefix, opening("{", node.span))),
    ...node.entries.flatMap((entry) => valueLines(concat(objectKey(entry), text(": ")), entry.value, inner, ",", context)),
    line(indent, concat(closing("}", node.span), text(suffix)), inner),
  ];
}
