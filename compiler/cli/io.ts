import { displayBlock } from "../../runtime/display-text.js";

/**
 * What a CLI command may touch besides the file system: its output streams
 * and the working directory. Tests pass a capturing implementation, so a
 * command's exact output and exit code can be asserted without a subprocess.
 */
export interface CliIo {
  readonly cwd: string;
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Exit codes shared by every verb. */
export const EXIT = {
  /** Everything passed. */
  ok: 0,
  /** The policy (or its tests) has errors: the user's input is wrong. */
  policyErrors: 1,
  /** Bad usage, unreadable files, or an internal error. */
  usage: 2,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * `io` with every write passed through `displayBlock`: whatever a verb
 * prints — a value from a request, an audit file, a module, a policy, a
 * file name — no control character, bidi override or line separator
 * reaches the terminal raw (agp's own colours excepted). `main` puts every
 * verb behind it; verbs still escape each field with `displayText`, which
 * also stops a value from starting a new line.
 */
export function terminalSafeIo(io: CliIo): CliIo {
  return {
    cwd: io.cwd,
    stdout: (text) => io.stdout(displayBlock(text)),
    stderr: (text) => io.stderr(displayBlock(text)),
  };
}

/**
 * The real process streams. When the reader of a stream goes away
 * (`agp fmt examples | head -1`), what is left to print is dropped: the
 * broken pipe (EPIPE) is the reader saying it has seen enough, not an error
 * worth a stack trace.
 */
export function processIo(): CliIo {
  return {
    cwd: process.cwd(),
    stdout: writerTo(process.stdout),
    stderr: writerTo(process.stderr),
  };
}

const guarded = new WeakSet<NodeJS.WriteStream>();

function writerTo(stream: NodeJS.WriteStream): (text: string) => void {
  if (!guarded.has(stream)) {
    guarded.add(stream);
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
    });
  }
  // After a broken pipe the stream is destroyed: later writes are dropped.
  return (text) => {
    if (!stream.destroyed) stream.write(text);
  };
}

/** Collects output in memory, for tests. */
export function captureIo(cwd: string = process.cwd()): CliIo & { out: string; err: string } {
  const io = {
    cwd,
    out: "",
    err: "",
    stdout(text: string) {
      io.out += text;
    },
    stderr(text: string) {
      io.err += text;
    },
  };
  return io;
}
