/**
 * Sessions at the level of the policy set (docs/decisions/0024-session-rules.md):
 * each package's `session` settings, the labels declared by `label`
 * statements and by catalogs, and the session key every package must agree on.
 *
 * In: the collected declarations, the catalogs, and (after the rules are
 * checked) where session operators were used. Out: the `SessionEnv` each
 * package's rules are checked with, `CheckedLabel`s, and the
 * `CheckedSession`. Reports AGP240 (retain over 31 days), AGP243 (the session
 * key is not a bounded string field of the request), AGP244 (packages name
 * different keys), AGP310 (a label no rule tests). Label statements' own
 * patterns and conditions are checked by `checkLabel` like a rule's.
 * Must not type rule conditions (session-typing.ts does).
 */
import type { CatalogSet } from "../catalog/index.js";
import { diagnostic, type Diagnostic, type Span } from "../diagnostics/index.js";
import type { LabelDecl, Path, SessionDecl } from "../syntax/index.js";
import type { CheckedLabel, CheckedSession, Type } from "./checked.js";
import type { PackageInfo } from "./declarations.js";
import { EMPTY_SCOPE, type Env, type SessionEnv } from "./env.js";
import { MAX_EXPANDED_NODES } from "./conditions.js";
import { matchAndReport } from "./patterns.js";
import { durationMs, showMs } from "./session-typing.js";
import { typeExpr } from "./typing.js";
import { describeType, splitNull } from "./types.js";

/** How long a session keeps its history unless the package says otherwise, and at most. */
export const DEFAULT_RETAIN_MS = 86_400_000;
export const MAX_RETAIN_MS = 31 * 86_400_000;

/** The key every session is identified by unless the package names another. */
export const DEFAULT_SESSION_KEY: readonly string[] = ["context", "session"];

/** What the checker learns about sessions while it checks the rules. */
export class SessionUses {
  /** Package name → the first span that used a session operator. */
  readonly used = new Map<string, Span>();
  /** Labels some rule tests. */
  readonly tested = new Set<string>();

  constructor(readonly labels: ReadonlySet<string>) {}

  /** The env a package's rules are checked with; `rule` names the rule for messages. */
  envFor(pkg: PackageInfo, rule: string, report: (d: Diagnostic) => void): SessionEnv {
    const retainMs = retainOf(pkg, report);
    const track = pkg.session?.decl.track?.value;
    return {
      rule,
      retainMs,
      ...(track === undefined ? {} : { track }),
      labels: this.labels,
      used: (span) => {
        if (!this.used.has(pkg.name)) this.used.set(pkg.name, span);
      },
      tested: (label) => this.tested.add(label),
    };
  }
}

/** Every label name declared by a `label` statement or a catalog. */
export function declaredLabels(packages: Iterable<PackageInfo>, catalogs: CatalogSet): Set<string> {
  const names = new Set<string>();
  for (const pkg of packages) for (const { decl } of pkg.labels) names.add(decl.name.name);
  for (const action of catalogs.actions.values()) for (const label of action.labels ?? []) names.add(label);
  return names;
}

const retained = new WeakMap<PackageInfo, number>();

/** The package's `retain` in ms (default 24 hours); over 31 days is AGP240 (reported once). */
function retainOf(pkg: PackageInfo, report: (d: Diagnostic) => void): number {
  const known = retained.get(pkg);
  if (known !== undefined) return known;
  const retain = pkg.session?.decl.retain;
  let ms = retain === undefined ? DEFAULT_RETAIN_MS : durationMs(retain);
  if (retain !== undefined && ms > MAX_RETAIN_MS) {
    report(
      diagnostic("AGP240", retain.span, { what: "`retain`", window: showMs(ms), retain: showMs(MAX_RETAIN_MS) }, {
        help: "a session's history is kept for at most 31 days",
      }),
    );
    ms = MAX_RETAIN_MS;
  }
  retained.set(pkg, ms);
  return ms;
}

/** A `label` statement: its patterns (AGP202 / AGP302 as for rules) and its condition, typed per action. */
export function checkLabel(
  decl: LabelDecl,
  file: string,
  pkg: PackageInfo,
  catalogs: CatalogSet,
  all: CatalogSet,
  report: (d: Diagnostic) => void,
): CheckedLabel {
  const owner = { kind: "rule" as const, id: `label ${decl.name.name}`, packageName: pkg.name };
  const matched = decl.patterns.flatMap((p) => matchAndReport([p], catalogs, all, owner, report));
  const byName = new Map(matched.map((a) => [a.name, a]));
  const actions = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let condition;
  if (decl.condition !== undefined) {
    const env: Env = {
      packageName: pkg.name,
      constants: pkg.constants,
      conditions: pkg.conditions,
      expanding: [],
      expansion: { left: MAX_EXPANDED_NODES },
      owner: `label \`${decl.name.name}\``,
      catalogs,
      actions,
      patterns: decl.patterns,
      humanPresent: false,
      where: "a label's condition",
      report,
      once: new Set(),
    };
    condition = typeExpr(decl.condition, env, EMPTY_SCOPE);
    if (condition.type.kind !== "boolean" && condition.type.kind !== "error") {
      report(diagnostic("AGP215", decl.condition.span, { what: `the condition of label \`${decl.name.name}\``, expr: "", type: describeType(condition.type) }));
    }
  }
  return {
    name: decl.name.name,
    package: pkg.name,
    file,
    actions: actions.map((a) => a.name),
    ...(condition === undefined ? {} : { condition }),
    decl,
  };
}

