import { createHash } from "node:crypto";

import { composeFilePathProblem, formatSize, MAX_TREE_BYTES, MAX_TREE_FILE_BYTES, MAX_TREE_FILES, MAX_TREE_PUT_BYTES, sha256Hex, type TreeEntry } from "@wharf/agent-protocol";
import type { Host, Prisma } from "@wharf/db";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { invalidInput, type Problem, WharfError } from "../errors";
import { callAgent } from "./hosts";

/**
 * A stack's folder besides its compose files: content-addressed blobs in
 * Postgres (one row per distinct content), secret files sealed in their
 * revision's rows, and the transfer to a host of only the blobs it lacks.
 */

const MODE_FILE = 0o644;
const MODE_EXECUTABLE = 0o755;
const MODE_SECRET = 0o600;

/** The limits, as the editor states them. */
export const TREE_LIMITS = {
  files: MAX_TREE_FILES,
  fileBytes: MAX_TREE_FILE_BYTES,
  totalBytes: MAX_TREE_BYTES,
} as const;

/** One file of the folder as the editor sends it: new content, or the hash of content the stack already holds. */
export const treeFileInput = z
  .object({
    path: z.string().max(255),
    executable: z.boolean().default(false),
    /** Sealed like the secret variables, written 0600 on hosts, never shown again. */
    secret: z.boolean().default(false),
    /** New or changed content, base64. */
    content: z
      .base64()
      .max(Math.ceil(MAX_TREE_FILE_BYTES / 3) * 4 + 4)
      .optional(),
    /** Unchanged content by its hash; a secret file left without content keeps the latest revision's at the same path. */
    sha256: sha256Hex.optional(),
  })
  .refine((file) => file.content === undefined || file.sha256 === undefined, "give a file either new content or the hash of its unchanged content, not both");
export type TreeFileInput = z.infer<typeof treeFileInput>;
export const treeInput = z.array(treeFileInput).max(MAX_TREE_FILES, `a stack's folder holds at most ${MAX_TREE_FILES} files besides its compose files`).default([]);

/** One file of a revision's folder; secret content stays inside the service layer. */
export interface TreeFile {
  path: string;
  mode: number;
  size: number;
  sha256: string;
  secret: boolean;
}

/** A revision's folder: its files, and the content the database may not hold (secret files, and new files of a draft). */
export interface RevisionTree {
  files: TreeFile[];
  /** By hash: secret files' content (opened), and content not yet saved. */
  content: Map<string, Buffer>;
}

export const emptyTree = (): RevisionTree => ({
  files: [],
  content: new Map(),
});

export const treeEntrySelect = {
  path: true,
  mode: true,
  size: true,
  sha256: true,
  sealed: true,
} satisfies Prisma.StackRevisionEntrySelect;
type StoredEntry = Prisma.StackRevisionEntryGetPayload<{
  select: typeof treeEntrySelect;
}>;

