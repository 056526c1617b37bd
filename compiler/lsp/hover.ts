/**
 * Hover: what the thing under the cursor means.
 *
 * In: a snapshot, a file of its policy set and an offset. Out: markdown and
 * the span it describes, or undefined. A field path shows its type from the
 * catalog under every action its rule matches (required or not, bounds,
 * description); `action.<key>` shows each action's metadata value; an action
 * pattern or name shows the actions with their description and metadata; a
 * rule id (where declared or named by a test) shows the rule's effect,
 * reason and text; a constant shows its value; a limit its declaration.
 * Must not read files or know about the protocol.
 */
import type { ActionEntry } from "../catalog/index.js";
import { describeCheckedType } from "../check/index.js";
import type { Span } from "../diagnostics/index.js";
import type { ActionName, ActionPattern, Identifier, Path, StringLiteral } from "../syntax/index.js";
import { entriesOf, fieldFacts, isRequestRoot, typeText, type FieldFact } from "./fields.js";
import { nodesAt, type AnyNode } from "./locate.js";
import type { Snapshot } from "./snapshot.js";

/** Markdown for the editor, and the span it is about. */
export interface HoverResult {
  readonly markdown: string;
  readonly span: Span;
}

const MAX_LISTED = 12;

/** The hover at `offset` of `absolute`, if there is anything to say. */
export function hoverAt(snapshot: Snapshot, absolute: string, offset: number): HoverResult | undefined {
  const parsed = snapshot.parsedAt(absolute);
  if (parsed === undefined) return undefined;
  const chain = nodesAt(parsed.ast, offset);
  const node = chain.at(-1);
  const parent = chain.at(-2);
  if (node === undefined) return undefined;
  const declaration = (span: Span, lines = 12) => {
    const all = (snapshot.result.sources.get(span.file) ?? "").slice(span.offset, span.endOffset).split("\n");
    return "```agp\n" + all.slice(0, lines).join("\n") + (all.length > lines ? "\n…" : "") + "\n```";
  };

  if (node.kind === "Identifier" && parent !== undefined) {
    const id = (node as unknown as Identifier).name;
    if ((parent.kind === "Rule" && parent["id"] === node) || parent.kind === "Expect") {
      const rule = snapshot.rule(id);
      if (rule !== undefined) return { markdown: ruleMarkdown(snapshot, id, declaration), span: node.span };
    }
    if ((parent.kind === "Limit" && parent["id"] === node) || parent.kind === "Charge") {
      const limit = snapshot.limit(id);
      if (limit !== undefined) return { markdown: `**limit** \`${id}\` — ${limit.actions.length} action${limit.actions.length === 1 ? "" : "s"}\n\n${declaration(limit.decl.span)}`, span: node.span };
    }
    if (parent.kind === "Let") return constantHover(snapshot, id, parsed.file, node.span, declaration);
  }

  if (node.kind === "Path" || (node.kind === "Identifier" && parent?.kind === "Path")) {
    const path = (node.kind === "Path" ? node : parent) as unknown as Path;
    const segment = node.kind === "Path" ? path.fields.length : node === (path.root as unknown) ? 0 : path.fields.indexOf(node as unknown as Identifier) + 1;
    return pathHover(snapshot, chain, path, segment, parsed.file);
  }

  if (node.kind === "ActionPattern" || node.kind === "ActionName") {
    const pattern = node as unknown as ActionPattern | ActionName;
    const name = pattern.segments.join(".") + ("wildcard" in pattern && pattern.wildcard ? (pattern.segments.length === 0 ? "*" : ".*") : "");
    const matched = matchedActions(snapshot, chain);
    const entries = matched === undefined ? entriesOf(snapshot.catalogs, [name]).filter((e) => e.name === name || ("wildcard" in pattern && pattern.wildcard && e.name.startsWith(name.slice(0, -1)))) : entriesOf(snapshot.catalogs, matched);
    if (matched !== undefined && matched.length === 0) return { markdown: `\`${name}\` matches no action of the package's catalogs`, span: node.span };
    return { markdown: actionsMarkdown(name, entries), span: node.span };
  }

  if (node.kind === "String" && parent?.kind === "Actions") {
    const file = snapshot.catalogNamedBy(parsed.file, (node as unknown as StringLiteral).value);
    const catalog = snapshot.catalogs.catalogs.find((c) => c.file === file);
    if (catalog === undefined) return { markdown: `catalog \`${file}\` did not load (see its diagnostics)`, span: node.span };
    return {
      markdown: `**catalog** \`${file}\`${catalog.family === undefined ? "" : ` — family \`${catalog.family}\``}, ${catalog.actions.length} action${catalog.actions.length === 1 ? "" : "s"}${catalog.request === undefined ? "" : ", declares the request shape"}`,
      span: node.span,
    };
  }
  return undefined;
}

/** The actions the rule or limit around the cursor matches (undefined outside rules and limits). */
export function matchedActions(snapshot: Snapshot, chain: readonly AnyNode[]): readonly string[] | undefined {
  const owner = [...chain].reverse().find((n) => n.kind === "Rule" || n.kind === "Limit");
  const id = (owner?.["id"] as Identifier | undefined)?.name;
  if (owner === undefined || id === undefined) return undefined;
  return owner.kind === "Rule" ? snapshot.rule(id)?.actions : snapshot.limit(id)?.actions;
}

function ruleMarkdown(snapshot: Snapshot, id: string, declaration: (span: Span) => string): string {
  const rule = snapshot.rule(id)!;
  const decl = rule.decl;
  const bits = [
    `**rule** \`${id}\` — **${rule.effect}**${rule.principal === "human" ? " for the human" : ""}, ${rule.actions.length} action${rule.actions.length === 1 ? "" : "s"}`,
    decl.reason === undefined ? undefined : `reason: ${JSON.stringify(decl.reason.value)}`,
    decl.audit === undefined ? undefined : `audit: ${decl.audit.value}`,
    `${rule.file}:${decl.span.line}`,
  ].filter((b): b is string => b !== undefined);
  return `${bits.join("  \n")}\n\n${declaration(decl.span)}`;
}

