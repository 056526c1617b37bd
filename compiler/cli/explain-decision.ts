/**
 * `agp eval --explain`: why the module decided what it did, from the policy
 * sources (the module has no conditions in it, only code).
 *
 * In: the module's manifest, its decision, the request and state, and the
 * directory the sources are under. Steps: find the files the manifest names
 * (rules' and limits' files, as they were given to `agp compile`); check
 * them (and, if that does not reproduce the module, the directories they
 * are in, for constants and catalogs declared in rule-less files); lower
 * them and compare the content hash with the module's — only the very
 * sources the module was compiled from may explain it; then the reference
 * interpreter's `explainRequest` gives the value of every sub-expression,
 * rendered as `agp test` renders failures (compiler/testing `nodeLines`).
 * Out: text lines and a JSON document, or why there is no explanation.
 * Must not decide anything: the decision shown is always the module's.
 */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Decision, Manifest, RuntimeState } from "../../runtime/index.js";
import type { CatalogSet } from "../catalog/index.js";
import { checkPaths, type CheckedPolicySet } from "../check/index.js";
import { contentHash, loadCatalogsOf } from "../compile/index.js";
import { explainRequest, modelFromChecked, type ExplainedNode, type PolicyModel, type RuleExplanation } from "../interpret/index.js";
import { lower } from "../lower/index.js";
import { nodeLines, sourceText } from "../testing/index.js";

/** How many covering rules a decision without deciding rules lists. */
export const MAX_COVERING = 10;
/** How many source lines of one rule are shown. */
const MAX_SOURCE_LINES = 8;

/** The explanation, or why there is none. */
export type DecisionExplanation =
  | { readonly status: "unavailable"; readonly message: string }
  | { readonly status: "explained"; readonly lines: readonly string[]; readonly json: Record<string, unknown> };

/** Where the sources are: `base` (absolute) and how to name it in messages. */
export interface SourcesDir {
  readonly base: string;
  readonly label: string;
}

interface Loaded {
  readonly checked: CheckedPolicySet;
  readonly catalogs: CatalogSet;
  readonly sources: ReadonlyMap<string, string>;
}

/** Explains `decision` (made by the module whose manifest is `manifest`) from the sources under `dir`. */
export async function explainDecision(manifest: Manifest, decision: Decision, request: unknown, state: RuntimeState | undefined, dir: SourcesDir): Promise<DecisionExplanation> {
  const found = await findSources(manifest, dir);
  if ("message" in found) return { status: "unavailable", message: found.message };
  const model = modelFromChecked(found.checked, found.catalogs);
  return explainWith(model, found.sources, decision, request, state);
}

/** The checked sources under `dir` whose content hash is the module's, or why there are none. */
export async function findSources(manifest: Manifest, dir: SourcesDir): Promise<Loaded | { message: string }> {
  const files = [...new Set([...manifest.rules, ...manifest.limits].map((r) => r.file))].sort();
  if (files.length === 0) return { message: "the module has no rules or limits, so there is nothing to explain" };
  const missing = files.find((f) => !existsSync(resolve(dir.base, f)));
  if (missing !== undefined) {
    return {
      message: `cannot find \`${missing}\` under \`${dir.label}\` (the module names its policy files as they were given to \`agp compile\`; pass --sources <the directory it ran in>); no explanation`,
    };
  }
  const directories = [...new Set(files.map((f) => dirname(f)))].sort();
  let mismatch: string | undefined;
  let problem: string | undefined;
  for (const paths of [files, directories]) {
    const result = await checkPaths(paths, { cwd: dir.base });
    if (result.checked === undefined) {
      const first = result.diagnostics.find((d) => d.severity === "error");
      problem ??= first === undefined ? "errors" : `${first.span.file}:${first.span.line}: ${first.code} ${first.message}`;
      continue;
    }
    const catalogs = await loadCatalogsOf(result.checked, dir.base);
    const program = lower(result.checked, catalogs).program;
    if (program === undefined) continue;
    const hash = contentHash(program);
    if (hash === manifest.policy.hash) return { checked: result.checked, catalogs, sources: result.sources };
    mismatch = hash;
  }
  if (mismatch !== undefined) {
    return {
      message: `the sources in \`${dir.label}\` are not the ones this module was compiled from (hash ${short(mismatch)} ≠ ${short(manifest.policy.hash)}); no explanation`,
    };
  }
  return { message: `the sources in \`${dir.label}\` do not compile (${problem ?? "AGP6xx"}); no explanation` };
}

function short(hash: string): string {
  return `${hash.slice(0, 12)}…`;
}

