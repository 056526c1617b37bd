/**
 * The lower stage's entry: a checked policy set and its catalogs → one
 * `IrProgram` (compiler/ir), specialized per action.
 *
 * In: a `CheckedPolicySet` free of errors and the `CatalogSet` it was
 * checked against. Out: the program, or AGP6xx diagnostics for what the
 * checker accepts but cannot be compiled to bounded-time code.
 * Must not import codegen or binaryen; must be deterministic (the content
 * hash is taken over its output): actions by name, rules by file/line/id,
 * limits by id, slots in lowering order.
 *
 * Per action: the rules covering it (the checker's `actions`), each
 * principal's rules lowered (a rule whose condition folds to false is
 * dropped), indexed (./indexing.ts); the limits covering it; the delegation
 * mode (the packages of the covering rules; `both` when they disagree); the
 * input layout (./slots.ts) and the cost bound (./cost.ts).
 */
import type { ActionEntry, CatalogSet } from "../catalog/index.js";
import type { CheckedLimit, CheckedPolicySet, CheckedRule, TypedExpr } from "../check/index.js";
import { diagnostic, sortDiagnostics, type Diagnostic, type Span } from "../diagnostics/index.js";
import { IR_VERSION, type IrAction, type IrGlob, type IrLimitUse, type IrMode, type IrNum, type IrProgram, type IrRuleUse } from "../ir/index.js";
import type { ManifestLimit, ManifestObligation, ManifestRule } from "../../runtime/manifest.js";
import { actionCost } from "./cost.js";
import { constant, lowerCondition } from "./expr.js";
import { indexSide } from "./indexing.js";
import { numRef, operandOf, type LowerProblem, type Scope } from "./operands.js";
import { schemaOf } from "./schema.js";
import { SlotTable } from "./slots.js";
import { compileGlob } from "./glob.js";
import { actionSession, keyScratch, MonitorTable, sessionLayout, type SessionContext } from "./session.js";

/** What lowering returns. */
export interface LowerResult {
  /** Present when no diagnostic is an error. */
  readonly program?: IrProgram;
  readonly diagnostics: readonly Diagnostic[];
}

