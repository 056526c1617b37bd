/**
 * Checks rules and limits: patterns against the package's catalogs,
 * conditions, approval requirements, obligations, limit keys, budgets.
 *
 * In: one rule or limit with its package and catalogs. Out: `CheckedRule` /
 * `CheckedLimit`; reports AGP202/AGP302 (patterns), AGP204 (groups), AGP223/
 * AGP233 (keys), AGP224/AGP234 (cost), AGP225 (approval on the wrong effect),
 * AGP307 (human rules never evaluated), AGP280/AGP281 (`requester` without a human,
 * `(same person allowed)` alone), AGP282–AGP285 (`binds`); obligations are checked by
 * obligations.ts, expression problems come from typing.ts. Must not emit whole-policy warnings (warnings.ts does).
 */
import type { CatalogSet, FieldType, SchemaLocation } from "../catalog/index.js";
import { diagnostic, didYouMean, type Diagnostic } from "../diagnostics/index.js";
import type { ApprovalRequirement, LimitDecl, Path, RuleDecl, Span } from "../syntax/index.js";
import type { CheckedLimit, CheckedRule, TypedExpr } from "./checked.js";
import type { PackageInfo } from "./declarations.js";
import { EMPTY_SCOPE, type Env } from "./env.js";
import { assume, guardLookup, whenTrue } from "./guards.js";
import { checkObligations, type ObligationUse } from "./obligations.js";
import { matchAndReport } from "./patterns.js";
import { showExpr } from "./show.js";
import { MAX_EXPANDED_NODES } from "./conditions.js";
import { typeCondition, typeExpr } from "./typing.js";
import { describeType, splitNull } from "./types.js";
import type { SessionUses } from "./session.js";

/** What every rule and limit of one package is checked against. */
export interface PackageContext {
  readonly pkg: PackageInfo;
  readonly catalogs: CatalogSet;
  readonly all: CatalogSet;
  /** Some of the package's catalogs failed to load: unknown actions are not reported again. */
  readonly incomplete: boolean;
  /** Declared approver groups; undefined means any group name is accepted. */
  readonly groups?: readonly string[];
  readonly report: (d: Diagnostic) => void;
  readonly locate?: (location: SchemaLocation) => Span | undefined;
  /** Where rules record session operators and labels they test (session operators are allowed in rules only). */
  readonly sessions?: SessionUses;
  /** Every obligation every rule gives, for the checks across rules (obligations.ts). */
  readonly obligationUses: ObligationUse[];
}

export function checkRule(rule: RuleDecl, file: string, ctx: PackageContext): CheckedRule {
  const { pkg, report } = ctx;
  const id = rule.id.name;
  const actions = matchAndReport(rule.patterns, ctx.catalogs, ctx.all, { kind: "rule", id, packageName: pkg.name, quiet: ctx.incomplete }, report);
  const principal = rule.principal?.value ?? "agent";
  if (principal === "human" && pkg.delegation === "agent_only") {
    report(diagnostic("AGP307", rule.principal!.span, { id, package: pkg.name }));
  }
  const env: Env = {
    ...makeEnv(ctx, actions, rule.patterns, principal === "human", "rules for the agent", `rule \`${id}\``),
    ...(ctx.sessions === undefined ? {} : { session: ctx.sessions.envFor(pkg, id, report) }),
  };
  const condition =
    rule.condition === undefined ? undefined : typeCondition(rule.condition, env, EMPTY_SCOPE, `the condition of rule \`${id}\``);
  if (rule.effect.value === "approve" && rule.approval === undefined) {
    report(
      diagnostic("AGP225", rule.effect.span, { message: `rule \`${id}\` approves, but names no approvers` }, {
        help: 'say who approves: `by 1 of group "<group>"`',
      }),
    );
  }
  if (rule.effect.value !== "approve" && rule.approval !== undefined) {
    report(
      diagnostic("AGP225", rule.approval.span, { message: `\`by\` only applies to \`approve\` rules, but rule \`${id}\` is \`${rule.effect.value}\`` }, {
        help: `remove the \`by\` clause, or make the rule \`approve\``,
      }),
    );
  }
  if (rule.approval !== undefined) {
    checkApproval(rule.approval, ctx);
    // Under `human_only` a request without a human is denied before any approval (ADR 0040).
    const humanKnown =
      principal === "human" || pkg.delegation === "human_only" || (rule.condition !== undefined && whenTrue(rule.condition).present.has("human"));
    checkRequester(rule.approval, humanKnown, "rule", id, principal === "human" ? "" : "guard the condition with `has human and …`, or write the rule `for human`", ctx);
    checkSamePerson(rule.approval, "rule", id, ctx);
  }
  if (rule.binds !== undefined) checkBinds(rule, ctx);
  const obligations = checkObligations(
    rule,
    {
      constants: pkg.constants,
      conditions: pkg.conditions,
      ...(ctx.all.obligations === undefined ? {} : { declared: ctx.all.obligations }),
      report,
      ...(ctx.locate === undefined ? {} : { locate: ctx.locate }),
    },
    ctx.obligationUses,
  );
  return {
    id,
    package: pkg.name,
    file,
    effect: rule.effect.value,
    principal,
    actions: actions.map((a) => a.name),
    ...(condition === undefined ? {} : { condition }),
    obligations,
    decl: rule,
  };
}

