import { isMap, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from "yaml";

import { AgentFailure } from "../failure";

/** One file of the project as compose saw it. */
export interface ProjectFileText {
  /** The path compose was given (absolute). */
  absolute: string;
  /** As the control plane named it. */
  relative: string;
  content: string;
}

export interface ComposeProblem {
  message: string;
  file?: string;
  line?: number;
}

const MAX_MESSAGE = 2_000;
/** Go's marks for a value printed with the wrong verb, e.g. "%!s(bool=true)": the value is what the user wrote. */
const GO_FORMAT_VERB = /%!s\((?:[\w.]+=)?([^()]*)\)/g;

/**
 * What compose's stderr says is wrong with the project, and where. Knows the
 * shapes of compose v2 ("validating FILE: services.web Additional property
 * foo is not allowed", "yaml: line 3: ...") and v1 (`in "FILE", line 3`,
 * "The Compose file 'FILE' is invalid because: ..."). Schema errors carry no
 * line, so the offending key is looked up in the file; errors that name
 * neither file nor line ("services.db.expose.[0]: unsupported expose value",
 * "cannot override services.web.ports") are located by their key path.
 */
export function describeComposeProblem(stderr: string, files: ProjectFileText[]): ComposeProblem {
  const lines = stderr
    // eslint-disable-next-line no-control-regex -- compose may colour its errors despite --ansi never
    .replace(/\u001b\[[0-9;]*m/g, "")
    .split("\n")
    .map((line) => line.replace(/^ERROR:\s*/, "").replace(GO_FORMAT_VERB, "$1").trimEnd())
    .filter((line) => line.trim() !== "");
  const text = lines.join("\n");
  const byAbsolute = (absolute: string) => files.find((file) => file.absolute === absolute);

  // v2 schema errors: one line per problem, naming the file.
  for (const line of lines) {
    const match = /^validating (.+?): (.+)$/.exec(line);
    const file = match?.[1] === undefined ? undefined : byAbsolute(match[1]);
    if (match?.[2] !== undefined && file !== undefined) return located(file, match[2], locateSchemaProblem(file.content, match[2]));
  }

  // v1 schema errors: "The Compose file 'FILE' is invalid because:" then the problems.
  const invalid = /The Compose file '(.+?)' is invalid because:\n([\s\S]+)/.exec(text);
  const invalidFile = invalid?.[1] === undefined ? undefined : byAbsolute(invalid[1]);
  if (invalid?.[2] !== undefined && invalidFile !== undefined) {
    const problems = invalid[2].split("\n").map((line) => line.trim());
    return located(invalidFile, problems.join("; "), locateSchemaProblem(invalidFile.content, problems[0] ?? ""));
  }

  // v1 refuses several documents in one file (v2 merges them): point at the second one.
  const second = /expected a single document in the stream\n\s*in "(.+?)", line \d+, column \d+\nbut found another document\n\s*in ".+?", line (\d+)/.exec(text);
  const secondFile = second?.[1] === undefined ? undefined : byAbsolute(second[1]);
  if (second?.[2] !== undefined && secondFile !== undefined) {
    return located(secondFile, "holds several YAML documents (---): compose v1 reads one per file; merge them into one, or use compose v2 on this host", Number(second[2]));
  }

  // v1 YAML errors: the parser's message with `in "FILE", line N, column M` marks; the first is where the broken node opens.
  const mark = /in "(.+?)", line (\d+), column \d+/.exec(text);
  const markFile = mark?.[1] === undefined ? undefined : byAbsolute(mark[1]);
  if (mark?.[2] !== undefined && markFile !== undefined) {
    const message = lines
      .filter((line) => !/^\s*in ".+", line \d+, column \d+$/.test(line))
      .map((line) => line.trim().replace(/^yaml\.[\w.]+Error:\s*/, ""))
      .join(": ");
    return located(markFile, message, Number(mark[2]));
  }

  // v2 YAML errors name the line but not the file: the file that does not parse is the one.
  const yamlError = /^yaml: (?:line (\d+): )?(.+)$/m.exec(text) ?? /^yaml: unmarshal errors:\n\s+line (\d+): (.+)$/m.exec(text);
  if (yamlError?.[2] !== undefined) {
    const broken = files.find((file) => parseAllDocuments(file.content).some((document) => document.errors.length > 0));
    const line = yamlError[1] === undefined ? undefined : Number(yamlError[1]);
    if (broken !== undefined) return located(broken, yamlError[2], line);
    return { message: relativize(text, files), ...(line === undefined ? {} : { line }) };
  }

  // v2 errors after loading: a key path, but no file. The last file with the deepest match is the one (overrides come later).
  const path = /(?:^|\s)((?:services|networks|volumes|secrets|configs)(?:\.(?:\[\d+\]|[\w-]+))+)/.exec(lines[0] ?? "");
  if (path?.[1] !== undefined) {
    const keys = path[1].split(".").map((key) => key.replace(/^\[(\d+)\]$/, "$1"));
    let best: { file: ProjectFileText; at: KeyLocation } | null = null;
    for (const file of files) {
      const at = locateKeys(file.content, keys);
      if (at !== null && (best === null || at.depth >= best.at.depth)) best = { file, at };
    }
    if (best !== null) return located(best.file, relativize(text, files), best.at.line);
  }

  const mentioned = files.find((file) => text.includes(file.absolute));
  return { message: relativize(text, files), ...(mentioned === undefined ? {} : { file: mentioned.relative }) };
}

/** COMPOSE_INVALID with "FILE line N: problem" as its message. */
export function composeInvalid(problem: ComposeProblem): AgentFailure {
  const where = problem.file === undefined ? "" : `${problem.file}${problem.line === undefined ? "" : ` line ${problem.line}`}: `;
  const details = {
    ...(problem.file === undefined ? {} : { file: problem.file }),
    ...(problem.line === undefined ? {} : { line: problem.line }),
  };
  return new AgentFailure("COMPOSE_INVALID", `${where}${problem.message}`.slice(0, MAX_MESSAGE), details);
}

function located(file: ProjectFileText, message: string, line: number | null | undefined): ComposeProblem {
  return { message, file: file.relative, ...(line === null || line === undefined ? {} : { line }) };
}

function relativize(text: string, files: ProjectFileText[]): string {
  let result = text;
  for (const file of files) result = result.replaceAll(file.absolute, file.relative);
  return result;
}

/**
 * The key path a schema message is about: "services.web Additional property
 * foo is not allowed" → services, web, foo; "Unsupported config option for
 * services.web: 'foo'" (v1) → the same; "services.bar.ports must be a list"
 * → services, bar, ports.
 */
export function schemaProblemPath(message: string): string[] {
  const additional = /^(\(root\)|[\w.-]+) Additional property ([\w.-]+) is not allowed/.exec(message);
  if (additional?.[1] !== undefined && additional[2] !== undefined) {
    return [...(additional[1] === "(root)" ? [] : additional[1].split(".")), additional[2]];
  }
  const unsupported = /^Unsupported config option for ([\w.-]+): '([^']+)'/.exec(message);
  if (unsupported?.[1] !== undefined && unsupported[2] !== undefined) return [...unsupported[1].split("."), unsupported[2]];
  const leading = /^([\w-]+(?:\.[\w-]+)+)\b/.exec(message);
  return leading?.[1] === undefined ? [] : leading[1].split(".");
}

