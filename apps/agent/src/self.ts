import { isSea } from "node:sea";

/** How to run this agent again: the SEA binary is its own entry point; from source, node needs its loader flags and script. */
export function selfCommand(args: string[]): [string, string[]] {
  const script = process.argv[1];
  if (isSea() || script === undefined) return [process.execPath, args];
  return [process.execPath, [...process.execArgv, script, ...args]];
}
