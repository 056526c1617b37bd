/**
 * One analysis of one policy set, as every editor feature reads it.
 *
 * In: what `checkPaths` returned for the set, and the directory it ran in.
 * Out: a `Snapshot` with lookups the features share: a file's parse, the
 * typed expression of a path node, rules, limits and constants by name, a
 * catalog location as a file and span. Must not read files or talk to the
 * protocol; plain data and pure functions only.
 */
import { parseJsonSource, type CatalogSet, type JsonSource, type SchemaLocation } from "../catalog/index.js";
import type { CheckedConstant, CheckedLimit, CheckedPolicySet, CheckedRule, CheckPathsResult, TypedExpr } from "../check/index.js";
import type { Diagnostic, Span } from "../diagnostics/index.js";
import type { PathOps, ParsedSource } from "../project/index.js";
import type { Path } from "../syntax/index.js";

/** An analysis of the policy set in `root`. */
export class Snapshot {
  /** Display file name (as in spans) → parsed source. */
  private readonly byFile = new Map<string, ParsedSource>();
  private readonly typed = new Map<Path, TypedExpr>();
  private readonly json = new Map<string, JsonSource>();

  constructor(
    /** The directory checked; span file names are relative to it (or absolute). */
    readonly root: string,
    readonly result: CheckPathsResult,
    private readonly path: PathOps,
  ) {
    for (const parsed of result.parsed) this.byFile.set(parsed.file, parsed);
    const index = (expr: TypedExpr | undefined): void => {
      if (expr === undefined) return;
      switch (expr.kind) {
        case "Path":
          this.typed.set(expr.node, expr);
          return;
        case "Logical":
          index(expr.left);
          index(expr.right);
          return;
        case "Compare":
          index(expr.left);
          index(expr.right);
          return;
        case "Not":
          index(expr.operand);
          return;
        case "Has":
          index(expr.path);
          return;
        case "Quantified":
          index(expr.collection);
          index(expr.body);
          return;
        case "Call":
          // Arguments are the use's own; the body is the definition's, typed for this use.
          expr.args.forEach(index);
          if (expr.node.kind === "Path") this.typed.set(expr.node, { kind: "Path", node: expr.node, type: expr.type, resolution: { kind: "error" } });
          return;
        case "View":
          index(expr.arg);
          return;
        default:
          return;
      }
    };
    for (const rule of result.analysis.rules) index(rule.condition);
    for (const limit of result.analysis.limits) {
      index(limit.condition);
      index(limit.cost);
      limit.keys.forEach(index);
    }
  }

  get analysis(): CheckedPolicySet {
    return this.result.analysis;
  }

  get catalogs(): CatalogSet {
    return this.result.catalogs;
  }

  get diagnostics(): readonly Diagnostic[] {
    return this.result.diagnostics;
  }

  /** The absolute path of a span's file name. */
  absolute(file: string): string {
    return this.path.resolve(this.root, file);
  }

  /** The file name spans use for an absolute path. */
  display(absolute: string): string {
    const rel = this.path.relative(this.root, absolute);
    return rel === "" || rel.startsWith("..") || this.path.isAbsolute(rel) ? absolute : rel;
  }

  /** The catalog file name (as in spans) an `actions "…"` statement of `file` names. */
  catalogNamedBy(file: string, relative: string): string {
    return this.display(this.path.resolve(this.root, this.path.join(this.path.dirname(file), relative)));
  }

  /** The parse of a file of the set, by absolute path. */
  parsedAt(absolute: string): ParsedSource | undefined {
    return this.byFile.get(this.display(absolute));
  }

  /** The checker's typed view of a path expression (absent for paths it never reached). */
  typedPath(node: Path): TypedExpr | undefined {
    return this.typed.get(node);
  }

  rule(id: string): CheckedRule | undefined {
    return this.analysis.rules.find((r) => r.id === id);
  }

  limit(id: string): CheckedLimit | undefined {
    return this.analysis.limits.find((l) => l.id === id);
  }

  /** The constant `name` as seen from `file`'s package (or any package when unknown). */
  constant(name: string, file?: string): CheckedConstant | undefined {
    const pkg = file === undefined ? undefined : this.analysis.packages.find((p) => p.files.includes(file))?.name;
    return this.analysis.constants.find((c) => c.name === name && (pkg === undefined || c.package === pkg));
  }

  /** The package a file belongs to. */
  packageOf(file: string): string | undefined {
    return this.analysis.packages.find((p) => p.files.includes(file))?.name;
  }

  /** Where a schema location is, as a span in its catalog file (undefined when the file's text is not at hand). */
  locate(location: SchemaLocation, key = true): Span | undefined {
    const text = this.result.sources.get(location.file);
    if (text === undefined) return undefined;
    let json = this.json.get(location.file);
    if (json === undefined) {
      json = parseJsonSource(location.file, text);
      this.json.set(location.file, json);
    }
    return json.spanOf(location.pointer, { key });
  }
}