export function checkLimit(limit: LimitDecl, file: string, ctx: PackageContext): CheckedLimit {
  const { pkg, report } = ctx;
  const id = limit.id.name;
  const actions = matchAndReport(limit.patterns, ctx.catalogs, ctx.all, { kind: "limit", id, packageName: pkg.name, quiet: ctx.incomplete }, report);
  // Keys and cost are read only when the limit applies, so its condition guards them.
  const env = makeEnv(ctx, actions, limit.patterns, false, "limits", `limit \`${id}\``);
  const condition =
    limit.condition === undefined ? undefined : typeCondition(limit.condition, env, EMPTY_SCOPE, `the condition of limit \`${id}\``);
  const scope = limit.condition === undefined ? EMPTY_SCOPE : assume(EMPTY_SCOPE, whenTrue(limit.condition, guardLookup(env, EMPTY_SCOPE)));
  const keyEnv: Env = { ...env, humanPresent: true };
  const keys = limit.keys.map((key) => checkKey(key, keyEnv, scope));
  // Counts and window lengths are checked by the parser (AGP138).
  const measure = limit.measure;
  let cost: TypedExpr | undefined;
  if (measure.kind === "Budget") {
    cost = typeExpr(measure.cost, env, scope);
    const { base, nullable } = splitNull(cost.type);
    if (cost.type.kind !== "error" && (base.kind !== "number" || nullable)) {
      report(diagnostic("AGP224", measure.cost.span, { id, expr: showExpr(measure.cost), type: describeType(cost.type) }));
    } else if (cost.type.kind !== "error") {
      checkCostSign(id, cost, ctx);
    }
  }
  if (limit.otherwise?.kind === "CapApprove") {
    const approval = limit.otherwise.approval;
    checkApproval(approval, ctx);
    checkRequester(approval, scope.present.has("human"), "limit", id, "add `has human` to the limit's `when`", ctx);
    checkSamePerson(approval, "limit", id, ctx);
  }
  return {
    id,
    package: pkg.name,
    file,
    actions: actions.map((a) => a.name),
    keys,
    ...(cost === undefined ? {} : { cost }),
    ...(condition === undefined ? {} : { condition }),
    decl: limit,
  };
}

/** `per agent` means `agent.id`, `per human` means `human.id`; a key must be a string or an integer. */
function checkKey(key: Path, env: Env, scope: typeof EMPTY_SCOPE): TypedExpr {
  const root = key.root.name;
  const path: Path =
    key.fields.length === 0 && (root === "agent" || root === "human")
      ? { ...key, fields: [{ kind: "Identifier", name: "id", span: key.root.span }] }
      : key;
  const typed = typeExpr(path, env, scope);
  const { base } = splitNull(typed.type);
  if (typed.type.kind === "error") return typed;
  // A counter key is read from the request at run time; the action's catalog
  // metadata is not part of the request, so a key on it could not be
  // computed the same way by every engine. Refuse it rather than count
  // every request under one `null` key.
  if (root === "action") {
    env.report(diagnostic("AGP235", key.span, { path: showExpr(key) }));
    return typed;
  }
  if (base.kind === "object" || base.kind === "any") {
    env.report(diagnostic("AGP233", key.span, { path: showExpr(key), type: describeType(typed.type) }));
  } else if (!(base.kind === "string" || (base.kind === "number" && base.integer))) {
    env.report(diagnostic("AGP223", key.span, { path: showExpr(key), type: describeType(typed.type) }));
  }
  return typed;
}

/**
 * A charge is never negative (a budget only grows), so the cost must be a
 * number the schema bounds below by 0 in every matched action, or a literal
 * or constant of at least 0: AGP234. Any other expression cannot be proved
 * non-negative and is refused too.
 */
