/** The shape of one row of the diagnostic code table. */
export interface CodeEntry {
  /** A short name for docs and JSON output, e.g. "missing rule effect". */
  readonly title: string;
  readonly severity: "error" | "warning";
  /** Message template; `{name}` is filled from the values the stage passes. */
  readonly message: string;
  /** Optional help template, same placeholders. */
  readonly help?: string;
}
