/**
 * The manifest's wire form: what the `agp.manifest` section holds (ABI 4,
 * docs/decisions/0044-compact-manifest.md), and the two directions between
 * it and the `Manifest` every host works with.
 *
 * In: a `Manifest` (the code generator packs it) or the parsed JSON of the
 * section (a host unpacks it). Out: the wire value (JSON-serializable) or a
 * `Manifest`. The wire form is the manifest with its rule table packed: a
 * file table, and one short array per rule (`[id, file, line, flags]`, plus
 * an object of the rule's rarer parts when it has any). Everything else is
 * the manifest as it was. Unpacking checks the ABI first (a module of
 * another ABI is refused with "recompile"), then the rule table's shape, and
 * throws `PolicyLoadError` naming the first wrong entry; the rest of the
 * manifest is checked by check-manifest.ts after unpacking.
 * Must not import anything but the manifest types and the error class.
 */
import { ABI_VERSION, type Effect, type Manifest, type ManifestRule } from "../manifest.js";
import { PolicyLoadError } from "../errors.js";

/** A rule on the wire: id, index into `files`, line, flags; then its rarer parts, when it has any. */
export type PackedRule = readonly [id: string, file: number, line: number, flags: number, rest?: PackedRuleRest];

/** A rule's parts most rules lack; each is absent when empty. */
export interface PackedRuleRest {
  readonly reason?: string;
  readonly obligations?: ManifestRule["obligations"];
  readonly quorums?: ManifestRule["quorums"];
  readonly binds?: readonly string[];
}

/** The section's content: the manifest with `rules` packed and the files they name in a table. */
export type WireManifest = Omit<Manifest, "rules"> & { readonly files: readonly string[]; readonly rules: readonly PackedRule[] };

/**
 * A rule's flags, one number: effect in bits 0–1 (0 allow, 1 approve, 2
 * deny), principal in bit 2 (0 agent, 1 human), audit in bits 3–4 (0 info,
 * 1 notice, 2 security), `requester` in bit 5, `samePerson` in bit 6.
 */
export const RULE_FLAGS = { principal: 4, auditShift: 3, requester: 32, samePerson: 64 } as const;
const EFFECTS: readonly Effect[] = ["allow", "approve", "deny"];
const AUDITS: readonly ManifestRule["audit"][] = ["info", "notice", "security"];
/** Every bit a flags value may set. */
const FLAG_BITS = 0x7f;

const EMPTY: readonly never[] = Object.freeze([]);

/** The wire form of a manifest (what the code generator writes, as JSON, into the section). */
export function packManifest(manifest: Manifest): WireManifest {
  const files: string[] = [];
  const fileIndex = new Map<string, number>();
  const rules = manifest.rules.map((rule): PackedRule => {
    let file = fileIndex.get(rule.file);
    if (file === undefined) {
      file = files.length;
      files.push(rule.file);
      fileIndex.set(rule.file, file);
    }
    const flags =
      EFFECTS.indexOf(rule.effect) |
      (rule.principal === "human" ? RULE_FLAGS.principal : 0) |
      (AUDITS.indexOf(rule.audit) << RULE_FLAGS.auditShift) |
      (rule.requester === true ? RULE_FLAGS.requester : 0) |
      (rule.samePerson === true ? RULE_FLAGS.samePerson : 0);
    const rest: { -readonly [K in keyof PackedRuleRest]: PackedRuleRest[K] } = {};
    if (rule.reason !== undefined) rest.reason = rule.reason;
    if (rule.obligations.length > 0) rest.obligations = rule.obligations;
    if (rule.quorums.length > 0) rest.quorums = rule.quorums;
    if (rule.binds !== undefined) rest.binds = rule.binds;
    return Object.keys(rest).length === 0 ? [rule.id, file, rule.line, flags] : [rule.id, file, rule.line, flags, rest];
  });
  const { rules: _rules, ...others } = manifest;
  return { ...others, files, rules };
}

/**
 * The manifest a wire value carries. Throws `PolicyLoadError` for another
 * ABI (first: an older module's rules are not packed) and for a rule table
 * of the wrong shape. Rules without obligations or quorums share one
 * frozen empty array.
 */
export function unpackManifest(value: unknown): Manifest {
  const { others, packed, files } = openWire(value);
  const rules = packed.map((p, i) => unpackRule(p, i, files));
  return { ...others, rules } as unknown as Manifest;
}

