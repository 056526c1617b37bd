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

const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

function step(id: string): string {
  return id.replace(IGNORABLE, "").normalize("NFKC").toLowerCase().toUpperCase().toLowerCase().normalize("NFKC").trim();
}

/** The comparison key of a principal id (see the file header). */
export function identityKey(id: string): string {
  let key = step(id);
  // One step is a fixed point for every code point (tested); the loop is for sequences nobody has found.
  for (let i = 0; i < 3; i++) {
    const next = step(key);
    if (next === key) return key;
    key = next;
  }
  return key;
}

/** Whether two ids name the same identity. */
export function sameIdentity(a: string, b: string): boolean {
  return a === b || identityKey(a) === identityKey(b);
}
