/** Usage errors: one line on stderr, exit code 2. */
import { EXIT, type CliIo } from "./io.js";

export function usageError(io: CliIo, message: string): number {
  io.stderr(`agp: ${message}\n`);
  return EXIT.usage;
}
