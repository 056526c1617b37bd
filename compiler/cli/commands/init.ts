/**
 * `agp init [directory]`: start a policy project — agp.json with one policy
 * set, an action catalog, a policy and its tests (compiler/cli/init).
 *
 * In: the directory (default `.`), `--force`. Out: the files written, each
 * named on stderr, and what to run next; exit 0. Exit 2, writing nothing,
 * when any of the files exists (without `--force`) or cannot be written.
 * Must not overwrite anything without `--force`.
 */
import { access } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { writeFileAtomic } from "../../../runtime/node/index.js";
import { displayText } from "../../../runtime/display-text.js";
import { INIT_FILES } from "../init/templates.js";
import { EXIT, type CliIo } from "../io.js";
import { usageError } from "../usage.js";

export function registerInitCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("init")
    .description("start a policy project here: agp.json, an example policy, its catalog and its tests")
    .argument("[directory]", "where to start it (created if missing)", ".")
    .option("--force", "overwrite files that exist")
    .action(async (directory: string, options: { force?: boolean }) => {
      setExit(await runInit(directory, options.force === true, io));
    });
}

async function runInit(directory: string, force: boolean, io: CliIo): Promise<number> {
  const base = resolve(io.cwd, directory);
  if (!force) {
    const existing: string[] = [];
    for (const [file] of INIT_FILES) if (await exists(join(base, file))) existing.push(join(directory, file));
    if (existing.length > 0) return usageError(io, `${existing.map(displayText).join(", ")} ${existing.length === 1 ? "exists" : "exist"}; pass --force to overwrite, or init another directory`);
  }
  for (const [file, text] of INIT_FILES) {
    try {
      await writeFileAtomic(join(base, file), text, { mkdir: true });
    } catch (error) {
      return usageError(io, `cannot write ${displayText(join(directory, file))}: ${error instanceof Error ? error.message : String(error)}`);
    }
    io.stderr(`wrote ${displayText(join(directory, file))}\n`);
  }
  const cd = directory === "." ? "" : `cd ${displayText(directory)} && `;
  io.stderr(`next: ${cd}agp check && agp test && agp compile -o build/\n`);
  return EXIT.ok;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
