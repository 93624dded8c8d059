import { type ComposeProjectInput, formatSize, MAX_ENV_VARIABLES, MAX_OVERRIDE_FILE_BYTES, MAX_REVISION_REQUEST_BYTES, type ProjectOwner, wireBytes } from "@wharf/agent-protocol";
import { z } from "zod";

import type { WharfDeps } from "../deps";
import { type Problem, WharfError } from "../errors";
import { type EnvEntry, envEntry, OVERLAY_PATH, type StackFile, stackFile } from "../lib/compose-files";
import { IMAGE_PINS_PATH, type ImagePin, renderImagePins } from "../lib/image-pins";
import { LIMITS_OVERRIDE_PATH, renderLimitsOverride, type StackLimits, stackLimits, toRequestedLimits } from "../lib/limits-override";
import { Redactor } from "../lib/redact";
import { emptyTree, type RevisionTree, storedTree, treeEntries, treeEntrySelect } from "./stack-tree";

/** Everything a revision holds, secrets opened: stays inside the service layer. */
export interface RevisionContent {
  files: StackFile[];
  env: EnvEntry[];
  secrets: Record<string, string>;
  limits: StackLimits;
  /** The rest of the stack's folder. */
  tree: RevisionTree;
}

const storedFiles = z.array(stackFile);
const storedEnv = z.array(envEntry);
const storedSecrets = z.record(z.string(), z.string());

/** Reads a revision's JSON columns back; a row that does not parse is a bug or a tampered database. */
function parseStored<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new WharfError("INTERNAL", `The stored ${what} of this revision is unreadable: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export function publicContent(row: { files: unknown; env: unknown; limits: unknown }) {
  return {
    files: parseStored(storedFiles, row.files, "files"),
    env: parseStored(storedEnv, row.env, "env"),
    limits: parseStored(stackLimits, row.limits, "limits"),
  };
}

export function openSecrets(deps: WharfDeps, sealed: Uint8Array | null): Record<string, string> {
  if (sealed === null) return {};
  let text: string;
  try {
    text = deps.secrets.open(sealed);
  } catch {
    throw new WharfError(
      "PRECONDITION_FAILED",
      "The secret variables of this revision cannot be decrypted: Wharf's master key is not the one they were saved with. Restore that key, or save the secrets again.",
      "SECRETS_UNREADABLE",
    );
  }
  return parseStored(storedSecrets, JSON.parse(text), "secrets");
}

export function sealSecrets(deps: WharfDeps, secrets: Record<string, string>): Uint8Array<ArrayBuffer> | null {
  return Object.keys(secrets).length === 0 ? null : deps.secrets.seal(JSON.stringify(secrets));
}

/** What a revision row needs selected for revisionContent to see its folder. */
export const revisionTreeSelect = { entries: { select: treeEntrySelect } } as const;

export function revisionContent(
  deps: WharfDeps,
  row: { files: unknown; env: unknown; limits: unknown; secretsEnc: Uint8Array | null; entries?: Parameters<typeof storedTree>[1] },
): RevisionContent {
  return { ...publicContent(row), secrets: openSecrets(deps, row.secretsEnc), tree: row.entries ? storedTree(deps, row.entries) : emptyTree() };
}

export type RedactedEnvEntry = {
  key: string;
  /** Null for a secret: only its name is ever shown. */
  value: string | null;
  secret: boolean;
};

export function redactedEnv(content: RevisionContent): RedactedEnvEntry[] {
  return [
    ...content.env.map((entry) => ({ key: entry.key, value: entry.value, secret: false })),
    ...Object.keys(content.secrets)
      .sort()
      .map((key) => ({ key, value: null, secret: true })),
  ];
}

const redactors = new WeakMap<RevisionContent, Redactor>();

/** The one redactor of a revision's secret values: every text about it passes through it before it is stored, returned or logged. */
export function redactorFor(content: RevisionContent): Redactor {
  let redactor = redactors.get(content);
  if (!redactor) {
    const secretFiles = content.tree.files.flatMap((file) => (file.secret ? [content.tree.content.get(file.sha256)?.toString("utf8").trim() ?? ""] : []));
    redactor = new Redactor([...Object.values(content.secrets), ...secretFiles.filter((text) => text !== "")]);
    redactors.set(content, redactor);
  }
  return redactor;
}

export interface BuiltProject {
  project: ComposeProjectInput;
  limitsOverride: string | null;
}

/** The compose project name a stack has on its hosts (the one place that decides it). */
export function projectNameOf(stackName: string): string {
  return stackName;
}

/**
 * The compose project for one host: the user's files as they are, the `.env`
 * with every variable, then the host's overlay, the generated limits
 * override and (rollback) the image pins as the last `-f` files. With an owner
 * (what a job runs), the agent labels the containers with it.
 */
export function buildProject(
  stackName: string,
  content: RevisionContent,
  overlay: string | null,
  pins: readonly ImagePin[] = [],
  owner?: ProjectOwner,
): BuiltProject {
  const limitsOverride = renderLimitsOverride(content.limits);
  const imagePins = renderImagePins(pins);
  const variables = [...content.env, ...Object.entries(content.secrets).map(([key, value]) => ({ key, value }))];
  return {
    project: {
      name: projectNameOf(stackName),
      files: content.files,
      ...(variables.length > 0 ? { env: variables } : {}),
      ...(content.tree.files.length > 0 ? { tree: treeEntries(content.tree) } : {}),
      overrideFiles: [
        ...(overlay !== null && overlay.trim() !== "" ? [{ path: OVERLAY_PATH, content: overlay }] : []),
        ...(limitsOverride !== null ? [{ path: LIMITS_OVERRIDE_PATH, content: limitsOverride }] : []),
        ...(imagePins !== null ? [{ path: IMAGE_PINS_PATH, content: imagePins }] : []),
      ],
      ...(owner === undefined ? {} : { owner }),
    },
    limitsOverride,
  };
}

/** The longest project name: a revision is measured as if sent under it. */
const WIDEST_NAME = "x".repeat(63);

/**
 * Why a revision could not always be sent to an agent: too many variables,
 * or a request (files, variables, limits override, preflight limits) that
 * leaves no room for a host's overlay and a rollback's image pins.
 */
export function sendableProblems(content: RevisionContent): Problem[] {
  const problems: Problem[] = [];
  const variables = content.env.length + Object.keys(content.secrets).length;
  if (variables > MAX_ENV_VARIABLES) {
    problems.push({ path: ["env"], message: `${variables} variables, plain and secret together; at most ${MAX_ENV_VARIABLES} fit in a stack's .env.` });
  }
  const { project, limitsOverride } = buildProject(WIDEST_NAME, content, null);
  if (limitsOverride !== null && wireBytes(limitsOverride) > MAX_OVERRIDE_FILE_BYTES) {
    problems.push({ path: ["limits"], message: `The runtime limits render to ${formatSize(wireBytes(limitsOverride))} of compose; at most ${formatSize(MAX_OVERRIDE_FILE_BYTES)} fit: set fewer limits.` });
  }
  const size = wireBytes({ project, limits: { services: toRequestedLimits(content.limits) } });
  if (size > MAX_REVISION_REQUEST_BYTES) {
    problems.push({
      path: ["files"],
      message: `The files, variables and limits take ${formatSize(size)} once encoded for the agent; at most ${formatSize(MAX_REVISION_REQUEST_BYTES)} fit: make files or values smaller.`,
    });
  }
  return problems;
}
