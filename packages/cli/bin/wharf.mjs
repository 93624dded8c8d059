#!/usr/bin/env node
// The workspace ships TypeScript sources (like every package here); tsx runs them.
import process from "node:process";

import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/main.ts");
process.exitCode = await main(process.argv);
