import { randomBytes } from "node:crypto";
import { lstat, mkdir, open, readFile, rename, rm, rmdir } from "node:fs/promises";
import path from "node:path";

import { composeFilePathProblem, type ComposeProject, composeProjectName } from "@wharf/agent-protocol";
import { z } from "zod";

import { AgentFailure } from "../failure";

/** The files the agent wrote last time, so it removes only its own files (a bind-mounted ./data stays). */
const MANIFEST = ".wharf-files.json";
const ENV_FILE = ".env";
const manifestSchema = z.array(z.string());

export interface ProjectLayout {
  /** Absolute, without a trailing slash. */
  dir: string;
  /** Absolute paths of the compose files, in `-f` order: the user's files, then the overrides. */
  composeFiles: string[];
}

/** `<agent data dir>/stacks`: the agent data dir is the directory of its socket (~/.wharf). */
export function stacksRoot(socketPath: string): string {
  return path.join(path.dirname(socketPath), "stacks");
}

export function projectDir(root: string, name: string): string {
  if (!composeProjectName.safeParse(name).success) throw new AgentFailure("BAD_REQUEST", `invalid project name ${JSON.stringify(name)}`);
  return path.join(root, name);
}

/**
 * Where each file of `project` goes, validated again here (the contract
 * already did) because these paths are about to be written: every one must
 * resolve inside the project directory.
 */
export function resolveProjectFile(dir: string, relative: string): string {
  const problem = composeFilePathProblem(relative);
  if (problem !== null) throw new AgentFailure("BAD_REQUEST", `file path ${JSON.stringify(relative)} ${problem}`);
  const absolute = path.resolve(dir, relative);
  if (!absolute.startsWith(`${dir}${path.sep}`)) {
    throw new AgentFailure("BAD_REQUEST", `file path ${JSON.stringify(relative)} resolves outside the stack directory`);
  }
  return absolute;
}

export function projectLayout(root: string, project: ComposeProject): ProjectLayout {
  const dir = projectDir(root, project.name);
  return { dir, composeFiles: [...project.files, ...project.overrideFiles].map((file) => resolveProjectFile(dir, file.path)) };
}

/**
 * Writes the project's files into its directory (mode 0700): each file
 * atomically (a temporary file renamed over it), `.env` from `dotenv` with
 * mode 0600, and removes the files an earlier write left that this project no
 * longer has. Never writes through a symlink.
 */
export async function writeProject(root: string, project: ComposeProject, dotenv?: string): Promise<ProjectLayout> {
  const layout = projectLayout(root, project);
  await ensureDirectory(root, path.dirname(root));
  await ensureDirectory(layout.dir, root);

  const wanted = new Map<string, string>();
  for (const file of [...project.files, ...project.overrideFiles]) wanted.set(file.path, file.content);
  if (dotenv !== undefined) wanted.set(ENV_FILE, dotenv);

  for (const [relative, content] of wanted) {
    const target = relative === ENV_FILE ? path.join(layout.dir, ENV_FILE) : resolveProjectFile(layout.dir, relative);
    await ensureParents(layout.dir, target);
    await writeAtomically(target, content);
  }

  for (const relative of await previousFiles(layout.dir)) {
    if (wanted.has(relative)) continue;
    await removeStale(layout.dir, relative);
  }
  await writeAtomically(path.join(layout.dir, MANIFEST), `${JSON.stringify([...wanted.keys()])}\n`);
  return layout;
}

async function previousFiles(dir: string): Promise<string[]> {
  let parsed: string[];
  try {
    parsed = manifestSchema.parse(JSON.parse(await readFile(path.join(dir, MANIFEST), "utf8")));
  } catch {
    return [];
  }
  // The manifest lives on disk where a container could have changed it: only well-formed paths count.
  return parsed.filter((entry) => entry === ENV_FILE || composeFilePathProblem(entry) === null);
}

async function removeStale(dir: string, relative: string): Promise<void> {
  const target = relative === ENV_FILE ? path.join(dir, ENV_FILE) : resolveProjectFile(dir, relative);
  await rm(target, { force: true });
  // Then the directories that held only it, up to the project directory.
  for (let parent = path.dirname(target); parent !== dir && parent.startsWith(`${dir}${path.sep}`); parent = path.dirname(parent)) {
    try {
      await rmdir(parent);
    } catch {
      break;
    }
  }
}

/** Creates `dir` (mode 0700) under `parent` unless it exists; refuses a symlink or a non-directory in its place. */
async function ensureDirectory(dir: string, parent: string): Promise<void> {
  try {
    await mkdir(dir, { mode: 0o700 });
    return;
  } catch (error) {
    if (errorCode(error) !== "EEXIST") throw error;
  }
  const stat = await lstat(dir);
  if (stat.isSymbolicLink() || !stat.isDirectory()) {
    throw new AgentFailure("BAD_REQUEST", `${path.relative(parent, dir) || dir} in ${parent} is not a directory (or is a symlink); refusing to write there`);
  }
}

async function ensureParents(dir: string, target: string): Promise<void> {
  const relative = path.relative(dir, path.dirname(target));
  if (relative === "") return;
  let current = dir;
  for (const segment of relative.split(path.sep)) {
    const next = path.join(current, segment);
    await ensureDirectory(next, dir);
    current = next;
  }
}

export async function writeAtomically(target: string, content: string): Promise<void> {
  const existing = await lstat(target).catch(() => null);
  if (existing?.isDirectory()) {
    throw new AgentFailure("BAD_REQUEST", `${target} is a directory on the host; refusing to replace it with a file`);
  }
  const temporary = path.join(path.dirname(target), `.wharf-tmp-${randomBytes(6).toString("hex")}`);
  // "wx" fails on anything already at the temporary name, symlinks included.
  const handle = await open(temporary, "wx", 0o600);
  try {
    await handle.writeFile(content, "utf8");
  } finally {
    await handle.close();
  }
  try {
    // rename replaces a symlink at `target` itself rather than following it.
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

function errorCode(error: unknown): unknown {
  return typeof error === "object" && error !== null && "code" in error ? error.code : undefined;
}
