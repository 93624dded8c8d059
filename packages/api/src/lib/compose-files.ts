import {
  composeFilePathProblem,
  composeServiceName,
  envKey,
  envValue,
  type EnvVariable,
  envVariable,
  MAX_COMPOSE_FILE_BYTES,
  MAX_COMPOSE_FILES,
} from "@wharf/agent-protocol";
import { CST, isMap, isScalar, LineCounter, parseAllDocuments, Parser, type YAMLMap } from "yaml";
import { z } from "zod";

import type { Problem } from "../errors";
import { IMAGE_PINS_PATH } from "./image-pins";
import { LIMITS_OVERRIDE_PATH } from "./limits-override";

/** The per-host overlay's path in the project: passed after the stack's files, before the limits override. */
export const OVERLAY_PATH = "wharf.host.yaml";
const GENERATED_PATHS = new Set([OVERLAY_PATH, LIMITS_OVERRIDE_PATH, IMAGE_PINS_PATH]);

/** Top-level keys of the compose specification; `x-` extensions are free-form. */
const TOP_LEVEL_KEYS = new Set(["version", "name", "include", "services", "networks", "volumes", "secrets", "configs"]);

export const stackFile = z.object({
  path: z.string().max(255),
  content: z.string().max(MAX_COMPOSE_FILE_BYTES, `a compose file may hold at most ${MAX_COMPOSE_FILE_BYTES / 1024} KiB`),
});
export type StackFile = z.infer<typeof stackFile>;
export const stackFiles = z.array(stackFile).min(1, "a stack needs at least one compose file").max(MAX_COMPOSE_FILES);

export { envKey, envValue };
export const envEntry = envVariable;
export type EnvEntry = EnvVariable;

interface ParsedFile {
  problems: Problem[];
  services: string[];
}

/**
 * Checks one compose file the way an editor needs it: YAML errors and unknown
 * top-level keys with their line, service names compose would pass as
 * arguments. Compose's full schema is checked by the host (preview, preflight).
 * Several YAML documents (---) are checked each: compose v2 merges them, v1
 * refuses them, so the host's compose is left to decide.
 */
function checkComposeFile(file: StackFile, path: (string | number)[]): ParsedFile {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(file.content, { lineCounter, uniqueKeys: true });
  const at = (message: string, offset: number | undefined): Problem => {
    const line = offset === undefined ? undefined : lineCounter.linePos(offset).line;
    return { path, file: file.path, ...(line === undefined ? {} : { line }), message: `${file.path}${line === undefined ? "" : ` line ${line}`}: ${message}` };
  };
  const list = Array.isArray(documents) ? documents : [];
  const parseErrors = list.flatMap((document) => document.errors);
  if (parseErrors.length > 0) {
    // The parser notices a missing closing quote at the end of the file (with knock-on errors there); the user needs where it opens.
    const quotes = quotedScalars(file.content);
    const unclosed = parseErrors.flatMap((error) => (error.code === "MISSING_CHAR" ? quotes.filter((quote) => quote.start <= error.pos[0] && error.pos[0] <= quote.end) : []));
    if (unclosed.length > 0) return { problems: unclosed.map((quote) => at("this quoted string is never closed", quote.start)), services: [] };
    return { problems: parseErrors.map((error) => at(firstLine(error.message), error.pos[0])), services: [] };
  }
  const problems: Problem[] = [];
  const services: string[] = [];
  for (const document of list) {
    const root = document.contents;
    if (root === null) continue;
    if (!isMap(root)) {
      problems.push(at("must be a mapping with keys such as services:", root.range?.[0]));
      continue;
    }
    checkTopLevel(root, at, problems, services);
  }
  return { problems, services: [...new Set(services)] };
}

