/**
 * Go to definition: where the name under the cursor is declared.
 *
 * In: a snapshot, a file of its policy set and an offset. Out: locations
 * (absolute file and span), possibly several: a constant's `let`, a rule's
 * or limit's declaration (from a test's `from` or `charge`), a quantifier's
 * variable, and into the catalogs at the JSON pointer of what a name means
 * there — a field of `args`/`agent`/`human`/`context` under every action the
 * rule matches, an `action.<key>` metadata declaration, an action (from a
 * pattern or a test's request), the catalog file of an `actions` statement.
 * Must not read files or know about the protocol.
 */
import type { SchemaLocation } from "../catalog/index.js";
import { fileSpan, type Span } from "../diagnostics/index.js";
import type { ActionName, ActionPattern, Identifier, Path, QuantifiedExpr, StringLiteral } from "../syntax/index.js";
import { entriesOf, fieldFacts, isRequestRoot } from "./fields.js";
import { matchedActions } from "./hover.js";
import { nodesAt } from "./locate.js";
import type { Snapshot } from "./snapshot.js";

/** A place to go: a file (absolute) and a span in it. */
export interface Place {
  readonly absolute: string;
  readonly span: Span;
}

/** Where what is at `offset` of `absolute` is declared; empty when nothing there names anything. */
export function definitionAt(snapshot: Snapshot, absolute: string, offset: number): Place[] {
  const parsed = snapshot.parsedAt(absolute);
  if (parsed === undefined) return [];
  const chain = nodesAt(parsed.ast, offset);
  const node = chain.at(-1);
  const parent = chain.at(-2);
  if (node === undefined) return [];
  const at = (span: Span): Place => ({ absolute: snapshot.absolute(span.file), span });
  const inCatalog = (locations: readonly SchemaLocation[]): Place[] => {
    const seen = new Set<string>();
    const places: Place[] = [];
    for (const location of locations) {
      const key = `${location.file}#${location.pointer}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const span = snapshot.locate(location);
      if (span !== undefined) places.push(at(span));
    }
    return places;
  };

  if (node.kind === "Identifier" && (parent?.kind === "Expect" || parent?.kind === "Charge")) {
    const id = (node as unknown as Identifier).name;
    const declared = parent.kind === "Expect" ? snapshot.rule(id)?.decl.id : snapshot.limit(id)?.decl.id;
    return declared === undefined ? [] : [at(declared.span)];
  }

  if (node.kind === "Path" || (node.kind === "Identifier" && parent?.kind === "Path")) {
    const path = (node.kind === "Path" ? node : parent) as unknown as Path;
    const segment = node.kind === "Path" ? path.fields.length : node === (path.root as unknown) ? 0 : path.fields.indexOf(node as unknown as Identifier) + 1;
    const root = path.root.name;
    const typed = snapshot.typedPath(path);
    const resolution = typed?.kind === "Path" ? typed.resolution : undefined;
    if (resolution?.kind === "variable" || (resolution === undefined && !isRequestRoot(root))) {
      const binder = [...chain].reverse().find((n) => n.kind === "Quantified" && (n as unknown as QuantifiedExpr).variable.name === root) as unknown as QuantifiedExpr | undefined;
      if (binder !== undefined) return [at(binder.variable.span)];
    }
    if (resolution?.kind === "constant" || !isRequestRoot(root)) {
      const constant = snapshot.constant(root, parsed.file);
      return constant === undefined ? [] : [at(constant.decl.name.span)];
    }
    if (segment === 0) return [];
    const facts = fieldFacts(snapshot.catalogs, root, path.fields.slice(0, segment).map((f) => f.name), matchedActions(snapshot, chain));
    return inCatalog(facts.map((f) => f.declared));
  }

  if (node.kind === "ActionPattern" || node.kind === "ActionName") {
    const pattern = node as unknown as ActionPattern | ActionName;
    const name = pattern.segments.join(".");
    const wildcard = "wildcard" in pattern && pattern.wildcard;
    const actions = matchedActions(snapshot, chain) ?? entriesOf(snapshot.catalogs, undefined).filter((e) => (wildcard ? e.name.startsWith(`${name}.`) || name === "" : e.name === name)).map((e) => e.name);
    return inCatalog(entriesOf(snapshot.catalogs, actions).filter((e) => actions.includes(e.name)).map((e) => e.location));
  }

  if (node.kind === "String" && parent?.kind === "Actions") {
    const file = snapshot.catalogNamedBy(parsed.file, (node as unknown as StringLiteral).value);
    return snapshot.result.sources.has(file) ? [at(fileSpan(file))] : [];
  }
  return [];
}
