/**
 * How principal ids are compared: the one place that says when two ids
 * name the same person or agent.
 *
 * In: ids (agent, human and approver ids, as the host passes them). Out:
 * their comparison key. Two ids are the same identity when their keys are
 * equal. The key drops default-ignorable code points (zero-width spaces and
 * joiners, soft hyphens, variation selectors), applies NFKC, folds case
 * (lower → upper → lower, so `ß`, `ẞ` and `SS` meet), applies NFKC again and
 * trims white space — an approximation of Unicode's NFKC_Casefold that errs
 * on the side of merging (`ı` and `i` are one identity), which for
 * approvals is the safe side: a merged id counts once and can never
 * approve for itself. See docs/decisions/0013-gateway-snapshot-and-identity.md.
 * Must not import anything: both engines and the governance runtime use it.
 */

// `DI` is Default_Ignorable_Code_Point. One pass is a fixed point for every code point (test/adversarial/approvals-identity.test.ts).
const IGNORABLE = /\p{DI}/gu;

/** The comparison key of a principal id (see the file header). */
export function identityKey(id: string): string {
  return id.replace(IGNORABLE, "").normalize("NFKC").toLowerCase().toUpperCase().toLowerCase().normalize("NFKC").trim();
}

/** Whether two ids name the same identity. */
export function sameIdentity(a: string, b: string): boolean {
  return a === b || identityKey(a) === identityKey(b);
}
