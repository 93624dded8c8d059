import { z } from "zod";

import {
  formatSize,
  MAX_COMPOSE_FILE_BYTES,
  MAX_COMPOSE_FILES,
  MAX_ENV_VALUE_BYTES,
  MAX_ENV_VARIABLES,
  MAX_OVERRIDE_FILE_BYTES,
  MAX_OVERRIDE_FILES,
  MAX_PROJECT_BYTES,
  MAX_TREE_FILES,
  wireBytes,
} from "./limits";

/**
 * A compose project as the control plane sends it with every compose call:
 * the agent writes these files into its own project directory
 * (`<agent data dir>/stacks/<name>/`) and runs compose with them, in order.
 */

/** Doubles as the compose project name, a directory name and a label value. */
export const composeProjectName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "a project name is 1-63 characters of a-z, 0-9, _ and -, starting with a letter or digit");

/** Compose's own service-name alphabet, minus a leading `-` or `.` (a service name is passed to compose as an argument). */
export const composeServiceName = z
  .string()
  .regex(/^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,62}$/, "a service name is 1-63 characters of a-z, A-Z, 0-9, ., _ and -, starting with a letter, digit or _");

/** Labels on every container Wharf creates: which installation and which stack of it the container belongs to. */
export const OWNER_LABELS = { installation: "dev.wharf.installation", stack: "dev.wharf.stack" } as const;

/**
 * Who a compose project belongs to. The agent labels the containers it creates
 * with it, refuses any action on a project holding containers of another owner
 * (or started outside Wharf), and shows, logs and counts only the owner's.
 */
export const projectOwner = z.object({
  installation: z.string().regex(/^[a-z0-9][a-z0-9-]{7,63}$/, "an installation id is 8-64 characters of a-z, 0-9 and -"),
  stack: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "a stack id is 1-64 characters of letters, digits, _ and -"),
  /**
   * The control plane's records say this stack was deployed here before containers carried owner labels:
   * the project's containers without any Wharf label are then this stack's (the next up labels them).
   */
  adoptUnlabelled: z.boolean().default(false),
});
export type ProjectOwner = z.infer<typeof projectOwner>;

const MAX_PATH_LENGTH = 255;
const MAX_SEGMENT_LENGTH = 128;
/** The dotenv file is written from `env`; names under `.wharf` are the agent's own bookkeeping. */
const RESERVED_TOP_LEVEL = /^(\.env|\.wharf.*)$/;
const SEGMENT = /^[A-Za-z0-9._][A-Za-z0-9._-]*$/;

/**
 * Why `path` cannot name a file inside a project directory, or null when it can.
 * The agent calls this again before it touches the disk.
 */
export function composeFilePathProblem(path: string): string | null {
  if (path.length === 0) return "is empty";
  if (path.length > MAX_PATH_LENGTH) return `is longer than ${MAX_PATH_LENGTH} characters`;
  if (path.includes("\0")) return "contains a NUL byte";
  if (path.startsWith("/")) return "is absolute; give a path relative to the stack directory";
  if (path.includes("\\")) return "contains a backslash; use / between directories";
  const segments = path.split("/");
  for (const segment of segments) {
    if (segment === "") return "has an empty segment (a leading, trailing or doubled /)";
    if (segment === "." || segment === "..") return `contains "${segment}"; paths must stay inside the stack directory`;
    if (segment.length > MAX_SEGMENT_LENGTH) return `has a segment longer than ${MAX_SEGMENT_LENGTH} characters`;
    if (!SEGMENT.test(segment)) {
      return `segment "${segment}" may only contain letters, digits, ., _ and - and must not start with -`;
    }
  }
  if (segments.length === 1 && RESERVED_TOP_LEVEL.test(path)) {
    return path === ".env" ? "is reserved: send the variables as env" : "is reserved for the agent";
  }
  return null;
}

export const composeFilePath = z.string().superRefine((path, ctx) => {
  const problem = composeFilePathProblem(path);
  if (problem !== null) ctx.addIssue({ code: "custom", message: `file path ${JSON.stringify(path)} ${problem}` });
});