/** A wire manifest taken apart: everything but the rule table, the packed rules (unchecked), and the file table (checked). */
export interface OpenedWire {
  readonly others: Record<string, unknown>;
  readonly packed: readonly unknown[];
  readonly files: readonly string[];
}

/**
 * Checks the ABI, the file table and that `rules` is an array, and hands
 * the packed rules back unread: a loader that decodes rules on first use
 * (./lazy-rules.ts) calls `unpackRule` on each when it needs it.
 */
export function openWire(value: unknown): OpenedWire {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail("manifest", "an object");
  const wire = value as Record<string, unknown>;
  if (wire.abi !== ABI_VERSION) {
    throw new PolicyLoadError(`the policy module was compiled for ABI ${JSON.stringify(wire.abi)}, this runtime speaks ABI ${ABI_VERSION}; recompile the policy or upgrade the runtime`);
  }
  const files = wire.files;
  if (!Array.isArray(files)) fail("manifest.files", "an array");
  files.forEach((f, i) => {
    if (typeof f !== "string") fail(`manifest.files[${i}]`, "a string");
  });
  const packed = wire.rules;
  if (!Array.isArray(packed)) fail("manifest.rules", "an array");
  const { files: _files, rules: _rules, ...others } = wire;
  return { others, packed, files: files as string[] };
}

/**
 * Rule `index` of the packed table, as the compiler built it; throws
 * `PolicyLoadError` naming the first wrong entry (`manifest.rules[1][3]`).
 * The rest object's parts are only shaped here: check-manifest.ts's
 * `checkRule` checks their contents.
 */
export function unpackRule(value: unknown, index: number, files: readonly string[]): ManifestRule {
  const at = `manifest.rules[${index}]`;
  if (!Array.isArray(value) || value.length < 4 || value.length > 5) fail(at, "an array of 4 or 5 entries [id, file, line, flags, rest?]");
  const [id, file, line, flags, rest] = value as unknown[];
  if (typeof id !== "string") fail(`${at}[0]`, "a string (the rule id)");
  if (!isCount(file) || file >= files.length) fail(`${at}[1]`, `an index into manifest.files (below ${files.length})`);
  if (!isCount(line)) fail(`${at}[2]`, "a non-negative integer (the line)");
  if (!isCount(flags) || (flags & ~FLAG_BITS) !== 0 || (flags & 3) === 3 || ((flags >> RULE_FLAGS.auditShift) & 3) === 3) fail(`${at}[3]`, "rule flags (docs/abi.md, section 2)");
  const effect = EFFECTS[flags & 3]!;
  const principal: ManifestRule["principal"] = (flags & RULE_FLAGS.principal) === 0 ? "agent" : "human";
  const audit = AUDITS[(flags >> RULE_FLAGS.auditShift) & 3]!;
  const approval = { ...((flags & RULE_FLAGS.requester) !== 0 ? { requester: true as const } : {}), ...((flags & RULE_FLAGS.samePerson) !== 0 ? { samePerson: true as const } : {}) };
  if (rest === undefined) {
    // The compiler's key order (compiler/lower/program.ts), so `agp inspect --manifest` prints what `agp compile --manifest` writes.
    const plain: ManifestRule = { id, file: files[file]!, line, effect, principal, audit, obligations: EMPTY, quorums: EMPTY };
    return flags < RULE_FLAGS.requester ? plain : { ...plain, ...approval };
  }
  if (typeof rest !== "object" || rest === null || Array.isArray(rest)) fail(`${at}[4]`, "an object");
  const parts = rest as Record<string, unknown>;
  for (const key of Object.keys(parts)) {
    if (key !== "reason" && key !== "obligations" && key !== "quorums" && key !== "binds") fail(`${at}[4]`, `an object of reason, obligations, quorums and binds (not \`${key}\`)`);
  }
  // The parts' shapes are check-manifest.ts's business, as in any manifest.
  const rule: ManifestRule = {
    id,
    file: files[file]!,
    line,
    effect,
    principal,
    ...(parts.reason === undefined ? {} : { reason: parts.reason as string }),
    audit,
    obligations: (parts.obligations ?? EMPTY) as ManifestRule["obligations"],
    quorums: (parts.quorums ?? EMPTY) as ManifestRule["quorums"],
    ...approval,
    ...(parts.binds === undefined ? {} : { binds: parts.binds as readonly string[] }),
  };
  return rule;
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 0x7fffffff;
}

function fail(at: string, expected: string): never {
  throw new PolicyLoadError(`corrupt policy manifest: \`${at}\` must be ${expected}`);
}
