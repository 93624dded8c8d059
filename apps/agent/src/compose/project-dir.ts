import { createHash, randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { lstat, mkdir, mkdtemp, open, readdir, readFile, realpath, rename, rm, rmdir, unlink } from "node:fs/promises";
import path from "node:path";

import { composeFilePathProblem, type ComposeProject, composeProjectName, type TreeEntry } from "@wharf/agent-protocol";
import { z } from "zod";

import { AgentFailure } from "../failure";

const ENV_FILE = ".env";
/** Where the files of an agent before the state directory listed what it wrote; never read (a container could write it), only removed. */
const LEGACY_MANIFEST = ".wharf-files.json";
/** In the project's state directory: the files the agent wrote last time, so it removes only its own files (a bind-mounted ./data stays). */
const MANIFEST = "files.json";
const manifestSchema = z.array(z.string());
/** In the project's state directory: the tree's blobs, one file per SHA-256, as composeTreePut stored them. */
const BLOBS = "blobs";
/** A blob the current tree no longer uses is kept this long, for a preview or a deploy whose blobs were sent but not yet used. */
const UNUSED_BLOB_TTL_MS = 60 * 60 * 1000;

/** The agent's directories, all under its data dir (the directory of its socket, ~/.wharf). */
export interface AgentDirs {
  data: string;
  /** `<data>/stacks/<project>`: the live project directories, which stacks may bind-mount. */
  stacks: string;
  /** `<data>/state/<project>`: the agent's bookkeeping per project, outside anything a stack can mount. */
  state: string;
  /** `<data>/scratch`: throwaway copies of a project for checks, one per call. */
  scratch: string;
}

export function agentDirs(socketPath: string): AgentDirs {
  const data = path.dirname(socketPath);
  return { data, stacks: path.join(data, "stacks"), state: path.join(data, "state"), scratch: path.join(data, "scratch") };
}

export interface ProjectLayout {
  /** Absolute, without a trailing slash. */
  dir: string;
  /** Absolute paths of the compose files, in `-f` order: the user's files, then the overrides. */
  composeFiles: string[];
}

/** What goes into a project directory: each file by its relative path (`.env` included), the tree's files, and the compose files in `-f` order. */
export interface ProjectContent {
  files: Map<string, string>;
  tree: TreeEntry[];
  composeFiles: string[];
}

export function projectContent(project: ComposeProject, dotenv: string | undefined): ProjectContent {
  const sources = [...project.files, ...project.overrideFiles];
  // `.env` below is the agent's own (see fileIn); the contract already refuses it as a file.
  if (sources.some((file) => file.path === ENV_FILE)) throw new AgentFailure("BAD_REQUEST", `file path ".env" is reserved: send the variables as env`);
  const files = new Map(sources.map((file) => [file.path, file.content]));
  if (dotenv !== undefined) files.set(ENV_FILE, dotenv);
  return { files, tree: project.tree ?? [], composeFiles: sources.map((file) => file.path) };
}

/** Where the agent keeps a project's blobs; outside the live directory, so no stack can mount or change them. */
export function blobsDir(dirs: AgentDirs, name: string): string {
  return path.join(projectDir(dirs.state, name), BLOBS);
}

export function sha256Of(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Which of `hashes` have no blob for the project yet. */
export async function missingBlobs(dirs: AgentDirs, name: string, hashes: string[]): Promise<string[]> {
  const dir = blobsDir(dirs, name);
  const missing: string[] = [];
  for (const hash of new Set(hashes)) {
    const stat = await lstat(path.join(dir, hash)).catch(() => null);
    if (stat === null || !stat.isFile()) missing.push(hash);
  }
  return missing;
}

/** Keeps blobs for the project after checking that each one's content has the hash it is named by. */
export async function storeBlobs(dirs: AgentDirs, name: string, blobs: { sha256: string; data: Buffer }[]): Promise<number> {
  for (const blob of blobs) {
    const actual = sha256Of(blob.data);
    if (actual !== blob.sha256) throw new AgentFailure("BAD_REQUEST", `a blob sent as ${blob.sha256} has the hash ${actual}; it was damaged on the way, send it again`);
  }
  const state = projectDir(dirs.state, name);
  await ensureDirectory(dirs.state, dirs.data);
  await ensureDirectory(state, dirs.state);
  const dir = blobsDir(dirs, name);
  await ensureDirectory(dir, state);
  for (const blob of blobs) await writeAtomically(path.join(dir, blob.sha256), blob.data);
  return blobs.length;
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

/**
 * Writes the project's files into its live directory (mode 0700): each file
 * atomically (a temporary file renamed over it), `.env` with mode 0600, and
 * removes the files an earlier write left that this project no longer has.
 * Never writes through a symlink, never removes through one or outside the
 * project directory. Only jobs call this, under the project lock.
 */
export async function writeProject(dirs: AgentDirs, name: string, content: ProjectContent): Promise<ProjectLayout> {
  const dir = projectDir(dirs.stacks, name);
  await ensureDirectory(dirs.stacks, dirs.data);
  await ensureDirectory(dir, dirs.stacks);
  await writeFiles(dir, content.files);
  await writeTree(dir, blobsDir(dirs, name), content.tree);

  const state = projectDir(dirs.state, name);
  await ensureDirectory(dirs.state, dirs.data);
  await ensureDirectory(state, dirs.state);
  const written = [...content.files.keys(), ...content.tree.map((entry) => entry.path)];
  const current = new Set(written);
  for (const relative of await previousFiles(state)) {
    if (current.has(relative)) continue;
    await removeStale(dir, relative);
  }
  await writeAtomically(path.join(state, MANIFEST), `${JSON.stringify(written)}\n`);
  await pruneBlobs(blobsDir(dirs, name), new Set(content.tree.map((entry) => entry.sha256)));
  const legacy = path.join(dir, LEGACY_MANIFEST);
  if ((await lstat(legacy).catch(() => null))?.isDirectory() === false) await unlinkQuietly(legacy);
  return { dir, composeFiles: content.composeFiles.map((file) => resolveProjectFile(dir, file)) };
}

/** A throwaway copy of a project for checks: compose runs there, and paths in its output are mapped back to the live directory. */
export interface ScratchProject extends ProjectLayout {
  /** The live project directory, as users see it. */
  liveDir: string;
  /** Text with the scratch copy's paths replaced by the live ones. */
  toLive: (text: string) => string;
}

/**
 * Writes the project into a new directory under `<data>/scratch` (mode 0700),
 * runs `work` on it, and removes it afterwards, whatever `work` did. Inside,
 * the project sits at `<scratch>/<its live path>`, so that every path compose
 * resolves from it (`./data`, `../shared`) is the live path behind a fixed
 * prefix: removing that prefix from compose's output gives what a run in the
 * live directory prints.
 */
export async function withScratchProject<T>(dirs: AgentDirs, name: string, content: ProjectContent, work: (scratch: ScratchProject) => Promise<T>): Promise<T> {
  const liveDir = projectDir(dirs.stacks, name);
  await ensureDirectory(dirs.scratch, dirs.data);
  const top = await mkdtemp(path.join(dirs.scratch, `${name}-`));
  try {
    const dir = path.join(top, liveDir);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFiles(dir, content.files);
    await writeTree(dir, blobsDir(dirs, name), content.tree);
    return await work({
      dir,
      composeFiles: content.composeFiles.map((file) => resolveProjectFile(dir, file)),
      liveDir,
      toLive: (text) => text.replaceAll(top, ""),
    });
  } finally {
    await rm(top, { recursive: true, force: true });
  }
}

/** Removes scratch copies an earlier agent left when it died mid-check (they hold `.env`, secrets included). */
/** The scratch copies present now: left by an earlier agent when read before this one serves. */
export async function scratchLeftovers(dirs: AgentDirs): Promise<string[]> {
  return readdir(dirs.scratch).catch(() => []);
}

/** Removes those copies; checks that started since have other names and keep theirs. */
export async function clearScratch(dirs: AgentDirs, leftovers: string[]): Promise<void> {
  for (const entry of leftovers) await rm(path.join(dirs.scratch, entry), { recursive: true, force: true });
}

/**
 * Removes a project's live directory and its state. A symlink in place of
 * either is unlinked, never followed (`rm` does not follow symlinks inside).
 * Only jobs' lock holders call this.
 */
export async function removeProject(dirs: AgentDirs, name: string): Promise<boolean> {
  let removed = false;
  for (const dir of [projectDir(dirs.stacks, name), projectDir(dirs.state, name)]) {
    const stat = await lstat(dir).catch(() => null);
    if (stat === null) continue;
    try {
      await rm(dir, { recursive: true, force: true });
    } catch (error) {
      const code = errorCode(error);
      if (code === "EACCES" || code === "EPERM") {
        throw new AgentFailure(
          "CONFLICT",
          `could not remove ${dir}: the SSH user may not delete some of its files (often ones a container created as root); remove them on the host and try again`,
        );
      }
      throw error;
    }
    removed = true;
  }
  return removed;
}

/** `.env` is the agent's own; every other path went through resolveProjectFile's checks. */
function fileIn(dir: string, relative: string): string {
  return relative === ENV_FILE ? path.join(dir, ENV_FILE) : resolveProjectFile(dir, relative);
}

async function writeFiles(dir: string, files: Map<string, string>): Promise<void> {
  for (const [relative, content] of files) {
    const target = fileIn(dir, relative);
    await ensureParents(dir, target);
    await writeAtomically(target, content);
  }
}

/**
 * Writes each file of the tree from its blob, with its mode, the way
 * writeFiles writes the compose files: through real directories only, inside
 * `dir`, atomically.
 */
async function writeTree(dir: string, blobs: string, tree: TreeEntry[]): Promise<void> {
  for (const entry of tree) {
    const target = fileIn(dir, entry.path);
    let data: Buffer;
    try {
      data = await readFile(path.join(blobs, entry.sha256));
    } catch {
      throw new AgentFailure("BAD_REQUEST", `the content of ${entry.path} (${entry.sha256}) is not on the host: send it with composeTreePut first`);
    }
    await ensureParents(dir, target);
    await writeTreeFile(target, data, entry.mode);
  }
}

/**
 * A file the tree already holds as it is stays untouched. A changed file that
 * is a plain file with one link is rewritten in place (never following a
 * symlink): a service bind-mounting that single file keeps seeing the same
 * inode, so it sees the new content, where a rename would leave it the old
 * one. Anything else is replaced by a rename.
 */
async function writeTreeFile(target: string, data: Buffer, mode: number): Promise<void> {
  const existing = await lstat(target).catch(() => null);
  if (existing === null || !existing.isFile() || existing.nlink !== 1) return writeAtomically(target, data, mode);
  const current = await readFile(target);
  if (current.equals(data) && (existing.mode & 0o777) === mode) return;
  const handle = await open(target, constants.O_WRONLY | constants.O_TRUNC | constants.O_NOFOLLOW);
  try {
    await handle.writeFile(data);
    await handle.chmod(mode);
  } finally {
    await handle.close();
  }
}

/** Removes the blobs the tree no longer uses once they are old enough that no call that sent them still needs them. */
async function pruneBlobs(dir: string, used: Set<string>): Promise<void> {
  const now = Date.now();
  for (const entry of await readdir(dir).catch(() => [])) {
    if (used.has(entry)) continue;
    const stat = await lstat(path.join(dir, entry)).catch(() => null);
    if (stat !== null && now - stat.mtimeMs > UNUSED_BLOB_TTL_MS) await unlinkQuietly(path.join(dir, entry));
  }
}

async function previousFiles(state: string): Promise<string[]> {
  let parsed: string[];
  try {
    parsed = manifestSchema.parse(JSON.parse(await readFile(path.join(state, MANIFEST), "utf8")));
  } catch {
    return [];
  }
  return parsed.filter((entry) => entry === ENV_FILE || composeFilePathProblem(entry) === null);
}

/**
 * Removes one file the agent wrote earlier, if it is still a file (or a
 * symlink: the link goes, never what it points to) reached through real
 * directories only, inside the project directory. Anything else a container
 * may have put there (a symlinked directory, a directory) stays.
 */
async function removeStale(dir: string, relative: string): Promise<void> {
  const target = fileIn(dir, relative);
  const parents = path.relative(dir, path.dirname(target)).split(path.sep).filter((segment) => segment !== "");
  let current = dir;
  for (const segment of parents) {
    current = path.join(current, segment);
    const stat = await lstat(current).catch(() => null);
    if (stat === null || stat.isSymbolicLink() || !stat.isDirectory()) return;
  }
  const [realDir, realParent] = await Promise.all([realpath(dir), realpath(path.dirname(target)).catch(() => null)]);
  if (realParent === null || (realParent !== realDir && !realParent.startsWith(`${realDir}${path.sep}`))) return;
  const stat = await lstat(target).catch(() => null);
  if (stat === null || stat.isDirectory()) return;
  await unlinkQuietly(target);
  // Then the directories that held only it, up to the project directory (rmdir never follows a symlink).
  for (let parent = path.dirname(target); parent !== dir && parent.startsWith(`${dir}${path.sep}`); parent = path.dirname(parent)) {
    try {
      await rmdir(parent);
    } catch {
      break;
    }
  }
}

async function unlinkQuietly(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (error) {
    if (errorCode(error) !== "ENOENT") throw error;
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

export async function writeAtomically(target: string, content: string | Uint8Array, mode = 0o600): Promise<void> {
  const existing = await lstat(target).catch(() => null);
  if (existing?.isDirectory()) {
    throw new AgentFailure("BAD_REQUEST", `${target} is a directory on the host; refusing to replace it with a file`);
  }
  const temporary = path.join(path.dirname(target), `.wharf-tmp-${randomBytes(6).toString("hex")}`);
  // "wx" fails on anything already at the temporary name, symlinks included.
  const handle = await open(temporary, "wx", mode);
  try {
    await handle.writeFile(content);
    // The umask may have narrowed the mode open() set.
    await handle.chmod(mode);
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
