/**
 * `--watch` for `agp check` and `agp test`: run, then run again whenever a
 * file the run read (a policy, a catalog, agp.json) or a folder holding one
 * changes, until Ctrl-C.
 *
 * In: the io and a run function that reports the files it read. Out: the
 * exit code of the last run once stopped. Changes are gathered for a short
 * while before a run (an editor's save is often several events), and a run
 * never overlaps another. Must not decide what a run does.
 */
import { watch, type FSWatcher } from "node:fs";
import { dirname, resolve } from "node:path";
import type { CliIo } from "./io.js";

/** What tests replace: when watching stops and what happens after each run. */
export interface WatchHooks {
  /** Stops watching when aborted; default: SIGINT or SIGTERM. */
  readonly signal?: AbortSignal;
  /** After each run, with its number (1 = the first) and exit code. */
  readonly onRun?: (run: number, exit: number) => void;
  /** How long changes are gathered before a run (default 150 ms). */
  readonly settleMs?: number;
}

/** Runs `run` now and after every change to what it read; resolves with the last exit code when stopped. */
export async function watchAndRerun(io: CliIo, run: (watched: (files: Iterable<string>) => void) => Promise<number>, hooks: WatchHooks = {}): Promise<number> {
  const watchers = new Map<string, FSWatcher>();
  let files = new Set<string>();
  let last = 0;
  let count = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();
  let changed: string | undefined;
  let stopped = false;

  const follow = (read: Iterable<string>): void => {
    files = new Set([...read].map((f) => resolve(io.cwd, f)));
    const directories = new Set([...files].map((f) => dirname(f)));
    for (const [directory, watcher] of watchers) {
      if (directories.has(directory)) continue;
      watcher.close();
      watchers.delete(directory);
    }
    for (const directory of directories) {
      if (watchers.has(directory)) continue;
      try {
        const watcher = watch(directory, (_event, name) => onChange(name === null ? directory : resolve(directory, name.toString())));
        watcher.on("error", () => watcher.close());
        watchers.set(directory, watcher);
      } catch {
        // A folder that vanished: the next run reports the missing files.
      }
    }
  };
  const once = async (): Promise<void> => {
    let read: Iterable<string> = [];
    last = await run((f) => (read = f));
    count++;
    if (!stopped) follow(read);
    io.stderr(`agp: watching ${files.size} ${files.size === 1 ? "file" : "files"} for changes (Ctrl-C stops)\n`);
    hooks.onRun?.(count, last);
  };
  function onChange(path: string): void {
    // A new .agp file beside the others counts too; editors' swap files do not.
    if (!files.has(path) && !/\.(agp|json)$/.test(path)) return;
    changed ??= path;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      const what = changed;
      changed = undefined;
      running = running.then(async () => {
        if (stopped) return;
        io.stderr(`\nagp: ${what === undefined ? "a file" : what} changed; running again\n`);
        await once();
      });
    }, hooks.settleMs ?? 150);
  }

  await (running = once());
  await new Promise<void>((done) => {
    const stop = (): void => {
      stopped = true;
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      done();
    };
    if (hooks.signal !== undefined) {
      if (hooks.signal.aborted) stop();
      else hooks.signal.addEventListener("abort", stop, { once: true });
    } else {
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    }
  });
  if (timer !== undefined) clearTimeout(timer);
  for (const watcher of watchers.values()) watcher.close();
  await running;
  return last;
}