export const composeFile = z.object({
  /** Relative to the project directory, e.g. "service/docker-compose.service.yaml". */
  path: composeFilePath,
  content: z.string().max(MAX_COMPOSE_FILE_BYTES),
});
export type ComposeFile = z.infer<typeof composeFile>;

/** A generated file: limited by its encoded size, which the request budget counts. */
const overrideFile = composeFile.superRefine((file, ctx) => {
  const size = wireBytes(file.content);
  if (size > MAX_OVERRIDE_FILE_BYTES) ctx.addIssue({ code: "custom", message: `generated file ${file.path} takes ${formatSize(size)}; at most ${formatSize(MAX_OVERRIDE_FILE_BYTES)} fit` });
});

export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "a content hash is 64 lowercase hex digits (SHA-256)");

/** File modes the tree keeps: plain, executable, and 0600 for secret files. */
export const treeFileMode = z.union([z.literal(0o644), z.literal(0o755), z.literal(0o600)]);

export const treeEntry = z.object({
  path: composeFilePath,
  sha256: sha256Hex,
  mode: treeFileMode,
});
export type TreeEntry = z.infer<typeof treeEntry>;

export const projectTree = z.array(treeEntry).max(MAX_TREE_FILES);

export const envKey = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, "a variable name is letters, digits and _, not starting with a digit");
export const envValue = z
  .string()
  .max(MAX_ENV_VALUE_BYTES)
  .refine((value) => !value.includes("\0"), "a value cannot contain a NUL byte");
/** One variable of the project's `.env`. */
export const envVariable = z.object({ key: envKey, value: envValue });
export type EnvVariable = z.infer<typeof envVariable>;

export const composeProject = z
  .object({
    name: composeProjectName,
    /** The user's compose files, passed to compose as `-f` in this order. */
    files: z.array(composeFile).min(1).max(MAX_COMPOSE_FILES),
    /**
     * Variables the agent writes as `.env` (mode 0600) in the project directory, for interpolation. The agent
     * writes the file: compose v1 and v2 read the same dotenv text differently, and only it knows which one runs.
     */
    env: z.array(envVariable).max(MAX_ENV_VARIABLES).optional(),
    /** Files Wharf generates (per-host overlay, runtime limits), passed after `files`, in this order. */
    overrideFiles: z.array(overrideFile).max(MAX_OVERRIDE_FILES).default([]),
    /**
     * The stack's other files (Dockerfiles, sources, config and secret files), written from the blobs the agent
     * holds for the project (see composeTreePut). A file the stack no longer has is removed from the directory.
     */
    tree: projectTree.optional(),
    /** Absent: the caller owns nothing, so only a project whose containers carry no owner labels can be acted on. */
    owner: projectOwner.optional(),
  })
  .superRefine((project, ctx) => {
    const size = wireBytes(project);
    if (size > MAX_PROJECT_BYTES) ctx.addIssue({ code: "custom", message: `the project takes ${formatSize(size)} encoded; at most ${formatSize(MAX_PROJECT_BYTES)} fit in a request` });
    const paths = [...project.files, ...project.overrideFiles, ...(project.tree ?? [])].map((file) => file.path);
    const seen = new Set<string>();
    for (const path of paths) {
      if (seen.has(path)) ctx.addIssue({ code: "custom", message: `file path ${JSON.stringify(path)} is given twice` });
      seen.add(path);
    }
    // "a" and "a/b.yaml" cannot both be files.
    for (const path of paths) {
      const clash = paths.find((other) => other.startsWith(`${path}/`));
      if (clash !== undefined) ctx.addIssue({ code: "custom", message: `file path ${JSON.stringify(path)} is also a directory of ${JSON.stringify(clash)}` });
    }
  });
export type ComposeProject = z.infer<typeof composeProject>;
export type ComposeProjectInput = z.input<typeof composeProject>;

/** Calls that only read a project's containers need its name and owner (only the owner's containers are shown). */
export const composeProjectRef = z.object({ name: composeProjectName, owner: projectOwner.optional() });
export type ComposeProjectRef = z.infer<typeof composeProjectRef>;
