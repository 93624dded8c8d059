import { createHash } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import path from "node:path";

/**
 * A digest of everything under `dir` (names, modes, contents, link targets,
 * never following a link), to prove nothing there changed; "absent" when it
 * does not exist.
 */
export function treeHash(dir: string): string {
  if (!existsSync(dir)) return "absent";
  const hash = createHash("sha256");
  const walk = (current: string): void => {
    for (const entry of readdirSync(current).sort()) {
      const file = path.join(current, entry);
      const stat = lstatSync(file);
      hash.update(`${path.relative(dir, file)}\0${stat.mode}\0`);
      if (stat.isSymbolicLink()) hash.update(readlinkSync(file));
      else if (stat.isDirectory()) walk(file);
      else hash.update(readFileSync(file));
    }
  };
  walk(dir);
  return hash.digest("hex");
}