function checkCostSign(id: string, cost: TypedExpr, ctx: PackageContext): void {
  const expr = showExpr(cost.node);
  const literal =
    cost.kind === "Literal"
      ? cost.value
      : cost.kind === "Path" && cost.resolution.kind === "constant" && cost.resolution.value.kind === "literal"
        ? cost.resolution.value.value
        : undefined;
  if (typeof literal === "number") {
    if (literal < 0) {
      ctx.report(diagnostic("AGP234", cost.node.span, { id, why: `\`${expr}\` is ${literal}`, fix: "give a cost of 0 or more" }));
    }
    return;
  }
  if (cost.kind !== "Path" || cost.resolution.kind !== "field") {
    ctx.report(
      diagnostic("AGP234", cost.node.span, {
        id,
        why: `\`${expr}\` is not a field or a number`,
        fix: "use a numeric field whose schema has `\"minimum\": 0`, or a number",
      }),
    );
    return;
  }
  for (const { action, type } of cost.resolution.perAction) {
    const base = splitNull(type).base;
    if (base.kind === "number" && base.minimum !== undefined && base.minimum >= 0) continue;
    const location = base.kind === "number" ? base.location : undefined;
    const span = location === undefined ? undefined : ctx.locate?.(location);
    ctx.report(
      diagnostic(
        "AGP234",
        cost.node.span,
        {
          id,
          why: `\`${expr}\` has no \`minimum\` of 0 or more in \`${action}\``,
          fix: `add \`"minimum": 0\` to ${location?.file ?? "the schema"} at \`${location?.pointer ?? "/"}\``,
        },
        span === undefined ? {} : { related: [{ span, message: `the schema of \`${expr}\`` }] },
      ),
    );
    return;
  }
}

function checkApproval(approval: ApprovalRequirement, ctx: PackageContext): void {
  for (const quorum of approval.quorums) {
    // Counts below 1 or fractional are syntax errors (AGP128).
    if (ctx.groups === undefined) continue;
    for (const group of quorum.groups) {
      if (ctx.groups.includes(group.value)) continue;
      const help = didYouMean(group.value, ctx.groups) ?? `declared groups: ${ctx.groups.map((g) => `\`${g}\``).join(", ")}`;
      ctx.report(diagnostic("AGP204", group.span, { group: group.value }, { help }));
    }
  }
}

/** `by requester` where the request may have no human (AGP280): nobody could ever confirm. */
function checkRequester(approval: ApprovalRequirement, humanKnown: boolean, kind: string, id: string, fix: string, ctx: PackageContext): void {
  if (approval.requester === undefined || humanKnown) return;
  ctx.report(diagnostic("AGP280", approval.requester.span, { kind, id }, { help: fix }));
}

/** `(same person allowed)` with fewer than two quorums says nothing (AGP281). */
function checkSamePerson(approval: ApprovalRequirement, kind: string, id: string, ctx: PackageContext): void {
  if (approval.samePerson === undefined || approval.quorums.length >= 2) return;
  ctx.report(diagnostic("AGP281", approval.samePerson.span, { kind, id }));
}

/** `binds`: approve rules only (AGP282), context fields only (AGP283) that a request can carry (AGP284), each once (AGP285). */
function checkBinds(rule: RuleDecl, ctx: PackageContext): void {
  const binds = rule.binds!;
  const id = rule.id.name;
  if (rule.effect.value !== "approve") {
    ctx.report(diagnostic("AGP282", binds.span, { id, effect: rule.effect.value }));
    return;
  }
  const seen = new Set<string>();
  for (const path of binds.paths) {
    const shown = showExpr(path);
    if (path.root.name !== "context" || path.fields.length === 0) {
      ctx.report(diagnostic("AGP283", path.span, { path: shown }));
      continue;
    }
    if (seen.has(shown)) ctx.report(diagnostic("AGP285", path.span, { path: shown }));
    seen.add(shown);
    let type: FieldType | undefined = ctx.catalogs.request.context;
    for (const field of path.fields) {
      if (type?.kind !== "object") break; // anything else (a union, `any`, a scalar) holds whatever the request sends there
      const declared = type.fields.get(field.name);
      if (declared === undefined && !type.additionalProperties) {
        const names = [...type.fields.keys()];
        const declared = names.length === 0 ? "it declares no fields" : `it declares ${names.map((n) => `\`${n}\``).join(", ")}`;
        const help = didYouMean(field.name, names) ?? `${declared}; declare \`${field.name}\` in the \`context\` of the catalog's \`request\` shape to bind it (docs/catalogs.md)`;
        ctx.report(diagnostic("AGP284", field.span, { path: shown, field: field.name }, { help }));
        break;
      }
      type = declared?.type;
    }
  }
}

function makeEnv(
  ctx: PackageContext,
  actions: Env["actions"],
  patterns: Env["patterns"],
  humanPresent: boolean,
  where: string,
  owner: string,
): Env {
  return {
    packageName: ctx.pkg.name,
    constants: ctx.pkg.constants,
    conditions: ctx.pkg.conditions,
    expanding: [],
    owner,
    expansion: { left: MAX_EXPANDED_NODES },
    catalogs: ctx.catalogs,
    actions,
    patterns,
    humanPresent,
    where,
    report: ctx.report,
    once: new Set(),
    ...(ctx.locate === undefined ? {} : { locate: ctx.locate }),
  };
}
