/**
 * Whether agp's output may be coloured: `--no-color` wins, then
 * `FORCE_COLOR` (any value but `0` or `false` turns colours on, even into a
 * pipe or under CI, as Node and most tools read it), then `NO_COLOR` (any
 * non-empty value turns them off; https://no-color.org), then colours only
 * on a terminal outside CI.
 */
export function colorWanted(flag: boolean | undefined, isTerminal: boolean, env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  if (flag === false) return false;
  const force = env["FORCE_COLOR"];
  if (force !== undefined) return force !== "0" && force.toLowerCase() !== "false";
  const no = env["NO_COLOR"];
  if (no !== undefined && no !== "") return false;
  return isTerminal && env["CI"] === undefined;
}
