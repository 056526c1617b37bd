/**
 * A catalog's `obligations` section: the obligations gateways enforce, each
 * with the type of its value and how the values of several rules merge.
 *
 * In: the section's JSON (already shaped by the catalog meta-schema: each
 * entry an object with `type`, optional `merge`, `enum`, `description`).
 * Out: `ObligationDecl`s by name, and AGP402 for combinations the
 * meta-schema cannot refuse alone (a `merge` that does not fit the type,
 * `min` / `max` on a string without `enum`). Must not read policies.
 */
import { diagnostic, type Diagnostic, type Span } from "../diagnostics/index.js";
import { toPointer } from "./json-source.js";
import type { JsonValue, ObligationDecl, ObligationMerge, ObligationType } from "./types.js";

/** The merges each type allows; the first is its default. */
export const MERGES_BY_TYPE: Readonly<Record<ObligationType, readonly ObligationMerge[]>> = {
  number: ["min", "max", "same"],
  integer: ["min", "max", "same"],
  boolean: ["or", "and", "same"],
  string: ["same", "min", "max"],
  set: ["union", "intersection"],
};

/** The merge a type gets when the declaration names none: today's "strictest wins". */
export function DEFAULT_MERGE(type: ObligationType): ObligationMerge {
  return MERGES_BY_TYPE[type][0]!;
}

type Obj = Readonly<Record<string, JsonValue>>;

/** Reads the section; `spanOf` places a problem at a pointer of the file. */
export function readObligations(
  file: string,
  section: Obj,
  spanOf: (pointer: string) => Span,
  diagnostics: Diagnostic[],
): Map<string, ObligationDecl> {
  const declared = new Map<string, ObligationDecl>();
  for (const [name, raw] of Object.entries(section)) {
    const pointer = `/obligations${toPointer([name])}`;
    const entry = raw as Obj;
    const type = entry.type as ObligationType;
    const merge = (entry.merge as ObligationMerge | undefined) ?? DEFAULT_MERGE(type);
    const members = Array.isArray(entry.enum) ? (entry.enum as string[]) : undefined;
    const refuse = (where: string, reason: string) =>
      diagnostics.push(diagnostic("AGP402", spanOf(where), { where: `\`${where}\``, reason }));
    if (!MERGES_BY_TYPE[type].includes(merge)) {
      refuse(`${pointer}/merge`, `\`${merge}\` does not merge ${type === "set" ? "sets" : `${type}s`}; use ${MERGES_BY_TYPE[type].map((m) => `\`${m}\``).join(", ")}`);
      continue;
    }
    if (members !== undefined && type !== "string" && type !== "set") {
      refuse(`${pointer}/enum`, "only `string` and `set` obligations list their values");
      continue;
    }
    if ((merge === "min" || merge === "max") && type === "string" && members === undefined) {
      refuse(`${pointer}/merge`, `\`${merge}\` orders strings by their \`enum\`; list the values, least strict first`);
      continue;
    }
    const description = typeof entry.description === "string" ? entry.description : undefined;
    declared.set(name, {
      name,
      type,
      merge,
      ...(members === undefined ? {} : { enum: members }),
      ...(description === undefined ? {} : { description }),
      location: { file, pointer },
    });
  }
  return declared;
}