export function sha256Of(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

function openSecretFile(deps: WharfDeps, path: string, sealed: Uint8Array): Buffer {
  try {
    return Buffer.from(deps.secrets.open(sealed), "base64");
  } catch {
    throw new WharfError(
      "PRECONDITION_FAILED",
      `The secret file ${path} of this revision cannot be decrypted: Wharf's master key is not the one it was saved with. Restore that key, or upload the file again.`,
      "SECRETS_UNREADABLE",
    );
  }
}

/** A revision's stored folder, secret files opened. */
export function storedTree(deps: WharfDeps, entries: readonly StoredEntry[] | undefined): RevisionTree {
  const tree = emptyTree();
  for (const entry of entries ?? []) {
    if (entry.sealed !== null) {
      const data = openSecretFile(deps, entry.path, entry.sealed);
      const sha256 = sha256Of(data);
      tree.content.set(sha256, data);
      tree.files.push({
        path: entry.path,
        mode: entry.mode,
        size: entry.size,
        sha256,
        secret: true,
      });
    } else if (entry.sha256 !== null) {
      tree.files.push({
        path: entry.path,
        mode: entry.mode,
        size: entry.size,
        sha256: entry.sha256,
        secret: false,
      });
    }
  }
  tree.files.sort((a, b) => a.path.localeCompare(b.path));
  return tree;
}

/**
 * Checks an edited folder against the limits and paths, and resolves it:
 * new content is hashed, unchanged content must exist, a secret file left
 * without content keeps `previous`'s. Throws every problem at once.
 */
export async function resolveTree(db: WharfDeps["db"] | Prisma.TransactionClient, input: TreeFileInput[], composePaths: string[], previous: RevisionTree): Promise<RevisionTree> {
  const problems: Problem[] = [];
  const tree = emptyTree();
  const seen = new Set(composePaths);
  const referenced = input.flatMap((file) => (file.sha256 !== undefined && !file.secret ? [file.sha256] : []));
  const known = new Map(
    (
      await db.blob.findMany({
        where: { sha256: { in: [...new Set(referenced)] } },
        select: { sha256: true, size: true },
      })
    ).map((blob) => [blob.sha256, blob.size]),
  );
  let total = 0;
  input.forEach((file, index) => {
    const at = (message: string) =>
      problems.push({
        path: ["tree", index],
        message: `${file.path}: ${message}`,
      });
    const pathProblem = composeFilePathProblem(file.path);
    if (pathProblem !== null) return at(`the path ${pathProblem}.`);
    if (seen.has(file.path)) return at("this path is given twice (or is also a compose file).");
    if ([...seen].some((other) => other.startsWith(`${file.path}/`) || file.path.startsWith(`${other}/`))) return at("a file cannot also be a directory of another file.");
    seen.add(file.path);
    let sha256: string;
    let size: number;
    if (file.content !== undefined) {
      const data = Buffer.from(file.content, "base64");
      sha256 = sha256Of(data);
      size = data.length;
      tree.content.set(sha256, data);
    } else if (file.secret) {
      const kept = previous.files.find((old) => old.secret && old.path === file.path);
      const data = kept ? previous.content.get(kept.sha256) : undefined;
      if (!kept || !data) return at("this secret file is new: upload its content.");
      sha256 = kept.sha256;
      size = kept.size;
      tree.content.set(sha256, data);
    } else {
      const knownSize = file.sha256 === undefined ? undefined : known.get(file.sha256);
      if (file.sha256 === undefined || knownSize === undefined) return at("its content is neither given nor held by Wharf: upload the file again.");
      sha256 = file.sha256;
      size = knownSize;
    }
    if (size > MAX_TREE_FILE_BYTES) return at(`it takes ${formatSize(size)}; a file may take at most ${formatSize(MAX_TREE_FILE_BYTES)}.`);
    total += size;
    tree.files.push({
      path: file.path,
      mode: file.secret ? MODE_SECRET : file.executable ? MODE_EXECUTABLE : MODE_FILE,
      size,
      sha256,
      secret: file.secret,
    });
  });
  if (total > MAX_TREE_BYTES)
    problems.push({
      path: ["tree"],
      message: `The folder's files take ${formatSize(total)}; a stack's folder may take at most ${formatSize(MAX_TREE_BYTES)}.`,
    });
  if (problems.length > 0) throw invalidInput(problems);
  tree.files.sort((a, b) => a.path.localeCompare(b.path));
  return tree;
}

/** Stores a new revision's folder: only blobs the database lacks are written; secret files are sealed in their rows. */
export async function writeTree(deps: WharfDeps, tx: Prisma.TransactionClient, revisionId: string, tree: RevisionTree): Promise<void> {
  if (tree.files.length === 0) return;
  const plain = tree.files.filter((file) => !file.secret);
  const newBlobs = plain.flatMap((file) => {
    const data = tree.content.get(file.sha256);
    return data
      ? [
          {
            sha256: file.sha256,
            size: data.length,
            content: new Uint8Array(data),
          },
        ]
      : [];
  });
  if (newBlobs.length > 0) await tx.blob.createMany({ data: newBlobs, skipDuplicates: true });
  await tx.stackRevisionEntry.createMany({
    data: tree.files.map((file) => {
      const data = tree.content.get(file.sha256);
      if (file.secret && !data) throw new WharfError("INTERNAL", `The content of the secret file ${file.path} was lost before it was sealed.`);
      return file.secret && data
        ? {
            revisionId,
            path: file.path,
            mode: file.mode,
            size: file.size,
            sealed: deps.secrets.seal(data.toString("base64")),
          }
        : {
            revisionId,
            path: file.path,
            mode: file.mode,
            size: file.size,
            sha256: file.sha256,
          };
    }),
  });
}

/** The tree as the agent writes it. */
export function treeEntries(tree: RevisionTree): TreeEntry[] {
  return tree.files.map((file) => ({
    path: file.path,
    sha256: file.sha256,
    mode: file.mode as TreeEntry["mode"],
  }));
}

/** What ensureTreeOnHost sent. */
export interface TreeTransfer {
  files: number;
  sent: number;
  bytes: number;
}

/**
 * Gives the host's agent every blob of the folder it lacks for the project,
 * and only those: it reports which of the tree's hashes it does not hold,
 * they go in requests that fit its body limit.
 */
export async function ensureTreeOnHost(deps: WharfDeps, host: Host, projectName: string, tree: RevisionTree): Promise<TreeTransfer> {
  const hashes = [...new Set(tree.files.map((file) => file.sha256))];
  if (hashes.length === 0) return { files: 0, sent: 0, bytes: 0 };
  const { missing } = await callAgent(deps, host, "composeTreeHave", {
    name: projectName,
    sha256: hashes,
  });
  const sizes = new Map(tree.files.map((file) => [file.sha256, file.size]));
  let batch: string[] = [];
  let batchBytes = 0;
  let bytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const blobs = await blobContent(deps, tree, batch);
    await callAgent(deps, host, "composeTreePut", {
      name: projectName,
      blobs: blobs.map(({ sha256, data }) => ({
        sha256,
        data: data.toString("base64"),
      })),
    });
    batch = [];
    batchBytes = 0;
  };
  for (const hash of missing) {
    const size = sizes.get(hash) ?? 0;
    if (batchBytes + size > MAX_TREE_PUT_BYTES) await flush();
    batch.push(hash);
    batchBytes += size;
    bytes += size;
  }
  await flush();
  if (missing.length > 0) deps.log.info(`Sent ${missing.length} of ${hashes.length} folder blob(s) (${formatSize(bytes)}) of ${projectName} to ${host.name}`);
  return { files: hashes.length, sent: missing.length, bytes };
}