/** The explanation of a decision with a model known to be the module's. */
export function explainWith(model: PolicyModel, sources: ReadonlyMap<string, string>, decision: Decision, request: unknown, state: RuntimeState | undefined): DecisionExplanation {
  const lines: string[] = [];
  const json: Record<string, unknown> = { status: "explained" };
  const decided = decision.rules.filter((r) => r.kind === "rule").map((r) => r.id);
  const explanation = explainRequest(model, request, state, decided.length > 0 ? decided : undefined);
  if (explanation.kind === "refused") {
    lines.push(`the request is refused before any rule runs: ${explanation.message}`);
    return { status: "explained", lines, json: { ...json, refused: explanation.message, rules: [], limits: [] } };
  }
  const limits = decision.rules.filter((r) => r.kind === "limit");
  const limitJson: Record<string, unknown>[] = [];
  for (const ref of limits) {
    const limit = model.limits.find((l) => l.id === ref.id);
    const used = state?.counters?.[ref.id];
    const cap = limit?.cap;
    const usedText =
      used === undefined ? "" : cap !== undefined && used > cap ? `: the state says ${used} used, already over the cap ${cap}` : `: the state says ${used} used, and this request's charge would pass the cap ${cap ?? "?"}`;
    lines.push(`limit ${ref.id} (${ref.file}:${ref.line}) decided${usedText}`);
    for (const item of excerpt(sources, ref.file, ref.line, ref.line)) lines.push(item);
    limitJson.push({ id: ref.id, file: ref.file, line: ref.line, ...(limit === undefined ? {} : { cap: limit.cap }), ...(used === undefined ? {} : { used }) });
  }
  let rules: readonly RuleExplanation[] = explanation.rules;
  if (decided.length === 0) {
    const covering = rules.length;
    rules = rules.slice(0, MAX_COVERING);
    const why = decision.reasons[0] ?? "";
    const head = decision.error !== undefined ? `refused (${decision.error.code})` : why.startsWith("kill switch") ? "no rule decided" : "no rule matched";
    if (limits.length === 0) lines.push(`${head}: ${why}`);
    const more = covering > rules.length ? ` (the first ${rules.length})` : "";
    lines.push(covering === 0 ? `no rule covers \`${explanation.action}\`` : `${covering} ${covering === 1 ? "rule covers" : "rules cover"} \`${explanation.action}\`${more}:`);
    json.covering = covering;
  }
  const decidedSet = new Set(decided);
  const ruleJson: Record<string, unknown>[] = [];
  for (const rule of rules) {
    const role = decidedSet.has(rule.id) ? "decided" : "did not decide";
    lines.push(`rule ${rule.id} (${rule.file}:${rule.line}) ${role} (${rule.effect}${rule.principal === "human" ? " for human" : ""}); ${summary(rule)}`);
    const end = rule.condition?.expr.span.endLine ?? rule.line + 1;
    const source = excerpt(sources, rule.file, rule.line, end);
    for (const item of source) lines.push(item);
    if (decidedSet.has(rule.id) && rule.holds === false) {
      lines.push("  note: the reference interpreter finds this condition false, yet the module decided by this rule; this is a bug in agp, please report it");
    }
    if (rule.condition !== undefined && rule.covers) for (const item of nodeLines(rule.condition, sources, 2)) lines.push(item);
    ruleJson.push({
      id: rule.id,
      file: rule.file,
      line: rule.line,
      effect: rule.effect,
      principal: rule.principal,
      decided: decidedSet.has(rule.id),
      covers: rule.covers,
      ...(rule.holds === undefined ? {} : { holds: rule.holds }),
      source: sourceLines(sources, rule.file, rule.line, end),
      ...(rule.condition === undefined ? {} : { condition: nodeJson(rule.condition, sources) }),
    });
  }
  return { status: "explained", lines, json: { ...json, action: explanation.action, rules: ruleJson, limits: limitJson } };
}

function summary(rule: RuleExplanation): string {
  if (!rule.covers) return "it does not cover this action";
  if (rule.condition === undefined) return "it has no condition: it matches every request for its pattern";
  if (rule.holds === undefined) return "its condition cannot be evaluated:";
  return `its condition is ${rule.holds}:`;
}

/** Source lines `from`..`to` (at most MAX_SOURCE_LINES), as `  14 | text`. */
function excerpt(sources: ReadonlyMap<string, string>, file: string, from: number, to: number): string[] {
  const lines = sourceLines(sources, file, from, to);
  const width = String(from + lines.length - 1).length;
  const out = lines.map((text, i) => `  ${String(from + i).padStart(width)} | ${text}`.trimEnd());
  if (to - from + 1 > lines.length && lines.length > 0) out.push(`  ${" ".repeat(width)} | …`);
  return out;
}

function sourceLines(sources: ReadonlyMap<string, string>, file: string, from: number, to: number): string[] {
  const text = sources.get(file);
  if (text === undefined) return [];
  const all = text.split(/\r\n|\r|\n/);
  return all.slice(from - 1, Math.min(to, from - 1 + MAX_SOURCE_LINES));
}

/** Literal operands are left out, as `agp test` leaves them out: their value is their text. */
const LITERALS = new Set(["String", "Number", "Boolean", "Null", "Set"]);

/** An explanation tree as JSON: each node's source text and its value, error, or `skipped`. */
function nodeJson(node: ExplainedNode, sources: ReadonlyMap<string, string>): Record<string, unknown> {
  const outcome = node.outcome;
  const children = node.children.filter((c) => !LITERALS.has(c.expr.kind));
  const result =
    outcome.kind === "value"
      ? outcome.value === undefined
        ? { absent: true }
        : { value: outcome.value }
      : outcome.kind === "error"
        ? { error: outcome.message }
        : { skipped: true };
  return {
    text: sourceText(node.expr.span, sources),
    ...result,
    ...(outcome.kind === "skipped" || children.length === 0 ? {} : { children: children.map((c) => nodeJson(c, sources)) }),
    ...(node.iterations === undefined
      ? {}
      : { iterations: node.iterations.map((i) => ({ variable: i.variable, item: i.item === undefined ? null : i.item, body: nodeJson(i.body, sources) })) }),
  };
}
