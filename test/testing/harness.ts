/**
 * Runs `agp test` in-process on a fresh directory holding the deploy
 * fixture (test/fixtures/testing/deploy: a catalog, a policy, a passing
 * suite) plus whatever files a test adds or replaces, so file names in the
 * output are short and stable (`deploy.agp`, `passing.test.agp`).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Command } from "commander";
import { captureIo } from "../../compiler/cli/io.js";
import { main } from "../../compiler/cli/main.js";
import { registerTestCommand, type TestCommandHooks } from "../../compiler/cli/commands/test.js";

export const DEPLOY = resolve("test/fixtures/testing/deploy");

// The exact outputs are colourless; a terminal running the tests must not change them.
process.env["NO_COLOR"] = "1";

export interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
  /** Files the run wrote (coverage, reports), by name. */
  readonly written: Record<string, string>;
}

export interface RunSpec {
  /** Files to add or replace (name → text); a value of null removes the fixture's file. */
  readonly files?: Readonly<Record<string, string | null>>;
  /** Files the run is expected to write, read back after it. */
  readonly read?: readonly string[];
  /** Run through a program with these hooks instead of `main` (fake compilers and engines). */
  readonly hooks?: TestCommandHooks;
}

/** `agp <args>` with the deploy fixture as the working directory. */
export async function agp(args: readonly string[], spec: RunSpec = {}): Promise<Run> {
  const directory = mkdtempSync(join(tmpdir(), "agp-test-"));
  try {
    cpSync(DEPLOY, directory, { recursive: true });
    for (const [name, text] of Object.entries(spec.files ?? {})) {
      if (text === null) rmSync(join(directory, name));
      else writeFileSync(join(directory, name), text);
    }
    const io = captureIo(directory);
    let code: number;
    if (spec.hooks === undefined) code = await main(args, io);
    else {
      let exit = 0;
      const program = new Command("agp").exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
      registerTestCommand(program, io, (c) => (exit = c), spec.hooks);
      await program.parseAsync([...args], { from: "user" });
      code = exit;
    }
    const written: Record<string, string> = {};
    for (const name of spec.read ?? []) written[name] = readFileSync(join(directory, name), "utf8");
    return { code, out: io.out, err: io.err, written };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** The fixture's passing suite, for tests that start from it. */
export const PASSING = readFileSync(join(DEPLOY, "passing.test.agp"), "utf8");