/** Lowers a checked policy set. */
export function lower(checked: CheckedPolicySet, catalogs: CatalogSet): LowerResult {
  const problems: LowerProblem[] = [];
  const globs: IrGlob[] = [];
  const globIds = new Map<string, number | undefined>();
  const glob = (pattern: string, span: Span): number | undefined => {
    if (globIds.has(pattern)) return globIds.get(pattern);
    const compiled = compileGlob(pattern);
    let id: number | undefined;
    if (compiled.ok) {
      id = globs.length;
      globs.push({ pattern, states: compiled.dfa.stateCount });
    } else if (compiled.error.kind === "too-complex") {
      problems.push({ code: "AGP601", span, values: { message: compiled.error.message, help: compiled.error.help } });
    } else {
      problems.push({ code: "AGP601", span, values: { message: `glob \`${pattern}\` is malformed`, help: "fix the glob" } });
    }
    globIds.set(pattern, id);
    return id;
  };

  const sortedRules = [...checked.rules].sort((a, b) => bySource(ruleKey(a), ruleKey(b)));
  const ruleIndex = new Map(sortedRules.map((r, i) => [r, i]));
  const sortedLimits = [...checked.limits].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const modes = new Map(checked.packages.map((p) => [p.name, p.delegation]));
  const actions = [...catalogs.actions.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  let session: SessionContext | undefined;
  if (checked.session !== undefined) {
    // Pass 1: every monitor, before any action's watches are lowered.
    const table = new MonitorTable(checked);
    table.collect(sortedRules);
    session = { table, lower: lowerCondition };
  }
  const globPattern = (id: number): string => globs[id]!.pattern;
  const lowered = actions.map((action, id) =>
    lowerAction(action, id, { sortedRules, ruleIndex, sortedLimits, modes, problems, glob, globPattern, ...(session === undefined ? {} : { session }) }),
  );
  const irActions = lowered.map((l) => l.action);
  const diagnostics = sortDiagnostics(problems.map((p) => diagnostic(p.code, p.span, p.values, p.help === undefined ? {} : { help: p.help })));
  if (diagnostics.length > 0) return { diagnostics };
  const obligations = declaredObligations(sortedRules, catalogs);
  const program: IrProgram = {
    irVersion: IR_VERSION,
    actions: irActions,
    rules: sortedRules.map(manifestRule),
    limits: sortedLimits.map(manifestLimit),
    ...(obligations === undefined ? {} : { obligations }),
    request: {
      agent: schemaOf(catalogs.request.agent),
      human: schemaOf(catalogs.request.human),
      env: schemaOf(catalogs.request.env),
      context: schemaOf(catalogs.request.context),
    },
    globs,
    memory: {
      slotBytes: lowered.reduce((m, l) => Math.max(m, l.slotBytes), 8),
      arenaBytes: lowered.reduce((m, l) => Math.max(m, l.arenaBytes), 8),
    },
    ...(session === undefined ? {} : { session: sessionLayout(session.table, checked, keyScratch(irActions)) }),
  };
  return { program, diagnostics };
}

interface Context {
  readonly sortedRules: readonly CheckedRule[];
  readonly ruleIndex: ReadonlyMap<CheckedRule, number>;
  readonly sortedLimits: readonly CheckedLimit[];
  readonly modes: ReadonlyMap<string, IrMode>;
  readonly problems: LowerProblem[];
  readonly glob: Scope["glob"];
  readonly session?: SessionContext;
  readonly globPattern: (id: number) => string;
}

function lowerAction(action: ActionEntry, id: number, context: Context): { action: IrAction; slotBytes: number; arenaBytes: number } {
  const slots = new SlotTable();
  const scope: Scope = { action, slots, bindings: [], problems: context.problems, glob: context.glob, ...(context.session === undefined ? {} : { session: context.session }) };
  const covering = context.sortedRules.filter((r) => r.actions.includes(action.name));
  const uses = (principal: "agent" | "human"): IrRuleUse[] =>
    covering
      .filter((r) => r.principal === principal)
      .map((rule) => ({
        rule: context.ruleIndex.get(rule)!,
        effect: rule.effect,
        line: rule.decl.span.line,
        condition: rule.condition === undefined ? constant(true, rule.decl.span.line) : lowerCondition(rule.condition, { ...scope, pkg: rule.package }),
      }))
      .filter((use) => !(use.condition.op === "const" && !use.condition.value));
  const agentUses = uses("agent");
  const humanUses = uses("human");
  const limits: IrLimitUse[] = [];
  context.sortedLimits.forEach((limit, index) => {
    if (!limit.actions.includes(action.name)) return;
    const line = limit.decl.span.line;
    const condition = limit.condition === undefined ? constant(true, line) : lowerCondition(limit.condition, scope);
    if (condition.op === "const" && !condition.value) return;
    const amount: IrNum = limit.decl.measure.kind === "Rate" ? { kind: "const", value: 1 } : costOf(limit.cost, scope, line);
    limits.push({ limit: index, line, condition, amount });
  });
  const sessionPart =
    context.session === undefined ? undefined : actionSession(scope, covering.map((rule) => ({ rule, index: context.ruleIndex.get(rule)! })), context.session);
  const packages = new Set(covering.map((r) => r.package));
  const modes = new Set([...packages].map((p) => context.modes.get(p) ?? "both"));
  const [only] = modes;
  // Indexing reads the layout's bounds (string and array sizes), so it follows the layout.
  const layout = slots.finish();
  const indexing = { reads: layout.reads, globPattern: context.globPattern };
  const agent = indexSide(agentUses, indexing);
  const human = indexSide(humanUses, indexing);
  const result: IrAction = {
    id,
    name: action.name,
    family: action.family,
    args: schemaOf(action.args),
    slots: layout.slots,
    reads: layout.reads,
    mode: modes.size === 1 && only !== undefined ? only : "both",
    humanCovered: covering.some((r) => r.principal === "human"),
    readOnly: action.metadata.get("readOnly")?.value === true,
    agent,
    human,
    limits,
    costBound: actionCost([agent, human], limits, layout.reads, sessionPart, (m) => context.session?.table.scanSteps(m) ?? 1),
    ...(sessionPart === undefined ? {} : { session: sessionPart }),
  };
  return { action: result, slotBytes: layout.slotBytes, arenaBytes: layout.arenaBytes };
}

function costOf(cost: TypedExpr | undefined, scope: Scope, line: number): IrNum {
  if (cost === undefined) return { kind: "const", value: 0 };
  const o = operandOf(cost, scope);
  if (o.k === "const") return { kind: "const", value: typeof o.value === "number" ? o.value : Number.NaN };
  if (o.k === "field") return { kind: "slot", ref: numRef(o, scope) };
  scope.problems.push({ code: "AGP602", span: cost.node.span, values: { path: "cost", action: scope.action.name, why: `a cost must be a number field or literal (line ${line})` } });
  return { kind: "const", value: 0 };
}

function ruleKey(rule: CheckedRule): { file: string; line: number; id: string } {
  return { file: rule.file, line: rule.decl.span.line, id: rule.id };
}

function bySource(a: { file: string; line: number; id: string }, b: { file: string; line: number; id: string }): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.line !== b.line) return a.line - b.line;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The declarations (type, merge, enum) of the obligations rules set, by name, sorted; undefined when none is declared. */
function declaredObligations(rules: readonly CheckedRule[], catalogs: CatalogSet): Record<string, ManifestObligation> | undefined {
  const declared = catalogs.obligations;
  if (declared === undefined) return undefined;
  const used = [...new Set(rules.flatMap((r) => r.obligations.map((o) => o.key)))].filter((k) => declared.has(k)).sort();
  if (used.length === 0) return undefined;
  const result: Record<string, ManifestObligation> = {};
  for (const key of used) {
    const decl = declared.get(key)!;
    result[key] = { type: decl.type, merge: decl.merge, ...(decl.enum === undefined ? {} : { enum: decl.enum }) };
  }
  return result;
}