async function blobContent(deps: WharfDeps, tree: RevisionTree, hashes: string[]): Promise<{ sha256: string; data: Buffer }[]> {
  const inMemory = hashes.flatMap((sha256) => {
    const data = tree.content.get(sha256);
    return data ? [{ sha256, data }] : [];
  });
  const fromDb = hashes.filter((sha256) => !tree.content.has(sha256));
  const rows =
    fromDb.length === 0
      ? []
      : await deps.db.blob.findMany({
          where: { sha256: { in: fromDb } },
          select: { sha256: true, content: true },
        });
  if (rows.length !== fromDb.length) throw new WharfError("INTERNAL", "Some files of this revision are missing from Wharf's database: upload the folder again.");
  return [
    ...inMemory,
    ...rows.map((row) => ({
      sha256: row.sha256,
      data: Buffer.from(row.content),
    })),
  ];
}

/** A plain file's content, for the editor. */
export async function readTreeFile(deps: WharfDeps, revisionId: string, path: string): Promise<{ path: string; size: number; content: string }> {
  const entry = await deps.db.stackRevisionEntry.findUnique({
    where: { revisionId_path: { revisionId, path } },
    select: { size: true, sha256: true, blob: { select: { content: true } } },
  });
  if (!entry) throw new WharfError("NOT_FOUND", `This revision has no file ${path}.`);
  if (entry.blob === null) throw new WharfError("FORBIDDEN", `${path} is a secret file: its content is never shown again; upload a new one to change it.`, "SECRET_FILE");
  return {
    path,
    size: entry.size,
    content: Buffer.from(entry.blob.content).toString("base64"),
  };
}
