import { composeFilePathProblem, composeServiceName, MAX_COMPOSE_FILE_BYTES, MAX_COMPOSE_FILES } from "@wharf/agent-protocol";
import { isMap, isScalar, LineCounter, parseAllDocuments } from "yaml";
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

export const envKey = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, "a variable name is letters, digits and _, not starting with a digit");
export const envValue = z.string().max(64 * 1024).refine((value) => !value.includes("\0"), "a value cannot contain a NUL byte");
export const envEntry = z.object({ key: envKey, value: envValue });
export type EnvEntry = z.infer<typeof envEntry>;

interface ParsedFile {
  problems: Problem[];
  services: string[];
}

/**
 * Checks one compose file the way an editor needs it: YAML errors and unknown
 * top-level keys with their line, service names compose would pass as
 * arguments. Compose's full schema is checked by the host (preview, preflight).
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
    return { problems: parseErrors.map((error) => at(firstLine(error.message), error.pos[0])), services: [] };
  }
  if (list.length > 1) return { problems: [at("holds several YAML documents (---); compose reads one per file", list[1]?.range[0])], services: [] };
  const root = list[0]?.contents ?? null;
  if (root === null) return { problems: [], services: [] };
  if (!isMap(root)) return { problems: [at("must be a mapping with keys such as services:", root.range?.[0])], services: [] };

  const problems: Problem[] = [];
  const services: string[] = [];
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
        problems.push(at(`service name "${name}" must be 1-63 letters, digits, ., _ or -, starting with a letter or digit`, isScalar(service.key) ? service.key.range?.[0] : offset));
      } else services.push(name);
    }
  }
  return { problems, services };
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

const PLAIN_VALUE = /^[A-Za-z0-9_./:@%+,=-]*$/;

/**
 * The dotenv text compose reads for interpolation. Values are quoted so that
 * compose v2 and v1 read them back exactly: single quotes are literal (no
 * `$` expansion); a value with a single quote is double-quoted with escapes.
 */
export function renderEnvFile(entries: EnvEntry[]): string {
  return entries
    .map(({ key, value }) => {
      if (PLAIN_VALUE.test(value)) return `${key}=${value}`;
      if (!value.includes("'")) return `${key}='${value}'`;
      return `${key}="${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\$/g, "\\$")}"`;
    })
    .map((line) => `${line}\n`)
    .join("");
}

export const REDACTED = "[secret]";
/** Shorter values would blank out ordinary words; they are not worth hiding either. */
const MIN_REDACTED_LENGTH = 4;

/**
 * The forms a value takes in `compose config` output: as is, with `$`
 * escaped as `$$`, JSON/YAML-escaped in double quotes, and line by line in a
 * block scalar.
 */
function secretForms(secret: string): string[] {
  const forms = [secret, secret.replaceAll("$", "$$$$")];
  for (const form of [...forms]) forms.push(JSON.stringify(form).slice(1, -1), ...form.split("\n"));
  return forms;
}

/** Replaces every occurrence of a secret value (e.g. interpolated into `compose config` output or printed by compose). */
export function redactSecrets(text: string, secrets: string[]): string {
  const forms = [...new Set(secrets.flatMap(secretForms))].filter((form) => form.length >= MIN_REDACTED_LENGTH);
  let result = text;
  // Longest first, so a secret containing another is replaced whole.
  for (const form of forms.sort((a, b) => b.length - a.length)) result = result.split(form).join(REDACTED);
  return result;
}

/** The parser's message without its code frame and position (the problem says where already). */
function firstLine(message: string): string {
  return (message.split("\n")[0] ?? message).replace(/ at line \d+, column \d+:?$/, "").trim();
}
