/**
 * Policy sets at a git revision, for `agp diff origin/main HEAD`: the
 * revision's tree is written into a temporary directory (`git archive`
 * piped into `tar`), so the checker reads it like any directory; paths map
 * as in the working tree (the same path relative to the repository root).
 *
 * In: a revision name and the working directory. Out: the directory that
 * stands for the working directory at that revision, and a cleanup; or why
 * not. Must not change the repository (no checkout, no index, no worktree).
 */
import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** How long one git command may take. */
const GIT_TIMEOUT_MS = 60_000;

function git(args: readonly string[], cwd: string): Promise<{ ok: boolean; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile("git", [...args], { cwd, timeout: GIT_TIMEOUT_MS, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      resolve({ ok: error === null, out: String(stdout), err: String(stderr) });
    });
  });
}

/** Whether `name` names a commit in the repository around `cwd`. */
export async function isRevision(name: string, cwd: string): Promise<boolean> {
  if (name.startsWith("-")) return false;
  return (await git(["rev-parse", "--verify", "--quiet", `${name}^{commit}`], cwd)).ok;
}

/** A checkout-free copy of the tree at `revision`; `dir` corresponds to `cwd`. */
export async function treeAt(revision: string, cwd: string): Promise<{ dir: string; cleanup: () => Promise<void> } | { error: string }> {
  const prefix = await git(["rev-parse", "--show-prefix"], cwd);
  if (!prefix.ok) return { error: `\`${cwd}\` is not inside a git repository` };
  const root = await git(["rev-parse", "--show-toplevel"], cwd);
  const tmp = await mkdtemp(join(tmpdir(), "agp-rev-"));
  const cleanup = () => rm(tmp, { recursive: true, force: true });
  const extracted = await new Promise<string | undefined>((resolve) => {
    const archive = spawn("git", ["archive", "--format=tar", revision], { cwd: root.out.trim(), stdio: ["ignore", "pipe", "pipe"] });
    const tar = spawn("tar", ["-x", "-f", "-", "-C", tmp], { stdio: ["pipe", "ignore", "pipe"] });
    const timer = setTimeout(() => {
      archive.kill();
      tar.kill();
    }, GIT_TIMEOUT_MS);
    let errors = "";
    archive.stderr.on("data", (d: Buffer) => (errors += d.toString()));
    tar.stderr.on("data", (d: Buffer) => (errors += d.toString()));
    archive.stdout.pipe(tar.stdin);
    let pending = 2;
    let failed = false;
    // Each process reports once, whether it fails to start ("error") or ends ("close").
    const finisher = () => {
      let reported = false;
      return (code: number | null) => {
        if (reported) return;
        reported = true;
        if (code !== 0) failed = true;
        if (--pending === 0) {
          clearTimeout(timer);
          resolve(failed ? errors.trim() || "git archive failed" : undefined);
        }
      };
    };
    const archiveDone = finisher();
    const tarDone = finisher();
    archive.on("error", (e) => ((errors += e.message), archiveDone(1)));
    tar.on("error", (e) => ((errors += e.message), tarDone(1)));
    archive.on("close", archiveDone);
    tar.on("close", tarDone);
  });
  if (extracted !== undefined) {
    await cleanup();
    return { error: `cannot read revision \`${revision}\`: ${extracted}` };
  }
  return { dir: join(tmp, prefix.out.trim()), cleanup };
}
