// Regenerates the permission table in README.md from the code's declarations.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import { withPermissionTable } from "../src/permission-docs";

const readme = path.join(import.meta.dirname, "..", "..", "..", "README.md");
writeFileSync(readme, withPermissionTable(readFileSync(readme, "utf8")));
process.stdout.write(`Wrote the permission table into ${readme}\n`);