/** The labels catalogs give their actions (`"x-agp-labels"`), one declaration per catalog file and label. */
export function catalogLabels(catalogs: CatalogSet): CheckedLabel[] {
  const byKey = new Map<string, { name: string; file: string; actions: string[] }>();
  for (const catalog of catalogs.catalogs) {
    for (const action of catalog.actions) {
      for (const label of action.labels ?? []) {
        const key = `${catalog.file}\u0000${label}`;
        const entry = byKey.get(key) ?? { name: label, file: catalog.file, actions: [] };
        entry.actions.push(action.name);
        byKey.set(key, entry);
      }
    }
  }
  return [...byKey.values()].map((e) => ({ name: e.name, package: "", file: e.file, actions: [...e.actions].sort() }));
}

/**
 * The set's session: present when some rule used a session operator. Every
 * package that did must name the same key (AGP244), and the key must be a
 * string field with `maxLength` in the request shape, outside `args` (AGP243).
 */
export function checkedSession(
  packages: readonly PackageInfo[],
  uses: SessionUses,
  catalogs: CatalogSet,
  report: (d: Diagnostic) => void,
): CheckedSession | undefined {
  const using = packages.filter((p) => uses.used.has(p.name));
  if (using.length === 0) return undefined;
  const keyOf = (p: PackageInfo): readonly string[] => {
    const key = p.session?.decl.key;
    return key === undefined ? DEFAULT_SESSION_KEY : [key.root.name, ...key.fields.map((f) => f.name)];
  };
  const first = using[0]!;
  const key = keyOf(first);
  for (const other of using.slice(1)) {
    const theirs = keyOf(other);
    if (theirs.join(".") === key.join(".")) continue;
    const span = other.session?.decl.span ?? uses.used.get(other.name)!;
    report(
      diagnostic(
        "AGP244",
        span,
        { message: `package \`${other.name}\` identifies sessions by \`${theirs.join(".")}\`, but package \`${first.name}\` by \`${key.join(".")}\`` },
        { help: "every package of a policy set must name the same session key: one module keeps one state per session" },
      ),
    );
  }
  checkKey(key, first.session?.decl, uses.used.get(first.name)!, catalogs, report);
  const packagesOut = packages
    .filter((p) => uses.used.has(p.name) || p.session !== undefined)
    .map((p) => ({ name: p.name, retainMs: retainOf(p, report), ...(p.session?.decl.track === undefined ? {} : { track: p.session.decl.track.value }) }));
  return { key, retainMs: Math.max(...packagesOut.map((p) => p.retainMs)), packages: packagesOut };
}

function checkKey(key: readonly string[], decl: SessionDecl | undefined, used: Span, catalogs: CatalogSet, report: (d: Diagnostic) => void): void {
  const span = decl?.key?.span ?? decl?.span ?? used;
  const text = key.join(".");
  const fail = (why: string, help: string) => report(diagnostic("AGP243", span, { message: `the session key \`${text}\` ${why}` }, { help }));
  const [root, ...fields] = key;
  const shape = catalogs.request;
  const start: Type | undefined =
    root === "context" ? shape.context : root === "agent" ? shape.agent : root === "human" ? shape.human : root === "env" ? shape.env : undefined;
  const where = decl === undefined ? "the default session key" : "it";
  if (start === undefined || fields.length === 0) {
    fail(
      root === "args" ? "reads `args`, which differs from action to action" : "is not a field of the request's `context`, `agent`, `human` or `env`",
      "name a field of the request shape, such as `session context.session`",
    );
    return;
  }
  let type: Type | undefined = start;
  for (const field of fields) {
    const base: Type | undefined = type === undefined ? undefined : splitNull(type).base;
    type = base?.kind === "object" ? base.fields.get(field)?.type : undefined;
  }
  if (type === undefined) {
    fail(
      `is not declared in the catalogs' request shape`,
      `declare ${where} in the project catalog's \`request.${root}\` (\`"${fields.join(".")}": {"type": "string", "maxLength": 128}\`), or name another field with \`session <path>\``,
    );
    return;
  }
  const base = splitNull(type).base;
  if (base.kind !== "string" || base.maxLength === undefined) {
    fail(`is ${describeType(type)}; a session key must be a string with \`maxLength\``, "give the field `\"type\": \"string\"` and a `maxLength` in the catalog");
  }
}

/** AGP310: a label declared by a statement that no rule tests. */
export function unusedLabels(packages: Iterable<PackageInfo>, uses: SessionUses, warn: (d: Diagnostic) => void): void {
  const seen = new Set<string>();
  for (const pkg of packages) {
    for (const { decl } of pkg.labels) {
      const name = decl.name.name;
      if (uses.tested.has(name) || seen.has(name)) continue;
      seen.add(name);
      warn(diagnostic("AGP310", decl.name.span, { label: name }));
    }
  }
}

/** `session context.session`: the key's path as written, for messages. */
export function keyText(key: Path | undefined): string {
  return key === undefined ? DEFAULT_SESSION_KEY.join(".") : [key.root.name, ...key.fields.map((f) => f.name)].join(".");
}