function checkTopLevel(root: YAMLMap, at: (message: string, offset: number | undefined) => Problem, problems: Problem[], services: string[]): void {
  for (const item of root.items) {
    const key = isScalar(item.key) ? String(item.key.value) : null;
    const offset = isScalar(item.key) ? item.key.range?.[0] : undefined;
    if (key === null) {
      problems.push(at("top-level keys must be plain names", offset));
      continue;
    }
    if (!TOP_LEVEL_KEYS.has(key) && !key.startsWith("x-")) {
      problems.push(at(`unknown top-level key "${key}" (compose knows ${[...TOP_LEVEL_KEYS].join(", ")} and x-* extensions)`, offset));
      continue;
    }
    if (key !== "services" || item.value === null) continue;
    if (!isMap(item.value)) {
      problems.push(at("services must be a mapping of service names", offset));
      continue;
    }
    for (const service of item.value.items) {
      const name = isScalar(service.key) ? String(service.key.value) : "";
      if (!composeServiceName.safeParse(name).success) {
        problems.push(at(`service name "${name}" must be 1-63 letters, digits, ., _ or -, starting with a letter, digit or _`, isScalar(service.key) ? service.key.range?.[0] : offset));
      } else services.push(name);
    }
  }
}

/** Every problem with a stack's files: paths (as the agent checks them), duplicates, names Wharf generates, contents. */
export function checkStackFiles(files: StackFile[]): { problems: Problem[]; services: string[] } {
  const problems: Problem[] = [];
  const services = new Set<string>();
  const seen = new Set<string>();
  files.forEach((file, index) => {
    const path = ["files", index, "path"];
    const pathProblem = composeFilePathProblem(file.path);
    if (pathProblem !== null) {
      problems.push({ path, message: `file path ${JSON.stringify(file.path)} ${pathProblem}` });
      return;
    }
    if (seen.has(file.path)) problems.push({ path, message: `file path "${file.path}" is given twice: each file needs its own path` });
    seen.add(file.path);
    if (GENERATED_PATHS.has(file.path)) problems.push({ path, message: `"${file.path}" is generated by Wharf for each host: name your file differently` });
    const clash = files.find((other) => other.path.startsWith(`${file.path}/`));
    if (clash) problems.push({ path, message: `file path "${file.path}" is also a directory of "${clash.path}"` });
    const checked = checkComposeFile(file, ["files", index, "content"]);
    problems.push(...checked.problems);
    for (const service of checked.services) services.add(service);
  });
  return { problems, services: [...services].sort() };
}

/** Problems of a per-host overlay, located in the overlay file. */
export function checkOverlay(content: string, path: (string | number)[]): Problem[] {
  return checkComposeFile({ path: OVERLAY_PATH, content }, path).problems;
}

/** Duplicate or clashing names across the plain and secret variables. */
export function checkEnvKeys(env: EnvEntry[], secretKeys: string[]): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const check = (key: string, path: (string | number)[]) => {
    if (seen.has(key)) problems.push({ path, message: `variable ${key} is defined twice` });
    seen.add(key);
  };
  env.forEach((entry, index) => check(entry.key, ["env", index, "key"]));
  secretKeys.forEach((key, index) => check(key, ["secrets", index, "key"]));
  return problems;
}

/** The parser's message without its code frame and position (the problem says where already). */
/** Where each quoted scalar of the file starts and ends (an unclosed one runs to the end of the file). */
function quotedScalars(content: string): { start: number; end: number }[] {
  const found: { start: number; end: number }[] = [];
  for (const token of new Parser().parse(content)) {
    if (token.type !== "document") continue;
    CST.visit(token, (item) => {
      for (const node of [item.key, item.value]) {
        if (node?.type === "double-quoted-scalar" || node?.type === "single-quoted-scalar") found.push({ start: node.offset, end: node.offset + node.source.length });
      }
    });
  }
  return found;
}

function firstLine(message: string): string {
  return (message.split("\n")[0] ?? message).replace(/ at line \d+, column \d+:?$/, "").trim();
}