function constantHover(snapshot: Snapshot, id: string, file: string, span: Span, declaration: (span: Span, lines?: number) => string) {
  const constant = snapshot.constant(id, file);
  if (constant === undefined) return undefined;
  return { markdown: `**constant** \`${id}\`: ${describeCheckedType(constant.type)}\n\n${declaration(constant.decl.span, 6)}`, span };
}

function pathHover(snapshot: Snapshot, chain: readonly AnyNode[], path: Path, segment: number, file: string) {
  const shown = [path.root.name, ...path.fields.slice(0, segment).map((f) => f.name)].join(".");
  const span: Span = segment === 0 ? path.root.span : path.fields[segment - 1]!.span;
  const whole: Span = { ...path.root.span, endLine: span.endLine, endColumn: span.endColumn, endOffset: span.endOffset };
  const typed = snapshot.typedPath(path);
  const resolution = typed?.kind === "Path" ? typed.resolution : undefined;
  if (resolution?.kind === "constant" || (resolution === undefined && !isRequestRoot(path.root.name) && snapshot.constant(path.root.name, file) !== undefined)) {
    const constant = snapshot.constant(path.root.name, file)!;
    const value = constant.value.kind === "set" ? `{${constant.value.values.map((v) => JSON.stringify(v)).join(", ")}}` : JSON.stringify(constant.value.value);
    return { markdown: `**constant** \`${constant.name}\`: ${describeCheckedType(constant.type)}\n\n\`\`\`agp\nlet ${constant.name} = ${value}\n\`\`\``, span: whole };
  }
  if (resolution?.kind === "variable") {
    return { markdown: `**variable** \`${shown}\`${typed === undefined || segment !== path.fields.length ? "" : `: ${describeCheckedType(typed.type)}`} — bound by the quantifier around it`, span: whole };
  }
  if (resolution?.kind === "enumMember") {
    return { markdown: `**enum member** \`${resolution.value}\`${typed === undefined ? "" : ` of ${describeCheckedType(typed.type)}`}`, span: whole };
  }
  if (!isRequestRoot(path.root.name)) return undefined;
  const actions = matchedActions(snapshot, chain);
  const facts = fieldFacts(snapshot.catalogs, path.root.name, path.fields.slice(0, segment).map((f) => f.name), actions);
  if (facts.length === 0) return { markdown: `\`${shown}\`: no such field under the actions matched here`, span: whole };
  return { markdown: fieldMarkdown(shown, facts, actions?.length), span: whole };
}

function fieldMarkdown(shown: string, facts: readonly FieldFact[], of: number | undefined): string {
  const types = new Set(facts.map((f) => typeText(f.type)));
  const head = "```agp\n" + `${shown}: ${types.size === 1 ? [...types][0] : "(differs by action)"}` + "\n```";
  const lines: string[] = [head];
  const actionFacts = facts.filter((f) => f.action !== undefined);
  if (facts.some((f) => f.value !== undefined)) {
    lines.push(
      ...actionFacts.slice(0, MAX_LISTED).map((f) => `- \`${f.action}\`: ${JSON.stringify(f.value)}`),
      ...(actionFacts.length > MAX_LISTED ? [`- … and ${actionFacts.length - MAX_LISTED} more`] : []),
    );
    return lines.join("\n");
  }
  const required = facts.filter((f) => f.required).length;
  if (actionFacts.length > 0) {
    const total = of ?? actionFacts.length;
    lines.push(
      required === facts.length
        ? `required in ${facts.length === 1 ? "its action" : `all ${facts.length} actions`}${total > facts.length ? ` (${total - facts.length} of the ${total} matched actions have no such field)` : ""}`
        : `optional in ${facts.length - required} of ${facts.length} actions: read it after \`has ${shown} and\``,
    );
    if (types.size > 1) lines.push(...actionFacts.slice(0, MAX_LISTED).map((f) => `- \`${f.action}\`: ${typeText(f.type)}`));
  } else {
    lines.push(facts[0]!.required ? "always present" : `optional: read it after \`has ${shown} and\``);
  }
  const description = facts.find((f) => f.description !== undefined)?.description;
  if (description !== undefined) lines.push("", description);
  return lines.join("\n\n");
}

function actionsMarkdown(name: string, entries: readonly ActionEntry[]): string {
  if (entries.length === 1 && entries[0]!.name === name) {
    const entry = entries[0]!;
    const metadata = [...entry.metadata].map(([k, v]) => `${k} = ${JSON.stringify(v.value)}`).join(", ");
    const args = [...entry.args.fields.values()].map((f) => `\`${f.name}\`${f.required ? "" : "?"}: ${typeText(f.type)}`);
    return [
      `**action** \`${entry.name}\`${entry.description === undefined ? "" : ` — ${entry.description}`}`,
      metadata === "" ? undefined : `metadata: ${metadata}`,
      args.length === 0 ? "no args" : `args: ${args.join(", ")}`,
    ]
      .filter((l): l is string => l !== undefined)
      .join("\n\n");
  }
  const listed = entries.slice(0, MAX_LISTED).map((e) => `- \`${e.name}\`${e.description === undefined ? "" : ` — ${e.description}`}`);
  return [`\`${name}\` matches ${entries.length} action${entries.length === 1 ? "" : "s"}`, ...listed, ...(entries.length > MAX_LISTED ? [`- … and ${entries.length - MAX_LISTED} more`] : [])].join("\n");
}
