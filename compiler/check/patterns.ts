/**
 * Action patterns against catalogs: which actions `aws.*`, `*`,
 * `github.pull_request.merge` or a `{…}` list of them matches, and the
 * catalog set each package sees.
 *
 * In: patterns and catalog sets. Out: matched actions (sorted by name);
 * reports unknown exact actions (AGP202, with a did-you-mean) and wildcard
 * patterns that match nothing (AGP302). Must not type expressions.
 */
import type { ActionEntry, CatalogSet } from "../catalog/index.js";
import { diagnostic, didYouMean, type Diagnostic } from "../diagnostics/index.js";
import type { ActionPattern } from "../syntax/index.js";
import { patternCovers, patternText } from "./env.js";

/** The actions a pattern matches (`*`: every action of the catalogs), sorted by name. */
export function matchPattern(pattern: ActionPattern, catalogs: CatalogSet): ActionEntry[] {
  const text = pattern.segments.join(".");
  if (!pattern.wildcard) {
    const exact = catalogs.actions.get(text);
    return exact === undefined ? [] : [exact];
  }
  return [...catalogs.actions.values()].filter((a) => patternCovers(pattern, a.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Matches a rule's or limit's patterns (the union of what each matches,
 * sorted by name) and reports each pattern that matches nothing. `all` is
 * every loaded catalog, to say when an action exists but its catalog is
 * not named by the package.
 */
export function matchAndReport(
  patterns: readonly ActionPattern[],
  catalogs: CatalogSet,
  all: CatalogSet,
  owner: { kind: "rule" | "limit"; id: string; packageName: string; quiet?: boolean },
  report: (d: Diagnostic) => void,
): ActionEntry[] {
  const matched = new Map<string, ActionEntry>();
  for (const pattern of patterns) {
    const found = matchPattern(pattern, catalogs);
    for (const action of found) matched.set(action.name, action);
    if (found.length === 0 && owner.quiet !== true) reportUnmatched(pattern, catalogs, all, owner, report);
  }
  return [...matched.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function reportUnmatched(
  pattern: ActionPattern,
  catalogs: CatalogSet,
  all: CatalogSet,
  owner: { kind: "rule" | "limit"; id: string; packageName: string },
  report: (d: Diagnostic) => void,
): void {
  const scope = owner.packageName === "" ? "this file" : `package \`${owner.packageName}\``;
  const elsewhere = matchPattern(pattern, all)[0];
  const name = pattern.segments.join(".");
  const help =
    elsewhere !== undefined
      ? `\`${elsewhere.name}\` is in \`${elsewhere.location.file}\`; name it in an \`actions\` statement of the package`
      : pattern.segments.length === 0
        ? "name a catalog in an `actions` statement of the package"
        : pattern.wildcard
          ? suggestPrefix(name, catalogs)
          : didYouMean(name, catalogs.actions.keys());
  const extras = help === undefined ? {} : { help };
  if (pattern.wildcard) {
    report(diagnostic("AGP302", pattern.span, { pattern: patternText(pattern), scope, kind: owner.kind, id: owner.id }, extras));
  } else {
    report(diagnostic("AGP202", pattern.span, { name, scope }, extras));
  }
}

/** Did-you-mean for `awz.*`: among every dotted prefix of every action name. */
function suggestPrefix(prefix: string, catalogs: CatalogSet): string | undefined {
  const prefixes = new Set<string>();
  for (const name of catalogs.actions.keys()) {
    const parts = name.split(".");
    for (let i = 1; i < parts.length; i++) prefixes.add(parts.slice(0, i).join("."));
  }
  const match = didYouMean(prefix, prefixes);
  return match?.replace(/`([^`]*)`/, (_, m: string) => `\`${m}.*\``);
}

/** The part of `all` a package sees: the catalogs whose files are listed (the request shape is shared). */
export function subsetCatalogs(all: CatalogSet, files: readonly string[] | undefined): CatalogSet {
  if (files === undefined) return all;
  const wanted = new Set(files);
  const catalogs = all.catalogs.filter((c) => wanted.has(c.file));
  const actions = new Map<string, ActionEntry>();
  for (const catalog of catalogs) for (const action of catalog.actions) actions.set(action.name, action);
  return {
    catalogs,
    actions,
    request: all.request,
    ...(all.groups === undefined ? {} : { groups: all.groups }),
    ...(all.obligations === undefined ? {} : { obligations: all.obligations }),
  };
}
