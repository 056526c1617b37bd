/**
 * Document symbols: the outline of one .agp file.
 *
 * In: a parsed file. Out: one symbol per statement — the package, catalogs,
 * constants, rules (with their effect and pattern), limits, fixtures,
 * defaults and tests — with the span of the whole statement and of its name.
 * Works on whatever parsed, so a file with a syntax error still has an
 * outline. Must not read files or know about the protocol beyond its
 * symbol kinds (numbers from the specification).
 */
import type { Span } from "../diagnostics/index.js";
import type { PolicyFile, Statement } from "../syntax/index.js";

/** The protocol's SymbolKind values used here. */
const KIND = { file: 1, module: 2, package: 4, function: 12, constant: 14, event: 24, object: 19, method: 6, struct: 23 } as const;

/** One entry of the outline. */
export interface OutlineSymbol {
  readonly name: string;
  readonly detail: string;
  readonly kind: number;
  readonly span: Span;
  readonly selection: Span;
}

/** The outline of a file, in source order. */
export function outline(file: PolicyFile): OutlineSymbol[] {
  return file.statements.map(symbolOf).filter((s): s is OutlineSymbol => s !== undefined);
}

function pattern(p: { segments: readonly string[]; wildcard: boolean }): string {
  return p.wildcard ? (p.segments.length === 0 ? "*" : `${p.segments.join(".")}.*`) : p.segments.join(".");
}

function patterns(ps: readonly { segments: readonly string[]; wildcard: boolean }[]): string {
  return ps.length === 1 ? pattern(ps[0]!) : `{${ps.map(pattern).join(", ")}}`;
}

function symbolOf(s: Statement): OutlineSymbol | undefined {
  switch (s.kind) {
    case "Package":
      return { name: s.name.parts.join("."), detail: "package", kind: KIND.package, span: s.span, selection: s.name.span };
    case "Actions":
      return { name: s.path.value, detail: "catalog", kind: KIND.file, span: s.span, selection: s.path.span };
    case "Delegation":
      return { name: `delegation ${s.mode.value}`, detail: "", kind: KIND.module, span: s.span, selection: s.mode.span };
    case "Let":
      return { name: s.name.name, detail: "constant", kind: KIND.constant, span: s.span, selection: s.name.span };
    case "Condition":
      return { name: s.name.name, detail: s.params.length === 0 ? "condition" : `condition(${s.params.map((p) => p.name).join(", ")})`, kind: KIND.function, span: s.span, selection: s.name.span };
    case "Rule":
      return { name: s.id.name, detail: `${s.effect.value} ${patterns(s.patterns)}`, kind: KIND.function, span: s.span, selection: s.id.span };
    case "Limit":
      return { name: s.id.name, detail: `limit on ${patterns(s.patterns)}`, kind: KIND.event, span: s.span, selection: s.id.span };
    case "Fixture":
      return { name: s.name.name, detail: "fixture", kind: KIND.object, span: s.span, selection: s.name.span };
    case "Defaults":
      return { name: "defaults", detail: "test defaults", kind: KIND.struct, span: s.span, selection: s.span };
    case "Test":
      return {
        name: s.name.value,
        detail: s.expect === undefined ? `trace test: ${String(s.steps.length)} steps` : `test: expect ${s.expect.effect.kind === "Word" ? s.expect.effect.value : `$${s.expect.effect.name}`}`,
        kind: KIND.method,
        span: s.span,
        selection: s.name.span,
      };
    case "Label":
      return { name: `label ${s.name.name}`, detail: `label on ${s.patterns.map(pattern).join(", ")}`, kind: KIND.event, span: s.span, selection: s.name.span };
    case "Session":
      return { name: "session", detail: "session key and history", kind: KIND.module, span: s.span, selection: s.span };
    default:
      return undefined;
  }
}