/** The 1-based line of the deepest key of the message's path that the file has. */
export function locateSchemaProblem(content: string, message: string): number | null {
  return locateKeys(content, schemaProblemPath(message))?.line ?? null;
}

interface KeyLocation {
  line: number;
  /** How many keys of the path were found. */
  depth: number;
}

/** Where the deepest key of `keys` is in the file; of several YAML documents (compose v2 merges them), the last deepest. */
function locateKeys(content: string, keys: string[]): KeyLocation | null {
  if (keys.length === 0) return null;
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(content, { lineCounter });
  if (!Array.isArray(documents) || documents.some((document) => document.errors.length > 0)) return null;
  let best: KeyLocation | null = null;
  for (const document of documents) {
    let node: unknown = document.contents;
    let depth = 0;
    let line: number | null = null;
    for (let i = 0; i < keys.length; i++) {
      const step = childOf(node, keys, i);
      if (step === null) break;
      line = lineCounter.linePos(step.offset).line;
      node = step.value;
      i += step.consumed - 1;
      depth = i + 1;
    }
    if (line !== null && (best === null || depth >= best.depth)) best = { line, depth };
  }
  return best;
}

/** The entry for keys[i] (or, for service names with dots, keys[i..j] joined) under `node`. */
function childOf(node: unknown, keys: string[], i: number): { value: unknown; offset: number; consumed: number } | null {
  if (isMap(node)) {
    for (let j = i; j < keys.length; j++) {
      const key = keys.slice(i, j + 1).join(".");
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
      const offset = pair === undefined ? undefined : (pair.key as Node).range?.[0];
      if (pair !== undefined && offset !== undefined) return { value: pair.value, offset, consumed: j - i + 1 };
    }
    return null;
  }
  if (isSeq(node)) {
    const item: unknown = node.items[Number(keys[i])];
    const offset = (item as Node | undefined)?.range?.[0];
    return offset === undefined ? null : { value: item, offset, consumed: 1 };
  }
  return null;
}