function manifestRule(rule: CheckedRule): ManifestRule {
  const d = rule.decl;
  return {
    id: rule.id,
    file: rule.file,
    line: d.span.line,
    effect: d.effect.value,
    principal: d.principal?.value ?? "agent",
    ...(d.reason === undefined ? {} : { reason: d.reason.value }),
    audit: d.audit?.value ?? "info",
    obligations: rule.obligations.map((o) => ({ key: o.key, value: o.value })),
    quorums: d.approval === undefined ? [] : d.approval.quorums.map((q) => ({ count: q.count.value, groups: q.groups.map((g) => g.value) })),
    ...(d.approval?.requester === undefined ? {} : { requester: true as const }),
    ...(d.approval?.samePerson === undefined ? {} : { samePerson: true as const }),
    ...(d.binds === undefined ? {} : { binds: d.binds.paths.map((p) => [p.root.name, ...p.fields.map((f) => f.name)].join(".")) }),
  };
}

function manifestLimit(limit: CheckedLimit): ManifestLimit {
  const d = limit.decl;
  const m = d.measure;
  const otherwise = d.otherwise;
  return {
    id: limit.id,
    file: limit.file,
    line: d.span.line,
    kind: m.kind === "Rate" ? "rate" : "budget",
    cap: m.kind === "Rate" ? m.count.value : m.amount.value,
    ...(m.kind === "Budget" && m.unit !== undefined ? { unit: m.unit.name } : {}),
    window: { count: d.window.count, unit: d.window.unit },
    keys: d.keys.map((k) => [k.root.name, ...k.fields.map((f) => f.name)]),
    otherwise:
      otherwise?.kind === "CapApprove"
        ? {
            kind: "approve",
            quorums: otherwise.approval.quorums.map((q) => ({ count: q.count.value, groups: q.groups.map((g) => g.value) })),
            ...(otherwise.approval.requester === undefined ? {} : { requester: true as const }),
            ...(otherwise.approval.samePerson === undefined ? {} : { samePerson: true as const }),
          }
        : { kind: "deny" },
    ...(d.reason === undefined ? {} : { reason: d.reason.value }),
  };
}
