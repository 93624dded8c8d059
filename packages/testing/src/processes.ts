import { readdirSync, readFileSync } from "node:fs";

/** Processes of this machine (the sandbox hosts share it) whose command line names `needle`: compose and its supervisor name the project. */
export function processesMentioning(needle: string): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(needle);
      } catch {
        return false;
      }
    })
    .map(Number);
}
