/**
 * Bundle versions and their order: SemVer 2.0.0 precedence.
 *
 * In: version strings. Out: `parseVersion` (undefined for anything that is
 * not SemVer 2.0.0) and `compareVersions`. The order is SemVer's: major,
 * minor, patch numerically (any size); a pre-release sorts before its
 * release; pre-release identifiers compare left to right, numeric ones
 * numerically and below alphanumeric ones, a shorter list first when all
 * else is equal; build metadata (`+…`) is ignored, so `1.0.0+a` and
 * `1.0.0+b` are the same version (and neither may replace the other).
 * Must not accept anything SemVer does not: downgrade protection rests on it.
 */

/** A parsed version. */
export interface BundleVersion {
  readonly major: bigint;
  readonly minor: bigint;
  readonly patch: bigint;
  readonly prerelease: readonly (bigint | string)[];
  readonly text: string;
}

const NUMBER = "0|[1-9]\\d*";
const PRE_ID = `(?:${NUMBER}|\\d*[a-zA-Z-][0-9a-zA-Z-]*)`;
const SEMVER = new RegExp(`^(${NUMBER})\\.(${NUMBER})\\.(${NUMBER})(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+[0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*)?$`);

/** The version, or undefined when `text` is not SemVer 2.0.0 (at most 256 characters). */
export function parseVersion(text: string): BundleVersion | undefined {
  if (typeof text !== "string" || text.length > 256) return undefined;
  const m = SEMVER.exec(text);
  if (m === null) return undefined;
  const prerelease = m[4] === undefined ? [] : m[4].split(".").map((id) => (/^\d+$/.test(id) ? BigInt(id) : id));
  return { major: BigInt(m[1]!), minor: BigInt(m[2]!), patch: BigInt(m[3]!), prerelease, text };
}

/** Negative when `a` precedes `b`, 0 when they have the same precedence, positive when `a` follows `b`. */
export function compareVersions(a: BundleVersion, b: BundleVersion): number {
  for (const key of ["major", "minor", "patch"] as const) {
    if (a[key] !== b[key]) return a[key] < b[key] ? -1 : 1;
  }
  const pa = a.prerelease;
  const pb = b.prerelease;
  if (pa.length === 0 || pb.length === 0) return pa.length === pb.length ? 0 : pa.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    if (typeof x === "bigint" && typeof y === "bigint") return x < y ? -1 : 1;
    if (typeof x === "bigint") return -1;
    if (typeof y === "bigint") return 1;
    return x < y ? -1 : 1;
  }
  return pa.length === pb.length ? 0 : pa.length < pb.length ? -1 : 1;
}
