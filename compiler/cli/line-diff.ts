/**
 * A unified diff of two texts, line by line, for `agp fmt --diff`.
 *
 * In: the old and new text and the names to print. Out: the diff text in
 * the unified format `patch` and `git apply` read (`--- a/x`, `+++ b/x`,
 * `@@ -l,n +l,n @@` hunks with 3 lines of context), or "" when the texts
 * are the same. Myers' O(ND) algorithm: formatting changes few lines, so D
 * stays small whatever the file's length.
 * Must not touch the file system.
 */

type Edit = { readonly kind: " " | "-" | "+"; readonly line: string };

const CONTEXT = 3;

/** The unified diff turning `before` into `after`. */
export function unifiedDiff(before: string, after: string, oldName: string, newName: string): string {
  if (before === after) return "";
  const a = lines(before);
  const b = lines(after);
  const edits = myers(a, b);
  const out = [`--- ${oldName}`, `+++ ${newName}`];
  // Group edits into hunks: changes with up to 2×CONTEXT unchanged lines between them share one.
  let i = 0;
  while (i < edits.length) {
    while (i < edits.length && edits[i]!.kind === " ") i++;
    if (i === edits.length) break;
    const start = Math.max(0, i - CONTEXT);
    let end = i;
    for (let j = i, quiet = 0; j < edits.length; j++) {
      if (edits[j]!.kind === " ") {
        quiet++;
        if (quiet > 2 * CONTEXT) break;
      } else {
        quiet = 0;
        end = j;
      }
    }
    const stop = Math.min(edits.length, end + 1 + CONTEXT);
    let oldLine = 1;
    let newLine = 1;
    for (let k = 0; k < start; k++) {
      if (edits[k]!.kind !== "+") oldLine++;
      if (edits[k]!.kind !== "-") newLine++;
    }
    const hunk = edits.slice(start, stop);
    const oldCount = hunk.filter((e) => e.kind !== "+").length;
    const newCount = hunk.filter((e) => e.kind !== "-").length;
    out.push(`@@ -${range(oldLine, oldCount)} +${range(newLine, newCount)} @@`);
    for (const edit of hunk) {
      // A last line without a newline says so, as diff does (the marker keeps it from matching the same line with one).
      if (edit.line.endsWith(NO_EOL)) out.push(`${edit.kind}${edit.line.slice(0, -NO_EOL.length)}`, "\\ No newline at end of file");
      else out.push(`${edit.kind}${edit.line}`);
    }
    i = stop;
  }
  return `${out.join("\n")}\n`;
}

function range(line: number, count: number): string {
  // An empty side names the line before it, as diff -u does.
  if (count === 0) return `${line - 1},0`;
  return count === 1 ? `${line}` : `${line},${count}`;
}

const NO_EOL = "\u0000no newline";

function lines(text: string): string[] {
  if (text === "") return [];
  const finalNewline = text.endsWith("\n");
  const split = (finalNewline ? text.slice(0, -1) : text).split("\n");
  if (!finalNewline) split[split.length - 1] += NO_EOL;
  return split;
}

/** The shortest edit script from `a` to `b` (Myers 1986), as a list of kept, removed and added lines. */
function myers(a: readonly string[], b: readonly string[]): Edit[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  trace.push(v.slice());
  // Walk the trace back from (n, m).
  const edits: Edit[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 2; d >= 0 && (x > 0 || y > 0); d--) {
    const vd = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && vd[offset + k - 1]! < vd[offset + k + 1]!) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : vd[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      edits.push({ kind: " ", line: a[x - 1]! });
      x--;
      y--;
    }
    if (d === 0) break;
    if (x === prevX) edits.push({ kind: "+", line: b[y - 1]! });
    else edits.push({ kind: "-", line: a[x - 1]! });
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) {
    edits.push({ kind: " ", line: a[x - 1]! });
    x--;
    y--;
  }
  return edits.reverse();
}
